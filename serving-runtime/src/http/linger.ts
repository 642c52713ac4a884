import type { Socket } from "node:net";

/** How long a connection is still read after a 413, at most, before it is closed. */
export const LINGER_MS = 2_000;

/**
 * Makes the server close a connection gently after its current response: the response is
 * flushed and the sending side closed, but what the client is still uploading keeps being read
 * and discarded until the client closes its side or `ms` pass. Closing outright while the client
 * uploads makes the kernel reset the connection, and a client that writes its whole body before
 * reading would see ECONNRESET instead of the 413 it was sent.
 *
 * @param socket the request's socket
 * @param ms the longest the connection lingers
 */
export function lingerBeforeClose(socket: Socket | null, ms = LINGER_MS): void {
  if (!socket || socket.destroyed) return;
  const closing = socket as Socket & { destroySoon(): void };
  closing.destroySoon = () => {
    const timer = setTimeout(() => socket.destroy(), ms);
    timer.unref();
    socket.once("close", () => clearTimeout(timer));
    socket.once("end", () => socket.destroy());
    socket.end();
    socket.resume();
  };
}
