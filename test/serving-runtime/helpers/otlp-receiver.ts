import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { BinaryReader, type WireType } from "@bufbuild/protobuf/wire";

// A test OTLP/HTTP receiver: it accepts `POST /v1/traces` with the exporter's real protobuf
// payloads (`ExportTraceServiceRequest`, opentelemetry-proto's collector/trace/v1) and decodes
// them with a wire-level reader. Field numbers follow opentelemetry-proto v1.x
// (opentelemetry/proto/trace/v1/trace.proto, common/v1/common.proto, resource/v1/resource.proto).

/** An attribute value as the receiver decodes it. */
export type AttributeValue = string | number | boolean | bigint | undefined;

/** One decoded span. */
export interface ReceivedSpan {
  /** Trace id, hex. */
  traceId: string;
  /** Span id, hex. */
  spanId: string;
  /** Parent span id, hex; empty for a root span. */
  parentSpanId: string;
  /** Span name. */
  name: string;
  /** SpanKind enum (1 internal, 2 server, 3 client). */
  kind: number;
  /** Start and end, nanoseconds since the epoch. */
  startNanos: bigint;
  endNanos: bigint;
  /** Attributes by key. */
  attributes: Record<string, AttributeValue>;
  /** Events (name and attributes). */
  events: { name: string; attributes: Record<string, AttributeValue> }[];
  /** Links (trace and span ids, hex). */
  links: { traceId: string; spanId: string }[];
  /** Status code (0 unset, 1 ok, 2 error) and message. */
  status: { code: number; message: string };
  /** The `service.name` of the resource that exported it. */
  service: string;
}

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString("hex");

function readFields(
  bytes: Uint8Array,
  onField: (field: number, reader: BinaryReader, wire: WireType) => void,
): void {
  const reader = new BinaryReader(bytes);
  while (reader.pos < reader.len) {
    const [field, wire] = reader.tag();
    const before = reader.pos;
    onField(field, reader, wire);
    if (reader.pos === before) reader.skip(wire);
  }
}

function anyValue(bytes: Uint8Array): AttributeValue {
  let value: AttributeValue;
  readFields(bytes, (field, reader) => {
    if (field === 1) value = reader.string();
    else if (field === 2) value = reader.bool();
    else if (field === 3) value = Number(reader.int64());
    else if (field === 4) value = reader.double();
  });
  return value;
}

function keyValues(list: Uint8Array[]): Record<string, AttributeValue> {
  const attributes: Record<string, AttributeValue> = {};
  for (const bytes of list) {
    let key = "";
    let value: AttributeValue;
    readFields(bytes, (field, reader) => {
      if (field === 1) key = reader.string();
      else if (field === 2) value = anyValue(reader.bytes());
    });
    attributes[key] = value;
  }
  return attributes;
}

function decodeSpan(bytes: Uint8Array, service: string): ReceivedSpan {
  const span: ReceivedSpan = {
    traceId: "",
    spanId: "",
    parentSpanId: "",
    name: "",
    kind: 0,
    startNanos: 0n,
    endNanos: 0n,
    attributes: {},
    events: [],
    links: [],
    status: { code: 0, message: "" },
    service,
  };
  const attributes: Uint8Array[] = [];
  readFields(bytes, (field, reader) => {
    switch (field) {
      case 1:
        span.traceId = hex(reader.bytes());
        break;
      case 2:
        span.spanId = hex(reader.bytes());
        break;
      case 4:
        span.parentSpanId = hex(reader.bytes());
        break;
      case 5:
        span.name = reader.string();
        break;
      case 6:
        span.kind = reader.int32();
        break;
      case 7:
        span.startNanos = BigInt(reader.fixed64());
        break;
      case 8:
        span.endNanos = BigInt(reader.fixed64());
        break;
      case 9:
        attributes.push(reader.bytes());
        break;
      case 11: {
        let name = "";
        const eventAttributes: Uint8Array[] = [];
        readFields(reader.bytes(), (f, r) => {
          if (f === 2) name = r.string();
          else if (f === 3) eventAttributes.push(r.bytes());
        });
        span.events.push({ name, attributes: keyValues(eventAttributes) });
        break;
      }
      case 13: {
        const link = { traceId: "", spanId: "" };
        readFields(reader.bytes(), (f, r) => {
          if (f === 1) link.traceId = hex(r.bytes());
          else if (f === 2) link.spanId = hex(r.bytes());
        });
        span.links.push(link);
        break;
      }
      case 15:
        readFields(reader.bytes(), (f, r) => {
          if (f === 2) span.status.message = r.string();
          else if (f === 3) span.status.code = r.int32();
        });
        break;
    }
  });
  span.attributes = keyValues(attributes);
  return span;
}

/** Decodes an `ExportTraceServiceRequest` into its spans. */
export function decodeExportRequest(body: Uint8Array): ReceivedSpan[] {
  const spans: ReceivedSpan[] = [];
  readFields(body, (field, reader) => {
    if (field !== 1) return;
    let service = "";
    const scopeSpans: Uint8Array[] = [];
    readFields(reader.bytes(), (f, r) => {
      if (f === 1) {
        const resourceAttributes: Uint8Array[] = [];
        readFields(r.bytes(), (g, s) => {
          if (g === 1) resourceAttributes.push(s.bytes());
        });
        service = String(keyValues(resourceAttributes)["service.name"]);
      } else if (f === 2) scopeSpans.push(r.bytes());
    });
    for (const scope of scopeSpans) {
      readFields(scope, (f, r) => {
        if (f === 2) spans.push(decodeSpan(r.bytes(), service));
      });
    }
  });
  return spans;
}

/** A running receiver: every span it was sent, and a way to wait for more. */
export interface OtlpReceiver {
  /** The base URL to give `--trace-endpoint` / `OTEL_EXPORTER_OTLP_ENDPOINT`. */
  url: string;
  /** Every span received so far. */
  spans: ReceivedSpan[];
  /** Content types of the export requests received. */
  contentTypes: string[];
  /** Resolves once `predicate` holds for the spans received (checked on every export). */
  waitFor(
    predicate: (spans: ReceivedSpan[]) => boolean,
    timeoutMs?: number,
  ): Promise<ReceivedSpan[]>;
  /** Stops the server. */
  close(): Promise<void>;
}

/** Starts a receiver on a free loopback port. */
export async function startOtlpReceiver(): Promise<OtlpReceiver> {
  const spans: ReceivedSpan[] = [];
  const contentTypes: string[] = [];
  const waiters = new Set<() => void>();
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      if (request.method !== "POST" || request.url !== "/v1/traces") {
        response.writeHead(404).end();
        return;
      }
      contentTypes.push(String(request.headers["content-type"]));
      spans.push(...decodeExportRequest(Buffer.concat(chunks)));
      response.writeHead(200, { "content-type": "application/x-protobuf" }).end();
      for (const wake of [...waiters]) wake();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    spans,
    contentTypes,
    waitFor(predicate, timeoutMs = 30_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          if (!predicate(spans)) return;
          waiters.delete(check);
          clearTimeout(timer);
          resolve(spans);
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(
            new Error(
              `spans never matched; received: ${spans.map((s) => `${s.service}:${s.name}`).join(", ")}`,
            ),
          );
        }, timeoutMs);
        waiters.add(check);
        check();
      });
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
