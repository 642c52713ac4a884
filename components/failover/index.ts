export { FailoverEndpoint, type FailoverRecordOutput } from "./failover-endpoint";
export * from "./failover-endpoint-args";
export * from "./failover-endpoint-plan";
