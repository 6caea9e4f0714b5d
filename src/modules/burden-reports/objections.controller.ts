import { Body, Controller, Get, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import type { Actor } from '@/common/auth/actor';
import { CurrentActor, Roles } from '@/common/auth/decorators';
import { ExportableList } from '@/common/export/exportable-list';
import { ParseIdPipe } from '@/common/http/id-param';
import { pageRequest } from '@/common/paging/page';
import { CreateObjectionDto, ObjectionQueryDto } from './dto/objection.dto';
import { OBJECTION_EXPORT } from './export-tables';
import { ObjectionsService } from './objections.service';

/**
 * Objections live here rather than in the demands feature, so that demands never imports
 * burden-reports (imports point down the ledger). `demands/:id/objections` does not clash with
 * the demands controller's `:id` and `:id/cancel`.
 */
@ApiTags('objections')
@ApiBearerAuth()
@Controller()
export class ObjectionsController {
  constructor(private readonly objections: ObjectionsService) {}

  @Post('demands/:id/objections')
  @Roles('reporter')
  create(@CurrentActor() actor: Actor, @Param('id', ParseIdPipe) id: number, @Body() dto: CreateObjectionDto) {
    return this.objections.create(actor, id, dto);
  }

  /** Coordinators and inspectors (jurisdiction holds the unit or the issuer), reporters their subtree; never issuers. */
  @Get('objections')
  @Roles('coordinator', 'inspector', 'reporter')
  @ExportableList(OBJECTION_EXPORT)
  list(@CurrentActor() actor: Actor, @Query() query: ObjectionQueryDto) {
    return this.objections.list(actor, query, pageRequest(query));
  }
}
