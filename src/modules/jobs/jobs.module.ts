import { Module, OnModuleInit } from '@nestjs/common';
import { orgUnitsChecksumJob } from './handlers/org-units-checksum.job';
import { JobsController } from './jobs.controller';
import { JobsRepository } from './jobs.repository';
import { JobsService } from './jobs.service';

/**
 * Background jobs. Features import this module and register their job kinds:
 *   constructor(private readonly jobs: JobsService) {}
 *   onModuleInit() { this.jobs.register(demandsImportJob); }
 */
@Module({
  controllers: [JobsController],
  providers: [JobsRepository, JobsService],
  exports: [JobsService],
})
export class JobsModule implements OnModuleInit {
  constructor(private readonly jobs: JobsService) {}

  onModuleInit(): void {
    this.jobs.register(orgUnitsChecksumJob);
  }
}
