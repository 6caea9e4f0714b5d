import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, ArrayUnique, IsArray, IsIn, IsInt, IsNumber, IsObject, IsOptional, IsString, Matches, Max, MaxLength, Min, MinLength, ValidateNested } from 'class-validator';
import { MAX_ID } from '@/common/http/id-param';
import { PageQueryDto } from '@/common/paging/page';
import { DEMAND_KINDS, DemandKind } from '@/modules/demands/estimate';
import { SHADOW_CHANNELS, ShadowChannel } from '../shadow-channel';

const MONTH = /^\d{4}-\d{2}$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;
const monthMessage = (field: string) => ({ message: `${field} must be a month written YYYY-MM` });
// Range problems (negative, too many) are judged by the plausibility checks and answered 422 with
// the field; validation here only rejects what is not a number at all (400).
const hours = { maxDecimalPlaces: 2, allowNaN: false, allowInfinity: false };

/** A demand that arrived without registration (影子事项). */
export class ShadowDemandDto {
  @ApiProperty({ example: '县某局', description: 'Who sent it, as free text' })
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  issuerName!: string;

  @ApiProperty({ enum: DEMAND_KINDS })
  @IsIn(DEMAND_KINDS)
  kind!: DemandKind;

  @ApiProperty({ example: '请于今天下班前报送辖区内企业名单' })
  @IsString()
  @MinLength(1)
  @MaxLength(300)
  title!: string;

  @ApiProperty({ example: '2026-09-03', description: 'China calendar day it arrived; not in the future' })
  @Matches(DATE, { message: 'receivedOn must be a date written YYYY-MM-DD' })
  receivedOn!: string;

  @ApiProperty({ enum: SHADOW_CHANNELS, description: 'wechat_group 微信群, phone 电话, app APP, paper_notice 纸质通知, other 其他' })
  @IsIn(SHADOW_CHANNELS)
  channel!: ShadowChannel;
}

/** The figures a report carries; on amend every one is optional and an omitted one keeps its value. */
export class ReportFiguresDto {
  @ApiPropertyOptional({ example: 0, description: 'Hours worked outside office hours, part of hoursSpent; two decimals; default 0' })
  @IsOptional()
  @IsNumber(hours)
  overtimeHours?: number;

  @ApiPropertyOptional({ minimum: 1, description: 'People who worked on it; at most the unit staff in force that month. Left out: not stated' })
  @IsOptional()
  @IsInt()
  staffInvolved?: number;

  @ApiPropertyOptional({ minimum: 0, default: 0, description: 'Pages of material produced' })
  @IsOptional()
  @IsInt()
  pages?: number;

  @ApiPropertyOptional({ minimum: 0, default: 0, description: 'Photos taken as proof of work' })
  @IsOptional()
  @IsInt()
  photos?: number;

  @ApiPropertyOptional({ maxLength: 2000 })
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  note?: string;
}

export class CreateBurdenReportDto extends ReportFiguresDto {
  @ApiPropertyOptional({ description: 'The reporting unit: your own (default) or one in your subtree' })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(MAX_ID)
  unitId?: number;

  @ApiPropertyOptional({ description: 'A registered demand reaching the unit; with `month`. Leave out for a shadow demand' })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(MAX_ID)
  demandId?: number;

  @ApiPropertyOptional({ example: '2026-09', description: 'Month of the occurrence (required with demandId); for a shadow demand defaults to the month it was received' })
  @IsOptional()
  @Matches(MONTH, monthMessage('month'))
  month?: string;

  @ApiPropertyOptional({ type: ShadowDemandDto, description: 'A demand that arrived without registration; instead of demandId' })
  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => ShadowDemandDto)
  shadow?: ShadowDemandDto;

  @ApiProperty({ example: 3.5, description: 'Hours spent in all, overtime included; two decimals; stored as whole minutes' })
  @IsNumber(hours)
  hoursSpent!: number;
}

export class AmendBurdenReportDto extends ReportFiguresDto {
  @ApiProperty({ description: 'The version you are amending (the current one); another answers 409' })
  @IsInt()
  @Min(1)
  version!: number;

  @ApiPropertyOptional({ example: 4, description: 'Left out: keeps the current value' })
  @IsOptional()
  @IsNumber(hours)
  hoursSpent?: number;
}

export class ConfirmBurdenReportsDto {
  @ApiPropertyOptional({ description: 'The reporting unit: your own (default) or one in your subtree' })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(MAX_ID)
  unitId?: number;

  @ApiProperty({ example: '2026-09' })
  @Matches(MONTH, monthMessage('month'))
  month!: string;

  @ApiProperty({ type: [Number], description: 'Demands reaching the unit in that month, each reported at its estimate × occurrences' })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(500)
  @ArrayUnique()
  @IsInt({ each: true })
  @Min(1, { each: true })
  @Max(MAX_ID, { each: true })
  demandIds!: number[];
}

export class LinkBurdenReportDto {
  @ApiProperty({ description: 'The registered demand the shadow demand turned out to be' })
  @IsInt()
  @Min(1)
  @Max(MAX_ID)
  demandId!: number;

  @ApiPropertyOptional({ example: '2026-09', description: 'Month of that demand’s occurrence; defaults to the report’s month' })
  @IsOptional()
  @Matches(MONTH, monthMessage('month'))
  month?: string;
}

export class BurdenReportQueryDto extends PageQueryDto {
  @ApiPropertyOptional()
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(MAX_ID)
  unitId?: number;

  @ApiPropertyOptional()
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(MAX_ID)
  demandId?: number;

  @ApiPropertyOptional({ example: '2026-09' })
  @IsOptional()
  @Matches(MONTH, monthMessage('month'))
  month?: string;

  @ApiPropertyOptional({ example: '2026-01', description: 'First month, inclusive' })
  @IsOptional()
  @Matches(MONTH, monthMessage('from'))
  from?: string;

  @ApiPropertyOptional({ example: '2026-12', description: 'Last month, inclusive' })
  @IsOptional()
  @Matches(MONTH, monthMessage('to'))
  to?: string;

  @ApiPropertyOptional({ enum: ['true', 'false'], description: 'Only shadow-demand reports (true) or only registered ones (false)' })
  @IsOptional()
  @IsIn(['true', 'false'])
  shadow?: 'true' | 'false';
}
