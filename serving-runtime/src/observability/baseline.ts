import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { z } from "zod";
import { DATATYPE_NAMES } from "../protocol/datatypes";
import { formatZodIssues } from "../protocol/zod-issues";

/** The baseline's file name, in the version directory beside `model.onnx`. */
export const BASELINE_FILE = "baseline.json";

/** The `format` every baseline file carries. */
export const BASELINE_FORMAT = "hybridai-baseline/1";

const finite = z.number().refine(Number.isFinite, { error: "must be a finite number" });

const distribution = z
  .strictObject({
    /** Interior bin edges, ascending: bin i holds edges[i-1] < v <= edges[i]. */
    edges: z.array(finite),
    /** Share of the baseline in each bin: one per edge, one above the last edge, one for NaN. */
    shares: z.array(z.number().min(0).max(1)),
    /** Smallest, largest and mean value, and the standard deviation, of the baseline (NaN excluded). */
    min: finite.optional(),
    max: finite.optional(),
    mean: finite.optional(),
    std: finite.optional(),
  })
  .refine((d) => d.shares.length === d.edges.length + 2, {
    error: "shares must have two more entries than edges (one above the last edge, one for NaN)",
  })
  .refine((d) => d.edges.every((edge, i) => i === 0 || edge > d.edges[i - 1]), {
    error: "edges must be strictly increasing",
  });

const dimension = z.strictObject({ min: finite, max: finite, mean: finite });

const input = z.strictObject({
  /** Input name. */
  name: z.string().min(1),
  /** Datatype of the input. */
  datatype: z.enum(DATATYPE_NAMES as [string, ...string[]]),
  /**
   * `features`: one distribution per position in a row (numeric inputs whose rows all had the
   * same, small length); `values`: one distribution of sampled element values; `lengths`: one
   * distribution of sampled element byte lengths (BYTES inputs).
   */
  kind: z.enum(["features", "values", "lengths"]),
  /** Elements in a row, for `features`. */
  rowLength: z.number().int().min(1).optional(),
  /** Shape statistics over the sample requests, one entry per dimension. */
  shape: z.array(dimension),
  /** The distributions: `rowLength` of them for `features`, one otherwise. */
  distributions: z.array(distribution).min(1),
});

const profileSchema = z
  .strictObject({
    format: z.literal(BASELINE_FORMAT),
    model: z.string(),
    version: z.string(),
    created: z.string(),
    /** Where the sample came from. */
    source: z.strictObject({
      file: z.string(),
      requests: z.number().int().min(1),
      rows: z.number().int().min(1),
    }),
    /** Bins each distribution aimed for. */
    bins: z.number().int().min(2),
    inputs: z.array(input),
  })
  .refine(
    (p) =>
      p.inputs.every(
        (i) =>
          i.kind !== "features" ||
          (i.rowLength !== undefined && i.distributions.length === i.rowLength),
      ),
    { error: "a features input needs rowLength and one distribution per feature" },
  );

/** A baseline profile: what each input looked like in the sample requests. */
export type BaselineProfile = z.infer<typeof profileSchema>;

/** One input of a {@link BaselineProfile}. */
export type BaselineInput = BaselineProfile["inputs"][number];

/** One binned distribution of a {@link BaselineInput}. */
export type BaselineDistribution = BaselineInput["distributions"][number];

/**
 * Reads and validates a version's baseline; `undefined` when the version has none. Throws
 * naming the file and the offending keys when it is malformed.
 *
 * @param versionDirectory the version's directory (`<repository>/<model>/<version>`)
 */
export async function readBaseline(versionDirectory: string): Promise<BaselineProfile | undefined> {
  const file = path.join(versionDirectory, BASELINE_FILE);
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
  const where = `${path.basename(path.dirname(versionDirectory))}/${path.basename(versionDirectory)}/${BASELINE_FILE}`;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new Error(`${where}: invalid JSON: ${(error as Error).message}`);
  }
  const parsed = profileSchema.safeParse(value);
  if (!parsed.success) {
    throw new Error(
      `${where}: ${formatZodIssues(parsed.error, 5)}; regenerate it with hybridai-serve profile`,
    );
  }
  return parsed.data;
}

/**
 * Writes a baseline beside the model and returns the file's path.
 *
 * @param versionDirectory the version's directory
 * @param profile the baseline
 */
export async function writeBaseline(
  versionDirectory: string,
  profile: BaselineProfile,
): Promise<string> {
  const file = path.join(versionDirectory, BASELINE_FILE);
  await writeFile(file, `${JSON.stringify(profile, null, 1)}\n`);
  return file;
}
