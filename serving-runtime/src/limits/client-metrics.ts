import { Counter, Gauge, type Registry } from "prom-client";

/** How a client's inference request was admitted or refused. */
export type ClientOutcome = "admitted" | "rate_limited" | "quota_exhausted" | "forbidden";

/** Counts of one client and model not yet added to the Prometheus counter. */
class Pending {
  admitted = 0;
  rate_limited = 0;
  quota_exhausted = 0;
  forbidden = 0;
}

/**
 * Per-client metrics: `hybridai_client_requests_total{client, model, outcome}` and
 * `hybridai_client_quota_remaining{client}`. The request path adds to plain numbers; they reach
 * the Prometheus metrics at scrape time, as the model metrics do.
 */
export class ClientMetrics {
  private readonly requests: Counter<"client" | "model" | "outcome">;
  private readonly pending = new Map<string, Map<string, Pending>>();

  /**
   * @param registry the server's registry
   * @param quotas each client with a daily quota and how to read what is left of it
   */
  constructor(registry: Registry, quotas: Map<string, () => number>) {
    const flush = () => this.flush();
    this.requests = new Counter({
      name: "hybridai_client_requests_total",
      help: "Inference requests per named client and model: admitted, or refused (rate_limited, quota_exhausted, forbidden)",
      labelNames: ["client", "model", "outcome"],
      registers: [registry],
      collect: flush,
    });
    new Gauge({
      name: "hybridai_client_quota_remaining",
      help: "Requests left in the client's daily quota (UTC day), for clients with a quota",
      labelNames: ["client"],
      registers: [registry],
      collect() {
        for (const [client, remaining] of quotas) this.set({ client }, remaining());
      },
    });
  }

  /** Counts one request of `client` for `model`. */
  count(client: string, model: string, outcome: ClientOutcome): void {
    let byModel = this.pending.get(client);
    if (!byModel) {
      byModel = new Map();
      this.pending.set(client, byModel);
    }
    let counts = byModel.get(model);
    if (!counts) {
      counts = new Pending();
      byModel.set(model, counts);
    }
    counts[outcome]++;
  }

  private flush(): void {
    for (const [client, byModel] of this.pending) {
      for (const [model, counts] of byModel) {
        for (const outcome of [
          "admitted",
          "rate_limited",
          "quota_exhausted",
          "forbidden",
        ] as const) {
          if (counts[outcome] > 0) {
            this.requests.inc({ client, model, outcome }, counts[outcome]);
            counts[outcome] = 0;
          }
        }
      }
    }
  }
}
