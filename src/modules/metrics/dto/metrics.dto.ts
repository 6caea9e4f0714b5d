import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, Matches, Max, Min } from 'class-validator';
import { Level, LEVELS } from '@/common/auth/actor';
import { MAX_ID } from '@/common/http/id-param';
import { PageQueryDto } from '@/common/paging/page';
import { RANKING_SORTS, RankingSort } from '../metrics.service';

const PERIOD = /^\d{4}(-Q[1-4]|-\d{2})?$/;
const MONTH = /^\d{4}-\d{2}$/;

export class UnitCardQueryDto {
  @ApiPropertyOptional({ description: 'A year 2026, a quarter 2026-Q3 or a month 2026-07 (default: this year)' })
  @IsOptional()
  @Matches(PERIOD, { message: 'period must be written 2026, 2026-Q3 or 2026-07' })
  period?: string;
}

export class UnitRankingQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ enum: LEVELS, description: 'Level of the units ranked (default: the level below underId)' })
  @IsOptional()
  @IsIn(LEVELS)
  level?: Level;

  @ApiPropertyOptional({ description: 'Rank the units under this unit (default: the top of your jurisdiction)' })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(MAX_ID)
  underId?: number;

  @ApiPropertyOptional({ description: 'A year 2026, a quarter 2026-Q3 or a month 2026-07 (default: this year)' })
  @IsOptional()
  @Matches(PERIOD, { message: 'period must be written 2026, 2026-Q3 or 2026-07' })
  period?: string;

  @ApiPropertyOptional({ enum: RANKING_SORTS, default: 'burdenShare' })
  @IsOptional()
  @IsIn(RANKING_SORTS)
  sort?: RankingSort;

  @ApiPropertyOptional({ enum: ['asc', 'desc'], description: 'Default: desc for figures, asc for code' })
  @IsOptional()
  @IsIn(['asc', 'desc'])
  order?: 'asc' | 'desc';
}

export class UnitSeriesQueryDto {
  @ApiPropertyOptional({ description: 'First month, YYYY-MM (default: January of this year)' })
  @IsOptional()
  @Matches(MONTH, { message: 'from must be written YYYY-MM' })
  from?: string;

  @ApiPropertyOptional({ description: 'Last month, YYYY-MM (default: December of this year)' })
  @IsOptional()
  @Matches(MONTH, { message: 'to must be written YYYY-MM' })
  to?: string;

  @ApiPropertyOptional({ enum: ['month', 'quarter'], default: 'month' })
  @IsOptional()
  @IsIn(['month', 'quarter'])
  granularity?: 'month' | 'quarter';
}
