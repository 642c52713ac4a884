import { Counter, Gauge, type Registry } from "prom-client";

/** How a client's inference request was admitted or refused. */
export type ClientOutcome = "admitted" | "rate_limited" | "quota_exhausted" | "forbidden";

const OUTCOMES: readonly ClientOutcome[] = [
  "admitted",
  "rate_limited",
  "quota_exhausted",
  "forbidden",
];

/** Counts of one client and model not yet added to the Prometheus counter. */
class Pending {
  admitted = 0;
  rate_limited = 0;
  quota_exhausted = 0;
  forbidden = 0;
}

/**
 * Admission metrics of the tokens file's clients: `hybridai_client_requests_total{model,
 * outcome}`, with a `client` label and `hybridai_client_quota_remaining{client}` only when client
 * labels are asked for (`--metrics-client-labels`): client names are the operator's, and an
 * unauthenticated `/metrics` would otherwise list them with their traffic and quotas. The
 * request path adds to plain numbers; they reach the Prometheus metrics at scrape time, as the
 * model metrics do.
 */
export class ClientMetrics {
  private readonly requests: Counter<string>;
  private readonly pending = new Map<string, Map<string, Pending>>();

  /**
   * @param registry the server's registry
   * @param quotas each client with a daily quota and how to read what is left of it
   * @param clientLabels label the series with the client's name, and export the quota gauge
   */
  constructor(
    registry: Registry,
    quotas: Map<string, () => number>,
    private readonly clientLabels: boolean,
  ) {
    const flush = () => this.flush();
    this.requests = new Counter({
      name: "hybridai_client_requests_total",
      help: `Inference requests of the tokens file's clients${clientLabels ? " per client" : ""} and model: admitted, or refused (rate_limited, quota_exhausted, forbidden)`,
      labelNames: clientLabels ? ["client", "model", "outcome"] : ["model", "outcome"],
      registers: [registry],
      collect: flush,
    });
    if (!clientLabels) return;
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
    const key = this.clientLabels ? client : "";
    let byModel = this.pending.get(key);
    if (!byModel) {
      byModel = new Map();
      this.pending.set(key, byModel);
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
        for (const outcome of OUTCOMES) {
          if (counts[outcome] === 0) continue;
          const labels = this.clientLabels ? { client, model, outcome } : { model, outcome };
          this.requests.inc(labels, counts[outcome]);
          counts[outcome] = 0;
        }
      }
    }
  }
}
