import type { PackResourcePolicy } from "../../../shared/src/policy";
import { at, jsonDocument, listAt, stringAt, stringsAt } from "../../../shared/src/props";

const PUBLIC_MEMBERS = ["allUsers", "allAuthenticatedUsers"];
/** Every GCP IAM member, binding and policy resource: `gcp:<module>/<x>IAMMember:<X>IAMMember` … */
const GCP_IAM_TYPE = /^gcp:[^:]+:[A-Za-z]*IAM(Member|Binding|Policy)$/;

function membersOf(props: unknown): string[] {
  const policy = jsonDocument(at(props, "policyData"));
  return [
    ...stringsAt(props, "member"),
    ...stringsAt(props, "members"),
    ...listAt(policy, "bindings").flatMap((b) => stringsAt(b, "members")),
  ];
}

/** No GCP IAM grant goes to allUsers or allAuthenticatedUsers. */
export const gcpNoPublicIamMembers: PackResourcePolicy = {
  name: "gcp-no-public-iam-members",
  description:
    "No GCP IAM member, binding or policy grants a role to allUsers or allAuthenticatedUsers.",
  remediationSteps:
    "Grant the role to the service accounts, groups or users that need it; serve public content " +
    "through a load balancer or signed URLs instead.",
  enforcementLevel: "mandatory",
  configSchema: { properties: {} },
  validateResource: (args, report) => {
    if (!GCP_IAM_TYPE.test(args.type)) {
      args.notApplicable("applies to GCP IAMMember, IAMBinding and IAMPolicy resources");
    }
    const publicMembers = membersOf(args.props).filter((m) => PUBLIC_MEMBERS.includes(m));
    if (publicMembers.length > 0) {
      const role = stringAt(args.props, "role");
      report(
        `"${args.name}" grants ${role ?? "roles"} to ${[...new Set(publicMembers)].join(", ")}.`,
      );
    }
  },
};
