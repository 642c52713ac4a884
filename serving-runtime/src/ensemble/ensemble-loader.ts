import { readdir } from "node:fs/promises";
import type { InferenceError } from "../protocol/errors";
import type { ModelSignature } from "../protocol/tensor-spec";
import type { LoadedVersion } from "../repository/loaded-version";
import type { LoadSettings } from "../repository/loader";
import type { EffectiveConfig, ModelConfig, TensorOverride } from "../repository/model-config";
import { selectVersions } from "../repository/scan";
import {
  describeStep,
  type EnsembleSpec,
  type EnsembleStep,
  parseEnsembleSpec,
} from "./ensemble-config";
import { buildEnsembleGraph } from "./ensemble-graph";
import { EnsembleMetrics } from "./ensemble-metrics";
import { EnsembleScheduler } from "./ensemble-scheduler";
import { connectSignatures } from "./ensemble-signatures";
import { RemoteStep } from "./remote-step";
import type { StepModels } from "./step-models";

/** The ensemble's own signature: its declared inputs and outputs, the batch dimension added. */
function ensembleSignature(name: string, version: string, config: ModelConfig): ModelSignature {
  const maxBatchSize = config.max_batch_size ?? 0;
  const spec = (tensor: TensorOverride) => ({
    name: tensor.name,
    datatype: tensor.data_type as NonNullable<TensorOverride["data_type"]>,
    shape: maxBatchSize > 0 ? [-1, ...(tensor.dims ?? [])] : [...(tensor.dims ?? [])],
  });
  return {
    name,
    version,
    inputs: config.input.map(spec),
    outputs: config.output.map(spec),
    maxBatchSize,
  };
}

/** Numeric version directories of an ensemble (Triton's layout: an empty `1/`), ascending. */
async function versionDirectories(directory: string): Promise<number[]> {
  const entries = await readdir(directory, { withFileTypes: true });
  return entries
    .filter((entry) => entry.isDirectory() && /^\d+$/.test(entry.name))
    .map((entry) => Number(entry.name))
    .sort((a, b) => a - b);
}

/**
 * Makes sure the model a step runs is loaded: a model of the repository that has no loaded
 * version is loaded first, as Triton loads an ensemble's models with it; an ensemble used as a
 * step must already be loaded.
 */
async function ensureLoaded(
  repository: StepModels,
  step: EnsembleStep,
  model: string,
  isEnsemble: (model: string) => Promise<boolean>,
): Promise<void> {
  if (repository.versionsOf(model).length > 0) return;
  if (await isEnsemble(model)) {
    throw new Error(`${describeStep(step)}: ensemble '${model}' is not loaded; load it first`);
  }
  try {
    await repository.load(model);
  } catch (error) {
    throw new Error(
      `${describeStep(step)}: model '${model}' cannot be loaded: ${(error as Error).message}`,
    );
  }
}

function signatureOf(
  repository: StepModels,
  step: EnsembleStep,
  model: string,
  version: number,
): ModelSignature {
  try {
    return repository.resolve(model, version < 0 ? undefined : String(version)).signature;
  } catch (error) {
    const hint = version >= 0 ? "; model_version -1 runs the highest loaded version" : "";
    throw new Error(`${describeStep(step)}: ${(error as InferenceError).message}${hint}`);
  }
}

/** Throws when running `name` would lead back to it through ensembles used as steps. */
function checkNoCycle(repository: StepModels, name: string, spec: EnsembleSpec): void {
  const visit = (steps: readonly EnsembleStep[], path: string[]) => {
    for (const step of steps) {
      if (step.remote) continue;
      for (const model of [step.model_name, step.fallback_model]) {
        if (model === undefined) continue;
        if (model === name) {
          throw new Error(
            `the ensembles form a cycle: ${[...path, model].map((entry) => `'${entry}'`).join(" → ")}`,
          );
        }
        const nested = repository.versionsOf(model).at(-1)?.ensemble;
        if (nested) visit(nested.spec.steps, [...path, model]);
      }
    }
  };
  visit(spec.steps, [name]);
}

