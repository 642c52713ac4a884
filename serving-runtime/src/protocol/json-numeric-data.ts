/**
 * Bodies shorter than this go to `JSON.parse` alone: the scan pays for large numeric arrays only
 * (an image of 27,648 numbers takes `JSON.parse` milliseconds; a 64-number vector microseconds).
 */
export const NUMERIC_SCAN_MIN_BYTES = 16 * 1024;

/** A JSON request body with the flat numeric `data` arrays of its inputs parsed apart. */
export interface ExtractedNumericData {
  /** The body's text with each extracted array replaced by `[]`, for `JSON.parse`. */
  text: string;
  /** The elements of `inputs[i].data`, by input index `i`, exactly as `JSON.parse` reads them. */
  data: Map<number, Float64Array>;
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const COLON = 0x3a;
const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;
const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;
const MINUS = 0x2d;
const PLUS = 0x2b;
const DOT = 0x2e;
const ZERO = 0x30;
const NINE = 0x39;
const POWERS_OF_TEN = Array.from({ length: 23 }, (_, k) => 10 ** k);

function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
}

function skipSpace(body: Buffer, at: number): number {
  let i = at;
  while (i < body.length && isSpace(body[i])) i++;
  return i;
}

/** Reused between calls (decoding is synchronous): elements are parsed here, then copied out. */
let scratch = new Float64Array(4096);

function isDigit(c: number): boolean {
  return c >= ZERO && c <= NINE;
}

/**
 * Parses a flat array of JSON numbers starting after its `[`. Returns the elements and the index
 * of the closing `]`, or undefined for anything else (nested arrays, strings, `true`, malformed
 * numbers): those are left to `JSON.parse`, which gives them their usual meaning or error.
 * Values are those `JSON.parse` gives: a mantissa of at most 15 digits scaled by a power of ten
 * down to 10^-22 is exact in both operands, so one IEEE division rounds it correctly; any other
 * number (longer, or with an exponent) is read by `Number()`.
 */
function parseNumberArray(
  body: Buffer,
  start: number,
): { values: Float64Array; close: number } | undefined {
  const end = body.indexOf(CLOSE_ARRAY, start);
  if (end < 0) return undefined;
  const most = ((end - start + 1) >> 1) + 1;
  if (scratch.length < most) scratch = new Float64Array(most);
  const values = scratch;
  let count = 0;
  let i = skipSpace(body, start);
  if (i === end) return { values: new Float64Array(0), close: end };
  for (;;) {
    const numberStart = i;
    let c = body[i];
    const negative = c === MINUS;
    if (negative) c = body[++i];
    let mantissa = 0;
    let digits = 0;
    let scale = 0;
    if (c === ZERO) {
      c = body[++i];
    } else if (c > ZERO && c <= NINE) {
      do {
        mantissa = mantissa * 10 + (c - ZERO);
        digits++;
        c = body[++i];
      } while (isDigit(c));
    } else {
      return undefined;
    }
    if (c === DOT) {
      c = body[++i];
      if (!isDigit(c)) return undefined;
      do {
        if (mantissa !== 0 || c !== ZERO) {
          mantissa = mantissa * 10 + (c - ZERO);
          digits++;
        }
        scale--;
        c = body[++i];
      } while (isDigit(c));
    }
    let exact = digits <= 15 && scale >= -22;
    if (c === 0x65 || c === 0x45) {
      c = body[++i];
      if (c === PLUS || c === MINUS) c = body[++i];
      if (!isDigit(c)) return undefined;
      exact = false;
      do c = body[++i];
      while (isDigit(c));
    }
    if (exact) {
      const value = scale < 0 ? mantissa / POWERS_OF_TEN[-scale] : mantissa;
      values[count++] = negative ? -value : value;
    } else {
      values[count++] = Number(body.toString("latin1", numberStart, i));
    }
    while (isSpace(c)) c = body[++i];
    if (i === end) return { values: values.slice(0, count), close: end };
    if (c !== COMMA) return undefined;
    i = skipSpace(body, i + 1);
  }
}

