import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsIn,
  IsInt,
  IsObject,
  IsOptional,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
  MinLength,
  ValidateNested,
} from 'class-validator';
import { Level, LEVELS } from '@/common/auth/actor';
import { PageQueryDto } from '@/common/paging/page';
import { MAX_ID } from '@/modules/org-units/org-unit.model';
import { ITEM_KEY, MAX_ITEMS, MAX_ON_SITE_DAYS, MAX_TARGET_UNITS, MAX_VISITS, PLANNED_MONTH } from '../plan-items';
import { PLAN_STATUSES, PlanStatus } from '../plan-state';

export const MIN_YEAR = 2000;
export const MAX_YEAR = 2100;

export class PlanItemDto {
  @ApiPropertyOptional({
    example: 'P2026-001',
    description: 'Stable key of the item, unique within the plan and kept by later versions; generated (P<year>-NNN) when left out',
  })
  @IsOptional()
  @IsString()
  @Matches(ITEM_KEY, { message: 'itemKey has letters, digits, "-", "_" or "." (at most 40)' })
  itemKey?: string;

  @ApiProperty({ example: '校园安全专项督查', maxLength: 200 })
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  title!: string;

  @ApiProperty({ example: 'education', description: 'Topic code (GET /topics)' })
  @IsString()
  @MaxLength(40)
  topic!: string;

  @ApiPropertyOptional({
    enum: LEVELS,
    description: 'Level of the area units inspected, below the issuer’s level; alone it means every unit of that level in the issuer’s jurisdiction',
  })
  @IsOptional()
  @IsIn(LEVELS)
  targetLevel?: Level;

  @ApiPropertyOptional({
    type: [Number],
    description: 'The area units inspected, below the issuer’s level inside its jurisdiction; with targetLevel they must all be of that level',
  })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(MAX_TARGET_UNITS)
  @IsInt({ each: true })
  @Min(1, { each: true })
  @Max(MAX_ID, { each: true })
  targetUnitIds?: number[];

  @ApiProperty({ example: '2026-05', description: 'Month of the plan’s year in which the inspection is planned (YYYY-MM)' })
  @IsString()
  @Matches(PLANNED_MONTH, { message: 'plannedMonth must be YYYY-MM' })
  plannedMonth!: string;

  @ApiProperty({ minimum: 0, maximum: MAX_ON_SITE_DAYS, example: 1, description: 'Days spent on site per visit' })
  @IsInt()
  @Min(0)
  @Max(MAX_ON_SITE_DAYS)
  onSiteDays!: number;

  @ApiPropertyOptional({ minimum: 1, maximum: MAX_VISITS, default: 1, description: 'Planned visits to each target unit in the year' })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(MAX_VISITS)
  visits?: number;
}

export class CreateInspectionPlanDto {
  @ApiProperty({ minimum: MIN_YEAR, maximum: MAX_YEAR, example: 2026 })
  @IsInt()
  @Min(MIN_YEAR)
  @Max(MAX_YEAR)
  year!: number;

  @ApiPropertyOptional({ example: '蒙自市教育局2026年度督查检查考核计划', maxLength: 200 })
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  title?: string;

  @ApiProperty({ type: [PlanItemDto], description: `The planned inspections (at most ${MAX_ITEMS}; an empty plan plans none)` })
  @IsArray()
  @ArrayMaxSize(MAX_ITEMS)
  @IsObject({ each: true })
  @ValidateNested({ each: true })
  @Type(() => PlanItemDto)
  items!: PlanItemDto[];
}

/** A draft's title and/or its whole item list; items are matched by itemKey, so kept items keep their ids. */
export class UpdateInspectionPlanDto {
  @ApiPropertyOptional({ maxLength: 200 })
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  title?: string;

  @ApiPropertyOptional({ type: [PlanItemDto], description: 'Replaces the item list; an item with a known itemKey is updated in place' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(MAX_ITEMS)
  @IsObject({ each: true })
  @ValidateNested({ each: true })
  @Type(() => PlanItemDto)
  items?: PlanItemDto[];
}

export class RejectInspectionPlanDto {
  @ApiProperty({ example: '检查频次过高，请合并同类检查', minLength: 1, maxLength: 1000 })
  @IsString()
  @MinLength(1)
  @MaxLength(1000)
  reason!: string;
}

export class InspectionPlanQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ description: 'Plans of this issuing unit' })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(MAX_ID)
  issuerId?: number;

  @ApiPropertyOptional({ minimum: MIN_YEAR, maximum: MAX_YEAR })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(MIN_YEAR)
  @Max(MAX_YEAR)
  year?: number;

  @ApiPropertyOptional({ enum: PLAN_STATUSES })
  @IsOptional()
  @IsIn(PLAN_STATUSES)
  status?: PlanStatus;
}
