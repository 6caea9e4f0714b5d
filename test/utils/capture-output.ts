/** What a command wrote to stdout and stderr, and the exit code it set (reset afterwards). */
export async function captureOutput(work: () => Promise<void>): Promise<{ out: string; err: string; code: number | undefined }> {
  const out: string[] = [];
  const err: string[] = [];
  const o = jest.spyOn(process.stdout, 'write').mockImplementation((s) => (out.push(String(s)), true));
  const e = jest.spyOn(process.stderr, 'write').mockImplementation((s) => (err.push(String(s)), true));
  process.exitCode = undefined;
  try {
    await work();
  } finally {
    o.mockRestore();
    e.mockRestore();
  }
  const code = process.exitCode === undefined ? undefined : Number(process.exitCode);
  process.exitCode = undefined;
  return { out: out.join(''), err: err.join(''), code };
}
