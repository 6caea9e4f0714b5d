import { asciiFileName, attachmentDisposition } from './content-disposition';

describe('attachmentDisposition', () => {
  it('names a Chinese file in UTF-8 (filename*) with an ASCII fallback (filename)', () => {
    const header = attachmentDisposition('负担填报-2026-11-27.csv', 'burden-reports-2026-11-27.csv');
    expect(header).toBe(
      "attachment; filename=\"burden-reports-2026-11-27.csv\"; filename*=UTF-8''%E8%B4%9F%E6%8B%85%E5%A1%AB%E6%8A%A5-2026-11-27.csv",
    );
    const encoded = /filename\*=UTF-8''(.+)$/.exec(header)![1];
    expect(decodeURIComponent(encoded)).toBe('负担填报-2026-11-27.csv');
  });

  it("percent-encodes what RFC 5987 does not allow bare, such as ' ( ) * and spaces", () => {
    expect(attachmentDisposition("a'b (c)*.csv", 'x.csv')).toBe("attachment; filename=\"x.csv\"; filename*=UTF-8''a%27b%20%28c%29%2A.csv");
  });

  it('derives a fallback from the name when none is given', () => {
    expect(attachmentDisposition('报表.xlsx')).toBe("attachment; filename=\"__.xlsx\"; filename*=UTF-8''%E6%8A%A5%E8%A1%A8.xlsx");
  });
});

describe('asciiFileName', () => {
  it('replaces non-ASCII, quotes, backslashes and control characters', () => {
    expect(asciiFileName('负担"a\\b\n.csv')).toBe('___a_b_.csv');
    expect(asciiFileName('demands-2026-11-27.csv')).toBe('demands-2026-11-27.csv');
    expect(asciiFileName('')).toBe('download');
  });
});
