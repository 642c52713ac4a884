import { COMPLIANCE_PACK } from "../../compliance/src";
import { COST_PACK } from "../../cost/src";
import type { PackDefinition } from "../../shared/src/policy";

/** The packs the check evaluates, in report order. */
export const PACKS: readonly PackDefinition[] = [COMPLIANCE_PACK, COST_PACK];
