/**
 * `npm run schema`: regenerates `schema.json` (the multi-language package schema) from the
 * library's sources with Pulumi's analyzer. Commit the result; `test/schema` fails when it drifts.
 */
import { writeFileSync } from "node:fs";
import path from "node:path";
import { generatePackageSchema, REPO_ROOT } from "./generate";

const spec = generatePackageSchema();
const file = path.join(REPO_ROOT, "schema.json");
writeFileSync(file, `${JSON.stringify(spec, null, 2)}\n`);
console.log(
  `wrote ${path.relative(process.cwd(), file)}: ${Object.keys(spec.resources).length} components, ${Object.keys(spec.types).length} types`,
);