/** Index after the string starting at `at` (a `"`), and whether it holds an escape. */
function skipString(body: Buffer, at: number): { next: number; escaped: boolean } {
  let escaped = false;
  let i = at + 1;
  while (i < body.length) {
    const c = body[i];
    if (c === QUOTE) return { next: i + 1, escaped };
    if (c === BACKSLASH) {
      escaped = true;
      i += 2;
    } else {
      i++;
    }
  }
  return { next: i, escaped };
}

function keyIs(body: Buffer, at: number, next: number, name: string): boolean {
  return next - at - 2 === name.length && body.toString("latin1", at + 1, next - 1) === name;
}

/**
 * Finds `inputs[i].data` arrays of plain numbers in a JSON request body and parses them apart,
 * so `JSON.parse` never builds a JavaScript array of tens of thousands of numbers. Only a
 * structure this function understands without doubt is taken apart: a key spelled with an
 * escape or given twice, or a body it cannot follow, leaves the whole body to `JSON.parse`
 * (undefined is returned), so every request means what it always meant and every malformed one
 * gets the same error.
 *
 * @param body the JSON body (at least {@link NUMERIC_SCAN_MIN_BYTES} bytes to be worth it)
 */
export function extractNumericData(body: Buffer): ExtractedNumericData | undefined {
  if (body.length < NUMERIC_SCAN_MIN_BYTES) return undefined;
  const data = new Map<number, Float64Array>();
  const pieces: string[] = [];
  /** The container opened at each depth: `{` or `[`. */
  const kinds: number[] = [];
  let copiedUpTo = 0;
  let rootKey = "";
  let inInputs = false;
  let inputIndex = 0;
  let inputKey = "";
  let dataKeys = 0;
  let sawInputs = false;
  let expectKey = false;
  let i = skipSpace(body, 0);
  if (body[i] !== OPEN_OBJECT) return undefined;
  while (i < body.length) {
    const c = body[i];
    const depth = kinds.length;
    const inInput = depth === 3 && inInputs && kinds[2] === OPEN_OBJECT;
    if (c === QUOTE) {
      const at = i;
      const { next, escaped } = skipString(body, i);
      i = next;
      if (!expectKey) continue;
      if (escaped && (depth === 1 || inInput)) return undefined;
      if (depth === 1) {
        rootKey = keyIs(body, at, next, "inputs") ? "inputs" : "";
        if (rootKey === "inputs" && sawInputs) return undefined;
        if (rootKey === "inputs") sawInputs = true;
      } else if (inInput) {
        inputKey = keyIs(body, at, next, "data") ? "data" : "";
        if (inputKey === "data" && ++dataKeys > 1) return undefined;
      }
      continue;
    }
    if (c === COLON) {
      expectKey = false;
      i = skipSpace(body, i + 1);
      if (inInput && inputKey === "data" && body[i] === OPEN_ARRAY) {
        const parsed = parseNumberArray(body, i + 1);
        if (parsed) {
          data.set(inputIndex, parsed.values);
          pieces.push(body.toString("utf8", copiedUpTo, i), "[]");
          copiedUpTo = parsed.close + 1;
          i = parsed.close + 1;
        }
      } else if (depth === 1 && rootKey === "inputs" && body[i] === OPEN_ARRAY) {
        inInputs = true;
        inputIndex = 0;
      }
      continue;
    }
    if (c === OPEN_OBJECT || c === OPEN_ARRAY) {
      kinds.push(c);
      expectKey = c === OPEN_OBJECT;
      if (kinds.length === 3) {
        inputKey = "";
        dataKeys = 0;
      }
    } else if (c === CLOSE_OBJECT || c === CLOSE_ARRAY) {
      kinds.pop();
      if (kinds.length === 1) inInputs = false;
      expectKey = false;
    } else if (c === COMMA) {
      if (depth === 2 && inInputs) inputIndex++;
      expectKey = kinds[depth - 1] === OPEN_OBJECT;
    }
    i++;
  }
  if (data.size === 0) return undefined;
  pieces.push(body.toString("utf8", copiedUpTo));
  return { text: pieces.join(""), data };
}
