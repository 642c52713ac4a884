import { execFileSync } from "node:child_process";
import { chmodSync, existsSync, mkdtempSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { edge, HybridAiConfigError } from "pulumi-hybridai";
import { describe, expect, it } from "vitest";

const {
  planEdgeHost,
  k3sConfig,
  k3sInstallScript,
  k3sUninstallScript,
  nvidiaToolkitScript,
  verifiedDownload,
  kubeconfigForHost,
} = edge;

const token = "join-token";

function fieldOf(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(HybridAiConfigError);
    return (error as HybridAiConfigError).field;
  }
  return "accepted";
}

describe("planEdgeHost", () => {
  it("pins k3s v1.35.0+k3s1 with the SHA-256 of each architecture's binary", () => {
    expect(planEdgeHost("store-a", { connection: { host: "10.0.0.2" }, token }).binary).toEqual({
      version: "v1.35.0+k3s1",
      url: "https://github.com/k3s-io/k3s/releases/download/v1.35.0%2Bk3s1/k3s",
      sha256: "959c9310a6ab893958d1c95bc5d7609de9d7884630c8832180f059369b6dc331",
    });
    expect(
      planEdgeHost("pi", { connection: { host: "10.0.0.3" }, token, arch: "arm64" }).binary,
    ).toEqual({
      version: "v1.35.0+k3s1",
      url: "https://github.com/k3s-io/k3s/releases/download/v1.35.0%2Bk3s1/k3s-arm64",
      sha256: "c0b1673a1f2b740cb7bb08355c885efb6a4aa5c8022e5bb306c621c8c1492883",
    });
  });

  it("labels an NVIDIA host with its accelerator and pins the container toolkit", () => {
    const plan = planEdgeHost("gpu", {
      connection: { host: "10.0.0.4" },
      token,
      accelerator: "nvidia-l4",
      labels: { "hybridai.dev/site": "clinic-c" },
    });
    expect(plan.labels).toEqual({
      "hybridai.dev/site": "clinic-c",
      "hybridai.dev/accelerator": "nvidia-l4",
    });
    expect(plan.nvidiaToolkitVersion).toBe("1.17.8-1");
    expect(plan.serviceName).toBe("k3s");
  });

  it("refuses an NVIDIA accelerator on arm64, as EdgeFleet does", () => {
    try {
      planEdgeHost("jetson", {
        connection: { host: "10.0.0.5" },
        token,
        arch: "arm64",
        accelerator: "nvidia-t4",
      });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(HybridAiConfigError);
      expect((error as HybridAiConfigError).component).toBe("EdgeHost");
      expect((error as HybridAiConfigError).field).toBe("accelerator");
      expect((error as Error).message).toContain("CUDA builds are x86-64 only");
    }
  });

  it("refuses what cannot work: roles, architectures, joins, names, labels, checksums", () => {
    const host = { connection: { host: "10.0.0.6" }, token };
    expect(fieldOf(() => planEdgeHost("h", { ...host, role: "master" as "server" }))).toBe("role");
    expect(fieldOf(() => planEdgeHost("h", { ...host, arch: "armhf" as "arm64" }))).toBe("arch");
    expect(fieldOf(() => planEdgeHost("h", { ...host, role: "agent" }))).toBe("serverUrl");
    expect(fieldOf(() => planEdgeHost("h", { ...host, serverUrl: "https://s:6443" }))).toBe(
      "serverUrl",
    );
    expect(fieldOf(() => planEdgeHost("h", { ...host, token: "" }))).toBe("token");
    expect(fieldOf(() => planEdgeHost("Host_1", host))).toBe("nodeName");
    expect(fieldOf(() => planEdgeHost("h", { ...host, accelerator: "tpu-v5e" }))).toBe(
      "accelerator",
    );
    expect(fieldOf(() => planEdgeHost("h", { ...host, labels: { "bad key!": "x" } }))).toBe(
      "labels",
    );
    expect(fieldOf(() => planEdgeHost("h", { ...host, labels: { site: "a b" } }))).toBe(
      "labels.site",
    );
    expect(
      fieldOf(() =>
        planEdgeHost("h", {
          ...host,
          arch: "arm64",
          k3s: { version: "v1.34.1+k3s1", sha256: { amd64: "a".repeat(64) } },
        }),
      ),
    ).toBe("k3s.sha256.arm64");
    expect(
      fieldOf(() =>
        planEdgeHost("h", {
          ...host,
          k3s: { version: "latest", sha256: { amd64: "a".repeat(64) } },
        }),
      ),
    ).toBe("k3s.version");
    expect(fieldOf(() => planEdgeHost("h", { ...host, localStoragePath: "storage" }))).toBe(
      "localStoragePath",
    );
    expect(
      fieldOf(() =>
        planEdgeHost("h", {
          ...host,
          role: "agent",
          serverUrl: "https://s:6443",
          localStoragePath: "/data/k3s-storage",
        }),
      ),
    ).toBe("localStoragePath");
  });
});

