import type { ReleaseArgs } from "@pulumi/kubernetes/helm/v3";
import type { ClusterRoleArgs, ClusterRoleBindingArgs } from "@pulumi/kubernetes/rbac/v1";
import { HybridAiConfigError } from "../errors";
import { assertWholeNumber } from "../validate";
import type { ArgoRolloutsArgs } from "./argo-rollouts-args";
import { GATEWAY_API_PLUGIN_NAME } from "./onnx-service/rollout-plan";
import { assertHelmReleaseName, assertNamespace } from "./validate";

const COMPONENT = "ArgoRollouts";

/**
 * The Argo Rollouts Helm chart, pinned. Chart 2.31.1 ships Argo Rollouts v1.5.1, whose CRDs are
 * those of v1.5.0: the schemas `@kubernetes-models/argo-rollouts` 0.3.2 was generated from
 * (its `crd-generate` input is the v1.5.0 `install.yaml`), which the tests validate every
 * Rollout and AnalysisTemplate against. Its values take the plugin list as a YAML string
 * under `controller.trafficRouterPlugins.trafficRouterPlugins` (charts after November 2024 take
 * a list instead), so the pin and the values move together.
 */
export const ARGO_ROLLOUTS_CHART = {
  chart: "argo-rollouts",
  version: "2.31.1",
  appVersion: "v1.5.1",
  repo: "https://argoproj.github.io/argo-helm",
} as const;

/**
 * The Argo Rollouts Gateway API traffic router plugin: its multi-arch image (copied into the
 * controller pod by an init container, so nothing is downloaded at controller start and Graviton
 * and x86 nodes both work) and the binary's path in it.
 */
export const GATEWAY_API_PLUGIN = {
  name: GATEWAY_API_PLUGIN_NAME,
  image: "ghcr.io/argoproj-labs/rollouts-plugin-trafficrouter-gatewayapi",
  version: "v0.5.0",
  binary: "/bin/rollouts-plugin-trafficrouter-gatewayapi",
  /** The ConfigMap (in each route's namespace) where the plugin keeps its managed-route state. */
  stateConfigMap: "argo-gatewayapi-configmap",
} as const;

const PLUGIN_DIR = "/plugins";
const PLUGIN_VOLUME = "gatewayapi-plugin";
/** The uid the Argo Rollouts image runs as. */
const CONTROLLER_UID = 999;

/** Everything {@link ArgoRollouts} creates. */
export interface ArgoRolloutsPlan {
  /** Namespace of the controller. */
  namespace: string;
  /** The pinned chart with its CRDs, the controller and the plugin. */
  release: ReleaseArgs;
  /**
   * Rights the plugin needs on top of the chart's: create and update its route state ConfigMap,
   * read and rewrite HTTPRoutes (exactly the calls of the pinned plugin version).
   */
  pluginRole: ClusterRoleArgs;
  /** Binds {@link ArgoRolloutsPlan.pluginRole} to the controller's service account. */
  pluginRoleBinding: ClusterRoleBindingArgs;
}

/** The plugin config the controller reads from its `argo-rollouts-config` ConfigMap. */
function trafficRouterPlugins(): string {
  return [
    `- name: "${GATEWAY_API_PLUGIN.name}"`,
    `  location: "file://${PLUGIN_DIR}/rollouts-plugin-trafficrouter-gatewayapi"`,
    "",
  ].join("\n");
}

/**
 * Validates the arguments (and `name`, the Helm release and service account name) and returns
 * the pinned Argo Rollouts chart with its CRDs (kept on uninstall), the Gateway API plugin
 * copied in by a hardened init container and registered in the controller's config, the
 * dashboard off, and the plugin's cluster role. Throws {@link HybridAiConfigError} for a bad
 * name, namespace, replica count or plugin version.
 */
export function planArgoRollouts(name: string, args: ArgoRolloutsArgs = {}): ArgoRolloutsPlan {
  assertHelmReleaseName(COMPONENT, name);
  const namespace = args.namespace ?? "argo-rollouts";
  assertNamespace(COMPONENT, "namespace", namespace);
  const replicas = args.replicas ?? 2;
  assertWholeNumber(COMPONENT, "replicas", replicas, 1, 5);
  const pluginVersion = args.pluginVersion ?? GATEWAY_API_PLUGIN.version;
  if (typeof pluginVersion !== "string" || !/^v\d+\.\d+\.\d+$/.test(pluginVersion)) {
    throw new HybridAiConfigError(
      COMPONENT,
      "pluginVersion",
      pluginVersion,
      `a released plugin image tag such as ${GATEWAY_API_PLUGIN.version}`,
    );
  }
  const pluginMount = { name: PLUGIN_VOLUME, mountPath: PLUGIN_DIR };
  return {
    namespace,
    release: {
      name,
      namespace,
      createNamespace: true,
      chart: ARGO_ROLLOUTS_CHART.chart,
      version: ARGO_ROLLOUTS_CHART.version,
      repositoryOpts: { repo: ARGO_ROLLOUTS_CHART.repo },
      atomic: true,
      cleanupOnFail: true,
      values: {
        installCRDs: true,
        keepCRDs: true,
        serviceAccount: { create: true, name },
        dashboard: { enabled: false },
        controller: {
          replicas,
          initContainers: [
            {
              name: "copy-gatewayapi-plugin",
              image: `${GATEWAY_API_PLUGIN.image}:${pluginVersion}`,
              command: ["/bin/sh", "-c"],
              args: [`cp ${GATEWAY_API_PLUGIN.binary} ${PLUGIN_DIR}/`],
              volumeMounts: [pluginMount],
              securityContext: {
                runAsNonRoot: true,
                runAsUser: CONTROLLER_UID,
                allowPrivilegeEscalation: false,
                readOnlyRootFilesystem: true,
                capabilities: { drop: ["ALL"] },
              },
            },
          ],
          volumes: [{ name: PLUGIN_VOLUME, emptyDir: { sizeLimit: "200Mi" } }],
          volumeMounts: [{ ...pluginMount, readOnly: true }],
          trafficRouterPlugins: { trafficRouterPlugins: trafficRouterPlugins() },
          resources: { requests: { cpu: "100m", memory: "128Mi" }, limits: { memory: "512Mi" } },
        },
      },
    },
    pluginRole: {
      metadata: { name: `${name}-gateway-api-plugin` },
      rules: [
        // Up to v0.12.0 the plugin keeps its managed-route state in a ConfigMap in the route's
        // namespace, created on first use: by RemoveManagedRoutes, which Argo Rollouts calls after
        // every full promotion. Creation cannot be limited to a name; updates are. Reading it,
        // and Services, the chart's own ClusterRole already allows.
        { apiGroups: [""], resources: ["configmaps"], verbs: ["create"] },
        {
          apiGroups: [""],
          resources: ["configmaps"],
          resourceNames: [GATEWAY_API_PLUGIN.stateConfigMap],
          verbs: ["update"],
        },
        {
          apiGroups: ["gateway.networking.k8s.io"],
          resources: ["httproutes"],
          verbs: ["get", "update"],
        },
      ],
    },
    pluginRoleBinding: {
      metadata: { name: `${name}-gateway-api-plugin` },
      roleRef: {
        apiGroup: "rbac.authorization.k8s.io",
        kind: "ClusterRole",
        name: `${name}-gateway-api-plugin`,
      },
      subjects: [{ kind: "ServiceAccount", name, namespace }],
    },
  };
}
