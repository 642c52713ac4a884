import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { ALLOWED_SKIPS_FILE, type AllowedSkip, unlistedSkips } from "./skipped-tests";

describe("skipped tests in CI", () => {
  const skipped = ["test/a.test.ts > suite > needs a tool", "test/b.test.ts > other"];

  it("names every skipped test the allow list does not hold", () => {
    expect(unlistedSkips(skipped, [])).toEqual(skipped);
    expect(
      unlistedSkips(skipped, [
        { file: "test/a.test.ts", test: "suite > needs a tool", reason: "tool absent on arm64" },
      ]),
    ).toEqual(["test/b.test.ts > other"]);
  });

  it("matches file and full name exactly", () => {
    expect(
      unlistedSkips(skipped, [{ file: "test/a.test.ts", test: "needs a tool", reason: "x" }]),
    ).toEqual(skipped);
  });

  it("lists every allowed skip with a reason", () => {
    const allowed = JSON.parse(readFileSync(ALLOWED_SKIPS_FILE, "utf8")) as AllowedSkip[];
    for (const entry of allowed) {
      expect(entry.file).toMatch(/^test\/.+\.test\.ts$/);
      expect(entry.test.length).toBeGreaterThan(0);
      expect(entry.reason.trim().length).toBeGreaterThan(10);
    }
  });
});
