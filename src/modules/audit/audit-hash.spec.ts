import { createHash } from 'node:crypto';
import { auditHash, AuditHashInput, GENESIS_HASH } from './audit-hash';

/** A fixed entry as both databases store it: every column is text or an integer. */
const ENTRY: AuditHashInput = {
  at: '2026-07-01T08:30:00.000Z',
  actorId: 7,
  actor: 'admin',
  action: 'org-unit.create',
  entityType: 'org_unit',
  entityId: '42',
  unitPath: '/53/5325/532503/',
  beforeJson: null,
  afterJson: '{"code":"532503-JYJ","name":"蒙自市教育局","staffCount":12}',
  prevHash: GENESIS_HASH,
};

/**
 * The exact text hashed: keys sorted, no whitespace, payloads as the JSON strings stored in the
 * before_json/after_json columns. Written out by hand (and checked with Python's
 * json.dumps(sort_keys=True, ensure_ascii=False, separators=(",", ":")) + hashlib.sha256), so a
 * change to the canonical form, which would orphan every stored chain, fails here.
 */
const CANONICAL =
  '{"action":"org-unit.create","actor":"admin","actorId":7,' +
  '"after":"{\\"code\\":\\"532503-JYJ\\",\\"name\\":\\"蒙自市教育局\\",\\"staffCount\\":12}",' +
  '"at":"2026-07-01T08:30:00.000Z","before":null,"entityId":"42","entityType":"org_unit",' +
  `"prevHash":"${'0'.repeat(64)}","unitPath":"/53/5325/532503/"}`;

const PINNED = '1f55aa9d0830d92d3cf989a140dcbce1f0257040bd679d27836059d8a7d295fb';

describe('auditHash', () => {
  it('the genesis hash is 64 zeros', () => {
    expect(GENESIS_HASH).toBe('0000000000000000000000000000000000000000000000000000000000000000');
  });

  it('is SHA-256 (hex) over the canonical JSON of the entry, UTF-8 encoded', () => {
    expect(createHash('sha256').update(CANONICAL, 'utf8').digest('hex')).toBe(PINNED);
    expect(auditHash(ENTRY)).toBe(PINNED);
  });

  it('does not depend on the order the fields were given in', () => {
    const reversed = Object.fromEntries(Object.entries(ENTRY).reverse()) as unknown as AuditHashInput;
    expect(auditHash(reversed)).toBe(PINNED);
  });

  it('ignores columns it does not cover (id, the stored hash)', () => {
    expect(auditHash({ ...ENTRY, id: 99, hash: 'f'.repeat(64) } as AuditHashInput)).toBe(PINNED);
  });

  it.each<[keyof AuditHashInput, unknown]>([
    ['at', '2026-07-01T08:30:00.001Z'],
    ['actorId', 8],
    ['actorId', null],
    ['actor', 'admin2'],
    ['action', 'org-unit.update'],
    ['entityType', 'duty_item'],
    ['entityId', '43'],
    ['entityId', null],
    ['unitPath', '/53/5325/532501/'],
    ['unitPath', null],
    ['beforeJson', '{}'],
    ['afterJson', '{"code":"532503-JYJ","name":"蒙自市教育局","staffCount":13}'],
    ['afterJson', null],
    ['prevHash', '1'.repeat(64)],
  ])('changes when %s changes (to %p)', (field, value) => {
    expect(auditHash({ ...ENTRY, [field]: value })).not.toBe(PINNED);
  });

  it('tells a number from its string (42 and "42" hash differently)', () => {
    expect(auditHash({ ...ENTRY, actorId: '7' as unknown as number })).not.toBe(PINNED);
  });

  it('chains: each entry covers the previous hash', () => {
    const second = { ...ENTRY, at: '2026-07-01T08:31:00.000Z', prevHash: auditHash(ENTRY) };
    const forged = { ...second, prevHash: GENESIS_HASH };
    expect(auditHash(second)).not.toBe(auditHash(forged));
    expect(auditHash(second)).toMatch(/^[0-9a-f]{64}$/);
  });
});
