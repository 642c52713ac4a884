import type { PolicyResource } from "@pulumi/policy";
import {
  forTypes,
  kindOf,
  type PackResourcePolicy,
  type PackStackPolicy,
  sameFor,
  settingsOf,
} from "../../../shared/src/policy";
import { at, jsonDocument, listAt, objectAt, stringAt } from "../../../shared/src/props";

/** The S3 bucket types of the AWS provider (v7 `Bucket`, and the deprecated `BucketV2`). */
const BUCKET_TYPES = ["aws:s3/bucket:Bucket", "aws:s3/bucketV2:BucketV2"];
const ENCRYPTION_TYPES = [
  "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
  "aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2",
];
const PUBLIC_ACCESS_BLOCK_TYPE = "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock";
const ACCOUNT_PUBLIC_ACCESS_BLOCK_TYPE = "aws:s3/accountPublicAccessBlock:AccountPublicAccessBlock";
const PUBLIC_ACCESS_SETTINGS = [
  "blockPublicAcls",
  "blockPublicPolicy",
  "ignorePublicAcls",
  "restrictPublicBuckets",
];
const KMS_ALGORITHMS = ["aws:kms", "aws:kms:dsse"];

/** Whether `resource` (a bucket sub-resource) points at `bucket`: by dependency, else by name. */
function belongsTo(resource: PolicyResource, bucket: PolicyResource): boolean {
  if ((resource.propertyDependencies.bucket ?? []).some((dep) => dep.urn === bucket.urn)) {
    return true;
  }
  const target = stringAt(resource.props, "bucket");
  return target !== undefined && target === stringAt(bucket.props, "bucket");
}

/** The SSE algorithms a bucket's inline configuration declares (v6/v7 `rule`, BucketV2 lists). */
function inlineAlgorithms(bucket: PolicyResource): string[] {
  const configurations = [
    ...listAt(bucket.props, "serverSideEncryptionConfiguration"),
    ...listAt(bucket.props, "serverSideEncryptionConfigurations"),
  ];
  return configurations.flatMap((configuration) =>
    [...listAt(configuration, "rule"), ...listAt(configuration, "rules")]
      .map((rule) => stringAt(rule, "applyServerSideEncryptionByDefault.sseAlgorithm"))
      .filter((a): a is string => a !== undefined),
  );
}

function resourceAlgorithms(resource: PolicyResource): string[] {
  return listAt(resource.props, "rules")
    .map((rule) => stringAt(rule, "applyServerSideEncryptionByDefault.sseAlgorithm"))
    .filter((a): a is string => a !== undefined);
}

/** S3 buckets declare server-side encryption (SSE-KMS when `requireKms`). */
export const s3BucketEncrypted: PackStackPolicy = {
  name: "s3-bucket-encrypted",
  description: "Every S3 bucket declares default server-side encryption (SSE-S3 or SSE-KMS).",
  remediationSteps:
    "Add an aws.s3.BucketServerSideEncryptionConfiguration for the bucket with " +
    'applyServerSideEncryptionByDefault.sseAlgorithm "aws:kms" and a customer-managed key ' +
    '(or "AES256" when requireKms is false).',
  enforcementLevel: "mandatory",
  configSchema: {
    properties: {
      requireKms: {
        type: "boolean",
        default: false,
        description: "Require SSE-KMS (aws:kms or aws:kms:dsse) rather than SSE-S3.",
      },
    },
  },
  validateStack: (args, report) => {
    const { requireKms } = settingsOf<{ requireKms: boolean }>(
      args,
      s3BucketEncrypted.configSchema,
    );
    const configurations = args.resources.filter((r) => ENCRYPTION_TYPES.includes(r.type));
    for (const bucket of args.resources.filter((r) => BUCKET_TYPES.includes(r.type))) {
      const algorithms = [
        ...inlineAlgorithms(bucket),
        ...configurations.filter((c) => belongsTo(c, bucket)).flatMap(resourceAlgorithms),
      ];
      if (algorithms.length === 0) {
        report(
          `S3 bucket "${bucket.name}" declares no server-side encryption; add a ` +
            "BucketServerSideEncryptionConfiguration (sseAlgorithm aws:kms).",
          bucket.urn,
        );
      } else if (requireKms && !algorithms.some((a) => KMS_ALGORITHMS.includes(a))) {
        report(
          `S3 bucket "${bucket.name}" is encrypted with ${algorithms.join(", ")}; requireKms ` +
            "asks for sseAlgorithm aws:kms (or aws:kms:dsse) with a KMS key.",
          bucket.urn,
        );
      }
    }
  },
};

