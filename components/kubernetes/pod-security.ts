/** The numeric user and group the serving runtime image runs as (see `serving-runtime/Dockerfile`). */
export const RUNTIME_UID = 10001;

/**
 * Pod-level security: never root, a fixed numeric user and group, volumes group-owned by it,
 * the runtime's default seccomp profile.
 */
export function podSecurityContext() {
  return {
    runAsNonRoot: true,
    runAsUser: RUNTIME_UID,
    runAsGroup: RUNTIME_UID,
    fsGroup: RUNTIME_UID,
    seccompProfile: { type: "RuntimeDefault" },
  };
}

/**
 * Container-level security (the "restricted" Pod Security Standard and then some): read-only
 * root file system, no privilege escalation, every capability dropped, non-root numeric user.
 */
export function containerSecurityContext() {
  return {
    runAsNonRoot: true,
    runAsUser: RUNTIME_UID,
    runAsGroup: RUNTIME_UID,
    readOnlyRootFilesystem: true,
    allowPrivilegeEscalation: false,
    privileged: false,
    capabilities: { drop: ["ALL"] },
    seccompProfile: { type: "RuntimeDefault" },
  };
}
