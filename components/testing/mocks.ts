import { fileURLToPath } from "node:url";
import * as pulumi from "@pulumi/pulumi";
import type {
  RegisterResourceOutputsRequest,
  RegisterResourceRequest,
} from "@pulumi/pulumi/proto/resource_pb";
import { defaultCallResult, defaultResourceResult } from "./mock-outputs";
import type { PropertyMap } from "./property-map";

/** Resource options as the program passed them to the engine (a subset the policy engine sees). */
export interface RecordedResourceOptions {
  /** `protect` resource option. */
  protect: boolean;
  /** `ignoreChanges` property paths. */
  ignoreChanges: string[];
  /** `additionalSecretOutputs` property names. */
  additionalSecretOutputs: string[];
  /** `deleteBeforeReplace`, when the program set it. */
  deleteBeforeReplace?: boolean;
  /** `customTimeouts` as Go duration strings (e.g. `"30m"`); empty when unset. */
  customTimeouts: { create: string; update: string; delete: string };
  /** Alias URNs given to the engine. */
  aliases: string[];
}

/** A place in the program's source, as Pulumi's SDK recorded it when a resource was created. */
export interface SourceFrame {
  /** Absolute file path. */
  file: string;
  /** Line, 1-based. */
  line: number;
  /** Column, 1-based. */
  column: number;
}

/** One resource the program registered while the mocks were installed. */
export interface RecordedResource {
  /** Type token, e.g. `aws:eks/cluster:Cluster` or `hybridai:index:AwsGpuNodeGroup`. */
  type: string;
  /** Logical name. */
  name: string;
  /** URN, computed the way the mocks runtime computes it. */
  urn: string;
  /** Id the mock returned (empty for component resources under preview). */
  id: string;
  /** `false` for component resources. */
  custom: boolean;
  /** Resolved inputs as the engine passed them to `mocks.newResource`. */
  inputs: PropertyMap;
  /** What the mock returned (inputs plus plausible outputs); a component's registered outputs. */
  state: PropertyMap;
  /** Parent URN when known (absent for the stack itself). */
  parent?: string;
  /** Provider reference (`<provider urn>::<provider id>`) when given. */
  provider?: string;
  /** URNs of the resources this one depends on (explicit `dependsOn` and input dependencies). */
  dependencies: string[];
  /** Per input property, the URNs it depends on. */
  propertyDependencies: Record<string, string[]>;
  /** Resource options the program set. */
  options: RecordedResourceOptions;
  /**
   * The stack at the resource's construction, innermost first, as Pulumi's SDK sends it with the
   * registration (the engine's source position): the caller of the resource's constructor first,
   * then its callers. Frames of Node's internals are left out; positions are source-mapped when
   * Node's source maps are on (tsx turns them on).
   */
  stackTrace: SourceFrame[];
}

/** One provider function call (invoke) the program made. */
export interface RecordedCall {
  /** Function token, e.g. `aws:index/getRegion:getRegion`. */
  token: string;
  /** Resolved arguments. */
  inputs: PropertyMap;
}

/** Records what a program registers under Pulumi's mocks runtime and lets a test query it. */
export interface MockRecorder {
  /** Every registered resource, in registration order. */
  readonly resources: RecordedResource[];
  /** Every provider function call, in call order. */
  readonly calls: RecordedCall[];
  /** Errors raised inside the mocks (including by the `outputs`/`calls` options), in order. */
  readonly errors: Error[];
  /** Resources of the given type token. */
  ofType(type: string): RecordedResource[];
  /**
   * The single resource of `type` (and `name`, when given). Throws an error listing what was
   * registered when there is not exactly one.
   */
  one(type: string, name?: string): RecordedResource;
  /** Direct children of the resource with this URN, or with this logical name when unambiguous. */
  childrenOf(urnOrName: string): RecordedResource[];
  /**
   * Sets stack configuration, keys like `hybridai:aws` or `aws:region`; objects are JSON-encoded.
   * Visible to `new pulumi.Config(...)` from then on.
   */
  setConfig(values: Record<string, string | object>): void;
  /**
   * Forgets everything a test left behind: recorded resources, calls, errors and all stack config
   * (including config that came from `PULUMI_CONFIG`). Call it between tests in one file.
   */
  reset(): void;
}

