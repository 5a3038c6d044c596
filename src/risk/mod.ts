/**
 * The risk layer's pure decision functions. The stateful parts (kill switch orchestration,
 * wiring into the engine) call these and journal what they decide.
 */
export * from "./config.ts";
export * from "./utc-day.ts";
export * from "./sliding-window.ts";
export * from "./pretrade.ts";
export * from "./exit-price.ts";
export * from "./governor.ts";
export * from "./sizing.ts";
export * from "./signal-context.ts";
export * from "./position-monitor.ts";
export * from "./stale-data.ts";
export * from "./triggers.ts";
