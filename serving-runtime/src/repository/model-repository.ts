import { stat } from "node:fs/promises";
import { isEnsembleConfig } from "../ensemble/ensemble-config";
import { loadEnsemble } from "../ensemble/ensemble-loader";
import { isEnsembleModel, loadOrder } from "../ensemble/load-order";
import { observeVersion } from "../observability/version-observer";
import { InferenceError, notFound, unavailable } from "../protocol/errors";
import {
  CIRCUIT_STATE_CODE,
  CircuitBreaker,
  isRemoteFallback,
  parseFallbackConfig,
  RemoteFallback,
  RemoteFallbackMetrics,
} from "../resilience";
import { parseShadowConfig, ShadowMetrics, ShadowRunner } from "../shadow";
import { checkConfigOverride } from "./config-override";
import type { LoadedVersion } from "./loaded-version";
import { type LoadSettings, loadVersion, readModelConfig, versionsToLoad } from "./loader";
import type { ModelConfig } from "./model-config";
import { listModelNames, modelDirectory } from "./scan";

/** A model's state, as Triton's repository index reports it. */
export type ModelState = "READY" | "UNAVAILABLE" | "LOADING" | "UNLOADING";

/** One row of `POST /v2/repository/index`. */
export interface IndexEntry {
  /** Model name. */
  name: string;
  /** Version, for loaded versions. */
  version?: string;
  /** State. */
  state: ModelState;
  /** Why it is not ready; empty when ready. */
  reason: string;
}

/** What a model's config adds around its versions: breaker, fallback and shadow. */
type Resilience = Pick<LoadedVersion, "breaker" | "fallback" | "remoteFallback" | "shadow">;

interface ModelEntry {
  state: ModelState;
  reason: string;
  versions: Map<string, LoadedVersion>;
  /** The fallback of the last configuration read, answering while no version is loaded. */
  route?: Resilience;
}

const UNLOADED = "unloaded";

/** Stops the shadow runners of versions that stopped serving (versions of one load share one). */
async function closeShadows(versions: readonly LoadedVersion[]): Promise<void> {
  const runners = new Set(versions.map((version) => version.shadow));
  await Promise.allSettled([...runners].map((runner) => runner?.close()));
}

/**
 * The models of a Triton-layout repository (`<root>/<model>/<version>/model.onnx`) and their
 * states. A model that fails to load is UNAVAILABLE with its reason while every other model
 * keeps serving; a failed reload keeps the versions already serving. Loads and unloads of one
 * model run one at a time.
 */
export class ModelRepository {
  private readonly models = new Map<string, ModelEntry>();
  private readonly locks = new Map<string, Promise<unknown>>();

  /**
   * @param root the repository directory
   * @param settings server-wide load settings
   */
  constructor(
    readonly root: string,
    private readonly settings: LoadSettings,
  ) {}

  /** Loads every model in the repository, one after another; failures are recorded, not thrown. */
  async loadAll(): Promise<void> {
    for (const name of await loadOrder(this.root, await listModelNames(this.root))) {
      await this.load(name).catch(() => undefined);
    }
  }

