import * as awsSdk from "@pulumi/aws";
import { aws } from "pulumi-hybridai";

/** The docs' "A second region, and a second account" recipe, in one program. */
export function secondRegion() {
  // One AWS provider per region and account. The second assumes a deployment role in the
  // other account; the components take a provider as `providers: { aws }`.
  const home = new awsSdk.Provider("us-west-2", { region: "us-west-2" });
  const europe = new awsSdk.Provider("eu-west-1", {
    region: "eu-west-1",
    assumeRoles: [{ roleArn: "arn:aws:iam::210987654321:role/pulumi-deploy" }],
  });

  const gpus = {
    accelerator: { type: "nvidia-l4", count: 1 },
    capacity: { min: 1, max: 8, spot: { onDemandBase: 1 } },
  } as const;
  const runner = "203.0.113.0/24";

  const regions = { us: home, eu: europe };
  const clusters = Object.entries(regions).map(([region, provider]) => {
    const opts = { providers: { aws: provider } };
    // Names are global per account for IAM, per region for the rest: one suffix per region.
    const cluster = new aws.EksCluster(
      `inference-${region}`,
      { endpoint: { publicAccess: true, publicAccessCidrs: [runner] } },
      opts,
    );
    new aws.SpotFleet(`l4-${region}`, { cluster, ...gpus }, opts);
    const store = new aws.ModelStore(`models-${region}`, { cluster }, opts);
    return { region, cluster, store };
  });

  return {
    endpoints: Object.fromEntries(
      clusters.map(({ region, cluster }) => [region, cluster.endpoint]),
    ),
    modelBuckets: Object.fromEntries(
      clusters.map(({ region, store }) => [region, store.bucketName]),
    ),
  };
}
