import { Injectable } from '@nestjs/common';
import type { Actor } from '@/common/auth/actor';
import { JobAccepted, JobsService } from '@/modules/jobs/jobs.service';
import { flagsEvaluateJob } from './flags-evaluate.job';

/** Starts the full evaluation as a job: a worker thread with its own connection (DESIGN §3 Jobs). */
@Injectable()
export class FlagEvaluationService {
  constructor(private readonly jobs: JobsService) {}

  start(actor: Actor, period: string): Promise<JobAccepted> {
    return this.jobs.start(actor, flagsEvaluateJob.kind, { period });
  }
}
