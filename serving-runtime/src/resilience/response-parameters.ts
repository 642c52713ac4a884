function skipSpace(text: string, index: number): number {
  let i = index;
  while (i < text.length && " \t\r\n".includes(text[i])) i++;
  return i;
}

/** Index just past the string starting at `index` (its opening quote). */
function skipString(text: string, index: number): number {
  let i = index + 1;
  while (i < text.length) {
    const c = text[i];
    if (c === "\\") i += 2;
    else if (c === '"') return i + 1;
    else i++;
  }
  throw new Error("unterminated string");
}

/** Index just past the JSON value starting at `index`; iterative, so nesting depth is no limit. */
function skipValue(text: string, index: number): number {
  const first = text[index];
  if (first === '"') return skipString(text, index);
  if (first !== "{" && first !== "[") {
    let i = index;
    while (i < text.length && !",}] \t\r\n".includes(text[i])) i++;
    if (i === index) throw new Error(`unexpected '${text[index] ?? "end"}'`);
    return i;
  }
  let depth = 0;
  let i = index;
  while (i < text.length) {
    const c = text[i];
    if (c === '"') {
      i = skipString(text, i);
      continue;
    }
    if (c === "{" || c === "[") depth++;
    else if (c === "}" || c === "]") {
      depth--;
      if (depth === 0) return i + 1;
    }
    i++;
  }
  throw new Error("unterminated object or array");
}

function expect(text: string, index: number, char: string): void {
  if (text[index] !== char) {
    throw new Error(`expected '${char}' at offset ${index}, found '${text[index] ?? "end"}'`);
  }
}

/**
 * Adds entries to the top-level `parameters` object of an inference response's JSON text,
 * leaving every other byte as it was: output data is not parsed and re-printed, so 64-bit
 * integers and float spellings come through exactly. Existing parameters are kept unless `added`
 * sets the same key.
 *
 * @param json the JSON part of an inference response (an object)
 * @param added parameters to set
 * @throws Error when the text is not a JSON object
 */
export function withResponseParameters(
  json: string,
  added: Record<string, string | number | boolean>,
): string {
  let i = skipSpace(json, 0);
  expect(json, i, "{");
  const open = i;
  i = skipSpace(json, i + 1);
  const empty = json[i] === "}";
  while (json[i] !== "}") {
    expect(json, i, '"');
    const keyEnd = skipString(json, i);
    const key = JSON.parse(json.slice(i, keyEnd)) as string;
    i = skipSpace(json, keyEnd);
    expect(json, i, ":");
    const valueStart = skipSpace(json, i + 1);
    const valueEnd = skipValue(json, valueStart);
    if (key === "parameters") {
      const existing: unknown = JSON.parse(json.slice(valueStart, valueEnd));
      const merged =
        existing !== null && typeof existing === "object" && !Array.isArray(existing)
          ? { ...existing, ...added }
          : added;
      return json.slice(0, valueStart) + JSON.stringify(merged) + json.slice(valueEnd);
    }
    i = skipSpace(json, valueEnd);
    if (json[i] === ",") i = skipSpace(json, i + 1);
    else expect(json, i, "}");
  }
  const entry = `"parameters":${JSON.stringify(added)}`;
  return `${json.slice(0, open + 1)}${entry}${empty ? "" : ","}${json.slice(open + 1)}`;
}
