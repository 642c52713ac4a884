import type { StackSection } from "../section";
import { gcpSection } from "./gcp";

/** Every stack section, in deployment order: clusters first, then what runs on them. */
export const STACK_SECTIONS: readonly StackSection<unknown>[] = [
  gcpSection as StackSection<unknown>,
];
