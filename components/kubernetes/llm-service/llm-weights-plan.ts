import type * as inputs from "@pulumi/kubernetes/types/input";
import * as pulumi from "@pulumi/pulumi";
import { HybridAiConfigError } from "../../errors";
import { assertOneOf } from "../../validate";
import type { LlmAccelerator } from "./llm-accelerator-plan";
import { LLM_LOADERS, type LlmLoader, type LlmModelSource } from "./llm-service-args";

/** Where a `gcs-fuse` model folder is mounted, read-only. */
export const MODEL_MOUNT_PATH = "/models";

/** The CSI driver of GKE's Cloud Storage FUSE. */
export const GCS_FUSE_DRIVER = "gcsfuse.csi.storage.gke.io";

/** The pod annotation that makes GKE inject the Cloud Storage FUSE sidecar. */
export const GCS_FUSE_ANNOTATION = "gke-gcsfuse/volumes";

const STORE_URI = /^(s3|gs):\/\/([a-z0-9][a-z0-9._-]{1,221}[a-z0-9])(\/[^\s]*)?$/;
const HUB_ID = /^[A-Za-z0-9][\w.-]{0,95}\/[\w.-]{1,96}$/;
const REVISION = /^[\w.\-/]{1,128}$/;
const SECRET_NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const SECRET_KEY = /^[-._a-zA-Z0-9]{1,253}$/;

/** How the weights reach vLLM: the model argument, flags, environment, volumes and annotations. */
export interface WeightsPlan {
  /** The loader, or `hub` for a Hugging Face id. */
  loader: LlmLoader | "hub";
  /** `vllm serve`'s model argument: the store URI, the mount path or the Hub id. */
  model: pulumi.Input<string>;
  /** Flags: `--load-format runai_streamer`, `--revision`. */
  flags: string[];
  /** Environment of the vLLM container (the Hub token). */
  env: inputs.core.v1.EnvVar[];
  /** Volumes of the pod (the Cloud Storage FUSE volume). */
  volumes: inputs.core.v1.Volume[];
  /** Mounts of the vLLM container. */
  mounts: inputs.core.v1.VolumeMount[];
  /** Pod annotations (GKE's sidecar injection). */
  podAnnotations: Record<string, string>;
}

/** Checks a Secret name and key, returning the key (default `token`). */
export function checkSecretKey(
  component: string,
  field: string,
  ref: { secretName: string; key?: string },
): { secretName: string; key: string } {
  const { secretName, key = "token" } = ref ?? {};
  if (typeof secretName !== "string" || secretName.length > 253 || !SECRET_NAME.test(secretName)) {
    throw new HybridAiConfigError(
      component,
      `${field}.secretName`,
      secretName,
      "a Secret name in the service's namespace: lowercase letters, digits, '-' and '.'",
    );
  }
  if (typeof key !== "string" || !SECRET_KEY.test(key)) {
    throw new HybridAiConfigError(
      component,
      `${field}.key`,
      key,
      "a Secret key: letters, digits, '-', '_' and '.'",
    );
  }
  return { secretName, key };
}

/** The bucket and the folder (no slashes around it) of a `gs://bucket/prefix` URI. */
function bucketAndFolder(component: string, uri: string): { bucket: string; folder: string } {
  const match = STORE_URI.exec(uri);
  if (match?.[1] !== "gs") {
    throw new HybridAiConfigError(
      component,
      "model.uri",
      uri,
      "gs://bucket/prefix for the gcs-fuse loader",
    );
  }
  return { bucket: match[2] as string, folder: (match[3] ?? "").replace(/^\/+|\/+$/g, "") };
}

