import { mkdir, stat, utimes, writeFile } from "node:fs/promises";
import path from "node:path";
import { TokenFile } from "@hybridai/serving-runtime/src/resilience/token-file";
import { describe, expect, it } from "vitest";
import { tempRepository } from "../helpers/models";

// When a TokenFile reads its file again: a token rotated in place with one of the same length
// keeps the file's inode and size, so only the modification time tells the change; and what it
// says about a path it can stat but not read.

describe("bearer token file changes", () => {
  it("reads a token rewritten in place with one of the same length, told apart by its modification time", async () => {
    const file = path.join(await tempRepository(), "token");
    await writeFile(file, "token-0001\n");
    const token = new TokenFile(file);
    expect(await token.current()).toBe("token-0001");
    const before = await stat(file, { bigint: true });
    await writeFile(file, "token-0002\n");
    // The same inode and size; a modification time one second later than the first write's,
    // so the change does not hang on the file system's timestamp granularity.
    const later = new Date(Number(before.mtimeMs) + 1_000);
    await utimes(file, later, later);
    const after = await stat(file, { bigint: true });
    expect([after.ino, after.size]).toEqual([before.ino, before.size]);
    expect(await token.current()).toBe("token-0002");
  });

  it("says it cannot read a path that is a directory", async () => {
    const directory = path.join(await tempRepository(), "token");
    await mkdir(directory);
    await expect(new TokenFile(directory).current()).rejects.toThrow(
      `cannot read token_file '${directory}': EISDIR: illegal operation on a directory, read`,
    );
  });
});
