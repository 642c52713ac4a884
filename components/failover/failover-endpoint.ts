import { HealthCheck, Record as Route53Record } from "@pulumi/aws/route53";
import { HealthCheck as GcpHealthCheck } from "@pulumi/gcp/compute/healthCheck";
import { RecordSet } from "@pulumi/gcp/dns/recordSet";
import * as pulumi from "@pulumi/pulumi";
import type { FailoverEndpointArgs } from "./failover-endpoint-args";
import { planFailoverEndpoint } from "./failover-endpoint-plan";

/** One endpoint's published record and health check, as outputs. */
export interface FailoverRecordOutput {
  /** The endpoint's set identifier. */
  name: string;
  /** What the record answers: the endpoint's address. */
  address: pulumi.Output<string>;
  /** The health check's id. */
  healthCheckId: pulumi.Output<string>;
}

/**
 * One DNS name over endpoints in several clouds, each health-checked on `healthCheck.path`
 * (default the serving runtime's `GET /v2/health/ready`; `/health` for vLLM; open without a
 * token, so the checkers need no header): Route 53
 * records with `failover` (primary/secondary), `weighted` or `latency` routing and a health
 * check per endpoint; or, for zones on Google Cloud, a Cloud DNS record set with failover or
 * weighted routing over IP endpoints and one global health check. Everything is validated by
 * {@link planFailoverEndpoint} before a resource registers.
 */
export class FailoverEndpoint extends pulumi.ComponentResource {
  /** The DNS name clients use. */
  readonly name: string;
  /** The routing policy. */
  readonly policy: string;
  /** Worst-case seconds for clients to move off a failed endpoint: interval × threshold + TTL. */
  readonly worstCaseFailoverSeconds: number;
  /** Each endpoint's record and health check. */
  readonly records: FailoverRecordOutput[];
  /** Ids of the health checks (one per endpoint on Route 53, one in all on Cloud DNS). */
  readonly healthCheckIds: pulumi.Output<string[]>;

  /**
   * @param name component name (also names the Cloud DNS health check)
   * @param args see {@link FailoverEndpointArgs}
   * @param opts component options; pass `providers: { aws }` or `{ gcp }` for the DNS account
   */
  constructor(name: string, args: FailoverEndpointArgs, opts?: pulumi.ComponentResourceOptions) {
    const plan = planFailoverEndpoint(name, args);
    super("hybridai:index:FailoverEndpoint", name, {}, opts);
    this.name = plan.name;
    this.policy = plan.policy;
    this.worstCaseFailoverSeconds = plan.worstCaseFailoverSeconds;
    const parent = { parent: this };
    if (plan.cloudDns) {
      const check = new GcpHealthCheck(`${name}-ready`, plan.cloudDns.healthCheck, parent);
      new RecordSet(
        name,
        {
          ...plan.cloudDns.recordSet,
          routingPolicy: pulumi
            .all([plan.cloudDns.recordSet.routingPolicy ?? {}, check.id])
            .apply(([policy, healthCheck]) => ({ ...policy, healthCheck })),
        },
        parent,
      );
      this.records = args.endpoints.map((e) => ({
        name: e.name,
        address: pulumi.output(e.address),
        healthCheckId: check.id,
      }));
      this.healthCheckIds = pulumi.all([check.id]);
    } else {
      this.records = plan.endpoints.map((endpoint, i) => {
        const check = new HealthCheck(
          `${name}-${endpoint.name}`,
          endpoint.route53HealthCheck as NonNullable<typeof endpoint.route53HealthCheck>,
          parent,
        );
        new Route53Record(
          `${name}-${endpoint.name}`,
          {
            ...(endpoint.route53Record as NonNullable<typeof endpoint.route53Record>),
            healthCheckId: check.id,
          },
          parent,
        );
        return {
          name: endpoint.name,
          address: pulumi.output(args.endpoints[i].address),
          healthCheckId: check.id,
        };
      });
      this.healthCheckIds = pulumi.all(this.records.map((r) => r.healthCheckId));
    }
    this.registerOutputs({
      name: this.name,
      policy: this.policy,
      worstCaseFailoverSeconds: this.worstCaseFailoverSeconds,
      healthCheckIds: this.healthCheckIds,
    });
  }
}
