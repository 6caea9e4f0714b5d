import { Body, Controller, Get, Put, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import type { Actor } from '@/common/auth/actor';
import { CurrentActor, Roles } from '@/common/auth/decorators';
import { ExportableList } from '@/common/export/exportable-list';
import { pageRequest } from '@/common/paging/page';
import { MonitoringPointsQueryDto, PutMonitoringPointsDto } from './dto/monitoring-point.dto';
import { MONITORING_POINT_EXPORT } from './export-tables';
import { MonitoringPointsService } from './monitoring-points.service';

/** 减负监测点: units that must report every month, and how completely and timely they do. */
@ApiTags('monitoring-points')
@ApiBearerAuth()
@Controller('monitoring-points')
export class MonitoringPointsController {
  constructor(private readonly points: MonitoringPointsService) {}

  /** Designated units in your jurisdiction whose window overlaps the period, with expected / received / on time per month and rates. */
  @Get()
  @Roles('coordinator', 'inspector')
  @ExportableList(MONITORING_POINT_EXPORT)
  list(@CurrentActor() actor: Actor, @Query() query: MonitoringPointsQueryDto) {
    return this.points.completeness(actor, query.period, query.unitId, pageRequest(query));
  }

  /** Sets the designation window (from..to) of each listed unit; repeating the same body changes nothing. */
  @Put()
  @Roles('coordinator')
  designate(@CurrentActor() actor: Actor, @Body() dto: PutMonitoringPointsDto) {
    return this.points.designate(actor, dto);
  }
}
