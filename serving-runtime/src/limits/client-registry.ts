import { createHash, timingSafeEqual } from "node:crypto";
import type { Registry } from "prom-client";
import { InferenceError } from "../protocol/errors";
import { ClientMetrics } from "./client-metrics";
import { DailyQuota } from "./daily-quota";
import { LimitError, retryAfter } from "./limit-error";
import { TokenBucket } from "./token-bucket";
import { type ClientEntry, readTokensFile } from "./tokens-file";

/** Time sources of the limits: monotonic for rates, wall clock for UTC days. */
export interface LimitClocks {
  /** Monotonic milliseconds (rate limits). */
  monotonic: () => number;
  /** Milliseconds since the epoch (daily quotas). */
  wall: () => number;
}

const systemClocks: LimitClocks = { monotonic: () => performance.now(), wall: () => Date.now() };

/** A named client of the tokens file: its token's digest and its limits. */
export class ApiClient {
  /** The client's name. */
  readonly name: string;
  /** SHA-256 of its token. */
  readonly digest: Buffer;
  /** Models it may call; all when undefined. */
  readonly models?: ReadonlySet<string>;
  /** Its rate limit, when it has one. */
  readonly bucket?: TokenBucket;
  /** Its daily quota, when it has one. */
  readonly quota?: DailyQuota;

  /**
   * @param entry the client's tokens-file entry
   * @param nowMs the monotonic time, to start its bucket full
   */
  constructor(entry: ClientEntry, nowMs: number) {
    this.name = entry.name;
    this.digest = Buffer.from(entry.token_sha256, "hex");
    if (entry.models) this.models = new Set(entry.models);
    const rate = entry.rate_per_second;
    if (rate !== undefined) {
      this.bucket = new TokenBucket(rate, entry.burst ?? Math.max(1, Math.ceil(rate)), nowMs);
    }
    if (entry.daily_quota !== undefined) this.quota = new DailyQuota(entry.daily_quota);
  }

  /** Whether the client may call `model`. */
  allows(model: string): boolean {
    return this.models === undefined || this.models.has(model);
  }

  /**
   * The 403 for a model the client may not call: the same whether the model exists or not, so
   * that it tells nothing about which models exist.
   */
  forbidden(model: string): InferenceError {
    return new InferenceError(
      "FORBIDDEN",
      `client '${this.name}' may not use model '${model}'; its tokens-file entry lists ${[...(this.models ?? [])].map((m) => `'${m}'`).join(", ")}`,
    );
  }
}

/**
 * The named clients of `--tokens-file`: who a bearer token belongs to (compared in constant
 * time against every client, so the answer's timing says nothing about which token came
 * close), which models each may call, and their token-bucket rate limits and daily quotas,
 * counted in `hybridai_client_requests_total` (per client with `--metrics-client-labels`).
 */
export class ClientRegistry {
  private readonly clients: ApiClient[];
  private readonly metrics: ClientMetrics;

  /**
   * @param entries the tokens file's clients
   * @param registry where the per-client metrics are exported
   * @param clocks time sources; the system's by default
   * @param clientLabels label the metrics with each client's name (`--metrics-client-labels`);
   *   without it they are summed over clients and the per-client quota gauge is left out
   */
  constructor(
    entries: readonly ClientEntry[],
    registry: Registry,
    private readonly clocks: LimitClocks = systemClocks,
    clientLabels = false,
  ) {
    const now = clocks.monotonic();
    this.clients = entries.map((entry) => new ApiClient(entry, now));
    const quotas = new Map<string, () => number>();
    for (const client of this.clients) {
      const quota = client.quota;
      if (quota) quotas.set(client.name, () => quota.remaining(clocks.wall()));
    }
    this.metrics = new ClientMetrics(registry, quotas, clientLabels);
  }

  /**
   * Reads a tokens file (see `readTokensFile`).
   *
   * @param file path of the file
   * @param flag the flag that named it, for messages
   * @param registry where the per-client metrics are exported
   * @param clientLabels label the metrics with each client's name
   */
  static async fromFile(
    file: string,
    flag: string,
    registry: Registry,
    clientLabels = false,
  ): Promise<ClientRegistry> {
    return new ClientRegistry(
      await readTokensFile(file, flag),
      registry,
      systemClocks,
      clientLabels,
    );
  }

  /**
   * The client whose token an `Authorization: Bearer <token>` header carries, or undefined.
   * The presented token's SHA-256 is compared with every client's in constant time, without
   * stopping at a match.
   */
  identify(header: string | undefined): ApiClient | undefined {
    if (!header?.startsWith("Bearer ")) return undefined;
    const presented = createHash("sha256").update(header.slice(7).trim()).digest();
    let found: ApiClient | undefined;
    for (const client of this.clients) {
      if (timingSafeEqual(presented, client.digest)) found = client;
    }
    return found;
  }

  /**
   * Refuses a model the client may not call, before the model is looked up: 403, the same for a
   * model that does not exist, counted as `forbidden` under the model's name when it exists and
   * under `""` when it does not (so made-up names add no metric series).
   *
   * @param client the caller
   * @param model the model the request names
   * @param exists whether the repository knows the model
   */
  checkModel(client: ApiClient, model: string, exists: boolean): void {
    if (client.allows(model)) return;
    this.metrics.count(client.name, exists ? model : "", "forbidden");
    throw client.forbidden(model);
  }

  /**
   * Admits one inference request of `client` for `model`, or throws: 403 for a model the
   * client may not call, 429 ({@link LimitError}, with the seconds to wait) when its bucket is
   * empty or its daily quota used up. A refused request takes nothing from the quota.
   */
  admit(client: ApiClient, model: string): void {
    if (!client.allows(model)) {
      this.metrics.count(client.name, model, "forbidden");
      throw client.forbidden(model);
    }
    const bucket = client.bucket;
    if (bucket) {
      const wait = bucket.take(this.clocks.monotonic());
      if (wait > 0) {
        this.metrics.count(client.name, model, "rate_limited");
        const seconds = retryAfter(wait);
        throw new LimitError(
          `client '${client.name}' is over its rate limit of ${bucket.ratePerSecond} requests/s (burst ${bucket.burst}); retry after ${seconds} s`,
          seconds,
        );
      }
    }
    const quota = client.quota;
    if (quota) {
      const wait = quota.take(this.clocks.wall());
      if (wait > 0) {
        this.metrics.count(client.name, model, "quota_exhausted");
        const seconds = retryAfter(wait);
        throw new LimitError(
          `client '${client.name}' has used its daily quota of ${quota.limit} requests; it resets at 00:00 UTC, in ${seconds} s`,
          seconds,
        );
      }
    }
    this.metrics.count(client.name, model, "admitted");
  }
}
