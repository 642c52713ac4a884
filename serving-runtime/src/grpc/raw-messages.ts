/** The bytes each decoded `ModelInferRequest` was read from, for the audit log's digest. */
const rawMessages = new WeakMap<object, Buffer>();

/**
 * Wraps a method's request deserializer so that the bytes of every decoded message stay
 * reachable from the message (held weakly: they go when the message does; the decoded `bytes`
 * fields already view the same buffer, so nothing is copied).
 *
 * @param deserialize the method's deserializer
 */
export function keepingRawBytes<T extends object>(
  deserialize: (bytes: Buffer) => T,
): (bytes: Buffer) => T {
  return (bytes) => {
    const message = deserialize(bytes);
    rawMessages.set(message, bytes);
    return message;
  };
}

/** The bytes a decoded message was read from, when its method kept them. */
export function rawBytesOf(message: object): Buffer | undefined {
  return rawMessages.get(message);
}
