import { Body, Controller, Get, HttpCode, Param, ParseIntPipe, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import type { Actor } from '@/common/auth/actor';
import { CurrentActor } from '@/common/auth/decorators';
import { ExportableList } from '@/common/export/exportable-list';
import { pageRequest } from '@/common/paging/page';
import { JobQueryDto, StartJobDto } from './dto/job.dto';
import { JOB_EXPORT } from './export-tables';
import { JobsService } from './jobs.service';

@ApiTags('jobs')
@ApiBearerAuth()
@Controller('jobs')
export class JobsController {
  constructor(private readonly jobs: JobsService) {}

  /** Your own jobs, newest first. */
  @Get()
  @ExportableList(JOB_EXPORT)
  list(@CurrentActor() actor: Actor, @Query() query: JobQueryDto) {
    return this.jobs.list(actor, { kind: query.kind, status: query.status }, pageRequest(query));
  }

  /** A job's state, progress and result: for whoever started it (others: 404). */
  @Get(':id')
  get(@CurrentActor() actor: Actor, @Param('id', ParseIntPipe) id: number) {
    return this.jobs.get(actor, id);
  }

  /** Starts a general-purpose job (feature jobs start from their own routes, e.g. POST /demands/import). */
  @Post()
  @HttpCode(202)
  start(@CurrentActor() actor: Actor, @Body() dto: StartJobDto) {
    return this.jobs.startByRequest(actor, dto.kind, dto.input);
  }
}
