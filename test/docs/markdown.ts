/**
 * Reading Markdown the way GitHub renders it, for the documentation tests: which lines are
 * headings (not `#` comments inside fenced code), the anchor GitHub gives each heading, and the
 * inline links a page holds.
 */

/** Lines outside fenced code blocks, with their 1-based line numbers. */
function proseLines(markdown: string): { line: number; text: string }[] {
  const lines: { line: number; text: string }[] = [];
  let fenced = false;
  markdown.split("\n").forEach((text, index) => {
    if (/^\s*```/.test(text)) {
      fenced = !fenced;
      return;
    }
    if (!fenced) lines.push({ line: index + 1, text });
  });
  return lines;
}

/**
 * GitHub's anchor for a heading's text (github-slugger's rules): lower case, every character
 * that is not a letter, mark, digit, connector punctuation (`_`), space or `-` dropped, then
 * each space turned into `-`. Inline code keeps its text; a link keeps its label.
 */
export function githubSlug(heading: string): string {
  return heading
    .replace(/\[([^\]]*)\]\([^)]*\)/g, "$1")
    .toLowerCase()
    .replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, "")
    .replace(/ /g, "-");
}

/** A heading of a page: its level (1 for `#`), its text and its line. */
export interface Heading {
  /** Number of `#` characters. */
  level: number;
  /** The heading's text after the `#`s. */
  text: string;
  /** 1-based line number. */
  line: number;
}

/** The ATX headings of a page, in order, skipping `#` lines inside fenced code. */
export function headings(markdown: string): Heading[] {
  return proseLines(markdown).flatMap(({ line, text }) => {
    const match = /^(#{1,6}) +(.+?) *#* *$/.exec(text);
    return match ? [{ level: match[1].length, text: match[2], line }] : [];
  });
}

/** Every anchor GitHub generates for a page, a repeated slug suffixed `-1`, `-2` … as GitHub does. */
export function anchors(markdown: string): Set<string> {
  const seen = new Map<string, number>();
  const result = new Set<string>();
  for (const heading of headings(markdown)) {
    const slug = githubSlug(heading.text);
    const count = seen.get(slug) ?? 0;
    seen.set(slug, count + 1);
    result.add(count === 0 ? slug : `${slug}-${count}`);
  }
  return result;
}

/** An inline link `[label](target)` and the line it is on. */
export interface Link {
  /** The link target as written, e.g. `aws.md#generated-names`. */
  target: string;
  /** 1-based line number. */
  line: number;
}

/** The inline links of a page, outside fenced code blocks and inline code spans. */
export function links(markdown: string): Link[] {
  return proseLines(markdown).flatMap(({ line, text }) =>
    [...text.replace(/`[^`]*`/g, "").matchAll(/\]\(([^)\s]+)(?: "[^"]*")?\)/g)].map((match) => ({
      target: match[1],
      line,
    })),
  );
}
