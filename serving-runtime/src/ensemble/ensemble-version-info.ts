import type { EnsembleSpec } from "./ensemble-config";

/** What a loaded ensemble version adds to a loaded version, for its metadata and config. */
export interface EnsembleVersionInfo {
  /** Its validated steps. */
  spec: EnsembleSpec;
}
