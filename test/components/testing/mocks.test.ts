import * as eks from "@pulumi/aws/eks";
import * as region from "@pulumi/aws/getRegion";
import * as iam from "@pulumi/aws/iam";
import * as awsProvider from "@pulumi/aws/provider";
import * as s3 from "@pulumi/aws/s3";
import * as container from "@pulumi/gcp/container";
import * as serviceaccount from "@pulumi/gcp/serviceaccount";
import * as appsV1 from "@pulumi/kubernetes/apps/v1";
import * as k8sProvider from "@pulumi/kubernetes/provider";
import * as pulumi from "@pulumi/pulumi";
import {
  awaitOutput,
  installMocks,
  MOCK_AWS_ACCOUNT_ID,
  MOCK_AWS_REGION,
  settle,
} from "pulumi-hybridai/testing";
import { beforeEach, describe, expect, it } from "vitest";

const recorder = installMocks({
  outputs: (args) => {
    if (args.name === "explodes") {
      throw new Error("the outputs hook blew up");
    }
    return args.type === "aws:s3/bucket:Bucket" ? { tagsAll: { team: "ml" } } : undefined;
  },
});

/** A small hybrid program: one component owning AWS, GCP and Kubernetes children. */
class SampleInference extends pulumi.ComponentResource {
  readonly cluster: eks.Cluster;
  readonly gke: container.Cluster;
  readonly account: serviceaccount.Account;
  readonly deployment: appsV1.Deployment;

  constructor(name: string, opts?: pulumi.ComponentResourceOptions) {
    super("hybridai:index:SampleInference", name, {}, opts);
    const aws = new awsProvider.Provider(`${name}-aws`, { region: "us-west-2" }, { parent: this });
    const role = new iam.Role(
      `${name}-cluster`,
      { assumeRolePolicy: JSON.stringify({ Version: "2012-10-17", Statement: [] }) },
      { parent: this, provider: aws },
    );
    this.cluster = new eks.Cluster(
      name,
      { roleArn: role.arn, vpcConfig: { subnetIds: ["subnet-a", "subnet-b"] } },
      { parent: this, provider: aws, dependsOn: [role] },
    );
    this.gke = new container.Cluster(`${name}-gke`, { location: "us-central1" }, { parent: this });
    this.account = new serviceaccount.Account(
      `${name}-sa`,
      { accountId: "ranker" },
      { parent: this },
    );
    const k8s = new k8sProvider.Provider(`${name}-k8s`, { kubeconfig: "{}" }, { parent: this });
    this.deployment = new appsV1.Deployment(
      `${name}-ranker`,
      {
        spec: {
          selector: { matchLabels: { app: "ranker" } },
          template: {
            metadata: { labels: { app: "ranker" } },
            spec: { containers: [{ name: "server", image: "ghcr.io/hybridai/serving:1" }] },
          },
        },
      },
      { parent: this, provider: k8s },
    );
    this.registerOutputs({ endpoint: this.cluster.endpoint });
  }
}

