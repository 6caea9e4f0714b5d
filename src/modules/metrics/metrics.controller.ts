import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import type { Actor } from '@/common/auth/actor';
import { CurrentActor, Roles } from '@/common/auth/decorators';
import { ExportableList } from '@/common/export/exportable-list';
import { ParseIdPipe } from '@/common/http/id-param';
import { pageRequest } from '@/common/paging/page';
import { todayInChina } from '@/common/time';
import { UnitForecastQueryDto } from './dto/forecast.dto';
import { IssuerMetricsQueryDto } from './dto/issuer-metrics.dto';
import { UnitCardQueryDto, UnitRankingQueryDto, UnitSeriesQueryDto } from './dto/metrics.dto';
import { ForecastService } from './forecast.service';
import { IssuerMetricsService } from './issuer-metrics.service';
import { ISSUER_METRICS_EXPORT, RANKING_EXPORT } from './export-tables';
import { MetricsService, RankingQuery } from './metrics.service';

const thisYear = (): string => todayInChina().slice(0, 4);

/** The month after this one (China): what a forecast looks at by default. */
const nextMonth = (): string => {
  const [year, month] = todayInChina().split('-').map(Number);
  return month === 12 ? `${String(year + 1).padStart(4, '0')}-01` : `${String(year).padStart(4, '0')}-${String(month + 1).padStart(2, '0')}`;
};

/** The ranking asked for, without paging or format; the period this year when not given. */
const rankingQuery = ({ level, underId, period, sort, order }: UnitRankingQueryDto): RankingQuery => ({ level, underId, period: period ?? thisYear(), sort, order });

/** Burden metrics of units (DESIGN §3, §5), for everyone within their jurisdiction. */
@ApiTags('metrics')
@ApiBearerAuth()
@Controller('metrics')
export class MetricsController {
  constructor(
    private readonly metrics: MetricsService,
    private readonly issuerMetrics: IssuerMetricsService,
    private readonly forecasts: ForecastService,
  ) {}

  /** Units of a level under a unit, ranked by burden share (or another figure), with percent ranks. */
  @Get('units')
  @Roles('admin', 'coordinator', 'inspector', 'issuer', 'reporter')
  // A download ranks the units once and pages through that, not once per page of 500.
  @ExportableList(RANKING_EXPORT, {
    async everyRow(this: MetricsController, actor: Actor, query: UnitRankingQueryDto) {
      return (await this.metrics.rankedUnits(actor, rankingQuery(query))).items;
    },
  })
  ranking(@CurrentActor() actor: Actor, @Query() query: UnitRankingQueryDto) {
    return this.metrics.ranking(actor, rankingQuery(query), pageRequest(query));
  }

  /** The burden card of one unit for a period. */
  @Get('units/:id')
  @Roles('admin', 'coordinator', 'inspector', 'issuer', 'reporter')
  card(@CurrentActor() actor: Actor, @Param('id', ParseIdPipe) id: number, @Query() query: UnitCardQueryDto) {
    return this.metrics.card(actor, id, query.period ?? thisYear());
  }

  /** One unit month by month (or by quarter). */
  @Get('units/:id/series')
  @Roles('admin', 'coordinator', 'inspector', 'issuer', 'reporter')
  series(@CurrentActor() actor: Actor, @Param('id', ParseIdPipe) id: number, @Query() query: UnitSeriesQueryDto) {
    const year = thisYear();
    return this.metrics.series(actor, id, { from: query.from ?? `${year}-01`, to: query.to ?? `${year}-12`, granularity: query.granularity });
  }

  /** The burden a unit will carry in a coming month, quarter or year: registered, planned, capacity and the inspection quota. */
  @Get('units/:id/forecast')
  @Roles('admin', 'coordinator', 'inspector', 'issuer', 'reporter')
  forecast(@CurrentActor() actor: Actor, @Param('id', ParseIdPipe) id: number, @Query() query: UnitForecastQueryDto) {
    return this.forecasts.forecast(actor, id, query.period ?? nextMonth());
  }

  /** The burden each issuing office of the jurisdiction imposes, with plan execution, joint inspections and budget. */
  @Get('issuers')
  @Roles('coordinator', 'inspector')
  @ExportableList(ISSUER_METRICS_EXPORT)
  issuers(@CurrentActor() actor: Actor, @Query() query: IssuerMetricsQueryDto) {
    return this.issuerMetrics.list(actor, { ...query, period: query.period ?? thisYear() }, pageRequest(query));
  }
}
