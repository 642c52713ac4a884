import { aws } from "pulumi-hybridai";
import { validateKubernetesObject } from "pulumi-hybridai/testing";
import { describe, expect, it } from "vitest";
import { podFromHelmValues } from "./iam-assertions";

const { interruptionEventPatterns, terminationHandlerValues } = aws;

describe("interruption event patterns", () => {
  const patterns = interruptionEventPatterns("hybridai-fleet-l4");

  it("covers spot interruption, rebalance, scheduled change, state change and the group's own lifecycle hook", () => {
    expect(
      Object.fromEntries(
        Object.entries(patterns).map(([k, p]) => [k, [p.source, p["detail-type"]]]),
      ),
    ).toEqual({
      "asg-termination": [["aws.autoscaling"], ["EC2 Instance-terminate Lifecycle Action"]],
      "spot-interruption": [["aws.ec2"], ["EC2 Spot Instance Interruption Warning"]],
      rebalance: [["aws.ec2"], ["EC2 Instance Rebalance Recommendation"]],
      "state-change": [["aws.ec2"], ["EC2 Instance State-change Notification"]],
      "scheduled-change": [["aws.health"], ["AWS Health Event"]],
    });
    expect(patterns["asg-termination"].detail).toEqual({
      AutoScalingGroupName: ["hybridai-fleet-l4"],
    });
    expect(patterns["scheduled-change"].detail).toEqual({
      service: ["EC2"],
      eventTypeCategory: ["scheduledChange"],
    });
    expect(patterns["state-change"].detail?.state).toEqual([
      "stopping",
      "stopped",
      "shutting-down",
      "terminated",
    ]);
  });
});

describe("aws-node-termination-handler values", () => {
  const values = terminationHandlerValues({
    releaseName: "nth-l4",
    queueUrl: "https://sqs.us-west-2.amazonaws.com/1/q",
    region: "us-west-2",
    roleArn: "arn:aws:iam::1:role/nth",
    managedTag: "aws-node-termination-handler/hybridai-fleet-l4",
    systemNodeGroupName: "prod-system",
  });

  it("runs in queue mode, drains only its fleet, within the spot notice", () => {
    expect(values).toMatchObject({
      enableSqsTerminationDraining: true,
      queueURL: "https://sqs.us-west-2.amazonaws.com/1/q",
      awsRegion: "us-west-2",
      checkTagBeforeDraining: true,
      managedTag: "aws-node-termination-handler/hybridai-fleet-l4",
      serviceAccount: {
        create: true,
        name: "nth-l4",
        annotations: { "eks.amazonaws.com/role-arn": "arn:aws:iam::1:role/nth" },
      },
    });
    // Pods get 90 s of the two-minute spot notice, leaving 30 s for the node itself.
    expect(values.podTerminationGracePeriod).toBe(90);
  });

  it("has Kubernetes pieces (placement, resources) that pass the Pod schema", () => {
    expect(validateKubernetesObject(podFromHelmValues(values, "nth-l4")).status).toBe("validated");
    expect(values.nodeSelector).toEqual({ "eks.amazonaws.com/nodegroup": "prod-system" });
  });
});
