import { Body, Controller, Get, HttpCode, Param, ParseIntPipe, Patch, Post, Query, UploadedFile } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiConsumes, ApiTags } from '@nestjs/swagger';
import type { Actor } from '@/common/auth/actor';
import { CurrentActor, Roles } from '@/common/auth/decorators';
import { DomainError, ErrorCode } from '@/common/errors/domain-error';
import { ExportableList } from '@/common/export/exportable-list';
import { SingleFileUpload, UploadedTableFile } from '@/common/files/upload';
import { pageRequest } from '@/common/paging/page';
import { CreateOrgUnitDto, OrgUnitQueryDto, UpdateOrgUnitDto } from './dto/org-unit.dto';
import { ORG_UNIT_EXPORT } from './export-tables';
import { OrgUnitImportService } from './org-unit-import.service';
import { OrgUnitsService } from './org-units.service';

@ApiTags('org-units')
@ApiBearerAuth()
@Controller('org-units')
export class OrgUnitsController {
  constructor(
    private readonly units: OrgUnitsService,
    private readonly importer: OrgUnitImportService,
  ) {}

  @Get()
  @ExportableList(ORG_UNIT_EXPORT)
  list(@CurrentActor() actor: Actor, @Query() query: OrgUnitQueryDto) {
    return this.units.list(actor, query, pageRequest(query));
  }

  @Post()
  @Roles('admin')
  create(@CurrentActor() actor: Actor, @Body() dto: CreateOrgUnitDto) {
    return this.units.create(actor, dto);
  }

  @Post('import')
  @Roles('admin')
  @HttpCode(201)
  @ApiConsumes('multipart/form-data')
  @ApiBody({
    schema: { type: 'object', properties: { file: { type: 'string', format: 'binary' } } },
    description: 'CSV (UTF-8 with or without BOM, or GB18030) or XLSX with columns code, name, level, parentCode and optional kind, staffCount',
  })
  @SingleFileUpload()
  import(@CurrentActor() actor: Actor, @UploadedFile() file: UploadedTableFile | undefined) {
    if (!file) throw new DomainError(ErrorCode.BadRequest, 'Send the table as multipart/form-data in the field "file"', [{ field: 'file', message: 'missing' }]);
    return this.importer.import(actor, file.buffer, file.originalname);
  }

  @Get(':id')
  get(@CurrentActor() actor: Actor, @Param('id', ParseIntPipe) id: number) {
    return this.units.get(actor, id);
  }

  @Patch(':id')
  @Roles('admin')
  update(@CurrentActor() actor: Actor, @Param('id', ParseIntPipe) id: number, @Body() dto: UpdateOrgUnitDto) {
    return this.units.update(actor, id, dto);
  }
}