describe("k3sConfig", () => {
  it("makes a server reachable under its host name, with a root-only kubeconfig", () => {
    const plan = planEdgeHost("store-a", {
      connection: { host: "store-a.lan" },
      token,
      labels: { "hybridai.dev/site": "store-a" },
    });
    expect(k3sConfig(plan, { host: "store-a.lan" })).toEqual({
      "node-name": "store-a",
      "token-file": "/etc/rancher/k3s/token",
      "node-label": ["hybridai.dev/site=store-a"],
      "tls-san": ["store-a.lan"],
      "write-kubeconfig-mode": "0600",
    });
  });

  it("puts k3s' local-path volumes (EdgeFleet's model caches) where a server's localStoragePath says", () => {
    const plan = planEdgeHost("store-a", {
      connection: { host: "store-a.lan" },
      token,
      localStoragePath: "/data/k3s-storage",
    });
    expect(k3sConfig(plan, { host: "store-a.lan" })).toMatchObject({
      "default-local-storage-path": "/data/k3s-storage",
    });
  });

  it("joins an NVIDIA agent to its server with nvidia as the default runtime", () => {
    const plan = planEdgeHost("gpu-1", {
      connection: { host: "10.0.0.7" },
      token,
      role: "agent",
      serverUrl: "https://store-a.lan:6443",
      accelerator: "nvidia-t4",
    });
    expect(plan.serviceName).toBe("k3s-agent");
    expect(k3sConfig(plan, { host: "10.0.0.7", serverUrl: "https://store-a.lan:6443" })).toEqual({
      "node-name": "gpu-1",
      "token-file": "/etc/rancher/k3s/token",
      "node-label": ["hybridai.dev/accelerator=nvidia-t4"],
      server: "https://store-a.lan:6443",
      "default-runtime": "nvidia",
    });
  });
});

describe("the host scripts", () => {
  const plan = planEdgeHost("store-a", {
    connection: { host: "store-a.lan" },
    token,
    labels: { "hybridai.dev/site": "store-a" },
  });
  const install = k3sInstallScript({
    ...plan,
    config: JSON.stringify(k3sConfig(plan, { host: "store-a.lan" })),
  });

  it("are valid POSIX shell", () => {
    for (const script of [install, k3sUninstallScript("k3s"), nvidiaToolkitScript("1.17.8-1")]) {
      expect(() => execFileSync("sh", ["-n", "-c", script])).not.toThrow();
    }
  });

  it("install the pinned binary only after its checksum, read the token from stdin, and label the node", () => {
    expect(install).toContain(plan.binary.url);
    expect(install).toContain(`${plan.binary.sha256}  /usr/local/bin/k3s`);
    expect(install).toContain('TOKEN="$(cat)"');
    expect(install).toContain("ExecStart=/usr/local/bin/k3s server");
    // The model cache is a PersistentVolumeClaim per replica now: no directory for UID 10001.
    expect(install).not.toContain("10001");
    expect(install).toMatch(/label node 'store-a' --overwrite 'hybridai.dev\/site=store-a'/);
    expect(install).not.toContain("get.k3s.io");
  });

  it("pin every NVIDIA toolkit package to one version", () => {
    const toolkit = nvidiaToolkitScript("1.17.8-1");
    for (const pkg of [
      "nvidia-container-toolkit",
      "nvidia-container-toolkit-base",
      "libnvidia-container-tools",
      "libnvidia-container1",
    ]) {
      expect(toolkit).toContain(`${pkg}=1.17.8-1`);
    }
  });

  it("point the server's kubeconfig at the host", () => {
    const yaml = "clusters:\n- cluster:\n    server: https://127.0.0.1:6443\n";
    expect(kubeconfigForHost(yaml, "store-a.lan")).toBe(
      "clusters:\n- cluster:\n    server: https://store-a.lan:6443\n",
    );
    expect(kubeconfigForHost(yaml, "fd00::2")).toContain("server: https://[fd00::2]:6443");
  });
});

