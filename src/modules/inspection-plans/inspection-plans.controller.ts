import { Body, Controller, Get, HttpCode, Param, ParseIntPipe, Patch, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Actor } from '@/common/auth/actor';
import { CurrentActor, Roles } from '@/common/auth/decorators';
import { ExportableList } from '@/common/export/exportable-list';
import { pageRequest } from '@/common/paging/page';
import { CreateInspectionPlanDto, InspectionPlanQueryDto, RejectInspectionPlanDto, UpdateInspectionPlanDto } from './dto/inspection-plan.dto';
import { INSPECTION_PLAN_EXPORT } from './export-tables';
import { InspectionPlansService } from './inspection-plans.service';

@ApiTags('inspection-plans')
@ApiBearerAuth()
@Controller('inspection-plans')
export class InspectionPlansController {
  constructor(private readonly plans: InspectionPlansService) {}

  @Get()
  @Roles('issuer', 'coordinator', 'inspector')
  @ApiOperation({ summary: 'Plans the caller may read: its own unit’s (issuer), or those of issuers in its jurisdiction' })
  @ExportableList(INSPECTION_PLAN_EXPORT)
  list(@CurrentActor() actor: Actor, @Query() query: InspectionPlanQueryDto) {
    return this.plans.list(actor, query, pageRequest(query));
  }

  @Post()
  @Roles('issuer')
  @ApiOperation({ summary: 'Drafts version 1 of the caller’s unit’s plan for a year' })
  create(@CurrentActor() actor: Actor, @Body() dto: CreateInspectionPlanDto) {
    return this.plans.create(actor, dto);
  }

  @Get(':id')
  @Roles('issuer', 'coordinator', 'inspector')
  @ApiOperation({ summary: 'One plan version with its items' })
  get(@CurrentActor() actor: Actor, @Param('id', ParseIntPipe) id: number) {
    return this.plans.get(actor, id);
  }

  @Patch(':id')
  @Roles('issuer')
  @ApiOperation({ summary: 'Edits a draft: its title and/or its whole item list (items matched by itemKey)' })
  update(@CurrentActor() actor: Actor, @Param('id', ParseIntPipe) id: number, @Body() dto: UpdateInspectionPlanDto) {
    return this.plans.update(actor, id, dto);
  }

  @Post(':id/submit')
  @Roles('issuer')
  @HttpCode(200)
  @ApiOperation({ summary: 'draft → submitted' })
  submit(@CurrentActor() actor: Actor, @Param('id', ParseIntPipe) id: number) {
    return this.plans.submit(actor, id);
  }

  @Post(':id/approve')
  @Roles('coordinator')
  @HttpCode(200)
  @ApiOperation({ summary: 'submitted → approved, by a coordinator whose jurisdiction covers the issuer (never the issuer’s own unit)' })
  approve(@CurrentActor() actor: Actor, @Param('id', ParseIntPipe) id: number) {
    return this.plans.approve(actor, id);
  }

  @Post(':id/reject')
  @Roles('coordinator')
  @HttpCode(200)
  @ApiOperation({ summary: 'submitted → rejected with a reason, by a coordinator whose jurisdiction covers the issuer' })
  reject(@CurrentActor() actor: Actor, @Param('id', ParseIntPipe) id: number, @Body() dto: RejectInspectionPlanDto) {
    return this.plans.reject(actor, id, dto);
  }

  @Post(':id/rework')
  @Roles('issuer')
  @HttpCode(200)
  @ApiOperation({ summary: 'rejected → draft, to change and submit again' })
  rework(@CurrentActor() actor: Actor, @Param('id', ParseIntPipe) id: number) {
    return this.plans.rework(actor, id);
  }

  @Post(':id/revise')
  @Roles('issuer')
  @ApiOperation({ summary: 'A change to an approved plan: creates the next version in draft, items and keys copied; the approved one stays frozen' })
  revise(@CurrentActor() actor: Actor, @Param('id', ParseIntPipe) id: number) {
    return this.plans.revise(actor, id);
  }
}
