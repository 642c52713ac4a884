import type { LoadedVersion } from "../repository/loaded-version";

/**
 * The models an ensemble's steps run on: the part of the model repository an ensemble uses,
 * handed in by the repository that loads the ensemble (so the ensemble never imports it).
 */
export interface StepModels {
  /**
   * Loads every version of a model its configuration selects.
   *
   * @param name model name
   */
  load(name: string): Promise<void>;
  /**
   * The loaded version a step addresses: the given version, or the highest loaded one. Throws
   * 404 for an unknown model or version and 503 for a model that is not ready.
   *
   * @param name model name
   * @param version version, or undefined for the highest loaded one
   */
  resolve(name: string, version?: string): LoadedVersion;
  /**
   * Every loaded version of a model, ascending; empty when none.
   *
   * @param name model name
   */
  versionsOf(name: string): LoadedVersion[];
}
