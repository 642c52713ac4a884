import type { HealthCheckArgs, RecordArgs } from "@pulumi/aws/route53";
import type { HealthCheckArgs as GcpHealthCheckArgs } from "@pulumi/gcp/compute/healthCheck";
import type { RecordSetArgs } from "@pulumi/gcp/dns/recordSet";
import type * as pulumi from "@pulumi/pulumi";
import { HybridAiConfigError } from "../errors";
import { READINESS_PATH } from "../kubernetes/onnx-service/exposure-plan";
import { assertOneOf, assertWholeNumber } from "../validate";
import {
  FAILOVER_DNS_SERVICES,
  type FailoverEndpointArgs,
  type FailoverTarget,
  ROUTING_POLICIES,
} from "./failover-endpoint-args";

/** The component name in errors. */
export const FAILOVER_ENDPOINT = "FailoverEndpoint";

/** The regions Route 53 health checkers run in. */
export const ROUTE53_CHECKER_REGIONS = [
  "us-east-1",
  "us-west-1",
  "us-west-2",
  "eu-west-1",
  "ap-southeast-1",
  "ap-southeast-2",
  "ap-northeast-1",
  "sa-east-1",
] as const;

/** Route 53's request intervals: 10 (fast, priced higher) or 30 seconds, fixed at creation. */
export const ROUTE53_INTERVALS = [10, 30] as const;

/**
 * What Cloud DNS supports for public zones, as this component offers it: weighted round robin
 * and failover (primary with a backup) routing over health-checked external endpoints, which
 * must be IP addresses, checked by a global HTTP(S) health check from exactly three source
 * regions at intervals of at least 30 seconds. Cloud DNS has no latency-based routing and cannot
 * health-check a hostname, so `latency` and hostname endpoints are refused there.
 */
export const CLOUD_DNS_SUPPORT = {
  policies: ["failover", "weighted"],
  endpointTypes: ["ip"],
  healthCheckProtocols: ["HTTP", "HTTPS"],
  sourceRegions: 3,
  minIntervalSeconds: 30,
} as const;

