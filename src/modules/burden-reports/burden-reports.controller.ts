import { Body, Controller, Get, Header, HttpCode, Param, Post, Query, StreamableFile, UploadedFile } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiConsumes, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { Actor } from '@/common/auth/actor';
import { CurrentActor, Roles } from '@/common/auth/decorators';
import { DomainError, ErrorCode } from '@/common/errors/domain-error';
import { ExportableList } from '@/common/export/exportable-list';
import { SingleFileUpload, UploadedTableFile } from '@/common/files/upload';
import { ParseIdPipe } from '@/common/http/id-param';
import { pageRequest } from '@/common/paging/page';
import { BurdenReportImportService } from './burden-report-import.service';
import { BurdenReportsService } from './burden-reports.service';
import { AmendBurdenReportDto, BurdenReportQueryDto, ConfirmBurdenReportsDto, CreateBurdenReportDto, LinkBurdenReportDto } from './dto/burden-report.dto';
import { BURDEN_REPORT_EXPORT } from './export-tables';

/** Burden reports: reporters write for their unit and its subtree; admin has no access (separation of duties). */
@ApiTags('burden-reports')
@ApiBearerAuth()
@Controller('burden-reports')
export class BurdenReportsController {
  constructor(
    private readonly reports: BurdenReportsService,
    private readonly importer: BurdenReportImportService,
  ) {}

  /** Reporters see their subtree, coordinators and inspectors their jurisdiction, issuers the non-shadow reports on their own demands. */
  @Get()
  @Roles('reporter', 'coordinator', 'inspector', 'issuer')
  @ExportableList(BURDEN_REPORT_EXPORT)
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

  /**
   * Reports collected on paper, one per row (template: data/templates/burden-reports-import.csv or
   * GET /burden-reports/template.xlsx). All or nothing with row/column errors (422); the same file
   * uploaded again by the same unit answers with the first import's result (`replayed: true`).
   */
  @Post('import')
  @Roles('reporter')
  @ApiConsumes('multipart/form-data')
  @ApiBody({ schema: { type: 'object', properties: { file: { type: 'string', format: 'binary' } } }, description: 'CSV (UTF-8 or GB18030) or XLSX in the template of data/templates/burden-reports-import.csv' })
  @SingleFileUpload()
  import(@CurrentActor() actor: Actor, @UploadedFile() file: UploadedTableFile | undefined) {
    if (!file) throw new DomainError(ErrorCode.BadRequest, 'Send the table as multipart/form-data in the field "file"', [{ field: 'file', message: 'missing' }]);
    return this.importer.import(actor, file.buffer, file.originalname);
  }

  /** The import template as an XLSX workbook (header, an example row, and a sheet explaining each column in Chinese). */
  @Get('template.xlsx')
  @Roles('reporter', 'coordinator')
  @ApiProduces('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet')
  @Header('Content-Type', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet')
  @Header('Content-Disposition', 'attachment; filename="burden-reports-import.xlsx"')
  async template() {
    return new StreamableFile(await this.importer.templateXlsx());
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
