// The hybridai-compliance policy pack, as `pulumi preview --policy-pack policies/compliance` runs it.
// The policies live in src/ so tests and `npm run check` can run them without this gRPC server.
import { PolicyPack } from "@pulumi/policy";
import { COMPLIANCE_PACK } from "./src";

new PolicyPack(COMPLIANCE_PACK.name, {
  description: COMPLIANCE_PACK.description,
  policies: [...COMPLIANCE_PACK.policies],
});
