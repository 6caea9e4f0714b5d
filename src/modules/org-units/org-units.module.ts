import { Module } from '@nestjs/common';
import { OrgUnitImportService } from './org-unit-import.service';
import { OrgUnitRepository } from './org-unit.repository';
import { OrgUnitsController } from './org-units.controller';
import { OrgUnitsService } from './org-units.service';

@Module({
  controllers: [OrgUnitsController],
  providers: [OrgUnitRepository, OrgUnitsService, OrgUnitImportService],
  exports: [OrgUnitRepository, OrgUnitsService],
})
export class OrgUnitsModule {}
