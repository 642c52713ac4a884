import { getCallerIdentityOutput } from "@pulumi/aws/getCallerIdentity";
import { getPartitionOutput } from "@pulumi/aws/getPartition";
import { getRegionOutput } from "@pulumi/aws/getRegion";
import * as pulumi from "@pulumi/pulumi";
import type { AwsAccount } from "./iam-policies";

/**
 * The partition, region and account of the AWS provider a component uses (its parent's
 * provider), for building ARNs.
 */
export function awsAccountOf(parent: pulumi.Resource): pulumi.Output<AwsAccount> {
  const opts = { parent };
  return pulumi
    .all([
      getPartitionOutput({}, opts),
      getRegionOutput({}, opts),
      getCallerIdentityOutput({}, opts),
    ])
    .apply(([partition, region, identity]) => ({
      partition: partition.partition,
      region: region.region,
      accountId: identity.accountId,
    }));
}
