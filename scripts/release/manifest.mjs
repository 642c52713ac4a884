// The package.json a release ships: the repository's, less what only a clone of the repository
// uses. No `scripts` (so installing the tarball runs nothing of ours; `prepare` is for git
// installs and the source-based plugin), no development-only fields.

/** Fields of the repository's package.json that stay out of the published manifest. */
export const REPOSITORY_ONLY_FIELDS = [
  "scripts",
  "devDependencies",
  "workspaces",
  "overrides",
  "allowScripts",
];

/**
 * The manifest to publish.
 *
 * @param {Record<string, unknown>} manifest the repository's package.json
 * @returns {Record<string, unknown>}
 */
export function releaseManifest(manifest) {
  return Object.fromEntries(
    Object.entries(manifest).filter(([field]) => !REPOSITORY_ONLY_FIELDS.includes(field)),
  );
}