function checkSource(component: string, model: LlmModelSource): "store" | "hub" {
  if (!model || typeof model !== "object") {
    throw new HybridAiConfigError(component, "model", model, "{ uri } or { huggingFaceId }");
  }
  const hasUri = model.uri !== undefined;
  const hasHub = model.huggingFaceId !== undefined;
  if (hasUri === hasHub) {
    throw new HybridAiConfigError(
      component,
      hasUri ? "model.huggingFaceId" : "model.uri",
      hasUri ? model.huggingFaceId : undefined,
      "exactly one of model.uri (s3:// or gs:// model store folder) and model.huggingFaceId",
    );
  }
  if (hasUri) {
    if (typeof model.uri === "string" && !STORE_URI.test(model.uri)) {
      throw new HybridAiConfigError(
        component,
        "model.uri",
        model.uri,
        "s3://bucket/prefix or gs://bucket/prefix (a model store folder)",
      );
    }
    for (const field of ["revision", "huggingFaceToken"] as const) {
      if (model[field] !== undefined) {
        throw new HybridAiConfigError(
          component,
          `model.${field}`,
          model[field],
          "set only with model.huggingFaceId",
        );
      }
    }
    return "store";
  }
  if (typeof model.huggingFaceId !== "string" || !HUB_ID.test(model.huggingFaceId)) {
    throw new HybridAiConfigError(
      component,
      "model.huggingFaceId",
      model.huggingFaceId,
      "a Hugging Face Hub model id such as Qwen/Qwen2.5-7B-Instruct",
    );
  }
  if (model.loader !== undefined) {
    throw new HybridAiConfigError(
      component,
      "model.loader",
      model.loader,
      "set only with model.uri",
    );
  }
  if (
    model.revision !== undefined &&
    (typeof model.revision !== "string" || !REVISION.test(model.revision))
  ) {
    throw new HybridAiConfigError(
      component,
      "model.revision",
      model.revision,
      "a commit, tag or branch name",
    );
  }
  return "hub";
}

/**
 * Validates the model source and plans how its weights are read: a model store folder through
 * vLLM's Run:ai streamer (`s3://`/`gs://` with the pod's identity) or GKE's Cloud Storage FUSE
 * mount (`gs://`, Workload Identity), or a Hugging Face Hub id downloaded into the cache volume.
 * Throws {@link HybridAiConfigError} naming the field.
 */
export function planWeights(
  component: string,
  model: LlmModelSource,
  accelerator: LlmAccelerator,
): WeightsPlan {
  const kind = checkSource(component, model);
  const empty = { env: [], volumes: [], mounts: [], podAnnotations: {} };
  if (kind === "hub") {
    const token = model.huggingFaceToken
      ? checkSecretKey(component, "model.huggingFaceToken", model.huggingFaceToken)
      : undefined;
    return {
      ...empty,
      loader: "hub",
      model: model.huggingFaceId as string,
      flags: model.revision ? ["--revision", model.revision] : [],
      env: token
        ? [
            {
              name: "HF_TOKEN",
              valueFrom: { secretKeyRef: { name: token.secretName, key: token.key } },
            },
          ]
        : [],
    };
  }
  const loader = model.loader ?? (accelerator.family === "tpu" ? "gcs-fuse" : "runai-streamer");
  assertOneOf(component, "model.loader", loader, LLM_LOADERS);
  const uri = model.uri as pulumi.Input<string>;
  if (loader === "runai-streamer") {
    return { ...empty, loader, model: uri, flags: ["--load-format", "runai_streamer"] };
  }
  if (typeof uri === "string") bucketAndFolder(component, uri);
  const location = pulumi.output(uri).apply((value) => bucketAndFolder(component, value));
  return {
    ...empty,
    loader,
    model: MODEL_MOUNT_PATH,
    flags: [],
    volumes: [
      {
        name: "model",
        csi: {
          driver: GCS_FUSE_DRIVER,
          readOnly: true,
          volumeAttributes: {
            bucketName: location.bucket,
            mountOptions: location.folder.apply((folder) =>
              folder === "" ? "implicit-dirs" : `implicit-dirs,only-dir=${folder}`,
            ),
          },
        },
      },
    ],
    mounts: [{ name: "model", mountPath: MODEL_MOUNT_PATH, readOnly: true }],
    podAnnotations: { [GCS_FUSE_ANNOTATION]: "true" },
  };
}
