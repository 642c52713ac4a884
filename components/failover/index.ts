export * from "./failover-args";
export { FailoverEndpoint, type FailoverRecordOutput } from "./failover-endpoint";
export * from "./failover-plan";
