export { runSyncCommand, SYNC_USAGE } from "./command";
export { type SyncOptions, type SyncResult, syncModelVersion } from "./sync";
