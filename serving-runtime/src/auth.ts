import { createHash, timingSafeEqual } from "node:crypto";
import { readFile } from "node:fs/promises";

/** Checks `Authorization: Bearer <token>` headers against one token in constant time. */
export class BearerToken {
  private readonly digest: Buffer;

  /** @param token the expected token */
  constructor(token: string) {
    this.digest = createHash("sha256").update(token).digest();
  }

  /**
   * Reads a token from a file (surrounding whitespace ignored). Throws naming the file when it
   * cannot be read or is empty.
   *
   * @param file path of the token file
   * @param flag the flag that named the file, for the message
   */
  static async fromFile(file: string, flag: string): Promise<BearerToken> {
    let text: string;
    try {
      text = await readFile(file, "utf8");
    } catch (error) {
      throw new Error(`${flag}: cannot read '${file}': ${(error as Error).message}`);
    }
    const token = text.trim();
    if (token.length === 0) throw new Error(`${flag}: '${file}' is empty; it must hold the token`);
    return new BearerToken(token);
  }

  /** Whether an `Authorization` header value carries this token. */
  accepts(header: string | undefined): boolean {
    if (!header?.startsWith("Bearer ")) return false;
    const presented = createHash("sha256").update(header.slice(7).trim()).digest();
    return timingSafeEqual(presented, this.digest);
  }
}