/** What {@link loadEnsemble} needs besides the configuration. */
export interface EnsembleLoad {
  /** The repository the ensemble belongs to (its steps' models). */
  repository: StepModels;
  /** Server-wide load settings (metrics, logger). */
  settings: LoadSettings;
  /** Whether a model of the repository is an ensemble (read from its configuration file). */
  isEnsemble(model: string): Promise<boolean>;
}

/**
 * Loads an ensemble (`platform: "ensemble"`): validates its `ensemble_scheduling` and data flow,
 * loads the models its steps run if they are not loaded yet, checks every step against its model
 * (names, datatypes, shapes, batch sizes), and returns one ready version per version directory
 * the version policy selects. Throws an Error naming the step and the tensor that does not
 * connect.
 *
 * @param load the repository, settings and ensemble test
 * @param directory the ensemble's directory
 * @param name its name
 * @param config its validated configuration
 */
export async function loadEnsemble(
  load: EnsembleLoad,
  directory: string,
  name: string,
  config: ModelConfig,
): Promise<Map<string, LoadedVersion>> {
  const { repository, settings } = load;
  const spec = parseEnsembleSpec(config, name);
  const graph = buildEnsembleGraph(
    config.input.map((tensor) => tensor.name),
    config.output.map((tensor) => tensor.name),
    spec.steps,
  );
  for (const step of spec.steps) {
    if (!step.remote) await ensureLoaded(repository, step, step.model_name, load.isEnsemble);
    if (step.fallback_model) {
      await ensureLoaded(repository, step, step.fallback_model, load.isEnsemble);
    }
  }
  checkNoCycle(repository, name, spec);
  // Triton wants an empty `1/`; object stores (and so `hybridai-serve pull`) keep no empty
  // directories, so an ensemble without any version directory serves as version 1.
  const available = await versionDirectories(directory);
  const versions = available.length === 0 ? [1] : selectVersions(available, config.version_policy);
  if (versions.length === 0) {
    throw new Error(
      `version_policy selects none of the versions on disk (${available.join(", ")})`,
    );
  }
  const tensors = connectSignatures(
    ensembleSignature(name, String(versions[0]), config),
    spec.steps,
    (step) =>
      step.remote ? undefined : signatureOf(repository, step, step.model_name, step.model_version),
    (step) =>
      step.fallback_model ? signatureOf(repository, step, step.fallback_model, -1) : undefined,
  );
  const ensembleMetrics = EnsembleMetrics.of(settings.metrics.registry);
  const remotes = new Map<number, RemoteStep>();
  for (const step of spec.steps) {
    if (!step.remote) continue;
    const remote = { ...step, remote: step.remote };
    remotes.set(
      step.index,
      new RemoteStep({
        ensemble: name,
        step: remote,
        tensors,
        metrics: ensembleMetrics,
        logger: settings.logger,
      }),
    );
  }
  const effective: EffectiveConfig = { ...config, max_batch_size: config.max_batch_size ?? 0 };
  const loaded = new Map<string, LoadedVersion>();
  for (const version of versions) {
    const metrics = settings.metrics.forModel(name, String(version));
    const scheduler = new EnsembleScheduler({
      name,
      spec,
      graph,
      repository,
      remotes,
      metrics,
      ensembleMetrics,
      logger: settings.logger,
    });
    loaded.set(String(version), {
      signature: ensembleSignature(name, String(version), config),
      config: effective,
      origins: {
        max_batch_size:
          config.max_batch_size === undefined
            ? "default: 0 (an ensemble is not auto-completed)"
            : "config",
      },
      scheduler,
      metrics,
      executionProvider: "cpu",
      placement: () => "inline",
      instanceCount: () => 0,
      intraOpThreads: 0,
      ensemble: { spec },
      close: () => scheduler.close(),
    });
  }
  settings.logger.info(
    { model: name, steps: spec.steps.map((step) => step.label) },
    "ensemble steps connected",
  );
  return loaded;
}
