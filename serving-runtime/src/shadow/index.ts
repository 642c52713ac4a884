export * from "./compare";
export * from "./config";
export * from "./decode-response";
export * from "./shadow-metrics";
export * from "./shadow-runner";
export * from "./summary";
