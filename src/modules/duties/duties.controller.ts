import { Body, Controller, Get, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import type { Actor } from '@/common/auth/actor';
import { CurrentActor, Roles } from '@/common/auth/decorators';
import { ExportableList } from '@/common/export/exportable-list';
import { PageQueryDto, pageRequest } from '@/common/paging/page';
import { DutiesService } from './duties.service';
import { CreateDutyItemDto, DutyItemQueryDto } from './dto/duty.dto';
import { DUTY_ITEM_EXPORT, TOPIC_EXPORT } from './export-tables';

@ApiTags('topics and duty items')
@ApiBearerAuth()
@Controller()
export class DutiesController {
  constructor(private readonly duties: DutiesService) {}

  @Get('topics')
  @ExportableList(TOPIC_EXPORT)
  topics(@Query() query: PageQueryDto) {
    return this.duties.listTopics(pageRequest(query));
  }

  @Get('duty-items')
  @ExportableList(DUTY_ITEM_EXPORT)
  list(@Query() query: DutyItemQueryDto) {
    return this.duties.listDuties(query, pageRequest(query));
  }

  @Post('duty-items')
  @Roles('admin')
  create(@CurrentActor() actor: Actor, @Body() dto: CreateDutyItemDto) {
    return this.duties.createDuty(actor, dto);
  }
}