describe("the verified download, run in sh with a stand-in curl", () => {
  const payload = "k3s binary bytes\n";
  const payloadSha = "43f256eee0af9dad42658fefce908a5c6c018ea4a59f778dcd9f4b6396bd590b";

  /** A directory with a `curl` that writes `payload` to its `-o` file and logs each call. */
  function sandbox() {
    const dir = mkdtempSync(path.join(tmpdir(), "edge-download-"));
    const bin = path.join(dir, "bin");
    execFileSync("mkdir", ["-p", bin]);
    const curl = path.join(bin, "curl");
    writeFileSync(
      curl,
      `#!/bin/sh\necho call >> "${dir}/curl.log"\nwhile [ $# -gt 0 ]; do if [ "$1" = "-o" ]; then shift; printf '${payload.replace("\n", "\\n")}' > "$1"; fi; shift; done\n`,
    );
    chmodSync(curl, 0o755);
    return { dir, env: { PATH: `${bin}:${process.env.PATH}`, SUDO: "" } };
  }

  it("knows the payload's SHA-256 (computed independently)", () => {
    expect(execFileSync("sha256sum", { input: payload, encoding: "utf8" }).split(" ")[0]).toBe(
      payloadSha,
    );
  });

  it("installs a download whose checksum matches, executable", () => {
    const { dir, env } = sandbox();
    const dest = path.join(dir, "k3s");
    execFileSync("sh", ["-c", verifiedDownload("https://x/k3s", payloadSha, dest, "k3s")], { env });
    expect(statSync(dest).mode & 0o777).toBe(0o755);
  });

  it("refuses a download whose checksum differs, installing nothing", () => {
    const { dir, env } = sandbox();
    const dest = path.join(dir, "k3s");
    let stderr = "";
    try {
      execFileSync("sh", ["-c", verifiedDownload("https://x/k3s", "0".repeat(64), dest, "k3s")], {
        env,
        stdio: ["ignore", "pipe", "pipe"],
      });
      expect.unreachable();
    } catch (error) {
      stderr = String((error as { stderr: Buffer }).stderr);
    }
    expect(stderr).toContain("does not match its pinned SHA-256");
    expect(existsSync(dest)).toBe(false);
  });

  it("downloads nothing when the binary in place already matches", () => {
    const { dir, env } = sandbox();
    const dest = path.join(dir, "k3s");
    writeFileSync(dest, payload);
    execFileSync("sh", ["-c", verifiedDownload("https://x/k3s", payloadSha, dest, "k3s")], { env });
    expect(existsSync(path.join(dir, "curl.log"))).toBe(false);
  });
});

describe("the architecture check, run in sh with a stand-in uname", () => {
  function run(machine: string, declared: "amd64" | "arm64") {
    const bin = mkdtempSync(path.join(tmpdir(), "edge-uname-"));
    writeFileSync(path.join(bin, "uname"), `#!/bin/sh\necho ${machine}\n`);
    chmodSync(path.join(bin, "uname"), 0o755);
    return execFileSync("sh", ["-c", `${edge.archCheck(declared)}\necho ok`], {
      env: { PATH: `${bin}:${process.env.PATH}` },
      encoding: "utf8",
      stdio: ["ignore", "pipe", "pipe"],
    });
  }

  it("passes when the host is what was declared", () => {
    expect(run("aarch64", "arm64").trim()).toBe("ok");
    expect(run("x86_64", "amd64").trim()).toBe("ok");
  });

  it("stops, saying what to set, when it is not", () => {
    expect(() => run("aarch64", "amd64")).toThrow(/this host is arm64, but it was declared amd64/);
  });
});
