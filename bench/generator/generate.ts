/** The generator lives in src/modules/demo/generator (the demo county runs in production builds); bench code imports it from here. */
export * from '@/modules/demo/generator/generate';
