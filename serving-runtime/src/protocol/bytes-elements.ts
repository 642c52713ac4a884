import { isUtf8 } from "node:buffer";
import { invalidArgument } from "./errors";

/**
 * Checks that every element of a `BYTES` input can reach the model byte for byte. Elements
 * travel as Buffers from the request to the model's door, but onnxruntime-node (1.30) takes a
 * string tensor only as JavaScript strings, which it encodes as UTF-8, and cuts each element at
 * its first NUL byte (it copies them as C strings): an element that is not valid UTF-8, or that
 * holds a NUL byte, would reach the model changed. Such a request is refused with 400 instead.
 *
 * @param name the input's name
 * @param elements its elements
 */
export function checkBytesElements(name: string, elements: readonly Buffer[]): void {
  for (let i = 0; i < elements.length; i++) {
    const element = elements[i];
    if (element.includes(0)) {
      throw invalidArgument(
        `input '${name}' (BYTES): element ${i} holds a NUL byte; onnxruntime-node cuts a string ` +
          "element at its first NUL, so it cannot reach the model unchanged",
      );
    }
    if (!isUtf8(element)) {
      throw invalidArgument(
        `input '${name}' (BYTES): element ${i} is not valid UTF-8; onnxruntime-node hands string ` +
          "tensors to the model as UTF-8 text, so its bytes cannot reach the model unchanged",
      );
    }
  }
}

/** The elements of a `BYTES` input as onnxruntime-node takes them (checked by {@link checkBytesElements}). */
export function toOrtStrings(elements: readonly Buffer[]): string[] {
  return elements.map((element) => element.toString("utf8"));
}

/** The elements of a string output of onnxruntime-node as the bytes the model wrote (UTF-8). */
export function fromOrtStrings(elements: readonly string[]): Buffer[] {
  return elements.map((element) => Buffer.from(element, "utf8"));
}
