import { Body, Controller, Get, Put, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiTags } from '@nestjs/swagger';
import type { Actor } from '@/common/auth/actor';
import { CurrentActor, Roles } from '@/common/auth/decorators';
import { ExportableList } from '@/common/export/exportable-list';
import { PageQueryDto, pageRequest } from '@/common/paging/page';
import { POLICY_DOCUMENT_SCHEMA, PolicyQueryDto } from './dto/policy.dto';
import { POLICY_VERSION_EXPORT } from './export-tables';
import { PolicyService } from './policy.service';

@ApiTags('policy')
@ApiBearerAuth()
@Controller('policy')
export class PolicyController {
  constructor(private readonly policy: PolicyService) {}

  @Get()
  get(@Query() query: PolicyQueryDto) {
    return this.policy.get(query.version);
  }

  @Get('versions')
  @ExportableList(POLICY_VERSION_EXPORT)
  versions(@Query() query: PageQueryDto) {
    return this.policy.list(pageRequest(query));
  }

  /** The whole document is checked by the policy validator, which names every wrong path (422). */
  @Put()
  @Roles('admin')
  @ApiBody({ schema: POLICY_DOCUMENT_SCHEMA, description: 'The whole policy document; stored as the next version (old versions never change)' })
  store(@CurrentActor() actor: Actor, @Body() body: Record<string, unknown>) {
    return this.policy.store(actor, body);
  }
}
