import type { PolicyConfigSchema } from "@pulumi/policy";
import {
  forTypes,
  type PackResourcePolicy,
  settingsOf,
  type TypeValidation,
} from "../../../shared/src/policy";
import { listAt, numberAt, stringAt, stringsAt } from "../../../shared/src/props";

const ANYWHERE = ["0.0.0.0/0", "::/0"];
const ALL_PROTOCOLS = ["-1", "all"];
const PORT_PROTOCOLS = ["tcp", "udp", "6", "17", ...ALL_PROTOCOLS];

/** One ingress permission, normalised across the three ways the AWS provider declares them. */
interface Ingress {
  protocol: string;
  fromPort: number;
  toPort: number;
  sources: string[];
}

function ingress(rule: unknown, sourcePaths: string[], protocolPath: string): Ingress {
  const protocol = String(stringAt(rule, protocolPath) ?? numberAt(rule, protocolPath) ?? "-1");
  const all = ALL_PROTOCOLS.includes(protocol.toLowerCase());
  return {
    protocol: protocol.toLowerCase(),
    fromPort: all ? 0 : (numberAt(rule, "fromPort") ?? 0),
    toPort: all ? 65535 : (numberAt(rule, "toPort") ?? 65535),
    sources: sourcePaths.flatMap((p) => stringsAt(rule, p)),
  };
}

/** The ingress permissions of each supported resource type. */
const INGRESS_OF: Readonly<Record<string, (props: unknown) => Ingress[]>> = {
  "aws:ec2/securityGroup:SecurityGroup": (props) =>
    listAt(props, "ingress").map((r) => ingress(r, ["cidrBlocks", "ipv6CidrBlocks"], "protocol")),
  "aws:ec2/securityGroupRule:SecurityGroupRule": (props) =>
    stringAt(props, "type") === "ingress"
      ? [ingress(props, ["cidrBlocks", "ipv6CidrBlocks"], "protocol")]
      : [],
  "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": (props) => [
    ingress(props, ["cidrIpv4", "cidrIpv6"], "ipProtocol"),
  ],
};

/** Ingress open to the internet (0.0.0.0/0 or ::/0). */
function openIngress(props: unknown, type: string): Ingress[] {
  return (INGRESS_OF[type]?.(props) ?? []).filter((r) =>
    r.sources.some((s) => ANYWHERE.includes(s)),
  );
}

function describePorts(rule: Ingress): string {
  if (ALL_PROTOCOLS.includes(rule.protocol)) return "all traffic";
  return rule.fromPort === rule.toPort
    ? `${rule.protocol} ${rule.fromPort}`
    : `${rule.protocol} ${rule.fromPort}-${rule.toPort}`;
}

type IngressCheck = (open: Ingress[], config: { adminPorts: number[] }) => string[];

function validation(check: IngressCheck, schema: PolicyConfigSchema): TypeValidation {
  return (props, args, report) => {
    const problems = check(openIngress(props, args.type), settingsOf(args, schema));
    if (problems.length > 0) {
      report(
        `security group rule(s) in "${args.name}" open ${problems.join("; ")} to the internet.`,
      );
    }
  };
}

function forEveryIngressType(check: IngressCheck, schema: PolicyConfigSchema) {
  return forTypes(
    Object.fromEntries(Object.keys(INGRESS_OF).map((t) => [t, validation(check, schema)])),
  );
}

const ADMIN_PORTS_SCHEMA: PolicyConfigSchema = {
  properties: {
    adminPorts: {
      type: "array",
      items: { type: "integer", minimum: 0, maximum: 65535 },
      default: [22, 3389, 5985, 5986, 6443, 10250, 2379, 2380],
      description: "Ports that must never be open to the internet.",
    },
  },
};

/** No security group opens an administrative port to 0.0.0.0/0 or ::/0. */
export const securityGroupNoPublicAdminIngress: PackResourcePolicy = {
  name: "security-group-no-public-admin-ingress",
  description:
    "No security group allows ingress from 0.0.0.0/0 or ::/0 to an administrative port (SSH, RDP, " +
    "WinRM, the Kubernetes API, the kubelet, etcd).",
  remediationSteps:
    "Restrict the rule's CIDR blocks to your VPN or office ranges, or reach nodes through SSM " +
    "Session Manager and the cluster through its private endpoint.",
  enforcementLevel: "mandatory",
  configSchema: ADMIN_PORTS_SCHEMA,
  validateResource: forEveryIngressType(
    (open, { adminPorts }) =>
      open
        .filter((r) => PORT_PROTOCOLS.includes(r.protocol))
        .flatMap((r) => {
          const exposed = adminPorts.filter((p) => p >= r.fromPort && p <= r.toPort);
          return exposed.length > 0
            ? [`${describePorts(r)} (admin port ${exposed.join(", ")})`]
            : [];
        }),
    ADMIN_PORTS_SCHEMA,
  ),
};

/** Advisory: any ingress from the internet is worth a second look. */
export const securityGroupNoPublicIngress: PackResourcePolicy = {
  name: "security-group-no-public-ingress",
  description: "Security groups allow no ingress from 0.0.0.0/0 or ::/0 on any port.",
  remediationSteps:
    "Put public traffic behind a load balancer and allow only its security group, or narrow the " +
    "CIDR blocks.",
  enforcementLevel: "advisory",
  configSchema: { properties: {} },
  validateResource: forEveryIngressType((open) => open.map(describePorts), { properties: {} }),
};
