export * from "./circuit-breaker";
export * from "./config";
export * from "./fallback";
