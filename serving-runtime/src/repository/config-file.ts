import { readFile } from "node:fs/promises";
import path from "node:path";

/** Triton's own configuration file: the protobuf text format of `ModelConfig`. */
export const PBTXT_CONFIG_FILE = "config.pbtxt";

/** The same configuration in JSON. */
export const JSON_CONFIG_FILE = "config.json";

/** A model's configuration as read from its directory, before validation. */
export interface ConfigSource {
  /** The parsed content, in JSON form; `{}` when the model has no configuration file. */
  raw: unknown;
  /** Where it came from, for messages: `<model>/config.pbtxt`, `<model>/config.json` or none. */
  source: string;
  /** Whether a file was found. */
  found: boolean;
}

async function readOptional(file: string): Promise<string | undefined> {
  try {
    return await readFile(file, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
}

/**
 * Reads `config.pbtxt` or `config.json` from a model directory, whichever exists, into the JSON
 * form both share. Throws naming the file when it cannot be parsed, or when both exist (which
 * one wins would be a guess).
 *
 * @param directory the model's directory
 * @param name the model's name, for messages
 */
export async function readConfigSource(directory: string, name: string): Promise<ConfigSource> {
  const [pbtxt, json] = await Promise.all([
    readOptional(path.join(directory, PBTXT_CONFIG_FILE)),
    readOptional(path.join(directory, JSON_CONFIG_FILE)),
  ]);
  if (pbtxt !== undefined && json !== undefined) {
    throw new Error(
      `${name}: has both ${PBTXT_CONFIG_FILE} and ${JSON_CONFIG_FILE}; keep one of them`,
    );
  }
  if (pbtxt !== undefined) {
    const source = `${name}/${PBTXT_CONFIG_FILE}`;
    // The protobuf reader is loaded on first use: repositories without config.pbtxt files
    // (and server start-up) never pay for it.
    const { parseModelConfigText } = await import("./pbtxt");
    try {
      return { raw: parseModelConfigText(pbtxt), source, found: true };
    } catch (error) {
      throw new Error(`${source}: ${(error as Error).message}`);
    }
  }
  if (json !== undefined) {
    const source = `${name}/${JSON_CONFIG_FILE}`;
    try {
      return { raw: JSON.parse(json), source, found: true };
    } catch (error) {
      throw new Error(`${source}: invalid JSON: ${(error as Error).message}`);
    }
  }
  return { raw: {}, source: `${name} (no configuration file)`, found: false };
}
