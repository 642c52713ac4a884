import type { EdgeArch } from "./edge-fleet-args";

/** SHA-256 (lowercase hex) of a k3s release's binary per architecture. */
export interface K3sChecksums {
  /** Of the `k3s` asset. */
  amd64?: string;
  /** Of the `k3s-arm64` asset. */
  arm64?: string;
}

/** A k3s release pinned by version and the SHA-256 of each architecture's binary. */
export interface K3sRelease {
  /** Release tag, e.g. `v1.35.0+k3s1`. */
  version: string;
  /** SHA-256 (lowercase hex) of the release's binary per architecture (`k3s`, `k3s-arm64`). */
  sha256: K3sChecksums;
}

/**
 * The k3s release {@link EdgeHost} installs by default. The checksums are those of the release's
 * `sha256sum-amd64.txt` / `sha256sum-arm64.txt` for the `k3s` and `k3s-arm64` assets; to move to
 * another release, take both from those files and pass them as `k3s`.
 */
export const DEFAULT_K3S_RELEASE: K3sRelease = {
  version: "v1.35.0+k3s1",
  sha256: {
    amd64: "959c9310a6ab893958d1c95bc5d7609de9d7884630c8832180f059369b6dc331",
    arm64: "c0b1673a1f2b740cb7bb08355c885efb6a4aa5c8022e5bb306c621c8c1492883",
  },
};

/** The NVIDIA container toolkit packages version (apt) {@link EdgeHost} installs by default. */
export const DEFAULT_NVIDIA_TOOLKIT_VERSION = "1.17.8-1";

/** The release asset of a k3s binary: `k3s` for amd64, `k3s-arm64` for arm64. */
export function k3sBinaryUrl(version: string, arch: EdgeArch): string {
  const asset = arch === "amd64" ? "k3s" : "k3s-arm64";
  return `https://github.com/k3s-io/k3s/releases/download/${encodeURIComponent(version)}/${asset}`;
}
