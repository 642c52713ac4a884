import { readFileSync } from "node:fs";
import path from "node:path";
import { parse } from "yaml";

/** The `config:` map of a shipped stack file `stacks/Pulumi.<stack>.yaml`, as the CLI would read it. */
export function loadStackConfig(stack: string): Record<string, string | object> {
  const file = path.join(__dirname, "../../stacks", `Pulumi.${stack}.yaml`);
  const document = parse(readFileSync(file, "utf8")) as {
    config?: Record<string, string | object>;
  };
  if (!document?.config) throw new Error(`${file} has no config: section`);
  return document.config;
}
