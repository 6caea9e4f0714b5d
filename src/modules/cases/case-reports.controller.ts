import { Controller, Get, Param, Query, Res, StreamableFile } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import type { Actor } from '@/common/auth/actor';
import { CurrentActor, Roles } from '@/common/auth/decorators';
import { attachmentDisposition } from '@/common/export/content-disposition';
import { ParseIdPipe } from '@/common/http/id-param';
import type { BulletinFile } from './bulletin/bulletin-maker';
import { CaseReportsService } from './case-reports.service';
import { CaseReportQueryDto } from './dto/case.dto';

const download = (file: BulletinFile) => new StreamableFile(file.content, { type: file.contentType, disposition: attachmentDisposition(file.fileName, file.asciiFileName), length: file.content.length });

@ApiTags('cases')
@ApiBearerAuth()
@Controller('case-reports')
export class CaseReportsController {
  constructor(private readonly reports: CaseReportsService) {}

  @Get()
  @Roles('inspector')
  @ApiProduces('application/json', 'text/markdown', 'text/html', 'application/vnd.openxmlformats-officedocument.wordprocessingml.document')
  @ApiOperation({
    summary: 'The bulletin (通报) of the final cases handled in a period, with its document number; over 50 cases it renders as a job (202 {jobId}, then GET /case-reports/outputs/:jobId)',
  })
  async report(@CurrentActor() actor: Actor, @Query() query: CaseReportQueryDto, @Res({ passthrough: true }) res: Response) {
    const answer = await this.reports.report(actor, query);
    if (answer.kind === 'job') {
      res.status(202);
      return answer.accepted;
    }
    return download(answer.file);
  }

  @Get('outputs/:jobId')
  @Roles('inspector')
  @ApiOperation({ summary: 'Downloads a bulletin a job rendered (only its starter)' })
  async output(@CurrentActor() actor: Actor, @Param('jobId', ParseIdPipe) jobId: number) {
    return download(await this.reports.output(actor, jobId));
  }
}
