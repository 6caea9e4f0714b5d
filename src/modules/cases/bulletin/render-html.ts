import type { Bulletin } from './bulletin';

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
const esc = (s: string) => s.replace(/[&<>"']/g, (c) => ESCAPES[c]);

/**
 * A printable A4 page in the layout of GB/T 9704 (margins 37/26/35/28 mm, title in 小标宋 二号,
 * body in 仿宋_GB2312 三号, headings in 黑体), with fallbacks for machines without those fonts.
 */
export function bulletinHtml(b: Bulletin): string {
  const p = (text: string, cls = 'body') => `<p class="${cls}">${esc(text)}</p>`;
  const items = b.items.map((item) => [`<h2>${esc(item.heading)}</h2>`, ...item.paragraphs.map((t) => p(t))].join('\n')).join('\n');
  return `<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<title>${esc(b.title)}</title>
<style>
@page { size: A4; margin: 37mm 26mm 35mm 28mm; }
body { font-family: "仿宋_GB2312", "FangSong_GB2312", "仿宋", "FangSong", "Noto Serif CJK SC", serif; font-size: 16pt; line-height: 28.95pt; color: #000; max-width: 156mm; margin: 0 auto; }
.bodies { color: #c00; font-family: "方正小标宋简体", "FZXiaoBiaoSong-B05S", "Noto Serif CJK SC", serif; font-size: 22pt; line-height: 1.4; text-align: center; margin: 0; }
.docno { text-align: center; margin: 12pt 0 4pt; }
hr.red { border: 0; border-top: 2px solid #c00; margin: 0 0 24pt; }
h1 { font-family: "方正小标宋简体", "FZXiaoBiaoSong-B05S", "Noto Serif CJK SC", serif; font-size: 22pt; font-weight: normal; text-align: center; line-height: 1.5; margin: 0 0 16pt; }
h2 { font-family: "黑体", "SimHei", "Noto Sans CJK SC", sans-serif; font-size: 16pt; font-weight: normal; text-indent: 2em; margin: 0; line-height: 28.95pt; }
p { margin: 0; }
p.body { text-indent: 2em; text-align: justify; }
p.addressee { text-indent: 0; }
p.signature, p.date { text-align: right; padding-right: 4em; }
h2, p.body { page-break-inside: avoid; }
</style>
</head>
<body>
${b.issuingBodies.map((s) => `<p class="bodies">${esc(s)}</p>`).join('\n')}
<p class="docno">${esc(b.docNo)}</p>
<hr class="red">
<h1>${esc(b.title)}</h1>
${p(b.addressee, 'addressee')}
${p(b.intro)}
${items}
${p(b.figuresParagraph)}
${p(b.closing)}
${b.signature.map((s) => p(s, 'signature')).join('\n')}
${p(b.issuedOnText, 'date')}
</body>
</html>
`;
}
