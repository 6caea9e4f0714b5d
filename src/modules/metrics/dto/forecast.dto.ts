import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, Matches } from 'class-validator';
import { EXISTING_PERIOD, PERIOD_MESSAGE } from './issuer-metrics.dto';

export class UnitForecastQueryDto {
  @ApiPropertyOptional({
    description: 'A month 2026-12, a quarter 2027-Q1 or a year 2027 (default: next month)',
  })
  @IsOptional()
  @Matches(EXISTING_PERIOD, { message: PERIOD_MESSAGE })
  period?: string;
}
