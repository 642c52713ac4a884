import { readConfigSource } from "../repository/config-file";
import { modelDirectory } from "../repository/scan";
import { ENSEMBLE_PLATFORM } from "./ensemble-config";

/** The models an ensemble's configuration file names as steps (unvalidated); none for a model. */
async function stepModels(root: string, name: string): Promise<string[] | undefined> {
  let raw: unknown;
  try {
    ({ raw } = await readConfigSource(modelDirectory(root, name), name));
  } catch {
    return undefined;
  }
  const config = raw as { platform?: unknown; ensemble_scheduling?: { step?: unknown } };
  if (config?.platform !== ENSEMBLE_PLATFORM) return undefined;
  const steps = config.ensemble_scheduling?.step;
  return Array.isArray(steps)
    ? steps.map((step) => String((step as { model_name?: unknown })?.model_name ?? ""))
    : [];
}

/**
 * Whether a model of the repository is an ensemble, as its configuration file says; false when
 * it has none or it cannot be read (loading it then says why).
 *
 * @param root the repository directory
 * @param name the model's name
 */
export async function isEnsembleModel(root: string, name: string): Promise<boolean> {
  return (await stepModels(root, name)) !== undefined;
}

/**
 * The order in which to load a repository's models: every model first, then the ensembles, each
 * after the ensembles it uses as steps (as Triton loads an ensemble after the models it needs).
 * Ensembles that use each other in a cycle keep their name order; loading them says why they
 * fail.
 *
 * @param root the repository directory
 * @param names the model names, in name order
 */
export async function loadOrder(root: string, names: readonly string[]): Promise<string[]> {
  const steps = new Map<string, string[]>();
  const models: string[] = [];
  for (const name of names) {
    const uses = await stepModels(root, name);
    if (uses === undefined) models.push(name);
    else steps.set(name, uses);
  }
  const ordered: string[] = [];
  const placed = new Set<string>();
  let remaining = [...steps.keys()];
  while (remaining.length > 0) {
    const ready = remaining.filter((name) =>
      (steps.get(name) ?? []).every((step) => !steps.has(step) || placed.has(step)),
    );
    const next = ready.length > 0 ? ready : remaining;
    for (const name of next) {
      ordered.push(name);
      placed.add(name);
    }
    remaining = remaining.filter((name) => !placed.has(name));
  }
  return [...models, ...ordered];
}
