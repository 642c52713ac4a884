// The hybridai-cost policy pack, as `pulumi preview --policy-pack policies/cost` runs it.
// The policies live in src/ so tests and `npm run check` can run them without this gRPC server.
import { PolicyPack } from "@pulumi/policy";
import { COST_PACK } from "./src";

new PolicyPack(COST_PACK.name, {
  description: COST_PACK.description,
  policies: [...COST_PACK.policies],
});
