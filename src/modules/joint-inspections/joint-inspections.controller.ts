import { Controller, Get, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Actor } from '@/common/auth/actor';
import { CurrentActor, Roles } from '@/common/auth/decorators';
import { ExportableList } from '@/common/export/exportable-list';
import { pageRequest } from '@/common/paging/page';
import { JointInspectionSuggestionsQueryDto } from './dto/joint-inspection-suggestions.dto';
import { JOINT_INSPECTION_EXPORT } from './export-tables';
import { JointInspectionsService } from './joint-inspections.service';

@ApiTags('joint-inspections')
@ApiBearerAuth()
@Controller('joint-inspections')
export class JointInspectionsController {
  constructor(private readonly joint: JointInspectionsService) {}

  @Get('suggestions')
  @Roles('issuer', 'coordinator')
  @ApiOperation({
    summary: '综合查一次: inspections of one unit by different issuers within the policy window (jointInspectionWindowDays), proposed as joint visits',
    description:
      'Coordinators see the units of their jurisdiction; an issuer sees the groups holding one of its own inspections. Sorted by unit code, then group start.',
  })
  @ExportableList(JOINT_INSPECTION_EXPORT)
  suggestions(@CurrentActor() actor: Actor, @Query() query: JointInspectionSuggestionsQueryDto) {
    return this.joint.suggestions(actor, { from: query.from, to: query.to }, pageRequest(query));
  }
}
