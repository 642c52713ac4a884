import { spawnSync } from "node:child_process";
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { aws } from "pulumi-hybridai";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";

const { nodeUserData } = aws;

const spec = {
  clusterName: "prod",
  endpoint: "https://ABC.gr7.us-west-2.eks.amazonaws.com",
  certificateAuthorityData: "Q0VSVA==",
  serviceCidr: "172.20.0.0/16",
  labels: { "hybridai.dev/accelerator": "nvidia-l4", team: "search" },
  taints: [{ key: "nvidia.com/gpu", value: "present", effect: "NoSchedule" as const }],
};

function parts(userData: string): { type: string; body: string }[] {
  const boundary = /boundary="([^"]+)"/.exec(userData)?.[1];
  expect(boundary).toBeDefined();
  const chunks = userData.split(`--${boundary}`).slice(1, -1);
  return chunks.map((chunk) => {
    const [head, ...body] = chunk.trim().split("\n\n");
    return { type: head.replace("Content-Type: ", ""), body: body.join("\n\n") };
  });
}

/** Where the boot script writes its NodeConfig drop-in on a node. */
const DROP_IN_DIRECTORY = "/etc/eks/nodeadm.d";

/**
 * A stand-in for `curl` talking to IMDSv2: a PUT to /api/token with a TTL header returns a
 * token; /meta-data/instance-life-cycle with that token returns $FAKE_LIFECYCLE; anything else
 * fails as `curl -f` does on a 401 (exit 22). Every call is logged to $FAKE_IMDS_LOG.
 */
const FAKE_CURL = `#!/bin/bash
method=GET; url=""; headers=()
while [ $# -gt 0 ]; do
  case "$1" in
    -X) method="$2"; shift 2 ;;
    -H) headers+=("$2"); shift 2 ;;
    --retry) shift 2 ;;
    -*) shift ;;
    *) url="$1"; shift ;;
  esac
done
echo "$method $url" >> "$FAKE_IMDS_LOG"
[ -n "\${FAKE_IMDS_DOWN:-}" ] && { echo "curl: (7) Failed to connect" >&2; exit 7; }
has() { for h in "\${headers[@]}"; do [ "$h" = "$1" ] && return 0; done; return 1; }
if [ "$method $url" = "PUT http://169.254.169.254/latest/api/token" ] && has "X-aws-ec2-metadata-token-ttl-seconds: 60"; then
  printf 'AQAEAFake-Token=='; exit 0
fi
if [ "$method $url" = "GET http://169.254.169.254/latest/meta-data/instance-life-cycle" ] && has "X-aws-ec2-metadata-token: AQAEAFake-Token=="; then
  printf '%s' "$FAKE_LIFECYCLE"; exit 0
fi
echo "curl: (22) The requested URL returned error: 401" >&2; exit 22
`;

/**
 * Runs the user data's own shell script with bash, as cloud-init would, against the stand-in
 * IMDS. The one change to the script is its output directory, moved from /etc into a temporary
 * directory; the spot/on-demand decision runs exactly as generated.
 */
function runBootScript(userData: string, imds: { lifecycle: string; imdsDown?: boolean }) {
  const work = mkdtempSync(path.join(tmpdir(), "hybridai-user-data-"));
  const bin = path.join(work, "bin");
  const dropInDirectory = path.join(work, "nodeadm.d");
  mkdirSync(bin);
  writeFileSync(path.join(bin, "curl"), FAKE_CURL);
  chmodSync(path.join(bin, "curl"), 0o755);
  const script = parts(userData)[1].body.replaceAll(DROP_IN_DIRECTORY, dropInDirectory);
  writeFileSync(path.join(work, "boot.sh"), script);
  const log = path.join(work, "imds.log");
  writeFileSync(log, "");
  const result = spawnSync("bash", [path.join(work, "boot.sh")], {
    env: {
      PATH: `${bin}:${process.env.PATH}`,
      FAKE_LIFECYCLE: imds.lifecycle,
      FAKE_IMDS_LOG: log,
      ...(imds.imdsDown ? { FAKE_IMDS_DOWN: "1" } : {}),
    },
    encoding: "utf8",
  });
  const dropIns = existsSync(dropInDirectory) ? readdirSync(dropInDirectory) : [];
  return {
    status: result.status,
    stderr: result.stderr,
    dropIns,
    dropIn: dropIns.length > 0 ? readFileSync(path.join(dropInDirectory, dropIns[0]), "utf8") : "",
    imdsCalls: readFileSync(log, "utf8").trim().split("\n"),
  };
}

describe("nodeUserData (self-managed AL2023 nodes)", () => {
  it("is a MIME multi-part document with a NodeConfig and a boot script", () => {
    const [config, script] = parts(nodeUserData(spec));
    expect(config.type).toBe("application/node.eks.aws");
    expect(script.type).toMatch(/^text\/x-shellscript/);
    const nodeConfig = parse(config.body);
    expect(nodeConfig).toEqual({
      apiVersion: "node.eks.aws/v1alpha1",
      kind: "NodeConfig",
      spec: {
        cluster: {
          name: "prod",
          apiServerEndpoint: spec.endpoint,
          certificateAuthority: "Q0VSVA==",
          cidr: "172.20.0.0/16",
        },
        kubelet: { flags: ["--register-with-taints=nvidia.com/gpu=present:NoSchedule"] },
      },
    });
  });

  it("is a bash script that asks IMDSv2 with a session token and drops its labels into nodeadm.d", () => {
    const script = parts(nodeUserData(spec))[1].body;
    expect(script.startsWith("#!/bin/bash\nset -euo pipefail")).toBe(true);
    expect(script).toContain('-X PUT "$IMDS/api/token"');
    expect(script).toContain("meta-data/instance-life-cycle");
    expect(script.match(new RegExp(DROP_IN_DIRECTORY, "g"))).toHaveLength(2);
  });

  it.each([
    ["spot", "spot"],
    ["on-demand", "on-demand"],
    ["scheduled", "on-demand"],
  ])(
    "labels a node whose IMDS life cycle is '%s' as %s, next to every other label",
    (lifecycle, capacity) => {
      const run = runBootScript(nodeUserData(spec), { lifecycle });
      expect(run.status, run.stderr).toBe(0);
      expect(run.dropIns).toEqual(["50-hybridai-labels.yaml"]);
      expect(parse(run.dropIn)).toEqual({
        apiVersion: "node.eks.aws/v1alpha1",
        kind: "NodeConfig",
        spec: {
          kubelet: {
            flags: [
              `--node-labels=hybridai.dev/accelerator=nvidia-l4,team=search,hybridai.dev/capacity-type=${capacity}`,
            ],
          },
        },
      });
      expect(run.imdsCalls).toEqual([
        "PUT http://169.254.169.254/latest/api/token",
        "GET http://169.254.169.254/latest/meta-data/instance-life-cycle",
      ]);
    },
  );

  it("fails the boot script, writing no labels, when IMDS does not answer", () => {
    const run = runBootScript(nodeUserData(spec), { lifecycle: "spot", imdsDown: true });
    expect(run.status).not.toBe(0);
    expect(run.dropIns).toEqual([]);
  });
});
