import { Body, Controller, Get, HttpCode, Param, Patch, Post, Query, UploadedFile } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiConsumes, ApiTags } from '@nestjs/swagger';
import type { Actor } from '@/common/auth/actor';
import { CurrentActor, Roles } from '@/common/auth/decorators';
import { DomainError, ErrorCode } from '@/common/errors/domain-error';
import { ExportableList } from '@/common/export/exportable-list';
import { SingleFileToDisk, UploadedDiskFile } from '@/common/files/upload';
import { ParseIdPipe } from '@/common/http/id-param';
import { pageRequest } from '@/common/paging/page';
import { DemandImportService } from './demand-import.service';
import { DemandsService } from './demands.service';
import { CancelDemandDto, CreateDemandDto, DemandQueryDto, LookupQueryDto, UpdateDemandDto } from './dto/demand.dto';
import { DEMAND_EXPORT } from './export-tables';

@ApiTags('demands')
@ApiBearerAuth()
@Controller('demands')
export class DemandsController {
  constructor(
    private readonly demands: DemandsService,
    private readonly importer: DemandImportService,
  ) {}

  /** DESIGN §1: a demand is visible to its issuer, its targets, coordinators and inspectors; admin is not among them. */
  @Get()
  @Roles('issuer', 'reporter', 'coordinator', 'inspector')
  @ExportableList(DEMAND_EXPORT)
  list(@CurrentActor() actor: Actor, @Query() query: DemandQueryDto) {
    return this.demands.list(actor, query, pageRequest(query));
  }

  @Post()
  @Roles('issuer')
  create(@CurrentActor() actor: Actor, @Body() dto: CreateDemandDto) {
    return this.demands.create(actor, dto);
  }

  /**
   * All-or-nothing import (template: data/templates/demands-import.csv); coordinators import for
   * issuers in their jurisdiction. Answers 202 {jobId, status}: follow GET /jobs/:id.
   */
  @Post('import')
  @Roles('issuer', 'coordinator')
  @HttpCode(202)
  @ApiConsumes('multipart/form-data')
  @ApiBody({ schema: { type: 'object', properties: { file: { type: 'string', format: 'binary' } } }, description: 'CSV (UTF-8 or GB18030) or XLSX in the template of data/templates/demands-import.csv' })
  @SingleFileToDisk()
  import(@CurrentActor() actor: Actor, @UploadedFile() file: UploadedDiskFile | undefined) {
    if (!file) throw new DomainError(ErrorCode.BadRequest, 'Send the table as multipart/form-data in the field "file"', [{ field: 'file', message: 'missing' }]);
    return this.importer.import(actor, file);
  }

  /** Is this notice registered? For the targets, the issuer and coordinators above. */
  @Get('lookup')
  @Roles('issuer', 'reporter', 'coordinator', 'inspector')
  lookup(@CurrentActor() actor: Actor, @Query() query: LookupQueryDto) {
    return this.demands.lookup(actor, query.registrationNo);
  }

  @Get(':id')
  @Roles('issuer', 'reporter', 'coordinator', 'inspector')
  get(@CurrentActor() actor: Actor, @Param('id', ParseIdPipe) id: number) {
    return this.demands.get(actor, id);
  }

  @Patch(':id')
  @Roles('issuer')
  update(@CurrentActor() actor: Actor, @Param('id', ParseIdPipe) id: number, @Body() dto: UpdateDemandDto) {
    return this.demands.update(actor, id, dto);
  }

  @Post(':id/cancel')
  @Roles('issuer')
  @HttpCode(200)
  cancel(@CurrentActor() actor: Actor, @Param('id', ParseIdPipe) id: number, @Body() dto: CancelDemandDto) {
    return this.demands.cancel(actor, id, dto);
  }
}
