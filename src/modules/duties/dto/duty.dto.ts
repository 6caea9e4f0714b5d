import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, Matches, MaxLength, MinLength } from 'class-validator';
import { Level, LEVELS } from '@/common/auth/actor';
import { PageQueryDto } from '@/common/paging/page';
import { DUTY_CATEGORIES, DutyCategory, TOPIC_CODE } from '../duty.repository';

export class CreateDutyItemDto {
  @ApiProperty({ enum: LEVELS }) @IsIn(LEVELS) level!: Level;

  @ApiProperty({ example: 'work_safety', description: 'A topic code from GET /topics' })
  @IsString()
  @Matches(TOPIC_CODE, { message: 'topic is a topic code' })
  topic!: string;

  @ApiProperty({ enum: DUTY_CATEGORIES }) @IsIn(DUTY_CATEGORIES) category!: DutyCategory;

  @ApiProperty({ example: '组织开展辖区安全生产隐患排查' })
  @IsString()
  @MinLength(1)
  @MaxLength(300)
  @Matches(/\S/, { message: 'title must not be blank' })
  title!: string;

  @ApiPropertyOptional({ description: 'Where the item comes from (the duty list document)' })
  @IsOptional()
  @IsString()
  @MaxLength(500)
  basis?: string;
}

export class DutyItemQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ enum: LEVELS }) @IsOptional() @IsIn(LEVELS) level?: Level;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(40) topic?: string;
  @ApiPropertyOptional({ enum: DUTY_CATEGORIES }) @IsOptional() @IsIn(DUTY_CATEGORIES) category?: DutyCategory;
}
