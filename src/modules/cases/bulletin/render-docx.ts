import { AlignmentType, BorderStyle, Document, Footer, LineRuleType, Packer, PageNumber, Paragraph, TextRun } from 'docx';
import type { Bulletin } from './bulletin';

/** GB/T 9704 fonts, named in the file so a reader's Word picks them (or substitutes visibly). */
export const FONTS = { title: '方正小标宋简体', body: '仿宋_GB2312', heading: '黑体', pageNumber: '宋体' } as const;

/** Half-points: 二号 22 pt (title), 三号 16 pt (body), 四号 14 pt (page numbers). */
const SIZE = { title: 44, body: 32, pageNumber: 28 };
const mm = (v: number) => Math.round((v * 1440) / 25.4);
/** Fixed line pitch giving 22 lines on the 225 mm type area of an A4 page (GB/T 9704 §5.2.2). */
const LINE = 579;
const RED = 'C00000';

const run = (text: string, font: string, size: number, color?: string) =>
  new TextRun({ text, font: { ascii: font, hAnsi: font, eastAsia: font, cs: font }, size, ...(color ? { color } : {}) });

function body(text: string, options: { indent?: boolean; align?: (typeof AlignmentType)[keyof typeof AlignmentType]; font?: string } = {}): Paragraph {
  return new Paragraph({
    children: [run(text, options.font ?? FONTS.body, SIZE.body)],
    alignment: options.align ?? AlignmentType.JUSTIFIED,
    indent: options.indent === false ? undefined : { firstLine: 640 },
    spacing: { line: LINE, lineRule: LineRuleType.EXACT },
  });
}

/**
 * The bulletin as a Word document following GB/T 9704 (党政机关公文格式): A4, margins
 * top 37 / bottom 35 / left 28 / right 26 mm; the issuing bodies in red 小标宋 with a red line
 * under the document number; title 二号小标宋; body 三号仿宋_GB2312 with a two-character indent;
 * first-level headings in 黑体; page numbers "— 1 —" in 四号宋体 at the foot.
 */
export function bulletinDocx(b: Bulletin): Promise<Buffer> {
  const children: Paragraph[] = [
    ...b.issuingBodies.map((s) => new Paragraph({ children: [run(s, FONTS.title, SIZE.title, RED)], alignment: AlignmentType.CENTER })),
    new Paragraph({
      children: [run(b.docNo, FONTS.body, SIZE.body)],
      alignment: AlignmentType.CENTER,
      spacing: { before: 240, after: 120 },
      border: { bottom: { color: RED, space: 4, style: BorderStyle.SINGLE, size: 12 } },
    }),
    new Paragraph({ children: [], spacing: { line: LINE, lineRule: LineRuleType.EXACT } }),
    new Paragraph({ children: [run(b.title, FONTS.title, SIZE.title)], alignment: AlignmentType.CENTER, spacing: { after: 320 } }),
    body(b.addressee, { indent: false, align: AlignmentType.LEFT }),
    body(b.intro),
  ];
  for (const item of b.items) {
    children.push(body(item.heading, { font: FONTS.heading }));
    for (const p of item.paragraphs) children.push(body(p));
  }
  children.push(body(b.figuresParagraph), body(b.closing), new Paragraph({ children: [], spacing: { line: LINE, lineRule: LineRuleType.EXACT } }));
  for (const s of b.signature) children.push(body(s, { indent: false, align: AlignmentType.RIGHT }));
  children.push(body(b.issuedOnText, { indent: false, align: AlignmentType.RIGHT }));

  const doc = new Document({
    title: b.title,
    creator: b.issuingBodies[0],
    styles: { default: { document: { run: { font: { ascii: FONTS.body, hAnsi: FONTS.body, eastAsia: FONTS.body, cs: FONTS.body }, size: SIZE.body } } } },
    sections: [
      {
        properties: { page: { size: { width: mm(210), height: mm(297) }, margin: { top: mm(37), bottom: mm(35), left: mm(28), right: mm(26) } } },
        footers: {
          default: new Footer({
            children: [
              new Paragraph({
                alignment: AlignmentType.CENTER,
                children: [
                  new TextRun({ children: ['— ', PageNumber.CURRENT, ' —'], font: { ascii: FONTS.pageNumber, eastAsia: FONTS.pageNumber, hAnsi: FONTS.pageNumber }, size: SIZE.pageNumber }),
                ],
              }),
            ],
          }),
        },
        children,
      },
    ],
  });
  return Packer.toBuffer(doc);
}
