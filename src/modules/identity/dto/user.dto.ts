import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsBoolean, IsIn, IsInt, IsOptional, IsString, Matches, Max, MaxLength, Min, MinLength } from 'class-validator';
import { MAX_ID } from '@/common/http/id-param';
import { Role, ROLES } from '@/common/auth/actor';
import { PageQueryDto } from '@/common/paging/page';

export const USERNAME = /^[A-Za-z0-9][A-Za-z0-9_.@-]{1,63}$/;

export class LoginDto {
  @ApiProperty({ example: 'admin' })
  @IsString()
  @MaxLength(64)
  username!: string;

  @ApiProperty()
  @IsString()
  @MaxLength(200)
  password!: string;
}

export class CreateUserDto {
  @ApiProperty({ example: 'mengzi.coordinator' })
  @IsString()
  @Matches(USERNAME, { message: 'username has 2-64 letters, digits, "_", ".", "@" or "-"' })
  username!: string;

  @ApiProperty({ minLength: 8 })
  @IsString()
  @MinLength(8)
  @MaxLength(200)
  password!: string;

  @ApiProperty({ enum: ROLES })
  @IsIn(ROLES)
  role!: Role;

  @ApiPropertyOptional({ type: Number, nullable: true, description: 'Required for every role but admin; absent or null for admin' })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(MAX_ID)
  orgUnitId?: number | null;

  @ApiPropertyOptional({ type: String, nullable: true })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  displayName?: string | null;
}

export class UpdateUserDto {
  @ApiPropertyOptional({ description: 'true disables the user and revokes its tokens' })
  @IsOptional()
  @IsBoolean()
  disabled?: boolean;

  @ApiPropertyOptional({ description: 'A new password; revokes existing tokens' })
  @IsOptional()
  @IsString()
  @MinLength(8)
  @MaxLength(200)
  password?: string;

  @ApiPropertyOptional({ type: Number, nullable: true, description: 'Move the user to another unit; revokes existing tokens. Null only for an admin (no unit).' })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(MAX_ID)
  orgUnitId?: number | null;

  @ApiPropertyOptional({ type: String, nullable: true, description: 'null clears it' })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  displayName?: string | null;
}

export class UserQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ enum: ROLES }) @IsOptional() @IsIn(ROLES) role?: Role;
  @ApiPropertyOptional() @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(MAX_ID) orgUnitId?: number;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(64) q?: string;
}
