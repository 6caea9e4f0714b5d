/**
 * The child process of the health measurement: the product's own entry point (src/main.ts:
 * configuration from the environment, `createApp`, listen on PORT), compiled by `bench:build`
 * into dist/bench/src/main.js. This file only makes sure `bench:build` compiles it, and the worker
 * entries with it: the job launcher starts `job-worker.js`, and an evaluation its scan thread's
 * `finding-producer.worker.js`, by path, so no static import reaches them (a type-only import puts
 * the file in the program, and tsc emits it).
 */
import type {} from '@/modules/flags/finding-producer.worker';
import type {} from '@/modules/jobs/worker/job-worker';
import '@/main';
