import type { StackSection } from "../section";
import { awsSection } from "./aws";
import { edgeSection } from "./edge";
import { existingSection } from "./existing";
import { failoverSection } from "./failover";
import { gcpSection } from "./gcp";
import { servingSection } from "./serving";

/** Every stack section, in deployment order: clusters first, then what runs on them. */
export const STACK_SECTIONS: readonly StackSection<unknown>[] = [
  awsSection as StackSection<unknown>,
  gcpSection as StackSection<unknown>,
  existingSection as StackSection<unknown>,
  servingSection as StackSection<unknown>,
  edgeSection as StackSection<unknown>,
  failoverSection as StackSection<unknown>,
];
