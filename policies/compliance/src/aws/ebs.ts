import {
  forTypes,
  type PackResourcePolicy,
  type PackStackPolicy,
} from "../../../shared/src/policy";
import { booleanAt, listAt, objectAt, stringAt } from "../../../shared/src/props";

const LAUNCH_TEMPLATE = "aws:ec2/launchTemplate:LaunchTemplate";
const INSTANCE = "aws:ec2/instance:Instance";
const VOLUME = "aws:ebs/volume:Volume";
const NODE_GROUP = "aws:eks/nodeGroup:NodeGroup";
const ENCRYPTION_BY_DEFAULT = "aws:ebs/encryptionByDefault:EncryptionByDefault";

/** EBS volumes, and the volumes launch templates and instances declare, are encrypted. */
export const ebsEncrypted: PackResourcePolicy = {
  name: "ebs-encrypted",
  description:
    "EBS volumes, and the block devices of launch templates and EC2 instances, are encrypted.",
  remediationSteps:
    'Set encrypted: true (launch templates: ebs.encrypted "true") on every EBS volume and block ' +
    "device mapping, optionally with a customer-managed kmsKeyId.",
  enforcementLevel: "mandatory",
  configSchema: { properties: {} },
  validateResource: forTypes({
    [VOLUME]: (props, args, report) => {
      if (booleanAt(props, "encrypted") !== true) {
        report(`EBS volume "${args.name}" is not encrypted; set encrypted: true.`);
      }
    },
    [LAUNCH_TEMPLATE]: (props, args, report) => {
      const unencrypted = listAt(props, "blockDeviceMappings")
        .filter((m) => Object.keys(objectAt(m, "ebs")).length > 0)
        .filter((m) => booleanAt(m, "ebs.encrypted") !== true)
        .map((m) => stringAt(m, "deviceName") ?? "(unnamed device)");
      if (unencrypted.length > 0) {
        report(
          `launch template "${args.name}" maps unencrypted EBS volume(s) ${unencrypted.join(", ")}; ` +
            'set ebs.encrypted: "true".',
        );
      }
    },
    [INSTANCE]: (props, args, report) => {
      const devices = [
        ...(Object.keys(objectAt(props, "rootBlockDevice")).length > 0
          ? [{ name: "root", encrypted: booleanAt(props, "rootBlockDevice.encrypted") }]
          : [{ name: "root", encrypted: undefined }]),
        ...listAt(props, "ebsBlockDevices").map((d) => ({
          name: stringAt(d, "deviceName") ?? "(unnamed device)",
          encrypted: booleanAt(d, "encrypted"),
        })),
      ];
      const unencrypted = devices.filter((d) => d.encrypted !== true).map((d) => d.name);
      if (unencrypted.length > 0) {
        report(
          `EC2 instance "${args.name}" has unencrypted volume(s) ${unencrypted.join(", ")}; ` +
            "set rootBlockDevice.encrypted and ebsBlockDevices[].encrypted to true.",
        );
      }
    },
  }),
};

/**
 * EKS managed node groups without a launch template get the AMI's default volumes, encrypted only
 * when the account's EBS encryption-by-default is on; the stack cannot show that unless it
 * manages the setting.
 */
export const eksNodeVolumesEncrypted: PackStackPolicy = {
  name: "eks-node-volumes-encrypted",
  description:
    "EKS managed node groups either use a launch template (checked by ebs-encrypted) or the stack " +
    "turns on EBS encryption by default.",
  remediationSteps:
    "Give the node group a launch template whose block device mappings are encrypted, or add " +
    "aws.ebs.EncryptionByDefault({ enabled: true }) to the stack (it applies to the whole " +
    "account and region).",
  enforcementLevel: "advisory",
  configSchema: { properties: {} },
  validateStack: (args, report) => {
    const encryptedByDefault = args.resources.some(
      (r) => r.type === ENCRYPTION_BY_DEFAULT && booleanAt(r.props, "enabled") !== false,
    );
    if (encryptedByDefault) return;
    for (const group of args.resources.filter((r) => r.type === NODE_GROUP)) {
      if (Object.keys(objectAt(group.props, "launchTemplate")).length === 0) {
        report(
          `EKS node group "${group.name}" has no launch template, so its volumes are encrypted ` +
            "only if EBS encryption by default is on in the account; manage it with " +
            "aws.ebs.EncryptionByDefault or give the group an encrypted launch template.",
          group.urn,
        );
      }
    }
  },
};
