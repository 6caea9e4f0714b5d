import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, Matches, Max, MaxLength, Min, MinLength } from 'class-validator';
import { Level, LEVELS } from '@/common/auth/actor';
import { PageQueryDto } from '@/common/paging/page';
import { MAX_ID, MAX_STAFF, UNIT_CODE, UNIT_KINDS, UnitKind } from '../org-unit.model';

const DATE = /^\d{4}-\d{2}-\d{2}$/;

export class CreateOrgUnitDto {
  @ApiProperty({ example: '532503001', description: 'Division code (area) or office code (department); unique' })
  @IsString()
  @Matches(UNIT_CODE, { message: 'code has letters, digits, "-", "_" or "." (at most 40)' })
  code!: string;

  @ApiProperty({ example: '文澜街道' })
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  name!: string;

  @ApiProperty({ enum: UNIT_KINDS })
  @IsIn(UNIT_KINDS)
  kind!: UnitKind;

  @ApiProperty({ enum: LEVELS })
  @IsIn(LEVELS)
  level!: Level;

  @ApiPropertyOptional({ description: 'Parent unit id; only a province may have none' })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(MAX_ID)
  parentId?: number;

  @ApiPropertyOptional({ minimum: 0 })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(MAX_STAFF)
  staffCount?: number;
}

export class UpdateOrgUnitDto {
  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  name?: string;

  @ApiPropertyOptional({ description: 'Move the unit (and its subtree) under another parent' })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(MAX_ID)
  parentId?: number;

  @ApiPropertyOptional({ minimum: 0 })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(MAX_STAFF)
  staffCount?: number;

  @ApiPropertyOptional({ description: 'Day the new staff count takes effect (default: today in China)', example: '2026-07-01' })
  @IsOptional()
  @Matches(DATE, { message: 'staffEffectiveFrom must be YYYY-MM-DD' })
  staffEffectiveFrom?: string;
}

export class OrgUnitQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ description: 'Direct children of this unit' })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(MAX_ID)
  parentId?: number;

  @ApiPropertyOptional({ description: 'The whole subtree of this unit (itself included)' })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(MAX_ID)
  underId?: number;

  @ApiPropertyOptional({ enum: LEVELS })
  @IsOptional()
  @IsIn(LEVELS)
  level?: Level;

  @ApiPropertyOptional({ enum: UNIT_KINDS })
  @IsOptional()
  @IsIn(UNIT_KINDS)
  kind?: UnitKind;

  @ApiPropertyOptional({ description: 'Part of the name, or an exact code' })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  q?: string;
}
