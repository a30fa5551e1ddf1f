// Public surface of the local Chargebee API v2 emulator (see README.md).
export { startEmulator } from './emulator.js';
export type { BulkInput, Emulator, EmulatorOptions, ResourceApi, SdkConfig } from './emulator.js';
export type { DeliverOptions, DeliveryAttempt, DeliveryReport, RetryPolicy } from './delivery.js';
export type { FaultSettings, FaultState, RateLimitOptions } from './faults.js';
export type { SeedOptions, SeedResult } from './seed.js';
export type { RequestLogEntry, StatsSnapshot, WindowFilter } from './stats.js';
export type { ChargebeeErrorBody } from './errors.js';
export { Clock } from './clock.js';
export { Store } from './store.js';
export * from './types.js';