/** S3 buckets have all four public access block settings on (per bucket or account-wide). */
export const s3PublicAccessBlocked: PackStackPolicy = {
  name: "s3-public-access-blocked",
  description:
    "Every S3 bucket has a public access block with all four settings on (or the account has one).",
  remediationSteps:
    "Add an aws.s3.BucketPublicAccessBlock for the bucket with blockPublicAcls, blockPublicPolicy, " +
    "ignorePublicAcls and restrictPublicBuckets all true (or an account-level " +
    "aws.s3.AccountPublicAccessBlock).",
  enforcementLevel: "mandatory",
  configSchema: { properties: {} },
  validateStack: (args, report) => {
    const allOn = (r: PolicyResource) =>
      PUBLIC_ACCESS_SETTINGS.every((setting) => at(r.props, setting) === true);
    if (args.resources.some((r) => r.type === ACCOUNT_PUBLIC_ACCESS_BLOCK_TYPE && allOn(r))) {
      return;
    }
    const blocks = args.resources.filter((r) => r.type === PUBLIC_ACCESS_BLOCK_TYPE);
    for (const bucket of args.resources.filter((r) => BUCKET_TYPES.includes(r.type))) {
      const block = blocks.find((b) => belongsTo(b, bucket));
      if (!block) {
        report(
          `S3 bucket "${bucket.name}" has no BucketPublicAccessBlock; add one with all four ` +
            "settings true.",
          bucket.urn,
        );
        continue;
      }
      const off = PUBLIC_ACCESS_SETTINGS.filter((setting) => at(block.props, setting) !== true);
      if (off.length > 0) {
        report(
          `S3 bucket "${bucket.name}"'s public access block leaves ${off.join(", ")} off; set them true.`,
          bucket.urn,
        );
      }
    }
  },
};

const PUBLIC_ACLS = ["public-read", "public-read-write", "authenticated-read"];
const PUBLIC_GRANTEES = [
  "http://acs.amazonaws.com/groups/global/AllUsers",
  "http://acs.amazonaws.com/groups/global/AuthenticatedUsers",
];

function publicAclProblems(props: Readonly<Record<string, unknown>>): string[] {
  const problems: string[] = [];
  const acl = stringAt(props, "acl");
  if (acl && PUBLIC_ACLS.includes(acl)) problems.push(`canned ACL "${acl}"`);
  for (const grant of [
    ...listAt(props, "accessControlPolicy.grants"),
    ...listAt(props, "grants"),
  ]) {
    const uri = stringAt(grant, "grantee.uri") ?? stringAt(grant, "uri");
    if (uri && PUBLIC_GRANTEES.includes(uri)) {
      problems.push(`a grant to ${uri.split("/").pop()}`);
    }
  }
  return problems;
}

/** No S3 bucket ACL grants access to everyone or to every AWS account. */
export const s3NoPublicAcl: PackResourcePolicy = {
  name: "s3-no-public-acl",
  description: "No S3 bucket ACL grants access to AllUsers or AuthenticatedUsers.",
  remediationSteps:
    'Remove the public canned ACL (use "private") or the AllUsers/AuthenticatedUsers grant; set ' +
    "BucketOwnershipControls to BucketOwnerEnforced so ACLs are disabled.",
  enforcementLevel: "mandatory",
  configSchema: { properties: {} },
  validateResource: forTypes(
    sameFor(
      [
        ...BUCKET_TYPES,
        "aws:s3/bucketAcl:BucketAcl",
        "aws:s3/bucketAclV2:BucketAclV2",
        "aws:s3/bucketObject:BucketObject",
        "aws:s3/bucketObjectv2:BucketObjectv2",
      ],
      (props, args, report) => {
        const problems = publicAclProblems(props);
        if (problems.length > 0) {
          report(`${kindOf(args.type)} "${args.name}" is public: ${problems.join(", ")}.`);
        }
      },
    ),
  ),
};

/** `Principal: "*"` or `{ AWS: "*" }` (alone or in a list). */
function isEveryone(principal: unknown): boolean {
  if (principal === "*") return true;
  const aws = at(principal, "AWS");
  return aws === "*" || (Array.isArray(aws) && aws.includes("*"));
}

/** Allow statements of a bucket policy open to everyone without a condition. */
function publicStatements(policy: unknown): string[] {
  return listAt(policy, "Statement")
    .filter(
      (s) =>
        stringAt(s, "Effect") === "Allow" &&
        isEveryone(at(s, "Principal")) &&
        Object.keys(objectAt(s, "Condition")).length === 0,
    )
    .map((s, i) => stringAt(s, "Sid") ?? `#${i + 1}`);
}

/** No S3 bucket policy allows everyone (Principal `*`) without a condition. */
export const s3NoPublicPolicy: PackResourcePolicy = {
  name: "s3-no-public-policy",
  description: 'No S3 bucket policy has an Allow statement for Principal "*" without a Condition.',
  remediationSteps:
    "Name the principals (account, role or service ARNs) that need access, or add a Condition " +
    "(aws:SourceVpce, aws:PrincipalOrgID, …) that limits the statement.",
  enforcementLevel: "mandatory",
  configSchema: { properties: {} },
  validateResource: forTypes({
    "aws:s3/bucketPolicy:BucketPolicy": (props, args, report) => {
      const policy = jsonDocument(at(props, "policy"));
      const open = publicStatements(policy);
      if (open.length > 0) {
        report(
          `bucket policy "${args.name}" allows Principal "*" without a Condition in statement(s) ${open.join(", ")}.`,
        );
      }
    },
  }),
};
