import { Body, Controller, Get, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Actor } from '@/common/auth/actor';
import { CurrentActor, Roles } from '@/common/auth/decorators';
import { ExportableList } from '@/common/export/exportable-list';
import { ParseIdPipe } from '@/common/http/id-param';
import { pageRequest } from '@/common/paging/page';
import { CasesService } from './cases.service';
import { CaseQueryDto, CreateCaseDto, UpdateCaseDto } from './dto/case.dto';
import { CASE_EXPORT } from './export-tables';

@ApiTags('cases')
@ApiBearerAuth()
@Controller('cases')
export class CasesController {
  constructor(private readonly cases: CasesService) {}

  @Get()
  @Roles('inspector')
  @ApiOperation({ summary: 'Typical cases whose issuer or unit lies in the inspector’s jurisdiction (the read is audited)' })
  @ExportableList(CASE_EXPORT)
  list(@CurrentActor() actor: Actor, @Query() query: CaseQueryDto) {
    return this.cases.list(actor, query, pageRequest(query));
  }

  @Post()
  @Roles('inspector')
  @ApiOperation({ summary: 'Builds a draft case from confirmed flags and freezes their evidence (demands, hours, review history)' })
  create(@CurrentActor() actor: Actor, @Body() dto: CreateCaseDto) {
    return this.cases.create(actor, dto);
  }

  @Get(':id')
  @Roles('inspector')
  @ApiOperation({ summary: 'One case with its frozen evidence and the live rectification status of its flags (the read is audited)' })
  get(@CurrentActor() actor: Actor, @Param('id', ParseIdPipe) id: number) {
    return this.cases.get(actor, id);
  }

  @Patch(':id')
  @Roles('inspector')
  @ApiOperation({ summary: 'Edits a draft case, or makes it final (then it no longer changes); `version` guards against lost updates' })
  update(@CurrentActor() actor: Actor, @Param('id', ParseIdPipe) id: number, @Body() dto: UpdateCaseDto) {
    return this.cases.update(actor, id, dto);
  }
}
