import path from "node:path";
import { demoModels } from "./demo-models";
import { writeRepository } from "./write-repository";

const USAGE = `Usage: generate-demo-models [DIR]

Writes the demo models (mlp, simple) in Triton's repository layout,
DIR/<model>/1/model.onnx and DIR/<model>/config.json, creating DIR if needed and
replacing those two models' files; other folders in DIR are left alone.

DIR defaults to serving-runtime/models. A relative DIR is taken from the folder
you ran npm in (\`npm run generate:models -w serving-runtime -- DIR\`), or from
the current folder when run with node directly.
`;

/** Regenerates `serving-runtime/models`, or the folder given as the only argument. */
async function main(): Promise<number> {
  const args = process.argv.slice(2);
  if (args.length > 1 || args[0]?.startsWith("-")) {
    const help = args[0] === "--help" || args[0] === "-h";
    (help ? process.stdout : process.stderr).write(USAGE);
    return help ? 0 : 2;
  }
  // npm runs a workspace's scripts in the workspace folder; INIT_CWD is where npm was run.
  const base = process.env.INIT_CWD ?? process.cwd();
  const root =
    args[0] === undefined
      ? path.join(__dirname, "..", "..", "models")
      : path.resolve(base, args[0]);
  await writeRepository(root, demoModels());
  process.stdout.write(`demo models written to ${root}\n`);
  return 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error) => {
    process.stderr.write(`${(error as Error).stack}\n`);
    process.exitCode = 1;
  },
);
