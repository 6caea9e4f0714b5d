import { Body, Controller, Get, Param, ParseIntPipe, Patch, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import type { Actor } from '@/common/auth/actor';
import { CurrentActor, Roles } from '@/common/auth/decorators';
import { ExportableList } from '@/common/export/exportable-list';
import { pageRequest } from '@/common/paging/page';
import { CreateUserDto, UpdateUserDto, UserQueryDto } from './dto/user.dto';
import { USER_EXPORT } from './export-tables';
import { IdentityService } from './identity.service';

@ApiTags('users')
@ApiBearerAuth()
@Controller('users')
@Roles('admin')
export class UsersController {
  constructor(private readonly identity: IdentityService) {}

  @Get()
  @ExportableList(USER_EXPORT)
  list(@Query() query: UserQueryDto) {
    return this.identity.list({ role: query.role, orgUnitId: query.orgUnitId, q: query.q }, pageRequest(query));
  }

  @Post()
  create(@CurrentActor() actor: Actor, @Body() dto: CreateUserDto) {
    return this.identity.createUser(actor, dto);
  }

  @Patch(':id')
  update(@CurrentActor() actor: Actor, @Param('id', ParseIntPipe) id: number, @Body() dto: UpdateUserDto) {
    return this.identity.updateUser(actor, id, dto);
  }
}
