import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import type { RunningServer } from "@hybridai/serving-runtime/src/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { identityModel, repositoryWith } from "../helpers/models";
import { type Json, startTestServer } from "../helpers/server";

const body = JSON.stringify({
  inputs: [{ name: "x", shape: [1, 3], datatype: "FP32", data: [1, 2, 3] }],
});
const servers: RunningServer[] = [];
let root: string;
let tokens: string;

async function tokenFile(name: string, content: string): Promise<string> {
  const file = path.join(tokens, name);
  await writeFile(file, content);
  return file;
}

const call = (server: RunningServer, route: string, method: string, token?: string) =>
  fetch(`${server.url}${route}`, {
    method,
    headers: {
      "content-type": "application/json",
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    body: method === "POST" ? (route.endsWith("/infer") ? body : "{}") : undefined,
  });

beforeAll(async () => {
  root = await repositoryWith([identityModel("FP32")]);
  tokens = await mkdtemp(path.join(tmpdir(), "hybridai-tokens-"));
});

afterAll(async () => {
  await Promise.all(servers.map((server) => server.shutdown(5000)));
});

describe("auth off", () => {
  it("serves inference without a token, and keeps model control off", async () => {
    const server = await startTestServer(root);
    servers.push(server);
    expect((await call(server, "/v2/models/identity_fp32/infer", "POST")).status).toBe(200);
    const load = await call(server, "/v2/repository/models/identity_fp32/load", "POST");
    expect(load.status).toBe(403);
    expect(((await load.json()) as Json).error).toMatch(/--model-control-mode none/);
  });
});

describe("auth on", () => {
  let server: RunningServer;

  beforeAll(async () => {
    server = await startTestServer(root, {
      authTokenFile: await tokenFile("inference", "s3cret-inference\n"),
      repositoryAuthTokenFile: await tokenFile("repository", "s3cret-repository"),
      modelControlMode: "explicit",
    });
    servers.push(server);
  });

  it("keeps health and metrics open", async () => {
    expect((await call(server, "/v2/health/live", "GET")).status).toBe(200);
    expect((await call(server, "/v2/health/ready", "GET")).status).toBe(200);
    expect((await call(server, "/metrics", "GET")).status).toBe(200);
  });

  it("requires the inference token for inference, metadata and the index", async () => {
    for (const [route, method] of [
      ["/v2/models/identity_fp32/infer", "POST"],
      ["/v2/models/identity_fp32", "GET"],
      ["/v2", "GET"],
      ["/v2/repository/index", "POST"],
    ]) {
      const missing = await call(server, route, method);
      expect(missing.status, route).toBe(401);
      expect(missing.headers.get("www-authenticate")).toMatch(/^Bearer/);
      expect(((await missing.json()) as Json).error).toMatch(/Authorization: Bearer/);
      expect((await call(server, route, method, "wrong")).status, route).toBe(401);
      expect((await call(server, route, method, "s3cret-inference-and-more")).status, route).toBe(
        401,
      );
      expect((await call(server, route, method, "s3cret-inference")).status, route).toBe(200);
    }
  });

  it("names the realm of the token a 401 asks for, on the framework routes and inference alike", async () => {
    for (const [route, method, realm] of [
      ["/v2/models/identity_fp32/infer", "POST", "inference"],
      ["/v2/models/identity_fp32", "GET", "inference"],
      ["/v2/repository/models/identity_fp32/load", "POST", "repository"],
    ]) {
      const missing = await call(server, route, method);
      expect(missing.status, route).toBe(401);
      expect(missing.headers.get("www-authenticate"), route).toBe(`Bearer realm="${realm}"`);
    }
  });

  it("requires the separate repository token for load and unload", async () => {
    const load = "/v2/repository/models/identity_fp32/load";
    expect((await call(server, load, "POST")).status).toBe(401);
    expect((await call(server, load, "POST", "s3cret-inference")).status).toBe(401);
    expect((await call(server, load, "POST", "s3cret-repository")).status).toBe(200);
    const unload = "/v2/repository/models/identity_fp32/unload";
    expect((await call(server, unload, "POST", "s3cret-inference")).status).toBe(401);
    expect((await call(server, unload, "POST", "s3cret-repository")).status).toBe(200);
  });

  it("keeps load and unload off by default, whatever token is set", async () => {
    const only = await startTestServer(root, {
      authTokenFile: await tokenFile("only", "tok"),
      repositoryAuthTokenFile: await tokenFile("admin", "admin"),
    });
    servers.push(only);
    for (const token of ["tok", "admin"]) {
      const response = await call(only, "/v2/repository/models/identity_fp32/load", "POST", token);
      expect(response.status).toBe(403);
      expect(((await response.json()) as Json).error).toMatch(/--model-control-mode none/);
    }
  });

  it("refuses to start with an empty or missing token file", async () => {
    await expect(
      startTestServer(root, { authTokenFile: await tokenFile("empty", "  \n") }),
    ).rejects.toThrow(/--auth-token-file: '.*empty' is empty/);
    await expect(
      startTestServer(root, { authTokenFile: path.join(tokens, "absent") }),
    ).rejects.toThrow(/--auth-token-file: cannot read/);
  });
});
