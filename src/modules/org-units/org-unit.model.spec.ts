import { Level, LEVELS } from '@/common/auth/actor';
import { AREA_CODE, AREA_CODE_LENGTH, childPath, isPossibleId, levelRank, MAX_ID, placementProblem, UNIT_CODE, UnitKind } from './org-unit.model';

type Shape = { code: string; kind: UnitKind; level: Level };
const area = (code: string, level: Level): Shape => ({ code, kind: 'area', level });
const dept = (code: string, level: Level): Shape => ({ code, kind: 'department', level });

const yunnan = area('53', 'province');
const honghe = area('5325', 'prefecture');
const mengzi = area('532503', 'county');
const wenlan = area('532503001', 'township');
const education = dept('532503-JYJ', 'county');

/** A division code of the right length for a level that extends the given code. */
function codeUnder(parentCode: string, level: Level): string {
  return parentCode.padEnd(AREA_CODE_LENGTH[level], '1');
}

describe('org unit codes and levels', () => {
  it('ranks levels from province down to village', () => {
    expect(LEVELS.map(levelRank)).toEqual([0, 1, 2, 3, 4]);
  });

  it('gives each level the division code length AREA_CODE accepts', () => {
    expect(Object.values(AREA_CODE_LENGTH).sort((a, b) => a - b)).toEqual([2, 4, 6, 9, 12]);
    for (const level of LEVELS) expect(AREA_CODE.test('5'.repeat(AREA_CODE_LENGTH[level]))).toBe(true);
    for (const length of [1, 3, 5, 7, 8, 10, 11, 13]) expect(AREA_CODE.test('5'.repeat(length))).toBe(false);
    expect(AREA_CODE.test('53a5')).toBe(false);
  });

  it('accepts office codes of letters, digits, "-", "_" and "." up to 40 characters', () => {
    for (const ok of ['532503-JYJ', 'A', 'x.y_z-1', 'a'.repeat(40)]) expect(UNIT_CODE.test(ok)).toBe(true);
    for (const bad of ['', '-JYJ', 'a b', '教育局', 'a/b', 'a'.repeat(41), "x'--"]) expect(UNIT_CODE.test(bad)).toBe(false);
  });

  it('builds materialised paths ending in "/"', () => {
    expect(childPath(null, '53')).toBe('/53/');
    expect(childPath('/53/5325/', '532503')).toBe('/53/5325/532503/');
  });

  it('knows which ids can exist', () => {
    expect(isPossibleId(1)).toBe(true);
    expect(isPossibleId(MAX_ID)).toBe(true);
    for (const bad of [0, -1, 1.5, MAX_ID + 1, Number.NaN, 1e20]) expect(isPossibleId(bad)).toBe(false);
  });
});

describe('placementProblem', () => {
  it('lets a province stand alone and nothing else', () => {
    expect(placementProblem(yunnan, null)).toBeNull();
    expect(placementProblem(honghe, null)).toMatchObject({ field: 'parentId' });
    expect(placementProblem(dept('53-GOV', 'province'), null)).toMatchObject({ field: 'parentId' });
  });

  it('places a well-formed area under the unit its code extends', () => {
    expect(placementProblem(honghe, yunnan)).toBeNull();
    expect(placementProblem(mengzi, honghe)).toBeNull();
    expect(placementProblem(wenlan, mengzi)).toBeNull();
    expect(placementProblem(area('532503001001', 'village'), wenlan)).toBeNull();
  });

  it('lets an area skip levels when its code still extends the parent (a county directly under a province)', () => {
    expect(placementProblem(area('469001', 'county'), area('46', 'province'))).toBeNull();
  });

  it('accepts an area below its parent exactly when its level ranks lower', () => {
    for (const parentLevel of LEVELS) {
      for (const childLevel of LEVELS) {
        const parent = area('5'.repeat(AREA_CODE_LENGTH[parentLevel]), parentLevel);
        const child = area(codeUnder(parent.code, childLevel), childLevel);
        const problem = placementProblem(child, parent);
        if (levelRank(childLevel) > levelRank(parentLevel)) expect(problem).toBeNull();
        else expect(problem).toMatchObject({ field: 'level' });
      }
    }
  });

  it('names the code when an area code is not a division code', () => {
    for (const code of ['5325A', '53250', '5325030011', 'ABCD']) {
      expect(placementProblem(area(code, 'county'), honghe)).toMatchObject({ field: 'code' });
    }
  });

  it('names the code when it breaks the office code pattern', () => {
    expect(placementProblem(dept('教育局', 'county'), mengzi)).toMatchObject({ field: 'code' });
    expect(placementProblem(dept('-JYJ', 'county'), mengzi)).toMatchObject({ field: 'code' });
  });

  it('names the level when an area code length does not fit the level', () => {
    expect(placementProblem(area('532503', 'township'), honghe)).toMatchObject({ field: 'level' });
    expect(placementProblem(area('532503001', 'county'), honghe)).toMatchObject({ field: 'level' });
    expect(placementProblem(area('5325', 'province'), null)).toMatchObject({ field: 'level' });
  });

  it('names the code when an area code does not extend its parent code', () => {
    const problem = placementProblem(area('532599001', 'township'), mengzi);
    expect(problem).toMatchObject({ field: 'code' });
    expect(problem?.message).toContain('532503');
    expect(placementProblem(area('5401', 'prefecture'), yunnan)).toMatchObject({ field: 'code' });
  });

  it('never puts anything under a department', () => {
    expect(placementProblem(area('532503001', 'township'), education)).toMatchObject({ field: 'parentId' });
    expect(placementProblem(dept('532503-JYJ-1', 'county'), education)).toMatchObject({ field: 'parentId' });
  });

  it('keeps a department at its area unit level, whatever its code', () => {
    expect(placementProblem(education, mengzi)).toBeNull();
    expect(placementProblem(dept('53-FGW', 'province'), yunnan)).toBeNull();
    expect(placementProblem(dept('532503-JYJ', 'township'), mengzi)).toMatchObject({ field: 'level' });
    expect(placementProblem(dept('532503-JYJ', 'prefecture'), mengzi)).toMatchObject({ field: 'level' });
  });

  it('holds for every error: a field and a message', () => {
    const problem = placementProblem(area('53', 'county'), null);
    expect(problem).not.toBeNull();
    expect(typeof problem?.message).toBe('string');
    expect(problem?.message.length).toBeGreaterThan(0);
  });
});
