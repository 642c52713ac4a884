import path from "node:path";
import { demoModels } from "./demo-models";
import { writeRepository } from "./write-repository";

/** Regenerates `serving-runtime/models` (or the directory given as the first argument). */
async function main(): Promise<void> {
  const root = path.resolve(process.argv[2] ?? path.join(__dirname, "..", "..", "models"));
  await writeRepository(root, demoModels());
  process.stdout.write(`demo models written to ${root}\n`);
}

main().catch((error) => {
  process.stderr.write(`${(error as Error).stack}\n`);
  process.exitCode = 1;
});
