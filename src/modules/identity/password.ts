import bcrypt from 'bcryptjs';

/** bcryptjs: maintained, pure JavaScript, so nothing is downloaded or compiled at install. */
const COST = 10;

export function hashPassword(password: string): Promise<string> {
  return bcrypt.hash(password, COST);
}

export function verifyPassword(password: string, hash: string): Promise<boolean> {
  return bcrypt.compare(password, hash);
}

let cachedDummy: string | undefined;
/** Compared against when the username is unknown, so timing does not reveal which usernames exist. */
export function dummyHash(): string {
  cachedDummy ??= bcrypt.hashSync('not-a-real-password', COST);
  return cachedDummy;
}

export const PASSWORD_RULE = 'at least 8 characters';
export function passwordProblem(password: string): string | null {
  return password.length >= 8 && password.length <= 200 ? null : `the password needs ${PASSWORD_RULE} (at most 200)`;
}
