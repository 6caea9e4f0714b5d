import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, Matches, Max, Min } from 'class-validator';
import { MAX_ID } from '@/common/http/id-param';
import { PageQueryDto } from '@/common/paging/page';
import { ISSUER_SORTS, IssuerSort } from '../issuer-metrics.service';

/** A year, quarter or month that exists: 2026-13, 2026-Q5 and year 0000 are refused here (400), not later. */
export const EXISTING_PERIOD = /^(?!0000)\d{4}(-Q[1-4]|-(0[1-9]|1[0-2]))?$/;
export const PERIOD_MESSAGE = 'period must be written 2026, 2026-Q3 or 2026-07';

export class IssuerMetricsQueryDto extends PageQueryDto {
  @ApiPropertyOptional({
    description: 'A year 2026, a quarter 2026-Q3 or a month 2026-07 (default: this year)',
  })
  @IsOptional()
  @Matches(EXISTING_PERIOD, { message: PERIOD_MESSAGE })
  period?: string;

  @ApiPropertyOptional({
    description: 'Only issuing offices under this unit (default: your whole jurisdiction)',
  })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(MAX_ID)
  underId?: number;

  @ApiPropertyOptional({ enum: ISSUER_SORTS, default: 'hoursImposed' })
  @IsOptional()
  @IsIn(ISSUER_SORTS)
  sort?: IssuerSort;

  @ApiPropertyOptional({
    enum: ['asc', 'desc'],
    description: 'Default: desc for figures, asc for code',
  })
  @IsOptional()
  @IsIn(['asc', 'desc'])
  order?: 'asc' | 'desc';
}
