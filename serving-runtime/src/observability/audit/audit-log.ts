import { open } from "node:fs";
import { mkdir } from "node:fs/promises";
import path from "node:path";
import { promisify } from "node:util";
import { Counter, type Registry } from "prom-client";
import { SonicBoom } from "sonic-boom";
import { type AuditEnding, auditLine } from "./audit-record";
import type { RequestFacts } from "./request-facts";

/** Where and how much to audit. */
export interface AuditSettings {
  /** `stdout`, or a file path (appended to; its directory is created). */
  destination: string;
  /** Share of inference requests audited, above 0 up to 1. */
  sampleRate: number;
  /** Bytes waiting to be written beyond which records are dropped (and counted). */
  bufferBytes: number;
  /** Request and response bytes copied into each record; 0 for none. */
  payloadBytes: number;
}

/** Records finished in one event-loop turn that wait to be turned into lines; more are dropped. */
const MAX_PENDING_RECORDS = 4096;

interface Pending {
  facts: RequestFacts;
  ending: AuditEnding;
  finishedAt: number;
}

/**
 * The append-only audit log: one JSON line per sampled inference request. It never blocks
 * inference: a finished request only queues its facts; lines are built at the end of the
 * event-loop turn (after the responses went out) and handed to an asynchronous writer
 * (sonic-boom, pino's own) whose buffer is bounded by `bufferBytes`. What does not fit — more
 * than 4096 records in one turn, or a full buffer because the disk or the stdout reader is
 * slower than the traffic — is dropped and counted in `hybridai_audit_dropped_total`.
 */
export class AuditLog {
  private readonly destination: SonicBoom;
  private pending: Pending[] = [];
  private scheduled = false;
  private written = 0;
  private dropped = 0;
  private closing?: Promise<void>;

  private constructor(
    private readonly settings: AuditSettings,
    destination: SonicBoom,
    registry: Registry,
  ) {
    this.destination = destination;
    destination.on("drop", (data: string) => {
      const records = recordsIn(data);
      this.written -= records;
      this.dropped += records;
    });
    const registers = [registry];
    const log = this;
    new Counter({
      name: "hybridai_audit_records_total",
      help: "Audit records written (or being written) to the audit log",
      registers,
      collect() {
        this.reset();
        this.inc(log.written);
      },
    });
    new Counter({
      name: "hybridai_audit_dropped_total",
      help: "Audit records dropped because the audit log's buffer was full",
      registers,
      collect() {
        this.reset();
        this.inc(log.dropped);
      },
    });
  }

  /**
   * Opens the destination (creating a file's directory; a file is appended to) and rejects
   * naming it when it cannot be opened.
   *
   * @param settings destination, sampling, buffer and payload size
   * @param registry where the audit counters are exported
   */
  static async open(settings: AuditSettings, registry: Registry): Promise<AuditLog> {
    let fd = 1;
    if (settings.destination !== "stdout") {
      try {
        await mkdir(path.dirname(settings.destination), { recursive: true });
        fd = await promisify(open)(settings.destination, "a");
      } catch (error) {
        throw new Error(
          `--audit-log: cannot open '${settings.destination}': ${(error as Error).message}`,
        );
      }
    }
    const destination = new SonicBoom({ fd, sync: false, maxLength: settings.bufferBytes });
    return new AuditLog(settings, destination, registry);
  }

  /**
   * Starts the facts of a request when it is sampled; `undefined` when it is not (the request
   * then costs the log nothing more).
   *
   * @param requestId the request's id
   * @param protocol what it came over
   */
  begin(
    requestId: string | undefined,
    protocol: RequestFacts["protocol"] = "http",
  ): RequestFacts | undefined {
    if (this.settings.sampleRate < 1 && Math.random() >= this.settings.sampleRate) return undefined;
    return { startedAt: Date.now(), started: performance.now(), requestId, protocol };
  }

  /** Queues the record of a finished request; it is written after the turn's responses. */
  end(facts: RequestFacts, ending: AuditEnding): void {
    if (this.closing) return;
    if (this.pending.length >= MAX_PENDING_RECORDS) {
      this.dropped++;
      return;
    }
    this.pending.push({ facts, ending, finishedAt: performance.now() });
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => this.writePending());
    }
  }

  /** Whether request and response bodies go into records. */
  get recordsPayloads(): boolean {
    return this.settings.payloadBytes > 0;
  }

  /** Writes what is queued and closes the destination (stdout stays open). */
  close(): Promise<void> {
    this.closing ??= new Promise((resolve) => {
      this.writePending();
      this.destination.once("close", () => resolve());
      this.destination.end();
    });
    return this.closing;
  }

  private writePending(): void {
    this.scheduled = false;
    const pending = this.pending;
    this.pending = [];
    const payloadBytes = this.settings.payloadBytes;
    // Records go out in chunks of a few: one write (and system call) per chunk, not per record,
    // and a chunk small against the buffer, so a full buffer drops few records at a time.
    const chunkBytes = Math.min(MAX_CHUNK_BYTES, this.settings.bufferBytes >> 2);
    let chunk = "";
    for (const { facts, ending, finishedAt } of pending) {
      this.written++;
      chunk += auditLine(facts, ending, finishedAt, payloadBytes);
      if (chunk.length >= chunkBytes) {
        this.destination.write(chunk);
        chunk = "";
      }
    }
    if (chunk !== "") this.destination.write(chunk);
  }
}

/** Largest chunk of records handed to the writer at once. */
const MAX_CHUNK_BYTES = 16 * 1024;

/** Records in a chunk the writer dropped: each record is one line. */
function recordsIn(data: string): number {
  let records = 0;
  for (let at = data.indexOf("\n"); at >= 0; at = data.indexOf("\n", at + 1)) records++;
  return records;
}
