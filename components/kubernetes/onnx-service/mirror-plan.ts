import type { CustomResourceArgs } from "@pulumi/kubernetes/apiextensions";
import { HybridAiConfigError } from "../../errors";
import { assertWholeNumber } from "../../validate";
import { assertDns1035, assertNamespace } from "../validate";
import { checkRouteAttachment, planServiceRoute } from "./canary-plan";
import type { OnnxServiceArgs, ServingMirror } from "./onnx-service-args";

/** A mirror's target after validation and defaults. */
export interface ResolvedMirror {
  /** Service receiving the copies. */
  service: string;
  /** Its namespace. */
  namespace: string;
  /** Its port. */
  port: number;
}

/** The objects a mirror adds to a service. */
export interface MirrorPlan {
  /** The HTTPRoute carrying the mirror, when no canary or rollout route exists to carry it. */
  route?: CustomResourceArgs;
  /** gateway.networking.k8s.io/v1beta1 ReferenceGrant in the target's namespace, when it differs. */
  referenceGrant?: CustomResourceArgs;
}

/**
 * Validates `args.mirror`: a Service name, namespace and port; not the service itself; a Gateway
 * exactly when no `canary` or `rollout` route exists to carry the filter. Throws
 * {@link HybridAiConfigError} naming the field.
 */
export function checkMirror(
  component: string,
  name: string,
  namespace: string,
  port: number,
  args: OnnxServiceArgs,
): ResolvedMirror {
  const mirror = args.mirror as ServingMirror;
  assertDns1035(component, "mirror.service", mirror.service);
  const target = {
    service: mirror.service,
    namespace: mirror.namespace ?? namespace,
    port: mirror.port ?? port,
  };
  assertNamespace(component, "mirror.namespace", target.namespace);
  assertWholeNumber(component, "mirror.port", target.port, 1, 65535);
  if (target.service === name && target.namespace === namespace) {
    throw new HybridAiConfigError(
      component,
      "mirror.service",
      mirror.service,
      `a Service other than ${name} itself (mirroring a service to itself doubles its load)`,
    );
  }
  const routedBy = args.canary ? "canary" : args.rollout ? "rollout" : undefined;
  if (routedBy && (mirror.gateway !== undefined || mirror.hostnames !== undefined)) {
    throw new HybridAiConfigError(
      component,
      mirror.gateway !== undefined ? "mirror.gateway" : "mirror.hostnames",
      mirror.gateway ?? mirror.hostnames,
      `unset: the mirror joins the ${routedBy}'s HTTPRoute on ${routedBy}.gateway`,
    );
  }
  if (!routedBy) checkRouteAttachment(component, "mirror", mirror);
  return target;
}

/** The Gateway API `RequestMirror` filter copying every request to the target. */
export function mirrorFilter(target: ResolvedMirror): Record<string, unknown> {
  return {
    type: "RequestMirror",
    requestMirror: {
      backendRef: {
        group: "",
        kind: "Service",
        name: target.service,
        namespace: target.namespace,
        port: target.port,
      },
    },
  };
}

/**
 * The mirror's own objects: an HTTPRoute sending every request to the service and a copy to the
 * target, unless `routed` (a canary or rollout route carries the filter instead); and, for a
 * target in another namespace, the ReferenceGrant without which the Gateway refuses the
 * cross-namespace reference (`ResolvedRefs: False`) and mirrors nothing.
 */
export function planMirror(
  name: string,
  namespace: string,
  labels: Record<string, string>,
  port: number,
  mirror: ServingMirror,
  target: ResolvedMirror,
  routed: boolean,
): MirrorPlan {
  const plan: MirrorPlan = {};
  if (!routed && mirror.gateway) {
    plan.route = planServiceRoute(
      name,
      namespace,
      labels,
      port,
      { gateway: mirror.gateway, ...(mirror.hostnames ? { hostnames: mirror.hostnames } : {}) },
      [{ name, weight: 100 }],
      [mirrorFilter(target)],
    );
  }
  if (target.namespace !== namespace) {
    plan.referenceGrant = {
      apiVersion: "gateway.networking.k8s.io/v1beta1",
      kind: "ReferenceGrant",
      metadata: { name: `${namespace}-${name}-mirror`, namespace: target.namespace, labels },
      spec: {
        from: [{ group: "gateway.networking.k8s.io", kind: "HTTPRoute", namespace }],
        to: [{ group: "", kind: "Service", name: target.service }],
      },
    };
  }
  return plan;
}
