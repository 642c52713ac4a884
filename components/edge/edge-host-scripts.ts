/** Wraps a value in single quotes for POSIX sh (a quote inside becomes `'\''`). */
export function shellQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

/** Prelude of every script: strict mode, and `$SUDO` empty for root, `sudo -n` otherwise. */
const PRELUDE = ["set -eu", 'if [ "$(id -u)" -eq 0 ]; then SUDO=""; else SUDO="sudo -n"; fi'];

/**
 * Shell that downloads `url` to a scratch file, checks it against the pinned SHA-256 and only then
 * installs it as `dest` (mode 0755); a binary already at `dest` with that checksum is kept. A
 * mismatch stops with a message and leaves `dest` untouched.
 */
export function verifiedDownload(url: string, sha256: string, dest: string, what: string): string {
  return [
    `if ! echo ${shellQuote(`${sha256}  ${dest}`)} | sha256sum -c --status 2>/dev/null; then`,
    '  SCRATCH="$(mktemp -d)"',
    `  curl -fsSL --retry 5 --retry-connrefused -o "$SCRATCH/download" ${shellQuote(url)}`,
    `  if ! echo ${shellQuote(sha256)}'  '"$SCRATCH/download" | sha256sum -c --status; then`,
    '    rm -rf "$SCRATCH"',
    `    echo ${shellQuote(`EdgeHost: ${what} from ${url} does not match its pinned SHA-256 ${sha256}; nothing was installed`)} >&2`,
    "    exit 1",
    "  fi",
    `  $SUDO install -m 0755 "$SCRATCH/download" ${shellQuote(dest)}`,
    '  rm -rf "$SCRATCH"',
    "fi",
  ].join("\n");
}

/** Shell that stops unless `uname -m` is the declared architecture. */
export function archCheck(arch: string): string {
  return [
    'case "$(uname -m)" in x86_64|amd64) HOST_ARCH=amd64 ;; aarch64|arm64) HOST_ARCH=arm64 ;; *) HOST_ARCH="$(uname -m)" ;; esac',
    `if [ "$HOST_ARCH" != ${shellQuote(arch)} ]; then`,
    `  echo "EdgeHost: this host is $HOST_ARCH, but it was declared ${arch}: set arch to $HOST_ARCH" >&2`,
    "  exit 1",
    "fi",
  ].join("\n");
}

/** Writes `content` to a root-owned file through a quoted here-document (no expansion). */
function writeFile(path: string, mode: string, content: string): string {
  const delimiter = "HYBRIDAI_EOF";
  if (content.split("\n").includes(delimiter)) {
    throw new Error(`EdgeHost: file content may not hold the line ${delimiter}`);
  }
  return [
    `$SUDO tee ${shellQuote(path)} >/dev/null <<'${delimiter}'`,
    content,
    delimiter,
    `$SUDO chmod ${mode} ${shellQuote(path)}`,
  ].join("\n");
}

/** The systemd unit of k3s, as k3s' own installer writes it. */
export function k3sUnit(role: "server" | "agent"): string {
  return [
    "[Unit]",
    `Description=Lightweight Kubernetes (k3s ${role}), installed by hybridai EdgeHost`,
    "Documentation=https://k3s.io",
    "Wants=network-online.target",
    "After=network-online.target",
    "",
    "[Service]",
    `Type=${role === "server" ? "notify" : "exec"}`,
    "KillMode=process",
    "Delegate=yes",
    "LimitNOFILE=1048576",
    "LimitNPROC=infinity",
    "LimitCORE=infinity",
    "TasksMax=infinity",
    "TimeoutStartSec=0",
    "Restart=always",
    "RestartSec=5s",
    "ExecStartPre=-/sbin/modprobe br_netfilter",
    "ExecStartPre=-/sbin/modprobe overlay",
    `ExecStart=/usr/local/bin/k3s ${role}`,
    "",
    "[Install]",
    "WantedBy=multi-user.target",
  ].join("\n");
}

/** What the k3s install script needs. */
export interface K3sInstall {
  /** `server` or `agent`. */
  role: "server" | "agent";
  /** Declared architecture. */
  arch: string;
  /** systemd unit name. */
  serviceName: string;
  /** Node name. */
  nodeName: string;
  /** Binary URL and its SHA-256. */
  binary: { url: string; sha256: string; version: string };
  /** `/etc/rancher/k3s/config.yaml` content (JSON, which YAML reads). */
  config: string;
  /** Node labels applied after registration. */
  labels: Record<string, string>;
}

/** The kubelet's own kubeconfig on every k3s node: it may read and label its own Node. */
const KUBELET_KUBECONFIG = "/var/lib/rancher/k3s/agent/kubelet.kubeconfig";

/**
 * The create/update script of a k3s host. The join token comes on standard input. Steps: check
 * the architecture; install the pinned binary if the one in place does not match its SHA-256;
 * write the token (0600), `config.yaml` and the unit; (re)start the service; wait up to 3
 * minutes for the node to register; label it.
 */
