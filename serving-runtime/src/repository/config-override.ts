import { invalidArgument } from "../protocol/errors";

/**
 * Keys of a model configuration whose value names a file or a URL: a remote fallback's or
 * shadow's `url` and `token_file`, and any key ending in `_url`, `_uri`, `_file`, `_path`, `_dir`
 * or `_directory` (so settings added later are covered too).
 */
const FILE_OR_URL_KEY = /^(url|uri)$|_(url|uri|file|path|dir|directory)$/;

/** Every dotted path of `value` (objects and arrays, walked without recursion) whose key names a file or a URL. */
function fileOrUrlFields(value: unknown): string[] {
  const found: string[] = [];
  const stack: { value: unknown; path: string }[] = [{ value, path: "" }];
  while (stack.length > 0) {
    const { value: node, path } = stack.pop() as { value: unknown; path: string };
    if (node === null || typeof node !== "object") continue;
    if (Array.isArray(node)) {
      node.forEach((item, i) => {
        stack.push({ value: item, path: `${path}[${i}]` });
      });
      continue;
    }
    for (const [key, item] of Object.entries(node)) {
      const field = path ? `${path}.${key}` : key;
      if (FILE_OR_URL_KEY.test(key)) found.push(field);
      else stack.push({ value: item, path: field });
    }
  }
  return found.sort();
}

/**
 * Refuses a load request's `parameters.config` that sets anything naming a file or a URL (400,
 * naming each such field): the server would read that file (a token) or send requests, its
 * clients' inputs and tokens to that URL. Such settings come only from the model repository's
 * `config.pbtxt` or `config.json`, which only whoever controls the repository can write.
 *
 * @param name the model the request loads
 * @param config the parsed `parameters.config`
 */
export function checkConfigOverride(name: string, config: unknown): void {
  const fields = fileOrUrlFields(config);
  if (fields.length === 0) return;
  throw invalidArgument(
    `load parameters.config of '${name}': ${fields.join(", ")} ${fields.length === 1 ? "names" : "name"} ` +
      "a file or a URL; such settings (a remote fallback's or shadow's url and token_file, any " +
      "path) come only from the model repository's config.pbtxt or config.json, never from a " +
      "load request",
  );
}
