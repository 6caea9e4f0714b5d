import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, ArrayUnique, IsArray, IsInt, IsOptional, Matches, Max, Min, ValidateIf } from 'class-validator';
import { MAX_ID } from '@/common/http/id-param';
import { PageQueryDto } from '@/common/paging/page';

const MONTH = /^\d{4}-\d{2}$/;

/** Sets the designation window of each listed unit (creating it or replacing the one it had). */
export class PutMonitoringPointsDto {
  @ApiProperty({ type: [Number], description: 'Area units below your own unit, inside your jurisdiction, that must report every month' })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(500)
  @ArrayUnique()
  @IsInt({ each: true })
  @Min(1, { each: true })
  @Max(MAX_ID, { each: true })
  unitIds!: number[];

  @ApiProperty({ example: '2026-07', description: 'First month the units must report (inclusive)' })
  @Matches(MONTH, { message: 'from must be a month written YYYY-MM' })
  from!: string;

  @ApiPropertyOptional({ example: '2026-12', nullable: true, description: 'Last month (inclusive); null or left out: until further notice. Set it to end a designation' })
  @IsOptional()
  @ValidateIf((_o, v) => v !== null)
  @Matches(MONTH, { message: 'to must be a month written YYYY-MM' })
  to?: string | null;
}

export class MonitoringPointsQueryDto extends PageQueryDto {
  @ApiProperty({ example: '2026-Q3', description: 'A month 2026-07, a quarter 2026-Q3 or a year 2026' })
  @Matches(/^\d{4}(-Q[1-4]|-\d{2})?$/, { message: 'period must be written 2026, 2026-Q3 or 2026-07' })
  period!: string;

  @ApiPropertyOptional({ description: 'Only this designated unit' })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(MAX_ID)
  unitId?: number;
}