/** Options for {@link installMocks}. */
export interface MockOptions {
  /** Project name (default `project`). */
  project?: string;
  /** Stack name (default `stack`). */
  stack?: string;
  /** Run as a preview: outputs the mock does not return stay unknown and `apply` never runs. */
  preview?: boolean;
  /** Extra or overriding outputs per resource, merged over the defaults; `undefined` keeps them. */
  outputs?: (args: pulumi.runtime.MockResourceArgs) => PropertyMap | undefined;
  /** Overriding result per provider function call; `undefined` keeps the default result. */
  calls?: (args: pulumi.runtime.MockCallArgs) => PropertyMap | undefined;
}

/** Metadata of a register request that the mocks API does not pass to `newResource`. */
interface RequestMetadata {
  parent?: string;
  dependencies: string[];
  propertyDependencies: Record<string, string[]>;
  options: RecordedResourceOptions;
  stackTrace: SourceFrame[];
}

/** The register/read request fields we read; read requests carry only some of them. */
type RequestLike = Pick<RegisterResourceRequest, "getParent"> &
  Partial<
    Pick<
      RegisterResourceRequest,
      | "getDependenciesList"
      | "getPropertydependenciesMap"
      | "getCustomtimeouts"
      | "getProtect"
      | "getIgnorechangesList"
      | "getAdditionalsecretoutputsList"
      | "getDeletebeforereplacedefined"
      | "getDeletebeforereplace"
      | "getAliasurnsList"
      | "getStacktrace"
    >
  >;

type MonitorCallback = (err: unknown, resp: unknown) => void;

/** The parts of the mocks runtime's monitor we wrap (an internal object of `@pulumi/pulumi`). */
interface MockMonitorLike {
  registerResource(req: RequestLike, callback: MonitorCallback): unknown;
  readResource(req: RequestLike, callback: MonitorCallback): unknown;
  registerResourceOutputs(req: RegisterResourceOutputsRequest, callback: MonitorCallback): unknown;
  newUrn(parent: string, type: string, name: string): string;
}

/** The frames of the request's stack trace that name a file. */
function stackTraceOf(req: RequestLike): SourceFrame[] {
  const frames: SourceFrame[] = [];
  for (const frame of req.getStacktrace?.()?.getFramesList() ?? []) {
    const position = frame.getPc();
    const uri = position?.getUri();
    if (!position || !uri?.startsWith("file:")) continue;
    frames.push({
      file: fileURLToPath(uri),
      line: position.getLine(),
      column: position.getColumn(),
    });
  }
  return frames;
}

function metadataOf(req: RequestLike): RequestMetadata {
  const propertyDependencies: Record<string, string[]> = {};
  req.getPropertydependenciesMap?.()?.forEach((deps, key) => {
    propertyDependencies[key] = deps.getUrnsList();
  });
  const timeouts = req.getCustomtimeouts?.();
  return {
    parent: req.getParent() || undefined,
    dependencies: req.getDependenciesList?.() ?? [],
    propertyDependencies,
    options: {
      protect: req.getProtect?.() ?? false,
      ignoreChanges: req.getIgnorechangesList?.() ?? [],
      additionalSecretOutputs: req.getAdditionalsecretoutputsList?.() ?? [],
      ...(req.getDeletebeforereplacedefined?.()
        ? { deleteBeforeReplace: req.getDeletebeforereplace?.() ?? false }
        : {}),
      customTimeouts: {
        create: timeouts?.getCreate() ?? "",
        update: timeouts?.getUpdate() ?? "",
        delete: timeouts?.getDelete() ?? "",
      },
      aliases: req.getAliasurnsList?.() ?? [],
    },
    stackTrace: stackTraceOf(req),
  };
}

function describe(record: RecordedResource): string {
  return `${record.type} "${record.name}"`;
}

class Recorder implements MockRecorder {
  readonly resources: RecordedResource[] = [];
  readonly calls: RecordedCall[] = [];
  readonly errors: Error[] = [];
  /** The register request being handed to `newResource` right now (set synchronously around it). */
  requestInFlight: RequestMetadata | undefined;
  monitor: MockMonitorLike | undefined;

  constructor(public options: MockOptions) {}

  ofType(type: string): RecordedResource[] {
    return this.resources.filter((r) => r.type === type);
  }

