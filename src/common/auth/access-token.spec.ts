import { createHmac } from 'node:crypto';
import { JwtService } from '@nestjs/jwt';
import { AccessTokenVerifier, TokenRejected } from './access-token';

const SECRET = 'unit-test-secret-unit-test-secret-0123456789';
const NOW = 1_800_000_000;
const jwt = new JwtService({ secret: SECRET });
const b64url = (value: unknown) => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');
/** A token signed with the real secret over any header and payload text. */
const signedRaw = (header: unknown, payload: unknown) => {
  const input = `${b64url(header)}.${b64url(payload)}`;
  return `${input}.${createHmac('sha256', SECRET).update(input).digest('base64url')}`;
};
const sign = (claims: object, options: Parameters<JwtService['sign']>[1] = {}) => jwt.sign(claims, { secret: SECRET, algorithm: 'HS256', ...options });

type Outcome = 'accepted' | 'expired' | 'invalid';

/** What jsonwebtoken (through JwtService, as the guard used it) says about a token. */
function jsonwebtokenSays(token: string): Outcome {
  try {
    jwt.verify(token, { secret: SECRET, algorithms: ['HS256'], clockTimestamp: NOW });
    return 'accepted';
  } catch (error) {
    return (error as { name?: string }).name === 'TokenExpiredError' ? 'expired' : 'invalid';
  }
}

function verifierSays(token: string): Outcome {
  try {
    new AccessTokenVerifier(SECRET).verify(token, NOW);
    return 'accepted';
  } catch (error) {
    expect(error).toBeInstanceOf(TokenRejected);
    return (error as TokenRejected).reason === 'expired' ? 'expired' : 'invalid';
  }
}

describe('AccessTokenVerifier (HS256 with node:crypto, as jsonwebtoken verifies)', () => {
  const claims = { sub: 7, tv: 0, role: 'reporter', iat: NOW - 10 };
  const valid = sign({ ...claims, exp: NOW + 600 });
  const [header, payload, signature] = valid.split('.');

  const cases: [string, string, Outcome][] = [
    ['a token signed by JwtService, not expired', valid, 'accepted'],
    ['one without exp (the guard refuses it after)', sign(claims), 'accepted'],
    ['exp in the past', sign({ ...claims, exp: NOW - 1 }), 'expired'],
    ['exp exactly now', sign({ ...claims, exp: NOW }), 'expired'],
    ['exp not a number', signedRaw({ alg: 'HS256', typ: 'JWT' }, { ...claims, exp: String(NOW + 600) }), 'invalid'],
    ['nbf in the future', sign({ ...claims, exp: NOW + 600, nbf: NOW + 60 }), 'invalid'],
    ['nbf now', sign({ ...claims, exp: NOW + 600, nbf: NOW }), 'accepted'],
    ['nbf not a number', signedRaw({ alg: 'HS256', typ: 'JWT' }, { ...claims, exp: NOW + 600, nbf: 'soon' }), 'invalid'],
    ['another secret', jwt.sign({ ...claims, exp: NOW + 600 }, { secret: 'another-secret-another-secret-another-secret', algorithm: 'HS256' }), 'invalid'],
    ['HS384 with the right secret', sign({ ...claims, exp: NOW + 600 }, { algorithm: 'HS384' }), 'invalid'],
    ['alg none, unsigned', `${b64url({ alg: 'none', typ: 'JWT' })}.${b64url({ ...claims, exp: NOW + 600 })}.`, 'invalid'],
    ['a real signature on a changed payload', `${header}.${b64url({ ...claims, sub: 1, role: 'admin', exp: NOW + 600 })}.${signature}`, 'invalid'],
    ['an expired token with a forged signature', `${header}.${b64url({ ...claims, exp: NOW - 1 })}.${signature}`, 'invalid'],
    ['a signature with one character more', `${valid}A`, 'invalid'],
    ['a signature cut short', valid.slice(0, -1), 'invalid'],
    ['no signature', `${header}.${payload}.`, 'invalid'],
    ['two segments', `${header}.${payload}`, 'invalid'],
    ['four segments', `${valid}.${signature}`, 'invalid'],
    ['a character outside base64url', `${header}.${payload}.${signature.slice(0, -1)}+`, 'invalid'],
    ['a header that is not JSON', signedRaw('not json', { ...claims, exp: NOW + 600 }), 'invalid'],
    ['a header without alg', signedRaw({ typ: 'JWT' }, { ...claims, exp: NOW + 600 }), 'invalid'],
    ['garbage', 'not-a-jwt', 'invalid'],
  ];

  it.each(cases)('%s', (_what, token, expected) => {
    expect(jsonwebtokenSays(token)).toBe(expected);
    expect(verifierSays(token)).toBe(expected);
  });

  it('returns the claims of an accepted token', () => {
    expect(new AccessTokenVerifier(SECRET).verify(valid, NOW)).toEqual({ ...claims, exp: NOW + 600 });
  });

  it('refuses a payload that is valid JSON but no object, which jsonwebtoken would hand over as a string or array', () => {
    for (const body of ['"7"', '[7]', 'null', 'plain text']) {
      expect(verifierSays(signedRaw({ alg: 'HS256', typ: 'JWT' }, body))).toBe('invalid');
    }
  });

  it('uses the current time by default', () => {
    const now = Math.floor(Date.now() / 1000);
    const verifier = new AccessTokenVerifier(SECRET);
    expect(verifier.verify(sign({ ...claims, exp: now + 60 }))).toMatchObject({ sub: 7 });
    expect(() => verifier.verify(sign({ ...claims, exp: now - 1 }))).toThrow('Token expired');
  });
});
