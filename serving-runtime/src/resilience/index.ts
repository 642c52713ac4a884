export * from "./circuit-breaker";
export * from "./config";
export * from "./fallback";
export * from "./remote-client";
export * from "./remote-fallback";
export * from "./remote-metrics";
export * from "./token-file";
