import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { anchors, headings, links } from "./markdown";

const ROOT = path.resolve(__dirname, "../..");
const DOCS = path.join(ROOT, "docs");

/** The pages under docs/, as paths from the repository root. */
const docsPages = readdirSync(DOCS)
  .filter((file) => file.endsWith(".md"))
  .map((file) => `docs/${file}`);
const pages = ["README.md", ...docsPages];
const read = (page: string) => readFileSync(path.join(ROOT, page), "utf8");

/** The pages a page links to, as paths from the repository root. */
function linkedPages(page: string): Set<string> {
  return new Set(
    links(read(page))
      .map((link) => link.target.split("#")[0])
      .filter((target) => target.endsWith(".md"))
      .map((target) => path.relative(ROOT, path.resolve(ROOT, path.dirname(page), target))),
  );
}

describe("the README", () => {
  it("stays at most 200 lines", () => {
    const lines = read("README.md").split("\n");
    if (lines.at(-1) === "") lines.pop();
    expect(lines.length).toBeGreaterThan(50);
    expect(lines.length).toBeLessThanOrEqual(200);
  });

  it("links every docs page, and the docs index links every other one", () => {
    expect(docsPages.length).toBeGreaterThanOrEqual(17);
    expect(docsPages).toContain("docs/README.md");
    const fromReadme = linkedPages("README.md");
    const fromIndex = linkedPages("docs/README.md");
    expect(docsPages.filter((page) => !fromReadme.has(page))).toEqual([]);
    expect(docsPages.filter((page) => page !== "docs/README.md" && !fromIndex.has(page))).toEqual(
      [],
    );
  });
});

describe("every docs page", () => {
  it.each(docsPages)(
    "%s starts with a `# Title`, then a paragraph, and has no other level-1 heading",
    (page) => {
      const text = read(page);
      const lines = text.split("\n");
      expect(lines[0]).toMatch(/^# \S/);
      expect(lines[1]).toBe("");
      // The intro is prose: not a heading, list, table, code block or quote.
      expect(lines[2]).not.toMatch(/^(#|[-*+] |\d+\. |\||```|>|\s|$)/);
      expect(headings(text).filter((heading) => heading.level === 1)).toHaveLength(1);
    },
  );
});

describe("relative links in README.md and docs/", () => {
  const all = pages.flatMap((page) =>
    links(read(page))
      .filter((link) => !/^[a-z][a-z0-9+.-]*:/i.test(link.target))
      .map((link) => ({ page, ...link })),
  );

  it("point at files that exist", () => {
    expect(all.length).toBeGreaterThan(80);
    const missing = all.filter(({ page, target }) => {
      const file = target.split("#")[0];
      return file !== "" && !existsSync(path.resolve(ROOT, path.dirname(page), file));
    });
    expect(missing).toEqual([]);
  });

  it("point at headings that exist when they carry an #anchor", () => {
    const anchored = all.filter((link) => link.target.includes("#"));
    expect(anchored.length).toBeGreaterThan(20);
    const broken = anchored.filter(({ page, target }) => {
      const [file, anchor] = target.split("#");
      const resolved =
        file === "" ? path.join(ROOT, page) : path.resolve(ROOT, path.dirname(page), file);
      if (!resolved.endsWith(".md") || !existsSync(resolved) || statSync(resolved).isDirectory()) {
        return true;
      }
      return !anchors(readFileSync(resolved, "utf8")).has(anchor);
    });
    expect(broken).toEqual([]);
  });
});
