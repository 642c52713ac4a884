import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import type { DemoModel } from "./demo-models";
import { buildOnnxModel } from "./onnx-graph";

/** Pretty-prints JSON as the project's formatter does: two spaces, short scalar arrays inline. */
export function formatJson(value: unknown): string {
  const text = JSON.stringify(value, null, 2).replace(
    /\[\s+([^[\]{}]*?)\s+\]/g,
    (_, items: string) => `[${items.split(/,\s+/).join(", ")}]`,
  );
  return `${text}\n`;
}

/**
 * Writes models in Triton's repository layout: `<root>/<name>/<version>/model.onnx` and
 * `<root>/<name>/config.json`.
 *
 * @param root repository directory (created if missing)
 * @param models the models to write
 * @param version version directory to write them under
 */
export async function writeRepository(
  root: string,
  models: DemoModel[],
  version = 1,
): Promise<void> {
  for (const model of models) {
    const directory = path.join(root, model.name);
    await mkdir(path.join(directory, String(version)), { recursive: true });
    await writeFile(
      path.join(directory, String(version), "model.onnx"),
      buildOnnxModel(model.graph),
    );
    await writeFile(path.join(directory, "config.json"), formatJson(model.config));
  }
}
