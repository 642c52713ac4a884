import { z } from "zod";
import { PullError } from "./errors";
import { safeRelativePath } from "./safe-path";

/** The manifest's file name, at the root of the source prefix. */
export const MANIFEST_NAME = "manifest.json";

/** One file the manifest promises. */
export interface ManifestFile {
  /** Path relative to the source prefix, `/`-separated, e.g. `ranker/1/model.onnx`. */
  path: string;
  /** Size in bytes. */
  size: number;
  /** Lowercase hex SHA-256 of the content. */
  sha256: string;
}

/**
 * A model repository manifest, `<prefix>/manifest.json`:
 * `{"version": 1, "files": [{"path": "1/model.onnx", "size": 1234, "sha256": "<64 hex>"}]}`.
 * When present, exactly these files are pulled and each is checked against its size and SHA-256.
 */
export interface Manifest {
  /** Format version; only 1 exists. Optional. */
  version?: 1;
  /** The files of the repository. */
  files: ManifestFile[];
}

/** The largest file a manifest may list, and the most all its files may add up to: 1 TiB. */
export const MAX_MANIFEST_BYTES = 2 ** 40;

/** The most files a manifest may list. */
export const MAX_MANIFEST_FILES = 100_000;

const manifestSchema = z.strictObject({
  version: z.literal(1).optional(),
  files: z
    .array(
      z.strictObject({
        path: z.string().min(1),
        size: z.number().int().min(0).max(MAX_MANIFEST_BYTES),
        sha256: z.string().regex(/^[0-9a-f]{64}$/, "must be 64 lowercase hex digits"),
      }),
    )
    .min(1, "must list at least one file")
    .max(MAX_MANIFEST_FILES, `must list at most ${MAX_MANIFEST_FILES} files`)
    .refine(
      (files) => files.reduce((sum, file) => sum + file.size, 0) <= MAX_MANIFEST_BYTES,
      `must add up to at most ${MAX_MANIFEST_BYTES} bytes`,
    ),
});

/**
 * Parses and checks a manifest's text: JSON of the documented shape, safe relative paths, no
 * duplicates. Throws a non-transient {@link PullError} that names the problem.
 */
export function parseManifest(text: string, source: string): Manifest {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new PullError(`${source}/${MANIFEST_NAME} is not valid JSON`);
  }
  const parsed = manifestSchema.safeParse(json);
  if (!parsed.success) {
    const problems = parsed.error.issues
      .map((issue) => `${issue.path.join(".") || "(root)"}: ${issue.message}`)
      .join("; ");
    throw new PullError(
      `${source}/${MANIFEST_NAME} does not match {"files":[{"path","size","sha256"}]}: ${problems}`,
    );
  }
  const seen = new Set<string>();
  for (const file of parsed.data.files) {
    safeRelativePath(file.path, source);
    if (seen.has(file.path)) {
      throw new PullError(`${source}/${MANIFEST_NAME} lists "${file.path}" twice`);
    }
    seen.add(file.path);
  }
  return parsed.data;
}
