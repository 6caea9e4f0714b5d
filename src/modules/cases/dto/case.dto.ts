import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, ArrayUnique, IsArray, IsBoolean, IsIn, IsInt, IsObject, IsOptional, IsString, Matches, Max, MaxLength, Min, MinLength, ValidateNested } from 'class-validator';
import { MAX_ID } from '@/common/http/id-param';
import { PageQueryDto } from '@/common/paging/page';
import { BULLETIN_FORMATS, BulletinFormat } from '../bulletin/bulletin-maker';
import { CASE_CATEGORIES, CaseCategory, HANDLING_TYPES, HandlingType } from '../case-category';
import { CASE_STATUSES, CaseStatus } from '../case.model';

const DAY = /^\d{4}-\d{2}-\d{2}$/;
const trim = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value);
const bool = ({ value }: { value: unknown }) => (value === 'true' ? true : value === 'false' ? false : value);

export class CasePersonDto {
  @ApiProperty({ description: 'The post held at the time (职务), e.g. 县教育局副局长' })
  @Transform(trim)
  @IsString()
  @MinLength(1)
  @MaxLength(100)
  post!: string;

  @ApiPropertyOptional({ description: 'The name; anonymised bulletins print the post instead, everywhere' })
  @IsOptional()
  @Transform(trim)
  @IsString()
  @MinLength(1)
  @MaxLength(50)
  name?: string;
}

/** The content an inspector writes; every field optional on PATCH. */
class CaseContentDto {
  @ApiPropertyOptional({ description: 'Place + unit + problem + effect, e.g. 某县教育局多头索要报表、层层加码，加重基层负担' })
  @IsOptional()
  @Transform(trim)
  @IsString()
  @MinLength(4)
  @MaxLength(200)
  title?: string;

  @ApiPropertyOptional({ type: [CasePersonDto] })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(20)
  @IsObject({ each: true })
  @ValidateNested({ each: true })
  @Type(() => CasePersonDto)
  persons?: CasePersonDto[];

  @ApiPropertyOptional({ description: 'First day of the conduct (YYYY-MM-DD); default: the earliest day of the flags' })
  @IsOptional()
  @Matches(DAY, { message: 'conductFrom must be written YYYY-MM-DD' })
  conductFrom?: string;

  @ApiPropertyOptional({ description: 'Last day of the conduct (YYYY-MM-DD); default: the latest day of the flags' })
  @IsOptional()
  @Matches(DAY, { message: 'conductTo must be written YYYY-MM-DD' })
  conductTo?: string;

  @ApiPropertyOptional({ description: 'The facts, with dates, counts and practices' })
  @IsOptional()
  @IsString()
  @MaxLength(10000)
  facts?: string;

  @ApiPropertyOptional({ description: 'The provision violated, e.g. 《整治形式主义为基层减负若干规定》第十条' })
  @IsOptional()
  @Transform(trim)
  @IsString()
  @MaxLength(1000)
  provision?: string;

  @ApiPropertyOptional({ enum: HANDLING_TYPES, description: '处理/处分 type' })
  @IsOptional()
  @IsIn(HANDLING_TYPES)
  handlingType?: HandlingType;

  @ApiPropertyOptional({ description: 'Day of the handling decision (YYYY-MM-DD); bulletins take final cases by this day' })
  @IsOptional()
  @Matches(DAY, { message: 'handlingOn must be written YYYY-MM-DD' })
  handlingOn?: string;

  @ApiPropertyOptional({ description: 'More on the handling (e.g. 责令作出书面检查并全面清理报表)' })
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  handlingNote?: string;

  @ApiPropertyOptional({ enum: CASE_CATEGORIES, description: 'Default: from the flags’ rules; required when no rule maps to one' })
  @IsOptional()
  @IsIn(CASE_CATEGORIES)
  category?: CaseCategory;
}

export class CreateCaseDto extends CaseContentDto {
  @ApiProperty({ description: 'Confirmed flags (confirmed, rectifying, rectified or verified) the case is built from', type: [Number] })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(100)
  @ArrayUnique()
  @IsInt({ each: true })
  @Min(1, { each: true })
  @Max(MAX_ID, { each: true })
  flagIds!: number[];

  @ApiProperty({ description: 'Place + unit + problem + effect' })
  @Transform(trim)
  @IsString()
  @MinLength(4)
  @MaxLength(200)
  declare title: string;

  @ApiPropertyOptional({ description: 'The office responsible; default: the issuer all the flags share' })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(MAX_ID)
  issuerId?: number;

  @ApiPropertyOptional({ description: 'The unit where it happened (place); default: the unit all the flags share' })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(MAX_ID)
  unitId?: number;
}

export class UpdateCaseDto extends CaseContentDto {
  @ApiPropertyOptional({ enum: CASE_STATUSES, description: 'final: the case goes into bulletins and no longer changes' })
  @IsOptional()
  @IsIn(CASE_STATUSES)
  status?: CaseStatus;

  @ApiProperty({ description: 'The version read; a stale one answers 409' })
  @IsInt()
  @Min(1)
  version!: number;
}

export class CaseQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ enum: CASE_STATUSES })
  @IsOptional()
  @IsIn(CASE_STATUSES)
  status?: CaseStatus;

  @ApiPropertyOptional({ enum: CASE_CATEGORIES })
  @IsOptional()
  @IsIn(CASE_CATEGORIES)
  category?: CaseCategory;

  @ApiPropertyOptional()
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(MAX_ID)
  issuerId?: number;

  @ApiPropertyOptional()
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(MAX_ID)
  unitId?: number;

  @ApiPropertyOptional({ description: 'Handled from (YYYY-MM-DD, inclusive)' })
  @IsOptional()
  @Matches(DAY, { message: 'from must be written YYYY-MM-DD' })
  from?: string;

  @ApiPropertyOptional({ description: 'Handled to (YYYY-MM-DD, inclusive)' })
  @IsOptional()
  @Matches(DAY, { message: 'to must be written YYYY-MM-DD' })
  to?: string;
}

export class CaseReportQueryDto {
  @ApiProperty({ description: 'First handling day of the period (YYYY-MM-DD)' })
  @Matches(DAY, { message: 'from must be written YYYY-MM-DD' })
  from!: string;

  @ApiProperty({ description: 'Last handling day of the period (YYYY-MM-DD)' })
  @Matches(DAY, { message: 'to must be written YYYY-MM-DD' })
  to!: string;

  @ApiPropertyOptional({ enum: BULLETIN_FORMATS, default: 'json' })
  @IsOptional()
  @IsIn(BULLETIN_FORMATS)
  format?: BulletinFormat;

  @ApiPropertyOptional({ description: 'Print each person’s post in place of the name, everywhere', default: false })
  @IsOptional()
  @Transform(bool)
  @IsBoolean()
  anonymise?: boolean;
}
