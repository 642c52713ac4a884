import type * as pulumi from "@pulumi/pulumi";

/** The DNS services a {@link FailoverEndpoint} can publish its name in, by name. */
export const FailoverDnsService = {
  /** An Amazon Route 53 public hosted zone. */
  Route53: "route53",
  /** A Cloud DNS public zone. */
  CloudDns: "cloud-dns",
} as const;

/** `route53` (an Amazon Route 53 public hosted zone) or `cloud-dns` (a Cloud DNS public zone). */
export type FailoverDnsService = (typeof FailoverDnsService)[keyof typeof FailoverDnsService];

/** The DNS services a {@link FailoverEndpoint} can publish its name in. */
export const FAILOVER_DNS_SERVICES: readonly FailoverDnsService[] =
  Object.values(FailoverDnsService);

/** Routing policies across the endpoints, by name. */
export const RoutingPolicy = {
  /** Active-passive: the primary while healthy, else the secondary. */
  Failover: "failover",
  /** Active-active by weight among the healthy endpoints. */
  Weighted: "weighted",
  /** The healthy endpoint of the AWS region nearest the resolver (Route 53 only). */
  Latency: "latency",
} as const;

/** Routing policies across the endpoints. */
export const ROUTING_POLICIES: readonly RoutingPolicy[] = Object.values(RoutingPolicy);

/**
 * `failover`: active-passive, the primary while healthy, else the secondary; `weighted`:
 * active-active by weight among the healthy endpoints; `latency`: the healthy endpoint of the
 * AWS region nearest the resolver (Route 53 only).
 */
export type RoutingPolicy = (typeof RoutingPolicy)[keyof typeof RoutingPolicy];

/** The protocols endpoints are health-checked over, by name. */
export const HealthCheckProtocol = {
  /** HTTPS. */
  Https: "HTTPS",
  /** Plain HTTP. */
  Http: "HTTP",
} as const;

/** `HTTPS` or `HTTP`. */
export type HealthCheckProtocol = (typeof HealthCheckProtocol)[keyof typeof HealthCheckProtocol];

/** What an endpoint's address is, by name: it decides the DNS record type. */
export const FailoverAddressType = {
  /** A hostname (a CNAME, or an alias A record with `aliasZoneId`). */
  Hostname: "hostname",
  /** An IPv4 address (an A record). */
  Ip: "ip",
} as const;

/** `hostname` or `ip`. */
export type FailoverAddressType = (typeof FailoverAddressType)[keyof typeof FailoverAddressType];

/** An endpoint's part in the `failover` policy, by name. */
export const FailoverRole = {
  /** Answered while healthy. */
  Primary: "primary",
  /** Answered while the primary is unhealthy. */
  Secondary: "secondary",
} as const;

/** `primary` or `secondary`. */
export type FailoverRole = (typeof FailoverRole)[keyof typeof FailoverRole];

/** How every endpoint is health-checked: `GET <path>`, by default the serving runtime's readiness. */
export interface FailoverHealthCheck {
  /**
   * The path every checker requests, open without a token: `/v2/health/ready` (default, the
   * serving runtime's readiness; OnnxService) or `/health` (vLLM; LlmService).
   */
  path?: string;
  /** `HTTPS` (default) or `HTTP`; the same for every endpoint, as clients use one URL. */
  protocol?: HealthCheckProtocol;
  /** Port. Default 443 for HTTPS, 80 for HTTP. */
  port?: number;
  /**
   * Seconds between checks from each checker region: Route 53 offers 10 or 30, fixed when the
   * check is created (a change replaces it); Cloud DNS at least 30. Default 10 (Route 53), 30
   * (Cloud DNS).
   */
  intervalSeconds?: number;
  /** Consecutive failures before an endpoint counts as unhealthy (1–10). Default 3. */
  failureThreshold?: number;
  /**
   * Checker regions: Route 53 at least 3 of its checker regions (default: us-east-1,
   * us-west-2, eu-west-1); Cloud DNS exactly 3 Google Cloud regions (required).
   */
  regions?: string[];
}

/** One regional endpoint behind the name. */
export interface FailoverTarget {
  /** Set identifier (unique among the endpoints; 1–63 letters, digits, `-`), e.g. `aws-us-west-2`. */
  name: string;
  /** The load balancer's public address: a hostname or an IPv4 address. */
  address: pulumi.Input<string>;
  /** What `address` is (decides the record type): `hostname` or `ip`. */
  addressType: FailoverAddressType;
  /**
   * Route 53, hostname of an AWS load balancer: its canonical hosted zone id (e.g. from
   * `aws.elb.getHostedZoneId({ loadBalancerType: "network" })`). The record is then an alias A
   * record, which can share the name with other endpoints' A records (a CNAME cannot).
   */
  aliasZoneId?: pulumi.Input<string>;
  /** `failover`: `primary` or `secondary`. */
  role?: FailoverRole;
  /** `weighted`: 0–255 (0 = standby, answered only when every weighted endpoint is unhealthy). */
  weight?: number;
  /** `latency`: the AWS region the endpoint counts as being in (nearest to it for other clouds). */
  region?: string;
  /** `cloud-dns` failover: the Google Cloud region whose resolvers the backup serves. Default: the first checker region. */
  backupRegion?: string;
}

/**
 * Arguments of {@link FailoverEndpoint}. Plain values except the endpoints' addresses and zone
 * ids, which load balancers produce.
 */
export interface FailoverEndpointArgs {
  /** The DNS name clients use, e.g. `infer.example.com` (inside the zone). */
  name: string;
  /** Where the name is published. Default `route53`. */
  dns?: FailoverDnsService;
  /** `route53`: the public hosted zone id. */
  zoneId?: pulumi.Input<string>;
  /** `cloud-dns`: the managed zone's name. */
  managedZone?: string;
  /** `cloud-dns`: the project of the zone. Default: the provider's. */
  project?: string;
  /** Routing policy. */
  policy: RoutingPolicy;
  /** Record TTL, seconds (0–86400). Default 60: part of the worst-case failover time. */
  ttlSeconds?: number;
  /** The endpoints' health check. */
  healthCheck?: FailoverHealthCheck;
  /** The endpoints, from any cloud. */
  endpoints: FailoverTarget[];
  /** Tags (Route 53 health checks) or labels. */
  tags?: Record<string, string>;
}
