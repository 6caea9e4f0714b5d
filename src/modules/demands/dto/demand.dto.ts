import { ApiProperty, ApiPropertyOptional, PartialType, PickType } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  ArrayUnique,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsNumber,
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
import { APP_REQUIREMENTS, AppRequirement, OTHER_SUBTYPES, OtherSubtype, Recurrence, RECURRENCES, TRACE_KINDS, TraceKind } from '@/modules/policy/policy-document';
import { DEMAND_KINDS, DemandKind } from '../estimate';

const DATE = /^\d{4}-\d{2}-\d{2}$/;
import { MAX_ID } from '@/common/http/id-param';
const dateMessage = (field: string) => ({ message: `${field} must be a date written YYYY-MM-DD` });

export class TargetScopeDto {
  @ApiProperty({ description: 'Every area unit of `level` in the subtree of this unit' })
  @IsInt()
  @Min(1)
  @Max(MAX_ID)
  underId!: number;

  @ApiProperty({ enum: LEVELS })
  @IsIn(LEVELS)
  level!: Level;
}

/** Fields a demand of any kind may carry; the kind-specific ones are checked by the service. */
export class DemandBodyDto {
  @ApiProperty({ example: '关于报送2026年第三季度安全生产隐患排查情况的通知' })
  @IsString()
  @MinLength(1)
  @MaxLength(300)
  title!: string;

  @ApiProperty({ example: 'work_safety', description: 'A topic code from GET /topics' })
  @IsString()
  @Matches(/^[a-z0-9_]{1,40}$/, { message: 'topic is a topic code' })
  topic!: string;

  @ApiPropertyOptional({ description: '依据: the document or rule the demand rests on' })
  @IsOptional()
  @IsString()
  @MaxLength(1000)
  basis?: string;

  @ApiProperty({ example: '2026-09-01' })
  @Matches(DATE, dateMessage('issuedOn'))
  issuedOn!: string;

  @ApiPropertyOptional({ example: '2026-09-05' })
  @IsOptional()
  @Matches(DATE, dateMessage('startsOn'))
  startsOn?: string;

  @ApiPropertyOptional({ example: '2026-09-10' })
  @IsOptional()
  @Matches(DATE, dateMessage('dueOn'))
  dueOn?: string;

  @ApiPropertyOptional({ enum: RECURRENCES, default: 'once' })
  @IsOptional()
  @IsIn(RECURRENCES)
  recurrence?: Recurrence;

  @ApiPropertyOptional({ description: 'Inclusive last day of a recurring demand', example: '2026-12-31' })
  @IsOptional()
  @Matches(DATE, dateMessage('until'))
  until?: string;

