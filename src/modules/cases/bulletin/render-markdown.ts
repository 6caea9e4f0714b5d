import type { Bulletin } from './bulletin';

/** Markdown for re-use in other documents: the same parts, in the same order, as the DOCX. */
export function bulletinMarkdown(b: Bulletin): string {
  const lines: string[] = [];
  for (const body of b.issuingBodies) lines.push(`**${body}**`, '');
  lines.push(b.docNo, '', `# ${b.title}`, '', b.addressee, '', b.intro, '');
  for (const item of b.items) {
    lines.push(`## ${item.heading}`, '');
    for (const p of item.paragraphs) lines.push(p, '');
  }
  lines.push(b.figuresParagraph, '', b.closing, '');
  for (const s of b.signature) lines.push(s, '');
  lines.push(b.issuedOnText, '');
  return lines.join('\n');
}