  one(type: string, name?: string): RecordedResource {
    const matches = this.ofType(type).filter((r) => name === undefined || r.name === name);
    if (matches.length === 1) {
      return matches[0];
    }
    const wanted = name === undefined ? `one ${type}` : `one ${type} named "${name}"`;
    const found =
      matches.length > 1
        ? `found ${matches.length}: ${matches.map((r) => `"${r.name}"`).join(", ")}`
        : `found none; ${type} names: [${this.ofType(type)
            .map((r) => `"${r.name}"`)
            .join(", ")}]`;
    const registered = this.resources.map(describe).join("\n  ") || "(nothing)";
    throw new Error(`Expected ${wanted}, ${found}. Registered resources:\n  ${registered}`);
  }

  childrenOf(urnOrName: string): RecordedResource[] {
    const parentUrn = urnOrName.startsWith("urn:") ? urnOrName : this.urnOfName(urnOrName);
    return this.resources.filter((r) => r.parent === parentUrn);
  }

  private urnOfName(name: string): string {
    const matches = this.resources.filter((r) => r.name === name);
    if (matches.length !== 1) {
      throw new Error(
        `childrenOf("${name}"): expected one resource with that name, found ${matches.length}` +
          (matches.length > 1
            ? ` (${matches.map(describe).join(", ")}); pass its URN instead`
            : ""),
      );
    }
    return matches[0].urn;
  }

  setConfig(values: Record<string, string | object>): void {
    for (const [key, value] of Object.entries(values)) {
      if (!key.includes(":")) {
        throw new Error(
          `setConfig: key "${key}" needs a namespace, e.g. "hybridai:${key}" or "aws:${key}"`,
        );
      }
      pulumi.runtime.setConfig(key, typeof value === "string" ? value : JSON.stringify(value));
    }
  }

  reset(): void {
    this.resources.length = 0;
    this.calls.length = 0;
    this.errors.length = 0;
    pulumi.runtime.setAllConfig({});
  }

  /** Turns any error thrown inside a mock into a recorded error, so nothing hangs. */
  private guarded<T>(what: string, run: () => T, fallback: () => T): T {
    try {
      return run();
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      this.errors.push(new Error(`pulumi-hybridai/testing mocks: ${what} failed: ${message}`));
      return fallback();
    }
  }

  readonly mocks: pulumi.runtime.Mocks = {
    newResource: (args) => {
      const metadata = this.requestInFlight ?? {
        dependencies: [],
        propertyDependencies: {},
        options: metadataOf({ getParent: () => "" }).options,
        stackTrace: [],
      };
      const result = this.guarded(
        `newResource(${args.type} "${args.name}")`,
        () => {
          const base = defaultResourceResult(args);
          const override = this.options.outputs?.(args);
          return { id: base.id, state: { ...base.state, ...override } };
        },
        () => ({ id: `${args.name}-id`, state: { ...args.inputs } }),
      );
      const parent = metadata.parent;
      this.resources.push({
        type: args.type,
        name: args.name,
        urn: this.monitor?.newUrn(parent ?? "", args.type, args.name) ?? "",
        id: args.custom ? result.id : "",
        custom: args.custom ?? true,
        inputs: args.inputs,
        state: result.state,
        ...(parent ? { parent } : {}),
        ...(args.provider ? { provider: args.provider } : {}),
        dependencies: metadata.dependencies,
        propertyDependencies: metadata.propertyDependencies,
        options: metadata.options,
        stackTrace: metadata.stackTrace,
      });
      return result;
    },
    call: (args) => {
      this.calls.push({ token: args.token, inputs: args.inputs });
      return this.guarded(
        `call(${args.token})`,
        () => this.options.calls?.(args) ?? defaultCallResult(args),
        () => ({}),
      );
    },
  };

  /** Wraps the mocks monitor so each record also gets parent, dependencies and options. */
  attach(monitor: MockMonitorLike): void {
    this.monitor = monitor;
    for (const method of ["registerResource", "readResource"] as const) {
      const original = monitor[method].bind(monitor);
      monitor[method] = (req, callback) => {
        this.requestInFlight = metadataOf(req);
        try {
          return original(req, callback);
        } finally {
          this.requestInFlight = undefined;
        }
      };
    }
    const registerOutputs = monitor.registerResourceOutputs.bind(monitor);
    monitor.registerResourceOutputs = (req, callback) => {
      const record = this.resources.find((r) => r.urn === req.getUrn());
      if (record && !record.custom) {
        const outputs = req.getOutputs();
        record.state = outputs ? pulumi.runtime.deserializeProperties(outputs) : {};
      }
      return registerOutputs(req, callback);
    };
  }