  /**
   * Loads (or reloads) a model. Throws 400 for an invalid name, 404 when the repository has no
   * such directory, 400 naming the field for a `config` that names a file or a URL, and 400
   * with the reason when loading fails. A load that fails changes nothing that serves: the
   * versions already loaded and their settings (breaker, fallback, shadow) stay. Only a model
   * with no loaded version takes the fallback of the configuration its repository files give
   * even when its versions fail to load (a model that cannot load on this device still answers
   * through its fallback); a `config` override never does.
   *
   * @param name model name
   * @param config a configuration replacing `config.json` (a load request's `parameters.config`)
   */
  async load(name: string, config?: unknown): Promise<void> {
    const directory = modelDirectory(this.root, name);
    if (config !== undefined) checkConfigOverride(name, config);
    return this.exclusive(name, async () => {
      const info = await stat(directory).catch(() => undefined);
      if (!info?.isDirectory()) {
        throw notFound(`no model directory '${name}' in the model repository ${this.root}`);
      }
      const entry: ModelEntry = this.models.get(name) ?? {
        state: "LOADING",
        reason: "",
        versions: new Map(),
      };
      this.models.set(name, entry);
      if (entry.versions.size === 0) {
        entry.state = "LOADING";
        entry.reason = "";
      }
      const loaded = new Map<string, LoadedVersion>();
      let resilience: Resilience | undefined;
      try {
        const resolved = await readModelConfig(directory, name, config);
        resilience = await this.resilience(name, resolved);
        if (entry.versions.size === 0 && config === undefined) entry.route = resilience;
        if (isEnsembleConfig(resolved) || resolved.ensemble_scheduling !== undefined) {
          const ensemble = {
            repository: this,
            settings: this.settings,
            isEnsemble: this.isEnsemble,
          };
          for (const [version, ready] of await loadEnsemble(ensemble, directory, name, resolved)) {
            loaded.set(version, Object.assign(ready, resilience));
            resilience.shadow?.register(ready.signature);
          }
        }
        for (const version of isEnsembleConfig(resolved)
          ? []
          : await versionsToLoad(directory, resolved)) {
          const ready = await loadVersion(directory, name, version, resolved, this.settings);
          loaded.set(String(version), Object.assign(ready, resilience));
          resilience.shadow?.register(ready.signature);
          const { observability } = this.settings;
          if (observability) await observeVersion(ready, directory, resolved, observability);
        }
      } catch (error) {
        await Promise.allSettled([...loaded.values()].map((version) => version.close()));
        await resilience?.shadow?.close();
        const reason = (error as Error).message;
        this.settings.logger.error({ model: name, reason }, "model failed to load");
        if (entry.versions.size === 0) {
          entry.state = "UNAVAILABLE";
          entry.reason = reason;
        }
        throw new InferenceError("INVALID_ARGUMENT", `failed to load '${name}': ${reason}`);
      }
      const previous = [...entry.versions.values()];
      this.settings.onModelChanged?.(name);
      entry.versions = loaded;
      entry.route = resilience;
      entry.state = "READY";
      entry.reason = "";
      this.settings.logger.info({ model: name, versions: [...loaded.keys()] }, "model ready");
      await Promise.allSettled(previous.map((version) => version.close()));
      await closeShadows(previous);
    });
  }

  /**
   * Unloads a model: it stops taking requests at once, and its sessions are released once
   * queued and running requests finish. Throws 404 for a model that is not loaded.
   */
  unload(name: string): Promise<void> {
    modelDirectory(this.root, name);
    return this.exclusive(name, async () => {
      const entry = this.models.get(name);
      if (!entry || entry.versions.size === 0) {
        throw notFound(`model '${name}' is not loaded`);
      }
      const versions = [...entry.versions.values()];
      entry.versions = new Map();
      this.settings.onModelChanged?.(name);
      entry.state = "UNLOADING";
      entry.reason = "";
      await Promise.allSettled(versions.map((version) => version.close()));
      await closeShadows(versions);
      entry.state = "UNAVAILABLE";
      entry.reason = UNLOADED;
      this.settings.logger.info({ model: name }, "model unloaded");
    });
  }

  /**
   * The loaded version a request addresses: the given version, or the highest loaded one.
   * Throws 404 for an unknown model or version and 503 for a model that is not ready.
   */
  resolve(name: string, version?: string): LoadedVersion {
    const entry = this.models.get(name);
    if (!entry) throw notFound(`unknown model '${name}'`);
    if (entry.versions.size === 0) {
      throw unavailable(
        `model '${name}' is not ready (${entry.state}${entry.reason ? `: ${entry.reason}` : ""})`,
      );
    }
    if (version === undefined) {
      const highest = Math.max(...[...entry.versions.keys()].map(Number));
      return entry.versions.get(String(highest)) as LoadedVersion;
    }
    const found = entry.versions.get(version);
    if (!found) {
      throw notFound(
        `model '${name}' has no version '${version}'; loaded versions: ${[...entry.versions.keys()].join(", ")}`,
      );
    }
    return found;
  }

  /**
   * The fallback of a model that has no loaded version (loading, failed to load, unloaded, or
   * absent on this device) but whose configuration names one; `undefined` otherwise.
   */
  fallbackRoute(name: string): Pick<LoadedVersion, "fallback" | "remoteFallback"> | undefined {
    const entry = this.models.get(name);
    if (!entry || entry.versions.size > 0 || !entry.route?.fallback) return undefined;
    return entry.route;
  }