export function k3sInstallScript(install: K3sInstall): string {
  const labels = Object.entries(install.labels).map(([k, v]) => shellQuote(`${k}=${v}`));
  const node = shellQuote(install.nodeName);
  const kubectl = `$SUDO /usr/local/bin/k3s kubectl --kubeconfig ${KUBELET_KUBECONFIG}`;
  return [
    ...PRELUDE,
    archCheck(install.arch),
    'TOKEN="$(cat)"',
    'if [ -z "$TOKEN" ]; then echo "EdgeHost: no join token on standard input" >&2; exit 1; fi',
    verifiedDownload(
      install.binary.url,
      install.binary.sha256,
      "/usr/local/bin/k3s",
      `k3s ${install.binary.version} (${install.arch})`,
    ),
    "$SUDO install -d -m 0700 /etc/rancher/k3s",
    `printf '%s' "$TOKEN" | $SUDO tee /etc/rancher/k3s/token >/dev/null`,
    "$SUDO chmod 0600 /etc/rancher/k3s/token",
    writeFile("/etc/rancher/k3s/config.yaml", "0600", install.config),
    writeFile(`/etc/systemd/system/${install.serviceName}.service`, "0644", k3sUnit(install.role)),
    "$SUDO systemctl daemon-reload",
    `$SUDO systemctl enable ${install.serviceName}`,
    `$SUDO systemctl restart ${install.serviceName}`,
    "REGISTERED=0",
    "for attempt in $(seq 1 90); do",
    `  if ${kubectl} get node ${node} >/dev/null 2>&1; then REGISTERED=1; break; fi`,
    "  sleep 2",
    "done",
    'if [ "$REGISTERED" -ne 1 ]; then',
    `  echo "EdgeHost: node ${install.nodeName} did not register within 3 minutes; see: journalctl -u ${install.serviceName}" >&2`,
    "  exit 1",
    "fi",
    ...(labels.length > 0
      ? [`${kubectl} label node ${node} --overwrite ${labels.join(" ")} >/dev/null`]
      : []),
    `echo "k3s ${install.binary.version} ${install.role} running as node ${install.nodeName}"`,
  ].join("\n");
}

/** The delete script: stops and disables k3s, removes its unit, binary and config (the data directory `/var/lib/rancher/k3s` stays). */
export function k3sUninstallScript(serviceName: string): string {
  return [
    ...PRELUDE,
    `$SUDO systemctl disable --now ${serviceName} || true`,
    `$SUDO rm -f /etc/systemd/system/${serviceName}.service /usr/local/bin/k3s`,
    "$SUDO rm -rf /etc/rancher/k3s",
    "$SUDO systemctl daemon-reload",
  ].join("\n");
}

/**
 * Installs the NVIDIA container toolkit at a pinned version from NVIDIA's apt repository (signed
 * by its key). Stops with a message on hosts without apt or without the NVIDIA driver.
 */
export function nvidiaToolkitScript(version: string): string {
  const packages = [
    "nvidia-container-toolkit",
    "nvidia-container-toolkit-base",
    "libnvidia-container-tools",
    "libnvidia-container1",
  ].map((p) => `${p}=${version}`);
  return [
    ...PRELUDE,
    "if ! command -v apt-get >/dev/null; then",
    '  echo "EdgeHost: the NVIDIA container toolkit is installed with apt (Debian, Ubuntu); install it yourself on this host and leave accelerator out" >&2',
    "  exit 1",
    "fi",
    "if ! command -v nvidia-smi >/dev/null; then",
    '  echo "EdgeHost: no NVIDIA driver on this host (nvidia-smi not found): install the driver first" >&2',
    "  exit 1",
    "fi",
    "KEYRING=/usr/share/keyrings/nvidia-container-toolkit-keyring.gpg",
    "curl -fsSL --retry 5 https://nvidia.github.io/libnvidia-container/gpgkey | $SUDO gpg --batch --yes --dearmor -o $KEYRING",
    "curl -fsSL --retry 5 https://nvidia.github.io/libnvidia-container/stable/deb/nvidia-container-toolkit.list \\",
    '  | sed "s#deb https://#deb [signed-by=$KEYRING] https://#g" \\',
    "  | $SUDO tee /etc/apt/sources.list.d/nvidia-container-toolkit.list >/dev/null",
    "$SUDO apt-get update -q",
    `$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --allow-downgrades ${packages.join(" ")}`,
    `echo "NVIDIA container toolkit ${version} installed"`,
  ].join("\n");
}

/** Reads the server's admin kubeconfig (stdout is kept secret by the component). */
export const READ_KUBECONFIG_SCRIPT = [...PRELUDE, "$SUDO cat /etc/rancher/k3s/k3s.yaml"].join(
  "\n",
);

/** The server's kubeconfig pointed at the host instead of the loopback address k3s writes. */
export function kubeconfigForHost(k3sYaml: string, host: string): string {
  const address = host.includes(":") && !host.startsWith("[") ? `[${host}]` : host;
  return k3sYaml.replace(/https:\/\/127\.0\.0\.1:6443/g, `https://${address}:6443`);
}
