import { readdirSync } from "node:fs";
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  buildRuntime,
  CLI,
  type ServerProcess,
  spawnServer,
  waitForOutput,
  waitForUrl,
} from "./helpers/cli";
import { batchedModel, repositoryWith } from "./helpers/models";
import {
  closedByServer,
  openSocket,
  type RawResponse,
  readResponse,
  write,
} from "./helpers/raw-http";
import { metricValue, postJson, waitForValue } from "./helpers/server";

const started: ServerProcess[] = [];
let root: string;

beforeAll(async () => {
  await buildRuntime();
  root = await repositoryWith([
    // Holds requests for up to 10 s unless three are queued: the two sent before SIGTERM wait
    // there until the one finished after it joins them.
    batchedModel("slow_queue", {
      max_batch_size: 8,
      dynamic_batching: { max_queue_delay_microseconds: 10_000_000, preferred_batch_size: [3] },
    }),
    batchedModel("quick", {}),
  ]);
}, 300_000);

afterAll(() => {
  for (const server of started) if (server.child.exitCode === null) server.child.kill("SIGKILL");
});

function run(args: string[], env: NodeJS.ProcessEnv = {}): ServerProcess {
  const server = spawnServer("node", [CLI, ...args], env);
  started.push(server);
  return server;
}

describe("options", () => {
  it("exits 2 with the offending flag, value and allowed range", async () => {
    const bad = run(["--model-repository", root, "--port", "70000"]);
    expect(await bad.exited).toBe(2);
    expect(bad.stderr()).toMatch(/--port '70000': expected at most 65535/);
    expect(bad.stderr()).toContain("Usage: hybridai-serve");
    const missing = run([], { HYBRIDAI_MODEL_REPOSITORY: "" });
    expect(await missing.exited).toBe(2);
    expect(missing.stderr()).toMatch(
      /--model-repository \(or HYBRIDAI_MODEL_REPOSITORY\) is required/,
    );
    const unknown = run(["--model-repo", root]);
    expect(await unknown.exited).toBe(2);
    expect(unknown.stderr()).toMatch(/Unknown option '--model-repo'/);
    const env = run(["--model-repository", root], { HYBRIDAI_DRAIN_TIMEOUT_SECONDS: "soon" });
    expect(await env.exited).toBe(2);
    expect(env.stderr()).toMatch(/HYBRIDAI_DRAIN_TIMEOUT_SECONDS 'soon': expected a number/);
  });

  it("exits 1 when the model repository is not a directory, and prints help with --help", async () => {
    const absent = run(["--model-repository", "/nonexistent/models"]);
    expect(await absent.exited).toBe(1);
    expect(absent.stderr()).toMatch(
      /--model-repository: '\/nonexistent\/models' is not a directory/,
    );
    const help = run(["--help"]);
    expect(await help.exited).toBe(0);
    expect(help.stdout()).toMatch(/--auth-token-file[\s\S]*HYBRIDAI_AUTH_TOKEN_FILE/);
  });
});

describe("pull subcommand", () => {
  it("dispatches `hybridai-serve pull` and lays the repository into the target", async () => {
    const target = path.join(await mkdtemp(path.join(tmpdir(), "hybridai-cli-pull-")), "models");
    const pull = run(["pull", "--from", `file://${root}`, "--to", target]);
    expect(await pull.exited).toBe(0);
    expect(pull.stdout()).toMatch(/hybridai-serve pull: \d+ files/);
    expect(readdirSync(target)).toEqual(["quick", "slow_queue"]);
    const usage = run(["pull"]);
    expect(await usage.exited).toBe(2);
    expect(usage.stderr()).toContain("--from");
  });
});

describe("sync subcommand", () => {
  it("dispatches `hybridai-serve sync`", async () => {
    const help = run(["sync", "--help"]);
    expect(await help.exited).toBe(0);
    expect(help.stdout()).toContain("Usage: hybridai-serve sync --from <uri> --to <s3://…|gs://…>");
    const usage = run(["sync", "--from", "s3://bucket/models"]);
    expect(await usage.exited).toBe(2);
    expect(usage.stderr()).toContain("--to is required");
  });
});

