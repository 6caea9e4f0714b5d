import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import type { Actor } from '@/common/auth/actor';
import { CurrentActor, Roles } from '@/common/auth/decorators';
import { ParseIdPipe } from '@/common/http/id-param';
import { pageRequest } from '@/common/paging/page';
import { BurdenReportsService } from './burden-reports.service';
import { AmendBurdenReportDto, BurdenReportQueryDto, ConfirmBurdenReportsDto, CreateBurdenReportDto, LinkBurdenReportDto } from './dto/burden-report.dto';

/** Burden reports: reporters write for their unit and its subtree; admin has no access (separation of duties). */
@ApiTags('burden-reports')
@ApiBearerAuth()
@Controller('burden-reports')
export class BurdenReportsController {
  constructor(private readonly reports: BurdenReportsService) {}

  /** Reporters see their subtree, coordinators and inspectors their jurisdiction, issuers the non-shadow reports on their own demands. */
  @Get()
  @Roles('reporter', 'coordinator', 'inspector', 'issuer')
  list(@CurrentActor() actor: Actor, @Query() query: BurdenReportQueryDto) {
    return this.reports.list(actor, query, pageRequest(query));
  }

  /** A registered demand's occurrence (demandId + month) or a shadow demand; 409 pointing to amend when that (unit, demand, month) is already reported. */
  @Post()
  @Roles('reporter')
  create(@CurrentActor() actor: Actor, @Body() dto: CreateBurdenReportDto) {
    return this.reports.create(actor, dto);
  }

  /** Many demands at their estimate in one request, all or nothing. */
  @Post('confirm')
  @Roles('reporter')
  confirm(@CurrentActor() actor: Actor, @Body() dto: ConfirmBurdenReportsDto) {
    return this.reports.confirm(actor, dto);
  }

  /** With its version history; 404 for anything the caller may not see. */
  @Get(':id')
  @Roles('reporter', 'coordinator', 'inspector', 'issuer')
  get(@CurrentActor() actor: Actor, @Param('id', ParseIdPipe) id: number) {
    return this.reports.get(actor, id);
  }

  @Post(':id/amend')
  @Roles('reporter')
  @HttpCode(200)
  amend(@CurrentActor() actor: Actor, @Param('id', ParseIdPipe) id: number, @Body() dto: AmendBurdenReportDto) {
    return this.reports.amend(actor, id, dto);
  }

  @Post(':id/link')
  @Roles('coordinator')
  @HttpCode(200)
  link(@CurrentActor() actor: Actor, @Param('id', ParseIdPipe) id: number, @Body() dto: LinkBurdenReportDto) {
    return this.reports.link(actor, id, dto);
  }
}
