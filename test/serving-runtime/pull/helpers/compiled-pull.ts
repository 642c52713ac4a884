import { mkdir, readdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import ts from "typescript";

const SOURCE = path.resolve(__dirname, "../../../../serving-runtime/src/pull");

/**
 * Transpiles `serving-runtime/src/pull` to CommonJS in `outDir`, so a test can run the pull
 * command in a child process (real signals, real exit codes) without a build step.
 * Returns the path of the compiled `index.js`.
 */
export async function compilePullModule(outDir: string): Promise<string> {
  await mkdir(outDir, { recursive: true });
  for (const file of await readdir(SOURCE)) {
    if (!file.endsWith(".ts")) continue;
    const { outputText } = ts.transpileModule(await readFile(path.join(SOURCE, file), "utf8"), {
      compilerOptions: {
        module: ts.ModuleKind.CommonJS,
        target: ts.ScriptTarget.ES2022,
        esModuleInterop: true,
      },
    });
    await writeFile(path.join(outDir, file.replace(/\.ts$/, ".js")), outputText);
  }
  return path.join(outDir, "index.js");
}
