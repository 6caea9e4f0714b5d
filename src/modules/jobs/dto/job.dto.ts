import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsObject, IsOptional, IsString, Matches, MaxLength } from 'class-validator';
import { PageQueryDto } from '@/common/paging/page';
import { JOB_KIND, JOB_STATUSES, JobStatus } from '../job-definition';

export class StartJobDto {
  @ApiProperty({ example: 'org-units-checksum', description: 'A job kind startable through this route by your role' })
  @IsString()
  @MaxLength(60)
  @Matches(JOB_KIND, { message: 'kind is lower-case words joined by "-"' })
  kind!: string;

  @ApiPropertyOptional({ type: 'object', additionalProperties: true, description: "The kind's input, e.g. { batchSize: 500, underId: 3 }" })
  @IsOptional()
  @IsObject()
  input?: Record<string, unknown>;
}

export class JobQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ example: 'demands-import' })
  @IsOptional()
  @IsString()
  @MaxLength(60)
  kind?: string;

  @ApiPropertyOptional({ enum: JOB_STATUSES })
  @IsOptional()
  @IsIn(JOB_STATUSES)
  status?: JobStatus;
}