const SET_IDENTIFIER = /^[A-Za-z0-9]([-A-Za-z0-9]{0,61}[A-Za-z0-9])?$/;
const DNS_NAME = /^(?=.{1,253}\.?$)([a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?\.)+[a-z]{2,63}\.?$/;
const IPV4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;
const GCP_REGION = /^[a-z]+-[a-z]+\d+$/;

/** The settings that bound how long a dead endpoint keeps receiving new clients. */
export interface FailoverTiming {
  /** Seconds between health checks. */
  intervalSeconds: number;
  /** Consecutive failures before the endpoint is marked unhealthy. */
  failureThreshold: number;
  /** Seconds resolvers may cache the old answer. */
  ttlSeconds: number;
}

/**
 * Worst-case seconds from an endpoint failing to every client resolving the other one:
 * `intervalSeconds × failureThreshold` (the checkers' detection) plus `ttlSeconds` (caches
 * holding the old answer). Clients or resolvers that cache beyond the TTL are not bounded.
 */
export function worstCaseFailoverSeconds(timing: FailoverTiming): number {
  return timing.intervalSeconds * timing.failureThreshold + timing.ttlSeconds;
}

/** The resolved health check every endpoint gets. */
export interface ResolvedHealthCheck {
  /** `HTTPS` or `HTTP`. */
  protocol: "HTTPS" | "HTTP";
  /** Port. */
  port: number;
  /** The path checked: `healthCheck.path`, default {@link READINESS_PATH}. */
  path: string;
  /** Seconds between checks. */
  intervalSeconds: number;
  /** Failures before unhealthy. */
  failureThreshold: number;
  /** Checker regions. */
  regions: string[];
}

/** One endpoint's health check and record, as provider arguments. */
export interface PlannedEndpoint {
  /** The endpoint's set identifier. */
  name: string;
  /** Route 53: the health check (its id goes into the record). */
  route53HealthCheck?: HealthCheckArgs;
  /** Route 53: the record, without `healthCheckId` (filled in once the check exists). */
  route53Record?: Omit<RecordArgs, "healthCheckId">;
}

/** Everything {@link FailoverEndpoint} creates. */
export interface FailoverPlan {
  /** The DNS name, without a trailing dot. */
  name: string;
  /** The DNS service. */
  dns: "route53" | "cloud-dns";
  /** The policy. */
  policy: FailoverEndpointArgs["policy"];
  /** Record TTL. */
  ttlSeconds: number;
  /** The health check settings. */
  healthCheck: ResolvedHealthCheck;
  /** Worst-case failover time: interval × threshold + TTL. */
  worstCaseFailoverSeconds: number;
  /** Route 53: one health check and one record per endpoint. */
  endpoints: PlannedEndpoint[];
  /**
   * Cloud DNS: the one global health check and the record set with its routing policy (the
   * policy's `healthCheck` is filled in with the check's id once it exists).
   */
  cloudDns?: { healthCheck: GcpHealthCheckArgs; recordSet: RecordSetArgs };
}

function fail(field: string, value: unknown, allowed: string): never {
  throw new HybridAiConfigError(FAILOVER_ENDPOINT, field, value, allowed);
}

function checkIpv4(field: string, value: pulumi.Input<string>): void {
  if (typeof value !== "string") return;
  const match = IPV4.exec(value);
  if (!match || match.slice(1).some((octet) => Number(octet) > 255)) {
    fail(field, value, "an IPv4 address such as 198.51.100.7");
  }
}

/** A health check path: Route 53 takes at most 255 characters. */
const HEALTH_PATH = /^\/[\x21-\x7e]{0,254}$/;

function resolveHealthCheck(args: FailoverEndpointArgs, cloudDns: boolean): ResolvedHealthCheck {
  const check = args.healthCheck ?? {};
  const protocol = check.protocol ?? "HTTPS";
  assertOneOf(FAILOVER_ENDPOINT, "healthCheck.protocol", protocol, ["HTTPS", "HTTP"]);
  const port = assertWholeNumber(
    FAILOVER_ENDPOINT,
    "healthCheck.port",
    check.port ?? (protocol === "HTTPS" ? 443 : 80),
    1,
    65535,
  );
  const intervalSeconds = check.intervalSeconds ?? (cloudDns ? 30 : 10);
  if (cloudDns) {
    assertWholeNumber(
      FAILOVER_ENDPOINT,
      "healthCheck.intervalSeconds",
      intervalSeconds,
      CLOUD_DNS_SUPPORT.minIntervalSeconds,
      300,
    );
  } else {
    assertOneOf(
      FAILOVER_ENDPOINT,
      "healthCheck.intervalSeconds",
      intervalSeconds,
      ROUTE53_INTERVALS,
      "10 or 30 (Route 53's request intervals; fixed when the health check is created)",
    );
  }
  const failureThreshold = assertWholeNumber(
    FAILOVER_ENDPOINT,
    "healthCheck.failureThreshold",
    check.failureThreshold ?? 3,
    1,
    10,
  );
  let regions: string[];
  if (cloudDns) {
    regions = check.regions ?? [];
    if (
      regions.length !== CLOUD_DNS_SUPPORT.sourceRegions ||
      !regions.every((r) => GCP_REGION.test(r)) ||
      new Set(regions).size !== regions.length
    ) {
      fail(
        "healthCheck.regions",
        check.regions,
        "exactly 3 different Google Cloud regions (Cloud DNS health checks of external endpoints run from 3 source regions), e.g. us-east4, europe-west1, asia-southeast1",
      );
    }
  } else {
    regions = check.regions ?? ["us-east-1", "us-west-2", "eu-west-1"];
    const unknown = regions.filter(
      (r) => !(ROUTE53_CHECKER_REGIONS as readonly string[]).includes(r),
    );
    if (regions.length < 3 || unknown.length > 0 || new Set(regions).size !== regions.length) {
      fail(
        "healthCheck.regions",
        check.regions,
        `at least 3 different Route 53 checker regions of: ${ROUTE53_CHECKER_REGIONS.join(", ")}`,
      );
    }
  }
  const path = check.path ?? READINESS_PATH;
  if (typeof path !== "string" || !HEALTH_PATH.test(path)) {
    fail(
      "healthCheck.path",
      path,
      "an absolute URL path of at most 255 characters without spaces, e.g. /v2/health/ready (OnnxService) or /health (LlmService)",
    );
  }
  return { protocol, port, path, intervalSeconds, failureThreshold, regions };
}

/** Checks the endpoints against the policy: roles, weights, regions, unique identifiers. */
function checkEndpoints(args: FailoverEndpointArgs): void {
  const endpoints = args.endpoints;
  if (!Array.isArray(endpoints) || endpoints.length === 0) {
    fail("endpoints", endpoints, "at least one endpoint { name, address, addressType, … }");
  }
  const names = new Set<string>();
  for (const [i, endpoint] of endpoints.entries()) {
    const at = `endpoints[${i}]`;
    if (typeof endpoint.name !== "string" || !SET_IDENTIFIER.test(endpoint.name)) {
      fail(`${at}.name`, endpoint.name, "1–63 letters, digits and '-', unique among the endpoints");
    }
    if (names.has(endpoint.name)) fail(`${at}.name`, endpoint.name, "a name no other endpoint has");
    names.add(endpoint.name);
    if (endpoint.addressType !== "hostname" && endpoint.addressType !== "ip") {
      fail(`${at}.addressType`, endpoint.addressType, "hostname, ip");
    }
    if (endpoint.addressType === "ip") checkIpv4(`${at}.address`, endpoint.address);
    if (endpoint.aliasZoneId !== undefined && endpoint.addressType !== "hostname") {
      fail(`${at}.aliasZoneId`, endpoint.aliasZoneId, "only with addressType: hostname");
    }
  }
  if (args.policy === "failover") {
    const roles = endpoints.map((e) => e.role);
    if (
      endpoints.length !== 2 ||
      roles.filter((r) => r === "primary").length !== 1 ||
      roles.filter((r) => r === "secondary").length !== 1
    ) {
      fail(
        "endpoints",
        roles,
        "exactly two endpoints for failover: one with role primary and one with role secondary",
      );
    }
  }
  if (args.policy === "weighted") {
    for (const [i, endpoint] of endpoints.entries()) {
      assertWholeNumber(
        FAILOVER_ENDPOINT,
        `endpoints[${i}].weight`,
        endpoint.weight as number,
        0,
        255,
      );
    }
    if (endpoints.every((e) => e.weight === 0)) {
      fail(
        "endpoints",
        endpoints.map((e) => e.weight),
        "at least one weight above 0",
      );
    }
  }
  if (args.policy === "latency") {
    const regions = endpoints.map((e) => e.region);
    for (const [i, region] of regions.entries()) {
      if (typeof region !== "string" || !/^[a-z]{2}(-[a-z]+)+-\d$/.test(region)) {
        fail(
          `endpoints[${i}].region`,
          region,
          "the AWS region the endpoint counts as, e.g. us-west-2",
        );
      }
      if (regions.indexOf(region) !== i) {
        fail(
          `endpoints[${i}].region`,
          region,
          "a region no other endpoint has (one latency record per region)",
        );
      }
    }
  }
  for (const [i, endpoint] of endpoints.entries()) {
    const misplaced =
      (endpoint.role !== undefined && args.policy !== "failover" && "role") ||
      (endpoint.weight !== undefined && args.policy !== "weighted" && "weight") ||
      (endpoint.region !== undefined && args.policy !== "latency" && "region");
    if (misplaced) {
      fail(
        `endpoints[${i}].${misplaced}`,
        endpoint[misplaced],
        `not set with policy ${args.policy}`,
      );
    }
  }
}

/** The record type every endpoint shares: A (IPs, alias A) or CNAME (plain hostnames). */
function recordTypeOf(endpoint: FailoverTarget): "A" | "CNAME" {
  return endpoint.addressType === "ip" || endpoint.aliasZoneId !== undefined ? "A" : "CNAME";
}

function route53Endpoint(
  args: FailoverEndpointArgs,
  name: string,
  ttlSeconds: number,
  check: ResolvedHealthCheck,
  endpoint: FailoverTarget,
): PlannedEndpoint {
  const type = recordTypeOf(endpoint);
  const routing =
    args.policy === "failover"
      ? {
          failoverRoutingPolicies: [
            { type: endpoint.role === "primary" ? "PRIMARY" : "SECONDARY" },
          ],
        }
      : args.policy === "weighted"
        ? { weightedRoutingPolicies: [{ weight: endpoint.weight as number }] }
        : { latencyRoutingPolicies: [{ region: endpoint.region as string }] };
  const target =
    endpoint.aliasZoneId !== undefined
      ? {
          aliases: [
            { name: endpoint.address, zoneId: endpoint.aliasZoneId, evaluateTargetHealth: false },
          ],
        }
      : { ttl: ttlSeconds, records: [endpoint.address] };
  return {
    name: endpoint.name,
    route53HealthCheck: {
      type: check.protocol,
      ...(endpoint.addressType === "ip"
        ? { ipAddress: endpoint.address, fqdn: name }
        : { fqdn: endpoint.address }),
      port: check.port,
      resourcePath: check.path,
      requestInterval: check.intervalSeconds,
      failureThreshold: check.failureThreshold,
      regions: check.regions,
      ...(check.protocol === "HTTPS" ? { enableSni: true } : {}),
      tags: { ...args.tags, Name: `${name} ${endpoint.name}` },
    },
    route53Record: {
      zoneId: args.zoneId as pulumi.Input<string>,
      name,
      type,
      setIdentifier: endpoint.name,
      ...routing,
      ...target,
    },
  };
}

function cloudDnsPlan(
  args: FailoverEndpointArgs,
  name: string,
  ttlSeconds: number,
  check: ResolvedHealthCheck,
  healthCheckName: string,
): NonNullable<FailoverPlan["cloudDns"]> {
  const probe = { port: check.port, requestPath: check.path };
  const healthCheck: GcpHealthCheckArgs = {
    name: healthCheckName,
    ...(args.project ? { project: args.project } : {}),
    checkIntervalSec: check.intervalSeconds,
    timeoutSec: 5,
    unhealthyThreshold: check.failureThreshold,
    healthyThreshold: 2,
    sourceRegions: check.regions,
    ...(check.protocol === "HTTPS" ? { httpsHealthCheck: probe } : { httpHealthCheck: probe }),
  };
  const ips = (e: FailoverTarget) => ({ externalEndpoints: [e.address] });
  const routingPolicy =
    args.policy === "failover"
      ? (() => {
          const primary = args.endpoints.find((e) => e.role === "primary") as FailoverTarget;
          const backup = args.endpoints.find((e) => e.role === "secondary") as FailoverTarget;
          return {
            primaryBackup: {
              primary: ips(primary),
              backupGeos: [
                {
                  location: backup.backupRegion ?? check.regions[0],
                  healthCheckedTargets: ips(backup),
                },
              ],
              trickleRatio: 0,
            },
          };
        })()
      : {
          wrrs: args.endpoints.map((e) => ({
            weight: e.weight as number,
            healthCheckedTargets: ips(e),
          })),
        };
  return {
    healthCheck,
    recordSet: {
      managedZone: args.managedZone as string,
      ...(args.project ? { project: args.project } : {}),
      name: `${name}.`,
      type: "A",
      ttl: ttlSeconds,
      routingPolicy,
    },
  };
}

function checkCloudDns(args: FailoverEndpointArgs): void {
  assertOneOf(
    FAILOVER_ENDPOINT,
    "policy",
    args.policy,
    CLOUD_DNS_SUPPORT.policies,
    "failover or weighted with dns: cloud-dns (Cloud DNS has no latency-based routing; use Route 53 for latency)",
  );
  for (const [i, endpoint] of args.endpoints.entries()) {
    if (endpoint.addressType !== "ip") {
      fail(
        `endpoints[${i}].addressType`,
        endpoint.addressType,
        "ip with dns: cloud-dns (Cloud DNS health-checks external endpoints by IP address only; an AWS NLB's hostname needs Route 53)",
      );
    }
    if (endpoint.backupRegion !== undefined && !GCP_REGION.test(endpoint.backupRegion)) {
      fail(
        `endpoints[${i}].backupRegion`,
        endpoint.backupRegion,
        "a Google Cloud region, e.g. us-central1",
      );
    }
  }
  if (typeof args.managedZone !== "string" || !/^[a-z][-a-z0-9]{0,62}$/.test(args.managedZone)) {
    fail("managedZone", args.managedZone, "the Cloud DNS managed zone's name holding the name");
  }
  if (args.zoneId !== undefined)
    fail("zoneId", args.zoneId, "not set with dns: cloud-dns (managedZone names the zone)");
}

/**
 * Validates {@link FailoverEndpointArgs} and plans every health check and record. Throws
 * {@link HybridAiConfigError} naming the field for: an unknown DNS service or policy, a name
 * that is not a DNS name, a TTL outside 0–86400, a Route 53 interval other than 10 or 30, a
 * threshold outside 1–10, checker regions Route 53 (at least 3 of its 8) or Cloud DNS (exactly
 * 3) does not accept, failover without exactly one primary and one secondary, weights outside
 * 0–255 or all 0, latency without distinct AWS regions, a policy field set under another policy,
 * endpoint record types that cannot share a name (a CNAME beside A records), a Route 53 endpoint
 * without a zone id, and on Cloud DNS the `latency` policy, hostname endpoints or a missing
 * managed zone.
 */
export function planFailoverEndpoint(
  componentName: string,
  args: FailoverEndpointArgs,
): FailoverPlan {
  const dns = args.dns ?? "route53";
  assertOneOf(FAILOVER_ENDPOINT, "dns", dns, FAILOVER_DNS_SERVICES);
  assertOneOf(FAILOVER_ENDPOINT, "policy", args.policy, ROUTING_POLICIES);
  const name = typeof args.name === "string" ? args.name.toLowerCase().replace(/\.$/, "") : "";
  if (!DNS_NAME.test(name)) {
    fail("name", args.name, "a DNS name in the zone, e.g. infer.example.com");
  }
  const ttlSeconds = assertWholeNumber(
    FAILOVER_ENDPOINT,
    "ttlSeconds",
    args.ttlSeconds ?? 60,
    0,
    86400,
  );
  checkEndpoints(args);
  const cloudDns = dns === "cloud-dns";
  if (cloudDns) checkCloudDns(args);
  const check = resolveHealthCheck(args, cloudDns);
  const timing = {
    intervalSeconds: check.intervalSeconds,
    failureThreshold: check.failureThreshold,
    ttlSeconds,
  };
  const base = {
    name,
    dns,
    policy: args.policy,
    ttlSeconds,
    healthCheck: check,
    worstCaseFailoverSeconds: worstCaseFailoverSeconds(timing),
  } as const;
  if (cloudDns) {
    const healthCheckName = `${componentName}-ready`
      .toLowerCase()
      .replace(/[^-a-z0-9]/g, "-")
      .slice(0, 63);
    return {
      ...base,
      endpoints: [],
      cloudDns: cloudDnsPlan(args, name, ttlSeconds, check, healthCheckName),
    };
  }
  if (args.zoneId === undefined) {
    fail("zoneId", args.zoneId, "the Route 53 public hosted zone id holding the name");
  }
  if (args.managedZone !== undefined)
    fail("managedZone", args.managedZone, "not set with dns: route53");
  const types = new Set(args.endpoints.map(recordTypeOf));
  if (types.size > 1) {
    fail(
      "endpoints",
      args.endpoints.map((e) => `${e.name}: ${recordTypeOf(e)}`),
      "record types that can share a name: give AWS load balancer hostnames an aliasZoneId (alias A records beside the other endpoints' A records), or use hostnames (CNAME) for every endpoint",
    );
  }
  return {
    ...base,
    endpoints: args.endpoints.map((e) => route53Endpoint(args, name, ttlSeconds, check, e)),
  };
}
