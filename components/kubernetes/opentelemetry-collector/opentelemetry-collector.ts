import { Release } from "@pulumi/kubernetes/helm/v3";
import * as pulumi from "@pulumi/pulumi";
import type { OpenTelemetryCollectorArgs } from "./opentelemetry-collector-args";
import { type CollectorRef, planOpenTelemetryCollector } from "./opentelemetry-collector-plan";

/**
 * An OpenTelemetry Collector for the runtime's traces: the upstream chart, pinned, in deployment
 * mode, receiving OTLP (gRPC 4317, HTTP 4318) from the cluster's pods and sending spans on to one
 * exporter (a tracing backend over OTLP, or its own log). `OnnxService` and `EdgeFleet` with
 * `tracing` and no endpoint send to it by its default name; pass its `ref` as
 * `tracing.collector` to address it by whatever name it has and narrow their egress to its pods.
 */
export class OpenTelemetryCollector extends pulumi.ComponentResource {
  /** Helm release name. */
  readonly releaseName: pulumi.Output<string>;
  /** Namespace of the collector. */
  readonly namespace: pulumi.Output<string>;
  /** Name of the collector's Service. */
  readonly serviceName: pulumi.Output<string>;
  /** OTLP/HTTP base URL inside the cluster, e.g. `http://otel-collector.observability.svc:4318`. */
  readonly endpoint: pulumi.Output<string>;
  /** The collector as `OnnxService`'s and `EdgeFleet`'s `tracing.collector` take it (plain values). */
  readonly ref: CollectorRef;

  /**
   * @param name component name; also the Helm release name
   * @param args see {@link OpenTelemetryCollectorArgs}
   * @param opts component resource options
   */
  constructor(
    name: string,
    args: OpenTelemetryCollectorArgs = {},
    opts: pulumi.ComponentResourceOptions = {},
  ) {
    const plan = planOpenTelemetryCollector(name, args);
    super("hybridai:index:OpenTelemetryCollector", name, {}, opts);
    const release = new Release(name, plan.release, {
      parent: this,
      ...(args.provider ? { provider: args.provider } : {}),
    });
    this.releaseName = release.name;
    this.namespace = pulumi.output(plan.namespace);
    this.serviceName = pulumi.output(plan.serviceName);
    this.endpoint = pulumi.output(plan.endpoint);
    this.ref = plan.ref;
    this.registerOutputs({
      releaseName: this.releaseName,
      namespace: this.namespace,
      serviceName: this.serviceName,
      endpoint: this.endpoint,
      ref: this.ref,
    });
  }
}
