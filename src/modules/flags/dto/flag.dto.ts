import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import { IsBoolean, IsIn, IsInt, IsOptional, IsString, Matches, Max, MaxLength, Min } from 'class-validator';
import { MAX_ID } from '@/common/http/id-param';
import { PageQueryDto } from '@/common/paging/page';
import { FLAG_STATUSES, FlagStatus } from '../flag-state';
import { RULE_CODES, RuleCode } from '../rules/rule';

const DAY = /^\d{4}-\d{2}-\d{2}$/;

export class FlagQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ enum: FLAG_STATUSES })
  @IsOptional()
  @IsIn(FLAG_STATUSES)
  status?: FlagStatus;

  @ApiPropertyOptional({ enum: RULE_CODES })
  @IsOptional()
  @IsIn(RULE_CODES)
  rule?: RuleCode;

  @ApiPropertyOptional({ description: 'Flags on this unit' })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(MAX_ID)
  unitId?: number;

  @ApiPropertyOptional({ description: 'Flags on demands of this issuer (or on the issuer itself)' })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(MAX_ID)
  issuerId?: number;

  @ApiPropertyOptional({ description: 'Flags on this demand' })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(MAX_ID)
  demandId?: number;

  @ApiPropertyOptional({ description: 'Day the finding is about, from (YYYY-MM-DD, inclusive)' })
  @IsOptional()
  @Matches(DAY, { message: 'from must be written YYYY-MM-DD' })
  from?: string;

  @ApiPropertyOptional({ description: 'Day the finding is about, to (YYYY-MM-DD, inclusive)' })
  @IsOptional()
  @Matches(DAY, { message: 'to must be written YYYY-MM-DD' })
  to?: string;

  @ApiPropertyOptional({ description: 'Only rectifications past their due date' })
  @IsOptional()
  @Transform(({ value }: { value: unknown }) => (value === 'true' ? true : value === 'false' ? false : value))
  @IsBoolean()
  overdue?: boolean;
}

export class FlagTransitionDto {
  @ApiProperty({ enum: FLAG_STATUSES, description: 'The state to move to' })
  @IsIn(FLAG_STATUSES)
  to!: FlagStatus;

  @ApiPropertyOptional({ description: 'Reason for a decision, or the rectification note (required where the workflow asks for one)' })
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  comment?: string;

  @ApiPropertyOptional({ description: 'Who carries out the rectification (when ordering it)' })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(MAX_ID)
  assigneeId?: number;

  @ApiPropertyOptional({ description: 'Rectification due date (YYYY-MM-DD), required when ordering rectification' })
  @IsOptional()
  @Matches(DAY, { message: 'dueOn must be written YYYY-MM-DD' })
  dueOn?: string;

  @ApiProperty({ description: 'The flag version you read; a stale one answers 409' })
  @IsInt()
  @Min(1)
  version!: number;
}

export class EvaluateFlagsDto {
  @ApiProperty({ example: '2026', description: 'A year 2026, a quarter 2026-Q3 or a month 2026-07' })
  @Matches(/^\d{4}(-Q[1-4]|-\d{2})?$/, { message: 'period must be written 2026, 2026-Q3 or 2026-07' })
  period!: string;
}

export class IssuerBudgetDto {
  @ApiProperty({ description: 'Hours the office may impose on the grassroots in the year', example: 12000 })
  @Type(() => Number)
  @Min(0)
  @Max(100_000_000)
  hours!: number;
}
