import { dummyHash, hashPassword, passwordProblem, verifyPassword } from './password';

describe('passwords', () => {
  it('hashes with bcrypt and a random salt, and verifies', async () => {
    const a = await hashPassword('long-enough-1');
    const b = await hashPassword('long-enough-1');
    expect(a).toMatch(/^\$2[aby]\$10\$/);
    expect(a).not.toBe(b);
    expect(a).not.toContain('long-enough-1');
    await expect(verifyPassword('long-enough-1', a)).resolves.toBe(true);
    await expect(verifyPassword('long-enough-2', a)).resolves.toBe(false);
  });

  it('has a dummy hash of the same cost that no likely password matches', async () => {
    expect(dummyHash()).toMatch(/^\$2[aby]\$10\$/);
    expect(dummyHash()).toBe(dummyHash());
    await expect(verifyPassword('', dummyHash())).resolves.toBe(false);
    await expect(verifyPassword('password', dummyHash())).resolves.toBe(false);
  });

  it('wants 8 to 200 characters', () => {
    expect(passwordProblem('1234567')).toMatch(/at least 8/);
    expect(passwordProblem('12345678')).toBeNull();
    expect(passwordProblem('x'.repeat(200))).toBeNull();
    expect(passwordProblem('x'.repeat(201))).not.toBeNull();
  });
});
