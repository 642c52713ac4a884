import { readFile } from "node:fs/promises";
import { z } from "zod";
import { formatZodIssues } from "../protocol/zod-issues";

const CLIENT_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

const client = z
  .strictObject({
    /** The client's name: its identity in metrics and the audit log. */
    name: z.string().regex(CLIENT_NAME, {
      error: "names are 1-64 letters, digits, '_', '.' or '-', starting with a letter or digit",
    }),
    /** Hex SHA-256 of the client's bearer token (the token itself is never stored). */
    token_sha256: z.string().regex(/^[0-9a-fA-F]{64}$/, {
      error: 'give the token\'s SHA-256 as 64 hex digits (printf %s "$TOKEN" | sha256sum)',
    }),
    /** Requests per second the client's bucket refills with; unlimited when absent. */
    rate_per_second: z.number().gt(0).max(1_000_000).optional(),
    /** Requests the bucket holds (a burst above the rate); default the rate rounded up, at least 1. */
    burst: z.number().int().min(1).max(10_000_000).optional(),
    /** Requests per UTC day; unlimited when absent. */
    daily_quota: z.number().int().min(1).optional(),
    /** Models the client may call; every model when absent. */
    models: z.array(z.string().min(1)).min(1).optional(),
  })
  .refine((c) => c.burst === undefined || c.rate_per_second !== undefined, {
    error: "burst needs rate_per_second",
    path: ["burst"],
  });

/** One client of a tokens file. */
export type ClientEntry = z.infer<typeof client>;

const tokensFile = z.strictObject({
  clients: z.array(client).min(1, { error: "list at least one client" }),
});

/**
 * Reads and validates a tokens file: `{"clients": [{name, token_sha256, rate_per_second?,
 * burst?, daily_quota?, models?}]}`. Throws naming the file, the entry and what is allowed;
 * names and token hashes must be unique.
 *
 * @param file path of the tokens file
 * @param flag the flag that named it, for messages
 */
export async function readTokensFile(file: string, flag: string): Promise<ClientEntry[]> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    throw new Error(`${flag}: cannot read '${file}': ${(error as Error).message}`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new Error(`${flag}: '${file}' is not JSON: ${(error as Error).message}`);
  }
  const parsed = tokensFile.safeParse(value);
  if (!parsed.success) {
    throw new Error(`${flag}: '${file}': ${formatZodIssues(parsed.error, 5)}`);
  }
  const names = new Set<string>();
  const hashes = new Set<string>();
  parsed.data.clients.forEach((entry, i) => {
    const hash = entry.token_sha256.toLowerCase();
    if (names.has(entry.name)) {
      throw new Error(`${flag}: '${file}': clients[${i}].name '${entry.name}' is used twice`);
    }
    if (hashes.has(hash)) {
      throw new Error(
        `${flag}: '${file}': clients[${i}].token_sha256 is also another client's; give each client its own token`,
      );
    }
    names.add(entry.name);
    hashes.add(hash);
  });
  return parsed.data.clients;
}
