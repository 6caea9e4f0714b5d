import { containsPattern, driverMessage, forUpdate, isUniqueViolation, placeholders, subtreeCondition, subtreeParams, toInt, Where } from './dialect';

describe('dialect', () => {
  describe('placeholders', () => {
    const sql = 'SELECT * FROM t WHERE a = ? AND b IN (?, ?) LIMIT ?';

    it('leaves ? placeholders as they are on SQLite', () => {
      expect(placeholders('sqlite', sql)).toBe(sql);
    });

    it('numbers them $1..$n in order on PostgreSQL', () => {
      expect(placeholders('postgres', sql)).toBe('SELECT * FROM t WHERE a = $1 AND b IN ($2, $3) LIMIT $4');
      expect(placeholders('postgres', 'SELECT 1')).toBe('SELECT 1');
    });

    it('starts again at $1 for every statement', () => {
      placeholders('postgres', '? ? ?');
      expect(placeholders('postgres', 'x = ?')).toBe('x = $1');
    });
  });

  describe('subtree range', () => {
    /** The condition evaluated as a binary-collated database does (byte order for these ASCII paths). */
    function inSubtree(path: string, root: string): boolean {
      const [low, high] = subtreeParams(root);
      return path >= low && path < high;
    }

    it('is a half-open range on the column', () => {
      expect(subtreeCondition('o.path')).toBe('(o.path >= ? AND o.path < ?)');
      expect(subtreeParams('/53/')).toEqual(['/53/', '/530']);
    });

    it('includes the unit itself and everything below it', () => {
      expect(inSubtree('/53/', '/53/')).toBe(true);
      expect(inSubtree('/53/5325/', '/53/')).toBe(true);
      expect(inSubtree('/53/5325/532503/532503001/532503001001/', '/53/')).toBe(true);
      expect(inSubtree('/53/5325/532503-JYJ/', '/53/5325/')).toBe(true);
      expect(inSubtree('/53/5325/532503/', '/53/5325/532503/')).toBe(true);
    });

    it('excludes siblings that merely share a prefix, and units on either side', () => {
      expect(inSubtree('/530/', '/53/')).toBe(false);
      expect(inSubtree('/5301/', '/53/')).toBe(false);
      expect(inSubtree('/54/', '/53/')).toBe(false);
      expect(inSubtree('/52/', '/53/')).toBe(false);
      expect(inSubtree('/5/', '/53/')).toBe(false);
      expect(inSubtree('/', '/53/')).toBe(false);
      expect(inSubtree('/53/5325/5325030/', '/53/5325/532503/')).toBe(false);
      expect(inSubtree('/53/5325/532501/532501001/', '/53/5325/532503/')).toBe(false);
    });

    it('excludes codes with characters that sort just before "/" ("-" and ".")', () => {
      expect(inSubtree('/53-X/', '/53/')).toBe(false);
      expect(inSubtree('/53.1/', '/53/')).toBe(false);
      expect(inSubtree('/53/5325/532503-JYJ/', '/53/5325/532503/')).toBe(false);
    });
  });

  describe('toInt', () => {
    it('reads numbers, bigints and numeric strings (PostgreSQL COUNT and BIGINT)', () => {
      expect(toInt(42)).toBe(42);
      expect(toInt('42')).toBe(42);
      expect(toInt(42n)).toBe(42);
      expect(toInt('0')).toBe(0);
      expect(toInt('-7')).toBe(-7);
    });

    it('reads null, undefined and the empty string as 0', () => {
      expect(toInt(null)).toBe(0);
      expect(toInt(undefined)).toBe(0);
      expect(toInt('')).toBe(0);
    });
  });

  it('forUpdate locks rows on PostgreSQL only (SQLite writes are serial already)', () => {
    expect(forUpdate('postgres')).toBe(' FOR UPDATE');
    expect(forUpdate('sqlite')).toBe('');
  });

  describe('isUniqueViolation', () => {
    it('recognises both drivers, wrapped by TypeORM or not', () => {
      expect(isUniqueViolation({ driverError: { code: '23505' } })).toBe(true);
      expect(isUniqueViolation({ code: '23505' })).toBe(true);
      expect(isUniqueViolation({ driverError: { code: 'SQLITE_CONSTRAINT_UNIQUE' } })).toBe(true);
      expect(isUniqueViolation({ driverError: { code: 'SQLITE_CONSTRAINT_PRIMARYKEY' } })).toBe(true);
    });

    it('is false for other constraint errors and non-errors', () => {
      expect(isUniqueViolation({ driverError: { code: '23503' } })).toBe(false);
      expect(isUniqueViolation({ driverError: { code: 'SQLITE_CONSTRAINT_FOREIGNKEY' } })).toBe(false);
      expect(isUniqueViolation(new Error('x'))).toBe(false);
      expect(isUniqueViolation(null)).toBe(false);
    });
  });

  it('driverMessage gives the database message with PostgreSQL detail', () => {
    expect(driverMessage({ message: 'query failed: INSERT ...', driverError: { message: 'duplicate key', detail: 'Key (code)=(53) exists.' } })).toBe(
      'duplicate key (Key (code)=(53) exists.)',
    );
    expect(driverMessage(new Error('plain'))).toBe('plain');
  });

  it('Where joins conditions with AND and keeps their parameters in order', () => {
    expect(new Where().clause).toBe('');
    const where = new Where().add('a = ?', 1).add('(b >= ? AND b < ?)', '/53/', '/530');
    expect(where.clause).toBe('WHERE a = ? AND (b >= ? AND b < ?)');
    expect(where.params).toEqual([1, '/53/', '/530']);
  });

  it('containsPattern escapes LIKE wildcards with "!"', () => {
    expect(containsPattern('蒙自')).toBe('%蒙自%');
    expect(containsPattern('50%_off!')).toBe('%50!%!_off!!%');
  });
});
