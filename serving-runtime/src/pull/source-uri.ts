import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { PullError } from "./errors";

/** Where a model repository is pulled from, parsed from `--from`. */
export type PullSource =
  | { kind: "s3"; bucket: string; prefix: string; uri: string }
  | { kind: "gcs"; bucket: string; prefix: string; uri: string }
  | { kind: "http"; baseUrl: string; uri: string }
  | { kind: "file"; directory: string; uri: string };

/** The source URI forms `--from` accepts, for error messages. */
export const SOURCE_FORMS =
  "s3://bucket/prefix, gs://bucket/prefix, https://host/path or file:///absolute/path";

/** Options of {@link parseSourceUri}. */
export interface SourceUriOptions {
  /** The flag named in error messages. Default `--from`. */
  flag?: string;
  /** Accept `http://127.0.0.1`, `http://localhost` and `http://[::1]` (tests only). Default false. */
  allowLoopbackHttp?: boolean;
}

const LOOPBACK_HOSTS = new Set(["127.0.0.1", "localhost", "[::1]"]);

/** Removes leading and trailing slashes and adds exactly one trailing slash to a non-empty prefix. */
function normalizePrefix(prefix: string): string {
  const trimmed = prefix.replace(/^\/+/, "").replace(/\/+$/, "");
  return trimmed === "" ? "" : `${trimmed}/`;
}

function bucketSource(kind: "s3" | "gcs", url: URL, uri: string, flag: string) {
  if (url.username || url.password) {
    throw new PullError(
      `${flag} ${uri}: credentials in the URI are refused; use the pod's identity (IRSA, Workload Identity) or the SDK's default credential chain`,
    );
  }
  if (!/^[a-z0-9][a-z0-9._-]{1,221}[a-z0-9]$/.test(url.hostname)) {
    throw new PullError(
      `${flag} ${uri}: "${url.hostname}" is not a valid bucket name (lowercase letters, digits, dots, dashes and underscores, 3–222 characters)`,
    );
  }
  if (url.search || url.hash) {
    throw new PullError(
      `${flag} ${uri}: query strings and fragments are not allowed in ${kind} URIs`,
    );
  }
  return {
    kind,
    bucket: url.hostname,
    prefix: normalizePrefix(decodeURIComponent(url.pathname)),
    uri,
  };
}

/**
 * Parses a `--from` URI. Throws {@link PullError} naming the URI and the accepted forms when the
 * scheme is unknown, the bucket is malformed, credentials are embedded, or a plain `http://` URL
 * is given (only allowed for loopback hosts with `allowLoopbackHttp`, for tests).
 */
export function parseSourceUri(uri: string, options: SourceUriOptions = {}): PullSource {
  const flag = options.flag ?? "--from";
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    throw new PullError(`${flag} "${uri}" is not a URI. Use one of: ${SOURCE_FORMS}`);
  }
  switch (url.protocol) {
    case "s3:":
      return bucketSource("s3", url, uri, flag);
    case "gs:":
      return bucketSource("gcs", url, uri, flag);
    case "https:":
    case "http:": {
      if (
        url.protocol === "http:" &&
        !(options.allowLoopbackHttp && LOOPBACK_HOSTS.has(url.hostname))
      ) {
        throw new PullError(`${flag} ${uri}: plain http is refused; use https://`);
      }
      if (url.username || url.password) {
        throw new PullError(`${flag} ${uri}: credentials in the URL are refused`);
      }
      url.pathname = url.pathname.replace(/\/+$/, "");
      return { kind: "http", baseUrl: url.toString().replace(/\/+$/, ""), uri };
    }
    case "file:": {
      if (url.host !== "") {
        throw new PullError(`${flag} ${uri}: file URIs must be local (file:///absolute/path)`);
      }
      return { kind: "file", directory: path.resolve(fileURLToPath(url)), uri };
    }
    default:
      throw new PullError(
        `${flag} ${uri}: scheme "${url.protocol.replace(/:$/, "")}" is not supported. Use one of: ${SOURCE_FORMS}`,
      );
  }
}

/**
 * One spelling per source, whatever the URI's trailing slashes or encoding: `s3://b/p/`,
 * `gs://b/p/`, the HTTPS base URL, `file:///abs/dir`. The device cache records sources this way.
 */
export function canonicalSourceUri(source: PullSource): string {
  switch (source.kind) {
    case "s3":
      return `s3://${source.bucket}/${source.prefix}`;
    case "gcs":
      return `gs://${source.bucket}/${source.prefix}`;
    case "http":
      return source.baseUrl;
    case "file":
      return pathToFileURL(source.directory).href;
  }
}