  /** Every loaded version of a model, ascending; empty when none. */
  versionsOf(name: string): LoadedVersion[] {
    const versions = [...(this.models.get(name)?.versions.values() ?? [])];
    return versions.sort((a, b) => Number(a.signature.version) - Number(b.signature.version));
  }

  /** The highest loaded version of every ready model, by model name. */
  latestVersions(): LoadedVersion[] {
    return [...this.models.keys()]
      .sort()
      .map((name) => this.versionsOf(name).at(-1))
      .filter((version): version is LoadedVersion => version !== undefined);
  }

  /** Whether a model name is known (was loaded or attempted). */
  has(name: string): boolean {
    return this.models.has(name);
  }

  /**
   * The repository index: each loaded version as READY, each other known model with its state
   * and reason, and models on disk never loaded as UNAVAILABLE.
   *
   * @param readyOnly list only ready versions (`{"ready": true}`)
   */
  async index(readyOnly: boolean): Promise<IndexEntry[]> {
    const names = new Set([
      ...(await listModelNames(this.root).catch(() => [])),
      ...this.models.keys(),
    ]);
    const rows: IndexEntry[] = [];
    for (const name of [...names].sort()) {
      const entry = this.models.get(name);
      if (entry && entry.versions.size > 0) {
        for (const loaded of this.versionsOf(name)) {
          rows.push({ name, version: loaded.signature.version, state: "READY", reason: "" });
        }
      } else if (!readyOnly) {
        rows.push({
          name,
          state: entry?.state ?? "UNAVAILABLE",
          reason: entry?.reason ?? "not loaded",
        });
      }
    }
    return rows;
  }

  /** True when every model not explicitly unloaded is ready (Triton's strict readiness). */
  allReady(): boolean {
    for (const entry of this.models.values()) {
      if (entry.versions.size === 0 && entry.reason !== UNLOADED) return false;
    }
    return true;
  }

  /** Unloads every model, waiting for queued and running requests. */
  async close(): Promise<void> {
    const names = [...this.models.keys()].filter((name) => this.versionsOf(name).length > 0);
    await Promise.allSettled(names.map((name) => this.unload(name)));
  }

  private readonly isEnsemble = (model: string) => isEnsembleModel(this.root, model);

  private async resilience(name: string, config: ModelConfig): Promise<Resilience> {
    const needsNames = config.fallback !== undefined || config.shadow !== undefined;
    const knownModels = needsNames ? await listModelNames(this.root) : [];
    const fallback =
      config.fallback === undefined
        ? undefined
        : parseFallbackConfig(name, config.fallback, knownModels);
    const shadow =
      config.shadow === undefined
        ? undefined
        : new ShadowRunner({
            model: name,
            config: parseShadowConfig(name, config.shadow, knownModels),
            metrics: ShadowMetrics.of(this.settings.metrics.registry),
            logger: this.settings.logger,
            resolve: (model) => this.resolve(model),
          });
    const remoteFallback = isRemoteFallback(fallback)
      ? new RemoteFallback({
          model: name,
          config: fallback,
          metrics: RemoteFallbackMetrics.of(this.settings.metrics.registry),
          logger: this.settings.logger,
        })
      : undefined;
    if (config.circuit_breaker === undefined) return { fallback, remoteFallback, shadow };
    const gauge = this.settings.metrics.breakerState;
    const breaker = new CircuitBreaker({
      model: name,
      config: config.circuit_breaker,
      onStateChange: (change) => {
        gauge.set({ model: name }, CIRCUIT_STATE_CODE[change.to]);
        this.settings.logger.warn(
          { model: name, from: change.from, to: change.to, reason: change.reason },
          "circuit breaker state changed",
        );
      },
    });
    gauge.set({ model: name }, CIRCUIT_STATE_CODE.closed);
    return { breaker, fallback, remoteFallback, shadow };
  }

  private exclusive<T>(name: string, task: () => Promise<T>): Promise<T> {
    const previous = this.locks.get(name) ?? Promise.resolve();
    const next = previous.then(task, task);
    const settled = next.catch(() => undefined);
    this.locks.set(name, settled);
    void settled.then(() => {
      if (this.locks.get(name) === settled) this.locks.delete(name);
    });
    return next;
  }
}
