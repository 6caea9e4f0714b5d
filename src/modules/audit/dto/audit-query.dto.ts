import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Matches, Max, MaxLength, Min } from 'class-validator';
import { MAX_ID } from '@/common/http/id-param';
import { PageQueryDto } from '@/common/paging/page';

const DATE = /^\d{4}-\d{2}-\d{2}$/;

export class AuditQueryDto extends PageQueryDto {
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(50) entityType?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(100) entityId?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(100) action?: string;
  @ApiPropertyOptional() @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(MAX_ID) actorId?: number;
  @ApiPropertyOptional({ description: 'First day, YYYY-MM-DD (China calendar day, Asia/Shanghai), inclusive' })
  @IsOptional()
  @Matches(DATE, { message: 'from must be YYYY-MM-DD' })
  from?: string;
  @ApiPropertyOptional({ description: 'Last day, YYYY-MM-DD (China calendar day, Asia/Shanghai), inclusive' })
  @IsOptional()
  @Matches(DATE, { message: 'to must be YYYY-MM-DD' })
  to?: string;
}
