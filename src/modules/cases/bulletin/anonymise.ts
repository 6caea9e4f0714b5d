/** A person a case names: the post always, the name when the inspector gave it. */
export interface CasePerson {
  post: string;
  name?: string;
}

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * Replaces every person's name with that person's post wherever it appears in `text`, free text
 * included. One pass over all names, longest first, so a post that happens to contain another
 * person's name is never rewritten again and 王小明 is not half-replaced as 王小.
 */
export function anonymiseText(text: string, persons: readonly CasePerson[]): string {
  const posts = new Map<string, string>();
  for (const p of persons) {
    const name = p.name?.trim();
    if (name && !posts.has(name)) posts.set(name, p.post);
  }
  if (posts.size === 0) return text;
  const names = [...posts.keys()].sort((a, b) => b.length - a.length);
  const pattern = new RegExp(names.map(escapeRegExp).join('|'), 'g');
  return text.replace(pattern, (name) => posts.get(name)!);
}

/** How a person is written in a bulletin: 县教育局副局长王某, or only the post when anonymised or unnamed. */
export function personText(person: CasePerson, anonymise: boolean): string {
  const name = person.name?.trim();
  return anonymise || !name ? person.post : `${person.post}${name}`;
}
