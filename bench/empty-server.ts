/**
 * An HTTP server that reads each request body and answers a constant JSON body without doing
 * any work: the ceiling of requests per second this machine's HTTP stack allows.
 *
 * Usage: `node empty-server.js <port>`.
 */
import { createServer } from "node:http";

const answer = Buffer.from('{"outputs":[]}');

const [port] = process.argv.slice(2);
if (!port) throw new Error("usage: empty-server <port>");
const server = createServer((request, response) => {
  request.resume();
  request.on("end", () => {
    response.writeHead(200, {
      "content-type": "application/json",
      "content-length": answer.length,
    });
    response.end(answer);
  });
});
server.keepAliveTimeout = 60_000;
server.listen(Number(port), "127.0.0.1");
process.on("SIGTERM", () => server.close(() => process.exit(0)));
