import { progressReporter, renderBar } from './progress-bar';

function sink(isTTY: boolean) {
  const out: string[] = [];
  return { out, stream: { isTTY, columns: 80, write: (s: string) => out.push(s) } };
}

describe('renderBar', () => {
  it('fills the bar in proportion and shows the percentage and counts', () => {
    expect(renderBar(0, 10, 10)).toBe('[----------]   0% 0/10');
    expect(renderBar(5, 10, 10)).toBe('[#####-----]  50% 5/10');
    expect(renderBar(10, 10, 10)).toBe('[##########] 100% 10/10');
    expect(renderBar(2_500, 10_000, 4)).toBe('[#---]  25% 2,500/10,000');
  });

  it('clamps a count past the total and shows a bare count when the total is unknown', () => {
    expect(renderBar(12, 10, 10)).toBe('[##########] 100% 12/10');
    expect(renderBar(7, null)).toBe('7');
    expect(renderBar(7, 0)).toBe('7');
  });
});

describe('progressReporter', () => {
  it('on a terminal redraws one line in place, throttled, and ends it with a newline', () => {
    const { out, stream } = sink(true);
    let t = 0;
    const p = progressReporter('import', stream, () => t);
    p.update(1, 100, 'rows');
    t = 50;
    p.update(2, 100, 'rows'); // within 100 ms: skipped
    t = 200;
    p.update(50, 100, 'rows');
    p.update(100, 100, 'done'); // completion always drawn
    p.finish();
    expect(out).toHaveLength(4);
    expect(out[0].startsWith('\r\x1b[2Kimport [')).toBe(true);
    expect(out[0].endsWith(']   1% 1/100 rows')).toBe(true);
    expect(out[2]).toContain('100% 100/100 done');
    expect(out[3]).toBe('\n');
  });

  it('elsewhere writes plain lines: on each new step, every 10 %, at the end', () => {
    const { out, stream } = sink(false);
    const t = 0;
    const p = progressReporter('seed', stream, () => t);
    p.update(0, 1000, 'demands');
    for (let i = 1; i < 1000; i++) p.update(i, 1000, 'demands');
    p.update(1000, 1000, 'demands');
    p.update(0, null, 'evaluate');
    expect(out.every((l) => l.endsWith('\n') && !l.includes('\r'))).toBe(true);
    expect(out[0]).toBe('seed: 0/1000 (0%) demands\n');
    expect(out).toContain('seed: 500/1000 (50%) demands\n');
    expect(out).toContain('seed: 1000/1000 (100%) demands\n');
    expect(out.at(-1)).toBe('seed: 0/? evaluate\n');
    expect(out.length).toBe(12);
  });

  it('prints a line of its own above the bar', () => {
    const { out, stream } = sink(true);
    const p = progressReporter('x', stream, () => 1000);
    p.update(1, 2);
    p.line('step two');
    expect(out.slice(1)).toEqual(['\r\x1b[2K', 'step two\n']);
  });
});
