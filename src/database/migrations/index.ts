import { Foundation1764240000000 } from './1764240000000-Foundation';

/** Every migration, in order. Add new ones at the end; never edit one that has landed. */
export const MIGRATIONS = [Foundation1764240000000];