describe("graceful shutdown", () => {
  const body = (value: number) =>
    JSON.stringify({
      inputs: [{ name: "x", shape: [1, 2], datatype: "FP32", data: [value, value] }],
    });
  const request = (model: string, text: string) =>
    `POST /v2/models/${model}/infer HTTP/1.1\r\nHost: localhost\r\n` +
    `Content-Type: application/json\r\nContent-Length: ${Buffer.byteLength(text)}\r\n\r\n`;
  const expectServed = (response: RawResponse, value: number) => {
    expect(response.status, response.body).toBe(200);
    expect(JSON.parse(response.body).outputs[0].data).toEqual([2 * value, 2 * value]);
  };

  it("serves every request that reached it before SIGTERM, on kept-alive connections, mid-body ones included, then exits 0", async () => {
    const server = run(["--model-repository", root, "--port", "0", "--drain-grace-seconds", "1"], {
      HYBRIDAI_HOST: "127.0.0.1",
    });
    const url = await waitForUrl(server);
    const sockets = await Promise.all(Array.from({ length: 6 }, () => openSocket(url)));
    // Every connection serves one request first, so all of them are kept alive and idle.
    for (const [i, socket] of sockets.entries()) {
      const answered = readResponse(socket);
      await write(socket, request("quick", body(i)) + body(i));
      expectServed(await answered, i);
    }
    const [queuedA, queuedB, midBody, midHeaders, idleServed, idleClosed] = sockets;
    // In flight at SIGTERM: two queued requests, one with half its body sent, one with half
    // its headers sent.
    const inFlight = [queuedA, queuedB].map(async (socket, i) => {
      const answered = readResponse(socket);
      await write(socket, request("slow_queue", body(10 + i)) + body(10 + i));
      return answered;
    });
    const midBodyText = body(20);
    const midBodyAnswer = readResponse(midBody);
    await write(midBody, request("slow_queue", midBodyText) + midBodyText.slice(0, 10));
    const midHeadersText = request("quick", body(30)) + body(30);
    const midHeadersAnswer = readResponse(midHeaders);
    await write(midHeaders, midHeadersText.slice(0, 20));
    const idleGone = closedByServer(idleClosed);
    // Both complete requests are in the queue, waiting for a third, before the signal.
    const queued = () =>
      metricValue(url, "nv_inference_pending_request_count", { model: "slow_queue", version: "1" });
    expect(await waitForValue(queued, 2)).toBe(2);

    server.child.kill("SIGTERM");
    await waitForOutput(server, /"msg":"draining"/);
    expect((await fetch(`${url}/v2/health/ready`)).status).toBe(503);
    // During the grace period new requests are still served, and told to close.
    const duringGrace = readResponse(idleServed);
    await write(idleServed, request("quick", body(40)) + body(40));
    const graceResponse = await duringGrace;
    expectServed(graceResponse, 40);
    expect(graceResponse.headers).toContain("connection: close");

    await waitForOutput(server, /"msg":"stopped listening; waiting for requests in flight"/);
    await idleGone;
    await write(midBody, midBodyText.slice(10));
    await write(midHeaders, midHeadersText.slice(20));
    const [a, b] = await Promise.all(inFlight);
    expectServed(a, 10);
    expectServed(b, 11);
    const finishedBody = await midBodyAnswer;
    expectServed(finishedBody, 20);
    expect(finishedBody.headers).toContain("connection: close");
    expectServed(await midHeadersAnswer, 30);
    expect(await server.exited).toBe(0);
    for (const socket of sockets) socket.destroy();
  });

  it("still exits 0 after SIGTERM when nobody reads its output any more", async () => {
    const server = run(["--model-repository", root, "--port", "0", "--drain-grace-seconds", "0"], {
      HYBRIDAI_HOST: "127.0.0.1",
    });
    await waitForUrl(server);
    server.child.stdout?.destroy();
    server.child.stderr?.destroy();
    server.child.kill("SIGTERM");
    expect(await server.exited).toBe(0);
  });

  it("on SIGINT (Ctrl-C) stops at once, without the grace period", async () => {
    const server = run(
      ["--model-repository", root, "--port", "0", "--drain-grace-seconds", "600"],
      { HYBRIDAI_HOST: "127.0.0.1" },
    );
    const url = await waitForUrl(server);
    const socket = await openSocket(url);
    const answered = readResponse(socket);
    await write(socket, request("quick", body(1)) + body(1));
    expectServed(await answered, 1);
    server.child.kill("SIGINT");
    expect(await server.exited).toBe(0);
    expect(server.stdout()).toMatch(/"graceMs":0/);
    socket.destroy();
  });
});

describe("npm run serve", () => {
  it("builds, serves and prints a curl example that works as printed", async () => {
    const server = spawnServer("npm", [
      "run",
      "serve",
      "--silent",
      "--",
      "--model-repository",
      "serving-runtime/models",
      "--host",
      "127.0.0.1",
      "--port",
      "0",
    ]);
    started.push(server);
    const url = await waitForUrl(server);
    await waitForOutput(server, /curl -s -X POST .+'\n/);
    const match = /curl -s -X POST (\S+) -H 'Content-Type: application\/json' -d '(.+)'/.exec(
      server.stdout(),
    );
    expect(match, server.stdout()).not.toBeNull();
    const [, endpoint, body] = match as RegExpExecArray;
    expect(endpoint.startsWith(url)).toBe(true);
    const response = await postJson(endpoint, body);
    expect(response.status).toBe(200);
    expect(response.body.outputs[0].shape).toEqual([1, 3]);
    process.kill(-(server.child.pid as number), "SIGTERM");
    await server.exited;
  }, 180_000);
});
