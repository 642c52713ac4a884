import { rename, rm, symlink, writeFile } from "node:fs/promises";
import path from "node:path";
import { TokenFile } from "@hybridai/serving-runtime/src/resilience/token-file";
import { describe, expect, it } from "vitest";
import { tempRepository } from "../helpers/models";

describe("bearer token file", () => {
  it("reads the token, and reads it again when the file is rewritten or its symlink swapped", async () => {
    const dir = await tempRepository();
    const file = path.join(dir, "token");
    await writeFile(file, "  alpha\n");
    const token = new TokenFile(file);
    expect(await token.current()).toBe("alpha");
    await writeFile(file, "bravo\n");
    expect(await token.current()).toBe("bravo");

    // A Kubernetes Secret volume: token → ..data/token, ..data a symlink swapped on update.
    const linked = path.join(dir, "mounted-token");
    await writeFile(path.join(dir, "v1"), "charlie");
    await writeFile(path.join(dir, "v2"), "delta");
    await symlink(path.join(dir, "v1"), path.join(dir, "data"));
    await symlink(path.join(dir, "data"), linked);
    const mounted = new TokenFile(linked);
    expect(await mounted.current()).toBe("charlie");
    await symlink(path.join(dir, "v2"), path.join(dir, "data.new"));
    await rename(path.join(dir, "data.new"), path.join(dir, "data"));
    expect(await mounted.current()).toBe("delta");
  });

  it("says which file is missing or empty", async () => {
    const dir = await tempRepository();
    const file = path.join(dir, "token");
    await writeFile(file, " \n");
    const token = new TokenFile(file);
    await expect(token.current()).rejects.toThrow(`token_file '${file}' is empty`);
    await rm(file);
    await expect(token.current()).rejects.toThrow(`cannot read token_file '${file}'`);
  });
});
