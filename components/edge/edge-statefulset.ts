import type { DeploymentArgs, StatefulSetArgs } from "@pulumi/kubernetes/apps/v1";
import type * as inputs from "@pulumi/kubernetes/types/input";
import * as pulumi from "@pulumi/pulumi";
import { containerSecurityContext } from "../kubernetes/pod-security";
import {
  FALLBACK_TOKEN_DIRECTORY,
  FALLBACK_TOKEN_KEY,
  MERGE_MODEL_CONFIG_SCRIPT,
} from "./cloud-fallback";
import type { EdgeArch } from "./edge-fleet-args";

/** Where the init container sees the replica's model cache volume. */
export const MODEL_CACHE_MOUNT = "/var/cache/hybridai";

/**
 * Name of the model cache's volume claim template: each replica's claim is
 * `model-cache-<name>-<ordinal>` (the StatefulSet controller's naming).
 */
export const MODEL_CACHE_VOLUME = "model-cache";

/** Annotation on the StatefulSet and its pods naming the model revision they serve. */
export const MODEL_REVISION_ANNOTATION = "hybridai.dev/model-revision";

/** The node label Kubernetes sets to the node's CPU architecture. */
export const ARCH_NODE_LABEL = "kubernetes.io/arch";

/** What turns a planned serving Deployment into an edge site's StatefulSet. */
export interface EdgeStatefulSetOptions {
  /** Device architecture: pods are pinned to nodes of it. */
  arch: EdgeArch;
  /** Fixed replicas (one per device). */
  replicas: number;
  /** The governing Service (the site's serving Service). */
  serviceName: string;
  /** Each replica's cache claim (StorageClass and size) and the versions `pull` keeps in it. */
  cache: { storageClass: string; size: string; keep: number };
  /** Revision reported on the StatefulSet and its pods. */
  modelRevision: pulumi.Input<string>;
  /** Keys merged into the pulled `config.json` (JSON text) and that file's path, when any. */
  modelConfig?: { overlay: pulumi.Input<string>; file: string };
  /** Secret holding the cloud endpoint's token, mounted into the serving container. */
  fallbackTokenSecret?: string;
  /** RuntimeClass of the pods (`nvidia` on GPU sites). */
  runtimeClassName?: string;
}

/** A value of the plan that must be plain (planServingDeployment builds plain objects). */
function plain<T>(value: pulumi.Input<T> | undefined, path: string): NonNullable<T> {
  if (value === undefined || pulumi.Output.isInstance(value) || value instanceof Promise) {
    throw new Error(`EdgeFleet: the serving plan's ${path} is not a plain value`);
  }
  return value as NonNullable<T>;
}

function containerNamed(
  containers: pulumi.Input<inputs.core.v1.Container>[],
  name: string,
  path: string,
): inputs.core.v1.Container {
  const found = containers.map((c, i) => plain(c, `${path}[${i}]`)).find((c) => c.name === name);
  if (!found) throw new Error(`EdgeFleet: the serving plan has no ${path} named "${name}"`);
  return found;
}

/**
 * The planned pull arguments (which already list the mirrors as further `--from` sources) with
 * the device cache.
 */
function edgePullArgs(
  args: pulumi.Input<string>[],
  options: EdgeStatefulSetOptions,
): pulumi.Input<string>[] {
  return [...args, "--cache-dir", MODEL_CACHE_MOUNT, "--cache-keep", String(options.cache.keep)];
}

/**
 * The pod template of an edge site: the planned Deployment's, with pods pinned to the site's
 * architecture, the pull init container given the replica's cache volume (the planned pull already reads any
 * mirrors, `file:///` ones through read-only hostPaths), a
 * `model-config` init container writing the cloud fallback into the pulled `config.json`, the
 * fallback token mounted read-only into the server, the RuntimeClass, and the model revision as
 * an annotation.
 */
