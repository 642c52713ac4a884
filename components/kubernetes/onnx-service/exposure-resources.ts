import { CustomResource } from "@pulumi/kubernetes/apiextensions";
import { Service } from "@pulumi/kubernetes/core/v1";
import type * as pulumi from "@pulumi/pulumi";
import type { ChildOptions } from "../../dependency";
import { EXPOSURE_SUFFIX, type ExposurePlan } from "./exposure-plan";

/** The part of a Gateway's status that names its addresses. */
interface GatewayStatus {
  addresses?: { value?: string }[];
}

/**
 * Creates a service's planned exposure, `<name>-public`, and returns its public address once the
 * cloud assigned it: the load balancer Service's hostname (AWS NLB) or IP, or the Gateway's
 * first address (its HTTPRoute waits for it). Shared by `OnnxService` and `LlmService`.
 * @param name the component name.
 * @param exposure the planned objects.
 * @param loadBalancer options of the load balancer Service (it waits for the pods, like any
 *   Service selecting them).
 * @param options options of the Gateway's objects, waiting for the resources given.
 */
export function createExposure(
  name: string,
  exposure: ExposurePlan,
  loadBalancer: pulumi.CustomResourceOptions,
  options: ChildOptions,
): pulumi.Output<string> {
  const publicName = `${name}${EXPOSURE_SUFFIX}`;
  if (exposure.service) {
    const lb = new Service(publicName, exposure.service, loadBalancer);
    return lb.status.apply(
      (status) =>
        status?.loadBalancer?.ingress?.[0]?.hostname ??
        status?.loadBalancer?.ingress?.[0]?.ip ??
        "",
    );
  }
  const planned = exposure.gateway as NonNullable<ExposurePlan["gateway"]>;
  // `status` registered as an output so the Gateway's assigned address can be read back.
  const gateway = new CustomResource(
    publicName,
    { ...planned.gateway, status: undefined },
    options(),
  );
  new CustomResource(publicName, planned.route, options(gateway));
  new CustomResource(publicName, planned.healthCheck, options());
  if (planned.backendPolicy) new CustomResource(publicName, planned.backendPolicy, options());
  const status = (gateway as unknown as { status: pulumi.Output<GatewayStatus | undefined> })
    .status;
  return status.apply((s) => s?.addresses?.[0]?.value ?? "");
}
