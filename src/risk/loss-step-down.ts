/**
 * Size steps down after consecutive losing trades of a strategy (`risk.lossStepDown`), and comes
 * back at its first trade that does not lose. Pure: the streak is read from the round-trip trades
 * the engine state rebuilds from the journal, so a restart or a replay sees the same streak.
 *
 * After `after` losses in a row the size is × factor, each further loss × factor again, never
 * below `floor`: with { after: 3, factor: 0.5, floor: 0.25 }, losses 1–2 → 1, 3 → 0.5, 4+ → 0.25.
 */

export interface LossStepDownConfig {
  readonly after: number;
  readonly factor: number;
  readonly floor: number;
}

export function lossStepDownFactor(streak: number, config: LossStepDownConfig | undefined): number {
  if (config === undefined || !(streak >= config.after)) return 1;
  return Math.max(config.floor, Math.pow(config.factor, streak - config.after + 1));
}

/** Losing trades in a row at the end of `trades` (oldest first) that belong to `strategyId`. */
export function losingStreak(trades: readonly { readonly strategyId: string; readonly netPnl: bigint }[], strategyId: string): number {
  let n = 0;
  for (let i = trades.length - 1; i >= 0; i--) {
    const t = trades[i]!;
    if (t.strategyId !== strategyId) continue;
    if (t.netPnl >= 0n) break;
    n++;
  }
  return n;
}
