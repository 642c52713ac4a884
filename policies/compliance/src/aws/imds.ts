import { forTypes, type PackResourcePolicy, settingsOf } from "../../../shared/src/policy";
import { numberAt, objectAt, stringAt } from "../../../shared/src/props";

/** What is wrong with a `metadataOptions` block, given the largest hop limit allowed. */
function metadataProblems(props: Readonly<Record<string, unknown>>, maxHopLimit: number): string[] {
  const options = objectAt(props, "metadataOptions");
  if (stringAt(options, "httpEndpoint") === "disabled") return [];
  const problems: string[] = [];
  if (stringAt(options, "httpTokens") !== "required") {
    problems.push(`httpTokens is ${stringAt(options, "httpTokens") ?? "unset"} (IMDSv1 allowed)`);
  }
  const hops = numberAt(options, "httpPutResponseHopLimit");
  if (hops === undefined || hops > maxHopLimit) {
    problems.push(
      `httpPutResponseHopLimit is ${hops ?? "unset"} (containers can reach the node's credentials)`,
    );
  }
  return problems;
}

/** Instances and launch templates require IMDSv2 with a hop limit of 1. */
export const imdsv2Required: PackResourcePolicy = {
  name: "imdsv2-required",
  description:
    "EC2 instances and launch templates require IMDSv2 (httpTokens required) with a response hop " +
    "limit of 1, so pods cannot read the node's instance-profile credentials.",
  remediationSteps:
    'Set metadataOptions { httpEndpoint: "enabled", httpTokens: "required", ' +
    "httpPutResponseHopLimit: 1 }; give pods AWS access through IRSA or EKS Pod Identity.",
  enforcementLevel: "mandatory",
  configSchema: {
    properties: {
      maxHopLimit: {
        type: "integer",
        minimum: 1,
        maximum: 64,
        default: 1,
        description: "The largest httpPutResponseHopLimit allowed.",
      },
    },
  },
  validateResource: forTypes({
    "aws:ec2/launchTemplate:LaunchTemplate": (props, args, report) => {
      const problems = metadataProblems(
        props,
        settingsOf<{ maxHopLimit: number }>(args, imdsv2Required.configSchema).maxHopLimit,
      );
      if (problems.length > 0) {
        report(`launch template "${args.name}": ${problems.join("; ")}.`);
      }
    },
    "aws:ec2/instance:Instance": (props, args, report) => {
      const problems = metadataProblems(
        props,
        settingsOf<{ maxHopLimit: number }>(args, imdsv2Required.configSchema).maxHopLimit,
      );
      if (problems.length > 0) {
        report(`EC2 instance "${args.name}": ${problems.join("; ")}.`);
      }
    },
  }),
};
