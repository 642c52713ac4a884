import {
  forTypes,
  kindOf,
  type PackResourcePolicy,
  sameFor,
  type TypeValidation,
} from "../../../shared/src/policy";
import { at, jsonDocument, listAt, stringAt, stringsAt } from "../../../shared/src/props";

const ADMINISTRATOR_ACCESS = /^arn:aws[a-z-]*:iam::aws:policy\/AdministratorAccess$/;
const WILDCARD_ACTIONS = ["*", "*:*"];

function strings(value: unknown): string[] {
  return (Array.isArray(value) ? value : [value]).filter((v): v is string => typeof v === "string");
}

/** The statements (Sid or position) of a policy document that allow every action on every resource. */
function adminStatements(document: unknown): string[] {
  return listAt(jsonDocument(document), "Statement")
    .map((statement, index) => ({ statement, index }))
    .filter(
      ({ statement }) =>
        stringAt(statement, "Effect") === "Allow" &&
        strings(at(statement, "Action")).some((a) => WILDCARD_ACTIONS.includes(a)) &&
        strings(at(statement, "Resource")).includes("*"),
    )
    .map(({ statement, index }) => stringAt(statement, "Sid") ?? `#${index + 1}`);
}

const policyDocument: TypeValidation = (props, args, report) => {
  const found = adminStatements(at(props, "policy"));
  if (found.length > 0) {
    report(
      `${kindOf(args.type)} "${args.name}" allows Action "*" on Resource "*" (statement ${found.join(", ")}).`,
    );
  }
};

const attachment: TypeValidation = (props, args, report) => {
  const arn = stringAt(props, "policyArn");
  if (arn && ADMINISTRATOR_ACCESS.test(arn)) {
    report(`${kindOf(args.type)} "${args.name}" attaches AdministratorAccess (Action "*" on "*").`);
  }
};

/** No IAM policy allows every action on every resource. */
export const iamNoWildcardAdmin: PackResourcePolicy = {
  name: "iam-no-wildcard-admin",
  description:
    'No IAM policy statement allows Action "*" on Resource "*", and AdministratorAccess is not attached.',
  remediationSteps:
    "List the actions the principal needs and scope Resource to the ARNs it uses (conditions on " +
    "tags or the cluster name help); use IRSA/Pod Identity roles per workload.",
  enforcementLevel: "mandatory",
  configSchema: { properties: {} },
  validateResource: forTypes({
    ...sameFor(
      [
        "aws:iam/policy:Policy",
        "aws:iam/rolePolicy:RolePolicy",
        "aws:iam/userPolicy:UserPolicy",
        "aws:iam/groupPolicy:GroupPolicy",
      ],
      policyDocument,
    ),
    ...sameFor(
      [
        "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
        "aws:iam/userPolicyAttachment:UserPolicyAttachment",
        "aws:iam/groupPolicyAttachment:GroupPolicyAttachment",
        "aws:iam/policyAttachment:PolicyAttachment",
      ],
      attachment,
    ),
    "aws:iam/role:Role": (props, args, report) => {
      const inline = listAt(props, "inlinePolicies").flatMap((p) =>
        adminStatements(at(p, "policy")).map((sid) => `${stringAt(p, "name") ?? "inline"}/${sid}`),
      );
      const admin = stringsAt(props, "managedPolicyArns").filter((arn) =>
        ADMINISTRATOR_ACCESS.test(arn),
      );
      if (inline.length > 0) {
        report(
          `role "${args.name}" has inline policy statements allowing "*" on "*": ${inline.join(", ")}.`,
        );
      }
      if (admin.length > 0) {
        report(`role "${args.name}" attaches AdministratorAccess through managedPolicyArns.`);
      }
    },
  }),
};
