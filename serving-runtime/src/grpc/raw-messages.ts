import { InferenceError } from "../protocol/errors";
import { headerFieldBytes, screenInferRequest } from "./message-screen";

/** The bytes each decoded `ModelInferRequest` was read from, for the audit log's digest. */
const rawMessages = new WeakMap<object, Buffer>();

/** Why a message was refused before it was decoded, by the stand-in decoded instead. */
const refusals = new WeakMap<object, InferenceError>();

/**
 * Wraps an inference method's request deserializer: the message is first screened
 * ({@link screenInferRequest}); a message refused there is not decoded — a stand-in holding only
 * its model name, version and id is, and carries the refusal (see {@link refusalOf}), so the
 * call is still authorized and answered with the 400 by its handler. The bytes of every decoded
 * message stay reachable from the message (held weakly: they go when the message does; the
 * decoded `bytes` fields already view the same buffer, so nothing is copied).
 *
 * @param deserialize the method's deserializer
 */
export function keepingRawBytes<T extends object>(
  deserialize: (bytes: Buffer) => T,
): (bytes: Buffer) => T {
  return (bytes) => {
    let message: T;
    try {
      screenInferRequest(bytes);
      message = deserialize(bytes);
    } catch (error) {
      if (!(error instanceof InferenceError)) throw error;
      message = deserialize(headerFieldBytes(bytes));
      refusals.set(message, error);
    }
    rawMessages.set(message, bytes);
    return message;
  };
}

/** The bytes a decoded message was read from, when its method kept them. */
export function rawBytesOf(message: object): Buffer | undefined {
  return rawMessages.get(message);
}

/** Why a message was refused before it was decoded, when it was. */
export function refusalOf(message: object): InferenceError | undefined {
  return refusals.get(message);
}
