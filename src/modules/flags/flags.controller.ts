import { Body, Controller, Get, HttpCode, Param, Post, Put, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import type { Actor } from '@/common/auth/actor';
import { CurrentActor, Roles } from '@/common/auth/decorators';
import { ExportableList } from '@/common/export/exportable-list';
import { ParseIdPipe } from '@/common/http/id-param';
import { pageRequest } from '@/common/paging/page';
import { EvaluateFlagsDto, FlagQueryDto, FlagTransitionDto, IssuerBudgetDto } from './dto/flag.dto';
import { FLAG_EXPORT } from './export-tables';
import { FlagEvaluationService } from './flag-evaluation.service';
import { FlagsService } from './flags.service';
import { IssuerBudgetsService } from './issuer-budgets.service';

/** Findings of the rules and their review (DESIGN §2 Flag, §3). */
@ApiTags('flags')
@ApiBearerAuth()
@Controller()
export class FlagsController {
  constructor(
    private readonly flags: FlagsService,
    private readonly evaluation: FlagEvaluationService,
    private readonly budgets: IssuerBudgetsService,
  ) {}

  /** Coordinators and inspectors: flags on units or issuers in their jurisdiction; issuers: flags on their own demands. */
  @Get('flags')
  @Roles('coordinator', 'inspector', 'issuer')
  @ExportableList(FLAG_EXPORT)
  list(@CurrentActor() actor: Actor, @Query() query: FlagQueryDto) {
    return this.flags.list(actor, query, pageRequest(query));
  }

  /** All rules over a period, as a job: 202 {jobId}; progress at GET /jobs/:id. */
  @Post('flags/evaluate')
  @HttpCode(202)
  @Roles('coordinator', 'admin')
  evaluate(@CurrentActor() actor: Actor, @Body() dto: EvaluateFlagsDto) {
    return this.evaluation.start(actor, dto.period);
  }

  @Get('flags/:id')
  @Roles('coordinator', 'inspector', 'issuer')
  get(@CurrentActor() actor: Actor, @Param('id', ParseIdPipe) id: number) {
    return this.flags.get(actor, id);
  }

  /** Review (coordinators) and rectification (the issuing office); a stale `version` answers 409. */
  @Post('flags/:id/transitions')
  @HttpCode(200)
  @Roles('coordinator', 'issuer')
  transition(@CurrentActor() actor: Actor, @Param('id', ParseIdPipe) id: number, @Body() dto: FlagTransitionDto) {
    return this.flags.transition(actor, id, dto);
  }

  /** The hours an office may impose on the grassroots in a year (ISSUER_BUDGET). */
  @Put('issuer-budgets/:issuerId/:year')
  @Roles('coordinator')
  setBudget(@CurrentActor() actor: Actor, @Param('issuerId', ParseIdPipe) issuerId: number, @Param('year', ParseIdPipe) year: number, @Body() dto: IssuerBudgetDto) {
    return this.budgets.set(actor, issuerId, year, dto.hours);
  }

  /** The budget and the hours imposed so far by registered demands. */
  @Get('issuer-budgets/:issuerId/:year')
  @Roles('coordinator', 'inspector', 'issuer')
  getBudget(@CurrentActor() actor: Actor, @Param('issuerId', ParseIdPipe) issuerId: number, @Param('year', ParseIdPipe) year: number) {
    return this.budgets.get(actor, issuerId, year);
  }
}
