import { Cell } from './cells';
import { csvChunks, csvField, csvLine, UTF8_BOM } from './csv';

/** Pages of rows arriving one after another, as from the database. */
async function* pagesOf(...pages: Cell[][][]): AsyncGenerator<Cell[][]> {
  for (const page of pages) yield await Promise.resolve(page);
}

async function collect(chunks: AsyncIterable<string>): Promise<string[]> {
  const out: string[] = [];
  for await (const chunk of chunks) out.push(chunk);
  return out;
}

describe('csvField', () => {
  it('escapes text that would run as a formula, and leaves numbers as numbers', () => {
    expect(csvField('=1+1')).toBe("'=1+1");
    expect(csvField('-5')).toBe("'-5");
    expect(csvField(-5)).toBe('-5');
    expect(csvField(-0.25)).toBe('-0.25');
    expect(csvField('@x')).toBe("'@x");
    expect(csvField('+86 873 1234567')).toBe("'+86 873 1234567");
  });

  it('quotes fields holding a quote, a comma, a CR or an LF (RFC 4180), doubling quotes', () => {
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('line 1\nline 2')).toBe('"line 1\nline 2"');
    expect(csvField('line 1\r\nline 2')).toBe('"line 1\r\nline 2"');
    expect(csvField('plain')).toBe('plain');
  });

  it('escapes before quoting, so a quoted formula is neutralised too', () => {
    expect(csvField('=HYPERLINK("http://x","y")')).toBe('"\'=HYPERLINK(""http://x"",""y"")"');
    expect(csvField('\r=1')).toBe('"\'\r=1"');
  });

  it('writes Chinese text as it is, empty for null, and booleans as true/false', () => {
    expect(csvField('红河哈尼族彝族自治州，蒙自市')).toBe('红河哈尼族彝族自治州，蒙自市');
    expect(csvField(null)).toBe('');
    expect(csvField(true)).toBe('true');
  });
});

describe('csvLine', () => {
  it('joins fields with commas and ends with CRLF', () => {
    expect(csvLine([1, '=1+1', null, '文澜街道', 'a,b', false])).toBe("1,'=1+1,,文澜街道,\"a,b\",false\r\n");
  });
});

describe('csvChunks', () => {
  it('starts with the BOM and the header, then one chunk per non-empty page', async () => {
    const chunks = await collect(csvChunks(['id', 'title'], pagesOf([[1, '甲']], [], [[2, '-5'], [3, '乙']])));
    expect(chunks).toEqual([`${UTF8_BOM}id,title\r\n`, '1,甲\r\n', "2,'-5\r\n3,乙\r\n"]);
    expect(Buffer.from(chunks.join(''), 'utf8').subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf]));
  });

  it('writes the header alone when nothing matches', async () => {
    expect((await collect(csvChunks(['id'], pagesOf([])))).join('')).toBe(`${UTF8_BOM}id\r\n`);
  });
});
