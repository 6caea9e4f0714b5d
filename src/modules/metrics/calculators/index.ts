/** Pure burden-metric calculators (DESIGN §5): integer minutes in, null for a zero denominator; no I/O. */
export * from '@/modules/demands/calendar/period';
export * from './occurrences-in-period';
export * from './capacity';
export * from './burden';
export * from './shares';
export * from './counts';
export * from './percentile';
export * from './change';
export * from './forecast';