function edgePodTemplate(
  template: inputs.core.v1.PodTemplateSpec,
  options: EdgeStatefulSetOptions,
  annotations: Record<string, pulumi.Input<string>>,
): inputs.core.v1.PodTemplateSpec {
  const templateMetadata = plain(template.metadata, "spec.template.metadata");
  const pod = plain(template.spec, "spec.template.spec");
  const initContainers = plain(pod.initContainers, "initContainers");
  const containers = plain(pod.containers, "containers");
  const pull = containerNamed(initContainers, "pull-model", "initContainers");
  const serve = containerNamed(containers, "serve", "containers");
  const pullMounts = plain(pull.volumeMounts, "initContainers.pull-model.volumeMounts");
  const serveMounts = plain(serve.volumeMounts, "containers.serve.volumeMounts");

  const edgePull: inputs.core.v1.Container = {
    ...pull,
    args: edgePullArgs(plain(pull.args, "initContainers.pull-model.args"), options),
    volumeMounts: [...pullMounts, { name: MODEL_CACHE_VOLUME, mountPath: MODEL_CACHE_MOUNT }],
  };
  const modelConfig: inputs.core.v1.Container[] = options.modelConfig
    ? [
        {
          name: "model-config",
          image: pull.image,
          imagePullPolicy: "IfNotPresent",
          command: ["node", "-e", MERGE_MODEL_CONFIG_SCRIPT],
          args: [options.modelConfig.overlay, options.modelConfig.file],
          resources: { requests: { cpu: "50m", memory: "64Mi" }, limits: { memory: "128Mi" } },
          securityContext: containerSecurityContext(),
          volumeMounts: pullMounts,
        },
      ]
    : [];
  const tokenMount = options.fallbackTokenSecret
    ? [{ name: "cloud-fallback-token", mountPath: FALLBACK_TOKEN_DIRECTORY, readOnly: true }]
    : [];
  const tokenVolume = options.fallbackTokenSecret
    ? [
        {
          name: "cloud-fallback-token",
          secret: {
            secretName: options.fallbackTokenSecret,
            defaultMode: 0o440,
            items: [{ key: FALLBACK_TOKEN_KEY, path: FALLBACK_TOKEN_KEY }],
          },
        },
      ]
    : [];
  return {
    ...template,
    metadata: {
      ...templateMetadata,
      annotations: {
        ...plain(templateMetadata.annotations ?? {}, "spec.template.metadata.annotations"),
        ...annotations,
      },
    },
    spec: {
      ...pod,
      ...(options.runtimeClassName ? { runtimeClassName: options.runtimeClassName } : {}),
      nodeSelector: {
        ...plain(pod.nodeSelector ?? {}, "nodeSelector"),
        [ARCH_NODE_LABEL]: options.arch,
      },
      initContainers: [
        ...initContainers.map((c) => (plain(c, "initContainers[]") === pull ? edgePull : c)),
        ...modelConfig,
      ],
      containers: containers.map((c) =>
        plain(c, "containers[]") === serve
          ? { ...serve, volumeMounts: [...serveMounts, ...tokenMount] }
          : c,
      ),
      volumes: [...plain(pod.volumes ?? [], "volumes"), ...tokenVolume],
    },
  };
}

/**
 * Turns a Deployment planned by `planOnnxService` into an edge site's StatefulSet, keeping its
 * metadata, selector and pod template (probes, security contexts, shutdown timing, placement,
 * config checksum) and changing only what the edge needs:
 *
 * - one replica per device, each with its own `model-cache` PersistentVolumeClaim from
 *   `volumeClaimTemplates` (a node-local volume on k3s' `local-path`): the device cache of
 *   `hybridai-serve pull` outlives pod restarts and a lost uplink without a hostPath, so the pods
 *   meet the restricted Pod Security Standard. The claims are kept when the StatefulSet is deleted
 *   or scaled down (`persistentVolumeClaimRetentionPolicy` `Retain`): a replaced StatefulSet
 *   finds its replicas' caches again;
 * - `podManagementPolicy: Parallel`: devices start independently (one down device does not hold
 *   the others back), and a replica stuck on a bad revision is replaced when the template changes
 *   again (with `OrderedReady` it would wait for a manual pod deletion);
 * - `updateStrategy: RollingUpdate` with `partition: 0`: every replica is updated, one device at
 *   a time, so `status.currentRevision` reaches `status.updateRevision`, which is what the Pulumi
 *   Kubernetes provider awaits (with all replicas ready) before it reports the StatefulSet done;
 * - the pod template of {@link edgePodTemplate}.
 *
 * The plan is not modified.
 */
export function planEdgeStatefulSet(
  planned: DeploymentArgs,
  options: EdgeStatefulSetOptions,
): StatefulSetArgs {
  const metadata = plain(planned.metadata, "metadata");
  const spec = plain(planned.spec, "spec");
  const annotations = { [MODEL_REVISION_ANNOTATION]: options.modelRevision };
  return {
    metadata: {
      ...metadata,
      annotations: { ...plain(metadata.annotations ?? {}, "metadata.annotations"), ...annotations },
    },
    spec: {
      serviceName: options.serviceName,
      replicas: options.replicas,
      podManagementPolicy: "Parallel",
      updateStrategy: { type: "RollingUpdate", rollingUpdate: { partition: 0 } },
      persistentVolumeClaimRetentionPolicy: { whenDeleted: "Retain", whenScaled: "Retain" },
      ...(spec.revisionHistoryLimit !== undefined
        ? { revisionHistoryLimit: spec.revisionHistoryLimit }
        : {}),
      selector: spec.selector,
      template: edgePodTemplate(plain(spec.template, "spec.template"), options, annotations),
      volumeClaimTemplates: [
        {
          metadata: { name: MODEL_CACHE_VOLUME, labels: metadata.labels },
          spec: {
            accessModes: ["ReadWriteOnce"],
            storageClassName: options.cache.storageClass,
            volumeMode: "Filesystem",
            resources: { requests: { storage: options.cache.size } },
          },
        },
      ],
    },
  };
}
