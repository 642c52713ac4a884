import { type PackResourcePolicy, settingsOf } from "../../../shared/src/policy";
import { stringAt } from "../../../shared/src/props";
import { workloadPod } from "./workloads";

/** An image reference split into what the policies need. */
interface ImageReference {
  /** The reference with the registry made explicit (`docker.io/library/nginx:1.27`). */
  normalized: string;
  /** The tag, when there is one. */
  tag?: string;
  /** Whether it is pinned by digest (`@sha256:…`). */
  digest: boolean;
}

/** Parses `[registry/]repository[:tag][@digest]` as the container runtime does. */
export function parseImage(image: string): ImageReference {
  const [withoutDigest, digest] = image.split("@");
  const slash = withoutDigest.lastIndexOf("/");
  const colon = withoutDigest.lastIndexOf(":");
  const tag = colon > slash ? withoutDigest.slice(colon + 1) : undefined;
  const first = withoutDigest.split("/")[0];
  const hasRegistry =
    withoutDigest.includes("/") &&
    (first.includes(".") || first.includes(":") || first === "localhost");
  const normalized = hasRegistry
    ? image
    : withoutDigest.includes("/")
      ? `docker.io/${image}`
      : `docker.io/library/${image}`;
  return { normalized, ...(tag !== undefined ? { tag } : {}), digest: digest !== undefined };
}

/** Container images are pinned: a version tag (not `latest`) or a digest. */
export const kubernetesImagePinned: PackResourcePolicy = {
  name: "kubernetes-image-pinned",
  description:
    "Container images are pinned by a version tag (never latest, never untagged) or by digest.",
  remediationSteps:
    "Reference each image as registry/repository:<version> or, better, …@sha256:<digest>; " +
    "publish versioned tags from CI.",
  enforcementLevel: "mandatory",
  configSchema: { properties: {} },
  validateResource: (args, report) => {
    const pod = workloadPod(args);
    const unpinned = pod.containers.flatMap((c) => {
      const image = stringAt(c.spec, "image");
      if (!image) return [`${c.name} (no image)`];
      const ref = parseImage(image);
      if (ref.digest) return [];
      if (ref.tag === undefined) return [`${c.name} (${image}: untagged, means latest)`];
      return ref.tag === "latest" ? [`${c.name} (${image})`] : [];
    });
    if (unpinned.length > 0) {
      report(`${pod.label} runs unpinned image(s): ${unpinned.join(", ")}.`);
    }
  },
};

function allowedBy(reference: string, entry: string): boolean {
  const prefix = entry.endsWith("/") ? entry : `${entry}/`;
  return reference === entry || reference.startsWith(prefix);
}

/** Container images come from the configured registries (any registry when none are listed). */
export const kubernetesImageRegistryAllowed: PackResourcePolicy = {
  name: "kubernetes-image-registry-allowed",
  description:
    "Container images come from an allowed registry or repository prefix, when allowedRegistries is configured.",
  remediationSteps:
    "Mirror the image into an allowed registry (ECR, Artifact Registry, your ghcr.io organisation) " +
    "and reference it there, or add the registry to allowedRegistries.",
  enforcementLevel: "mandatory",
  configSchema: {
    properties: {
      allowedRegistries: {
        type: "array",
        items: { type: "string" },
        default: [],
        description:
          'Registry hosts or repository prefixes, e.g. "123456789012.dkr.ecr.us-west-2.amazonaws.com" ' +
          'or "ghcr.io/acme"; Docker Hub images are "docker.io/…". Empty: any registry.',
      },
    },
  },
  validateResource: (args, report) => {
    const pod = workloadPod(args);
    const { allowedRegistries } = settingsOf<{ allowedRegistries: string[] }>(
      args,
      kubernetesImageRegistryAllowed.configSchema,
    );
    if (allowedRegistries.length === 0) return;
    const outside = pod.containers
      .map((c) => stringAt(c.spec, "image"))
      .filter((image): image is string => image !== undefined)
      .filter((image) => {
        const ref = parseImage(image).normalized;
        return !allowedRegistries.some((entry) => allowedBy(ref, entry) || allowedBy(image, entry));
      });
    if (outside.length > 0) {
      report(
        `${pod.label} pulls ${outside.join(", ")} from outside the allowed registries (${allowedRegistries.join(", ")}).`,
      );
    }
  },
};