  throwIfErrors(): void {
    if (this.errors.length > 0) {
      throw new Error(this.errors.map((e) => e.message).join("\n"));
    }
  }
}

let installed: Recorder | undefined;

/** Points Pulumi's runtime at a fresh mocks monitor (project, stack, preview as given) and wraps it. */
function startMocks(recorder: Recorder, options: MockOptions): void {
  void pulumi.runtime.setMocks(recorder.mocks, options.project, options.stack, options.preview);
  recorder.attach(pulumi.runtime.getMonitor() as unknown as MockMonitorLike);
}

/**
 * Installs Pulumi's mocks runtime for this test file and returns the recorder. Call once at the
 * top level of a test file; calling again returns the same recorder (with `outputs`/`calls`
 * replaced when given). Every resource gets plausible outputs for its type (ARNs, endpoints,
 * certificates, ids) and common provider functions answer plausibly; see docs/testing-kit.md.
 */
export function installMocks(options: MockOptions = {}): MockRecorder {
  if (installed) {
    installed.options = {
      ...installed.options,
      ...(options.outputs ? { outputs: options.outputs } : {}),
      ...(options.calls ? { calls: options.calls } : {}),
    };
    return installed;
  }
  const recorder = new Recorder(options);
  startMocks(recorder, options);
  installed = recorder;
  return recorder;
}

/**
 * Resets the installed recorder (records and config) and restarts the mocks runtime with the given
 * project, stack and preview flag (defaults `project`, `stack`, not a preview), for a program run
 * that must not see anything an earlier run left behind.
 */
export function restartMocks(
  options: Pick<MockOptions, "project" | "stack" | "preview">,
): MockRecorder {
  const recorder = installedRecorder("restartMocks()");
  recorder.reset();
  startMocks(recorder, {
    project: options.project ?? recorder.options.project ?? "project",
    stack: options.stack ?? recorder.options.stack ?? "stack",
    preview: options.preview ?? false,
  });
  return recorder;
}

function installedRecorder(caller: string): Recorder {
  if (!installed) {
    throw new Error(`${caller}: call installMocks() at the top of the test file first`);
  }
  return installed;
}

function nextMacrotask(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** `@pulumi/pulumi`'s own wait for outstanding registrations and invokes (not in its typings). */
const waitForRPCs = (pulumi.runtime as unknown as { waitForRPCs?: () => Promise<void> })
  .waitForRPCs;

/**
 * Waits until every pending resource registration and provider call has reached the mocks, then
 * rejects with the collected mock errors, if any.
 */
export async function settle(): Promise<void> {
  const recorder = installedRecorder("settle()");
  let seen = -1;
  while (seen !== recorder.resources.length + recorder.calls.length) {
    seen = recorder.resources.length + recorder.calls.length;
    await waitForRPCs?.();
    await nextMacrotask();
  }
  recorder.throwIfErrors();
}

/** Output internals present on every `pulumi.Output` at runtime, but not in its public typings. */
interface OutputInternals<T> {
  isKnown: Promise<boolean>;
  promise(withUnknowns?: boolean): Promise<T>;
}

/**
 * Resolves an `Output` (or plain input) under the mocks. Rejects, instead of hanging, when the
 * value is unknown (a preview output the mocks did not return), when it never resolves after all
 * registrations settled, or when a mock failed.
 */
export async function awaitOutput<T>(value: pulumi.Input<T>): Promise<T> {
  const output = pulumi.output(value) as unknown as OutputInternals<pulumi.Unwrap<T>>;
  let finished = false;
  const resolved = Promise.all([output.isKnown, output.promise()]).finally(() => {
    finished = true;
  });
  const watchdog = settle()
    .catch(() => undefined)
    .then(async (): Promise<never> => {
      for (let tick = 0; tick < 3 && !finished; tick++) {
        await nextMacrotask();
      }
      if (finished) {
        return new Promise<never>(() => undefined);
      }
      throw new Error(
        "awaitOutput: the output did not resolve after every registration reached the mocks; " +
          "it depends on something that never completes (a rejected input or an apply that never returns)",
      );
    });
  const [known, result] = await Promise.race([resolved, watchdog]);
  installedRecorder("awaitOutput()").throwIfErrors();
  if (!known) {
    throw new Error(
      "awaitOutput: the value is unknown: under preview, outputs the mocks do not return stay " +
        "unknown; return them from the `outputs` option or install the mocks with preview: false",
    );
  }
  return result as T;
}