  @ApiPropertyOptional({ type: [Number], description: 'Area units below the issuer inside its jurisdiction' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(5000)
  @ArrayUnique()
  @IsInt({ each: true })
  @Min(1, { each: true })
  @Max(MAX_ID, { each: true })
  targetUnitIds?: number[];

  @ApiPropertyOptional({ type: [TargetScopeDto] })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(50)
  @IsObject({ each: true })
  @ValidateNested({ each: true })
  @Type(() => TargetScopeDto)
  targetScopes?: TargetScopeDto[];

  @ApiPropertyOptional({ description: 'Per target and occurrence; when absent the policy standard time applies', example: 2.5 })
  @IsOptional()
  @IsNumber({ maxDecimalPlaces: 2, allowNaN: false, allowInfinity: false })
  @Min(0)
  @Max(10_000)
  estimatedHoursPerTarget?: number;

  @ApiPropertyOptional({ enum: TRACE_KINDS, isArray: true })
  @IsOptional()
  @IsArray()
  @ArrayUnique()
  @IsIn(TRACE_KINDS, { each: true })
  requiresTrace?: TraceKind[];

  @ApiPropertyOptional({ description: 'The upper demand this one passes on' })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(MAX_ID)
  parentDemandId?: number;

  // report
  @ApiPropertyOptional({ type: [String], description: 'report: the fields asked for', example: ['户籍人口（人）', '低保户数'] })
  @IsOptional()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(500)
  @IsString({ each: true })
  @MinLength(1, { each: true })
  @MaxLength(200, { each: true })
  fields?: string[];

  // meeting
  @ApiPropertyOptional({ description: 'meeting: length in minutes' })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(7 * 24 * 60)
  durationMinutes?: number;

  @ApiPropertyOptional({ description: 'meeting: attendees required from each target' })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(10_000)
  attendeesPerTarget?: number;

  @ApiPropertyOptional({ enum: LEVELS, isArray: true, description: 'meeting: levels the attendees must come from' })
  @IsOptional()
  @IsArray()
  @ArrayUnique()
  @IsIn(LEVELS, { each: true })
  attendeeLevels?: Level[];

  // inspection
  @ApiPropertyOptional({ description: 'inspection: the item of the issuer’s approved plan it carries out' })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(MAX_ID)
  planItemId?: number;

  @ApiPropertyOptional({ description: 'inspection: days on site (halves allowed)', example: 1.5 })
  @IsOptional()
  @IsNumber({ maxDecimalPlaces: 1, allowNaN: false, allowInfinity: false })
  @Min(0)
  @Max(365)
  onSiteDays?: number;

  @ApiPropertyOptional({ type: [Number], description: 'inspection: other issuers inspecting in the same visit' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(50)
  @ArrayUnique()
  @IsInt({ each: true })
  @Min(1, { each: true })
  @Max(MAX_ID, { each: true })
  jointWith?: number[];

  // document
  @ApiPropertyOptional({ description: 'document: length in characters' })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(10_000_000)
  charCount?: number;

  @ApiPropertyOptional({ description: 'document: a special-task document (4,000 characters allowed)' })
  @IsOptional()
  @IsBoolean()
  special?: boolean;

  // other
  @ApiPropertyOptional({ enum: OTHER_SUBTYPES })
  @IsOptional()
  @IsIn(OTHER_SUBTYPES)
  subtype?: OtherSubtype;

  @ApiPropertyOptional({ enum: APP_REQUIREMENTS, isArray: true, description: 'other/app_task: what the app demands' })
  @IsOptional()
  @IsArray()
  @ArrayUnique()
  @IsIn(APP_REQUIREMENTS, { each: true })
  appRequirements?: AppRequirement[];
}

export class CreateDemandDto extends DemandBodyDto {
  @ApiProperty({ enum: DEMAND_KINDS })
  @IsIn(DEMAND_KINDS)
  kind!: DemandKind;
}

/** The fields a PATCH may change; the kind, the issue date and the links never change. */
const EDITABLE = [
  'title',
  'topic',
  'basis',
  'startsOn',
  'dueOn',
  'recurrence',
  'until',
  'targetUnitIds',
  'targetScopes',
  'estimatedHoursPerTarget',
  'fields',
  'durationMinutes',
  'attendeesPerTarget',
  'onSiteDays',
  'charCount',
] as const;

/** A PATCH replaces the fields it names. `version` guards against lost updates. */
export class UpdateDemandDto extends PartialType(PickType(DemandBodyDto, EDITABLE)) {
  @ApiProperty({ description: 'The version the client read (rowVersion); a stale one is a 409' })
  @IsInt()
  @Min(1)
  version!: number;
}

export class CancelDemandDto {
  @ApiPropertyOptional({ description: 'Occurrences after this day stop counting (default: today in China)', example: '2026-10-01' })
  @IsOptional()
  @Matches(DATE, dateMessage('cancelledOn'))
  cancelledOn?: string;

  @ApiProperty({ example: '与市级检查合并开展' })
  @IsString()
  @MinLength(1)
  @MaxLength(500)
  reason!: string;
}

export class DemandQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ description: 'Demands reaching this unit (as a target)' })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(MAX_ID)
  targetUnitId?: number;

  @ApiPropertyOptional() @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(MAX_ID) issuerId?: number;
  @ApiPropertyOptional({ enum: DEMAND_KINDS }) @IsOptional() @IsIn(DEMAND_KINDS) kind?: DemandKind;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(40) topic?: string;
  @ApiPropertyOptional({ description: 'Demands with an occurrence on or after this day' }) @IsOptional() @Matches(DATE, dateMessage('from')) from?: string;
  @ApiPropertyOptional({ description: 'Demands with an occurrence on or before this day' }) @IsOptional() @Matches(DATE, dateMessage('to')) to?: string;
  @ApiPropertyOptional({ enum: ['active', 'cancelled'] }) @IsOptional() @IsIn(['active', 'cancelled']) status?: 'active' | 'cancelled';
}

export class LookupQueryDto {
  @ApiProperty({ example: '532503-2026-000123' })
  @IsString()
  @MinLength(1)
  @MaxLength(40)
  registrationNo!: string;
}
