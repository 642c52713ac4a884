import { readFile, stat } from "node:fs/promises";

/**
 * A bearer token kept in a file (a mounted Kubernetes Secret, say) and read again whenever the
 * file changes: each {@link current} call checks the file's identity (device, inode, size,
 * modification and change times in nanoseconds; a Secret update swaps a symlink, which changes the inode) and rereads it
 * only then. Surrounding whitespace is ignored.
 */
export class TokenFile {
  private cached?: { key: string; token: string };

  /** @param path The file holding the token. */
  constructor(readonly path: string) {}

  /**
   * The token as the file holds it now.
   * @throws Error naming the file when it cannot be read or is empty.
   */
  async current(): Promise<string> {
    let key: string;
    try {
      const info = await stat(this.path, { bigint: true });
      key = `${info.dev}:${info.ino}:${info.size}:${info.mtimeNs}:${info.ctimeNs}`;
    } catch (error) {
      throw new Error(`cannot read token_file '${this.path}': ${(error as Error).message}`);
    }
    if (this.cached?.key === key) return this.cached.token;
    let text: string;
    try {
      text = await readFile(this.path, "utf8");
    } catch (error) {
      throw new Error(`cannot read token_file '${this.path}': ${(error as Error).message}`);
    }
    const token = text.trim();
    if (token === "") throw new Error(`token_file '${this.path}' is empty; it must hold the token`);
    this.cached = { key, token };
    return token;
  }
}