describe("installMocks recorder", () => {
  beforeEach(() => recorder.reset());

  it("records type, name, inputs, parent and provider of every resource", async () => {
    const sample = new SampleInference("prod");
    await settle();

    const component = recorder.one("hybridai:index:SampleInference");
    expect(component.custom).toBe(false);
    expect(component.parent).toBeUndefined();

    const cluster = recorder.one("aws:eks/cluster:Cluster", "prod");
    expect(cluster.custom).toBe(true);
    expect(cluster.parent).toBe(component.urn);
    expect(cluster.urn).toBe(
      "urn:pulumi:stack::project::hybridai:index:SampleInference$aws:eks/cluster:Cluster::prod",
    );
    expect(cluster.inputs.vpcConfig.subnetIds).toEqual(["subnet-a", "subnet-b"]);
    expect(cluster.inputs.roleArn).toBe(`arn:aws:iam::${MOCK_AWS_ACCOUNT_ID}:role/prod-cluster`);
    expect(cluster.provider).toMatch(/^urn:pulumi:.*pulumi:providers:aws::prod-aws::/);
    const role = recorder.one("aws:iam/role:Role");
    expect(cluster.dependencies).toContain(role.urn);
    expect(cluster.propertyDependencies.roleArn).toEqual([role.urn]);

    const deployment = recorder.one("kubernetes:apps/v1:Deployment");
    expect(deployment.inputs).toMatchObject({ apiVersion: "apps/v1", kind: "Deployment" });
    expect(deployment.inputs.metadata).toBeUndefined();
    expect(deployment.state.metadata).toMatchObject({ name: "prod-ranker", namespace: "default" });
    expect(deployment.provider).toContain("pulumi:providers:kubernetes::prod-k8s");

    expect(() => recorder.childrenOf("prod")).toThrow(/found 2 .*pass its URN instead/);
    expect(recorder.childrenOf("prod-ranker")).toEqual([]);
    expect(
      recorder
        .childrenOf(component.urn)
        .map((r) => r.type)
        .sort(),
    ).toEqual([
      "aws:eks/cluster:Cluster",
      "aws:iam/role:Role",
      "gcp:container/cluster:Cluster",
      "gcp:serviceaccount/account:Account",
      "kubernetes:apps/v1:Deployment",
      "pulumi:providers:aws",
      "pulumi:providers:kubernetes",
    ]);
    expect(await awaitOutput(sample.deployment.metadata.name)).toBe("prod-ranker");
    expect(component.state).toEqual({
      endpoint: await awaitOutput(sample.cluster.endpoint),
    });
  });

  it("resolves outputs to plausible cloud values", async () => {
    const sample = new SampleInference("staging");
    const bucket = new s3.Bucket("models", {});

    expect(await awaitOutput(sample.cluster.arn)).toBe(
      `arn:aws:eks:${MOCK_AWS_REGION}:${MOCK_AWS_ACCOUNT_ID}:cluster/staging`,
    );
    expect(await awaitOutput(sample.cluster.endpoint)).toMatch(
      /^https:\/\/[0-9A-F]{32}\.gr7\.us-west-2\.eks\.amazonaws\.com$/,
    );
    const ca = await awaitOutput(sample.cluster.certificateAuthority.data);
    expect(Buffer.from(ca ?? "", "base64").toString()).toContain("BEGIN CERTIFICATE");
    expect(await awaitOutput(sample.cluster.identities)).toEqual([
      {
        oidcs: [
          {
            issuer: expect.stringMatching(/^https:\/\/oidc\.eks\.us-west-2\.amazonaws\.com\/id\//),
          },
        ],
      },
    ]);
    expect(await awaitOutput(sample.gke.endpoint)).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
    expect(await awaitOutput(sample.gke.masterAuth.clusterCaCertificate)).toBeTruthy();
    expect(await awaitOutput(sample.account.email)).toBe(
      "ranker@hybridai-mock.iam.gserviceaccount.com",
    );
    expect(await awaitOutput(bucket.arn)).toBe("arn:aws:s3:::models");
    expect(await awaitOutput(bucket.tagsAll)).toEqual({ team: "ml" });
  });

  it("answers common provider functions and records the calls", async () => {
    const result = await region.getRegion({});
    expect(result.name).toBe(MOCK_AWS_REGION);
    const policy = await iam.getPolicyDocument({
      statements: [
        {
          actions: ["s3:GetObject"],
          resources: ["arn:aws:s3:::models/*"],
          principals: [{ type: "Service", identifiers: ["ec2.amazonaws.com"] }],
        },
      ],
    });
    expect(JSON.parse(policy.json)).toEqual({
      Version: "2012-10-17",
      Statement: [
        {
          Effect: "Allow",
          Action: ["s3:GetObject"],
          Resource: ["arn:aws:s3:::models/*"],
          Principal: { Service: "ec2.amazonaws.com" },
        },
      ],
    });
    expect(recorder.calls.map((c) => c.token)).toEqual([
      "aws:index/getRegion:getRegion",
      "aws:iam/getPolicyDocument:getPolicyDocument",
    ]);
  });

  it("makes setConfig visible to pulumi.Config", () => {
    recorder.setConfig({ "hybridai:aws": { region: "eu-west-1" }, "aws:region": "eu-west-1" });
    expect(new pulumi.Config("hybridai").requireObject("aws")).toEqual({ region: "eu-west-1" });
    expect(new pulumi.Config("aws").require("region")).toBe("eu-west-1");
    expect(() => recorder.setConfig({ region: "x" })).toThrow(/needs a namespace/);
  });

  it("reset() forgets config too, so one test's config never leaks into the next", () => {
    recorder.setConfig({ "myapp:replicas": "3" });
    expect(new pulumi.Config("myapp").getNumber("replicas")).toBe(3);
    recorder.reset();
    expect(new pulumi.Config("myapp").getNumber("replicas")).toBeUndefined();
    expect(pulumi.runtime.allConfig()).toEqual({});
  });

  it("one() throws an error listing what was registered", async () => {
    new SampleInference("dev");
    await settle();
    expect(() => recorder.one("aws:eks/nodeGroup:NodeGroup")).toThrow(
      /Expected one aws:eks\/nodeGroup:NodeGroup, found none[\s\S]*aws:eks\/cluster:Cluster "dev"/,
    );
    new s3.Bucket("a", {});
    new s3.Bucket("b", {});
    await settle();
    expect(() => recorder.one("aws:s3/bucket:Bucket")).toThrow(/found 2: "a", "b"/);
  });

  it("turns an error inside the mocks into a rejection instead of a hang", async () => {
    const bucket = new s3.Bucket("explodes", {});
    await expect(settle()).rejects.toThrow(
      /newResource\(aws:s3\/bucket:Bucket "explodes"\) failed: the outputs hook blew up/,
    );
    await expect(awaitOutput(bucket.arn)).rejects.toThrow(/the outputs hook blew up/);
    recorder.reset();
    await expect(settle()).resolves.toBeUndefined();
  });

  it("rejects awaitOutput on a value that never resolves", async () => {
    const never = pulumi.output(new Promise<string>(() => undefined));
    await expect(awaitOutput(never)).rejects.toThrow(/did not resolve/);
  });
});
