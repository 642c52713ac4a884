import type { RecordedResource } from "../../../components/testing";
import type { StackCostEstimate } from "../../cost/src";
import type { Violation } from "./evaluate";
import type { ProgramTarget } from "./program-target";

/** Everything one check found, before formatting. */
export interface CheckResult {
  /** The program, project, stack and config that ran. */
  target: ProgramTarget;
  /** What the program registered. */
  resources: readonly RecordedResource[];
  /** The list-price estimate. */
  cost: StackCostEstimate;
  /** Every violation, pack by pack. */
  violations: readonly Violation[];
}

/** Whether a violation blocks (the engine enforces `remediate` leftovers as mandatory too). */
export function isBlocking(violation: Violation): boolean {
  return violation.enforcementLevel === "mandatory" || violation.enforcementLevel === "remediate";
}
