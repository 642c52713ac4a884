import type { Json } from "./server";

/** Builds a binary-extension request body: the JSON header followed by raw tensors. */
export function binaryBody(
  header: unknown,
  tensors: Buffer[],
): { body: Buffer; jsonLength: number } {
  const json = Buffer.from(JSON.stringify(header));
  return { body: Buffer.concat([json, ...tensors]), jsonLength: json.length };
}

/** POSTs a binary-extension request and splits the response into JSON and binary parts. */
export async function postBinary(
  url: string,
  header: unknown,
  tensors: Buffer[],
  headers: Record<string, string> = {},
): Promise<{ status: number; json: Json; binary: Buffer; headers: Headers }> {
  const { body, jsonLength } = binaryBody(header, tensors);
  const response = await fetch(url, {
    method: "POST",
    headers: {
      "content-type": "application/octet-stream",
      "inference-header-content-length": String(jsonLength),
      ...headers,
    },
    body,
  });
  const bytes = Buffer.from(await response.arrayBuffer());
  const length = response.headers.get("inference-header-content-length");
  const jsonEnd = length === null ? bytes.length : Number(length);
  const text = bytes.subarray(0, jsonEnd).toString("utf8");
  return {
    status: response.status,
    json: text ? JSON.parse(text) : undefined,
    binary: bytes.subarray(jsonEnd),
    headers: response.headers,
  };
}

/** Encodes strings as BYTES elements: each a 4-byte little-endian length, then UTF-8 bytes. */
export function encodeStrings(values: string[]): Buffer {
  return Buffer.concat(
    values.flatMap((value) => {
      const bytes = Buffer.from(value, "utf8");
      const length = Buffer.alloc(4);
      length.writeUInt32LE(bytes.length);
      return [length, bytes];
    }),
  );
}

/** Decodes BYTES elements encoded as by {@link encodeStrings}. */
export function decodeStrings(buffer: Buffer): string[] {
  const out: string[] = [];
  let offset = 0;
  while (offset < buffer.length) {
    const length = buffer.readUInt32LE(offset);
    out.push(buffer.toString("utf8", offset + 4, offset + 4 + length));
    offset += 4 + length;
  }
  return out;
}
