import path from "node:path";
import {
  type CallOptions,
  type Client,
  credentials,
  loadPackageDefinition,
  Metadata,
  type ServiceClientConstructor,
  type ServiceError,
} from "@grpc/grpc-js";
import { loadSync } from "@grpc/proto-loader";
import { protoPath as healthProtoPath } from "grpc-health-check";
import type { Json } from "./server";

const PROTO_DIRECTORY = path.resolve(__dirname, "../../../serving-runtime/proto");

/**
 * How the test client decodes messages: as a Python or Go client sees them, every field present
 * with its default (empty strings, 0, false, empty lists), 64-bit integers as decimal strings.
 */
const OPTIONS = {
  keepCase: true,
  longs: String,
  enums: String,
  defaults: true,
  oneofs: true,
  includeDirs: [PROTO_DIRECTORY],
};

function clientConstructor(file: string, service: string): ServiceClientConstructor {
  const loaded = loadPackageDefinition(loadSync(file, OPTIONS)) as Record<string, unknown>;
  let node: unknown = loaded;
  for (const part of service.split(".")) node = (node as Record<string, unknown>)[part];
  return node as ServiceClientConstructor;
}

/** The outcome of a call: the answer, or the error with its status code and details. */
export type CallResult =
  | { ok: true; value: Json; headers: Metadata }
  | { ok: false; error: ServiceError };

/** A gRPC client of one service on loopback, calling methods by name. */
export class TestGrpcClient {
  private readonly client: Client & Record<string, unknown>;

  /**
   * @param address `host:port`
   * @param service `inference.GRPCInferenceService` or `grpc.health.v1.Health`
   * @param options channel options (e.g. message size limits)
   */
  constructor(
    address: string,
    service = "inference.GRPCInferenceService",
    options: Record<string, number> = {},
  ) {
    const file = service.startsWith("grpc.health") ? healthProtoPath : "grpc_service.proto";
    const Service = clientConstructor(file, service);
    this.client = new Service(address, credentials.createInsecure(), options) as unknown as Client &
      Record<string, unknown>;
  }

  /**
   * Calls a unary method; resolves with the answer and the response's initial metadata, or with
   * the error (never rejects).
   */
  call(
    method: string,
    request: unknown,
    metadata: Record<string, string> = {},
    options: CallOptions = {},
  ): Promise<CallResult> {
    const md = new Metadata();
    for (const [key, value] of Object.entries(metadata)) md.set(key, value);
    return new Promise((resolve) => {
      let headers = new Metadata();
      const fn = this.client[method] as (...args: unknown[]) => {
        on(event: string, listener: (value: Metadata) => void): void;
      };
      const call = fn.call(
        this.client,
        request,
        md,
        options,
        (error: ServiceError | null, value: Json) =>
          resolve(error ? { ok: false, error } : { ok: true, value, headers }),
      );
      call.on("metadata", (received) => {
        headers = received;
      });
    });
  }

  /** Calls a unary method and returns the answer; throws the error's details otherwise. */
  async ok(
    method: string,
    request: unknown = {},
    metadata: Record<string, string> = {},
  ): Promise<Json> {
    const result = await this.call(method, request, metadata);
    if (!result.ok)
      throw new Error(`${method} failed: ${result.error.code} ${result.error.details}`);
    return result.value;
  }

  /** Calls a unary method expected to fail and returns its error. */
  async error(
    method: string,
    request: unknown = {},
    metadata: Record<string, string> = {},
  ): Promise<ServiceError> {
    const result = await this.call(method, request, metadata);
    if (result.ok)
      throw new Error(`${method} answered ${JSON.stringify(result.value)}; expected an error`);
    return result.error;
  }

  /** The underlying client (for streaming calls). */
  get raw(): Client & Record<string, unknown> {
    return this.client;
  }

  /** Closes the channel. */
  close(): void {
    this.client.close();
  }
}

/** A `ModelStreamInfer` stream: write requests, read answers, then the call's status. */
export interface InferStream {
  /** Sends one request. */
  send(request: unknown): void;
  /** Resolves with the next `count` answers. */
  next(count: number): Promise<Json[]>;
  /** Half-closes the stream and resolves with the final status code and details. */
  finish(): Promise<{ code: number; details: string }>;
  /** Resolves with the final status (without half-closing). */
  status: Promise<{ code: number; details: string }>;
}

/**
 * Opens `ModelStreamInfer` on a client of `inference.GRPCInferenceService`.
 *
 * @param client the test client
 * @param metadata call metadata (e.g. `authorization`)
 */
export function openInferStream(
  client: TestGrpcClient,
  metadata: Record<string, string> = {},
): InferStream {
  const md = new Metadata();
  for (const [key, value] of Object.entries(metadata)) md.set(key, value);
  const open = client.raw.ModelStreamInfer as (metadata: Metadata) => {
    write(value: unknown): void;
    end(): void;
    on(event: string, listener: (value: Json) => void): void;
  };
  const call = open.call(client.raw, md);
  const answers: Json[] = [];
  let waiting: (() => void) | undefined;
  let ended: { code: number; details: string } | undefined;
  call.on("data", (answer) => {
    answers.push(answer);
    waiting?.();
  });
  call.on("error", () => undefined);
  const status = new Promise<{ code: number; details: string }>((resolve) =>
    call.on("status", (value) => {
      ended = { code: value.code, details: value.details };
      resolve(ended);
      waiting?.();
    }),
  );
  return {
    send: (request) => call.write(request),
    async next(count) {
      while (answers.length < count) {
        if (ended) {
          throw new Error(
            `the stream ended (${ended.code} ${ended.details}) after ${answers.length} of ${count} answers`,
          );
        }
        await new Promise<void>((resolve) => {
          waiting = resolve;
        });
      }
      return answers.splice(0, count);
    },
    finish() {
      call.end();
      return status;
    },
    status,
  };
}
