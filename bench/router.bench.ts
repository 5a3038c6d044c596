/**
 * Maker-first against always-taker, on the same seeded market and the same order flow.
 *
 * Each mode runs the real runtime (engine, SQLite journal, risk, router, simulated venue) on a
 * simulated clock, so the figures are exact and repeatable: the same seed and scenario, and the
 * same schedule of parent orders (about every 5 s, BTCUSDT and ETHUSDT in turn, sides alternating,
 * about 1 200 USDT each). `maker-first` routes them with urgency `normal` (post-only at the
 * touch, adaptive TTL, reprices, then the bounded IOC); `always-taker` with urgency
 * `immediate` (the bounded IOC at once). What differs is only the routing.
 *
 * Figures, per scenario, each with the other mode as its baseline:
 * - net fees: fees paid minus rebates over filled notional, bps;
 * - slippage: average fill price against the arrival mid, notional-weighted, bps (positive is
 *   a cost; resting earns part of the spread, so it can be negative);
 * - all-in cost: the two added up, bps;
 * - fill ratio: filled over requested notional;
 * - time to fill: arrival to last fill, median, ms.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SimClock } from "../src/core/clock.ts";
import { dec } from "../src/core/decimal.ts";
import type { Urgency } from "../src/core/events.ts";
import { loadConfig } from "../src/config/config.ts";
import type { ExecutionMeasures } from "../src/execution/router/measures.ts";
import { SqliteJournal } from "../src/journal/sqlite-journal.ts";
import { Runtime } from "../src/runtime/runtime.ts";
import type { BenchResult } from "./result.ts";

const PARENTS = 120;
/** Not a multiple of the market's 100 ms update step: parents arrive at every phase of it, as real ones do. */
const INTERVAL_MS = 5_037;
const SETTLE_MS = 60_000;
const SEED = 42;
const FLOW = [
  { symbol: "BTCUSDT", qty: "0.02" },
  { symbol: "ETHUSDT", qty: "0.4" },
] as const;
const SCENARIOS = ["calm", "trend"] as const;

type Mode = "maker-first" | "always-taker";
const URGENCY: Readonly<Record<Mode, Urgency>> = { "maker-first": "normal", "always-taker": "immediate" };

async function runMode(dir: string, scenario: string, mode: Mode): Promise<ExecutionMeasures> {
  const clock = new SimClock(Date.UTC(2026, 0, 5, 12));
  const path = join(dir, `${scenario}-${mode}.db`);
  const config = loadConfig({
    overrides: [
      `journal.path=${JSON.stringify(path)}`,
      "strategy.name=none",
      `scenario=${scenario}`,
      `seed=${SEED}`,
      "initialCash=1000000",
      "sim.jitterMs=0",
      "risk.maxLeverage=10",
      "risk.maxOpenOrders=1000",
      "risk.orderRate.maxOrders=100000",
      "risk.maxOrderNotional=100000",
      "risk.maxPositionNotional=1000000",
      "risk.maxGrossExposure=5000000",
      "risk.maxHoldMs=100000000",
    ],
  });
  const journal = SqliteJournal.open(path, { durability: "normal", writer: "inline" });
  const rt = await Runtime.start({ config, clock, busMode: "sync", journal });
  const settle = async (): Promise<void> => {
    for (let i = 0; i < 3; i++) await new Promise((r) => setImmediate(r));
  };
  const advance = async (ms: number): Promise<void> => {
    const end = clock.now() + ms;
    while (clock.now() < end) {
      clock.advance(Math.min(20, end - clock.now()));
      await settle();
    }
  };
  await advance(3_000);
  for (let i = 0; i < PARENTS; i++) {
    const leg = FLOW[i % FLOW.length]!;
    const side = Math.floor(i / FLOW.length) % 2 === 0 ? "buy" : "sell";
    const r = rt.router.route({ strategyId: "bench", symbol: leg.symbol, side, qty: dec(leg.qty), urgency: URGENCY[mode], purpose: "entry", reduceOnly: false });
    if (!r.ok) throw new Error(`${scenario}/${mode}: parent ${i} refused: ${r.code} ${r.message}`);
    // Let the intent's commit resolve and the order go out before the clock moves on.
    await settle();
    await advance(INTERVAL_MS);
  }
  await advance(SETTLE_MS);
  const measures = rt.report().execution;
  const stopping = rt.stop("bench done");
  let done = false;
  void stopping.finally(() => (done = true));
  while (!done) {
    clock.advance(20);
    await settle();
  }
  await stopping;
  if (measures.working > 0 || measures.parents !== PARENTS) throw new Error(`${scenario}/${mode}: ${measures.working} parents still working`);
  return measures;
}

interface Figures {
  readonly netFeesBps: number;
  readonly slippageBps: number;
  readonly allInBps: number;
  readonly fillRatio: number;
  readonly timeToFillP50Ms: number;
}

function figures(m: ExecutionMeasures): Figures {
  const netFeesBps = m.netFeesBps ?? Number.NaN;
  const slippageBps = m.slippageBps?.mean ?? Number.NaN;
  return {
    netFeesBps,
    slippageBps,
    allInBps: netFeesBps + slippageBps,
    fillRatio: m.fillRatio ?? 0,
    timeToFillP50Ms: m.timeToFillMs?.p50 ?? Number.NaN,
  };
}

const MEASURES: readonly { key: keyof Figures; label: string; unit: string }[] = [
  { key: "netFeesBps", label: "net fees", unit: "bps of notional" },
  { key: "slippageBps", label: "slippage vs arrival mid", unit: "bps" },
  { key: "allInBps", label: "all-in cost (fees + slippage)", unit: "bps" },
  { key: "fillRatio", label: "fill ratio", unit: "filled/requested" },
  { key: "timeToFillP50Ms", label: "time to fill p50", unit: "ms" },
];

export async function runRouterBench(): Promise<BenchResult[]> {
  const dir = mkdtempSync(join(tmpdir(), "hean-router-bench-"));
  const results: BenchResult[] = [];
  try {
    for (const scenario of SCENARIOS) {
      const maker = figures(await runMode(dir, scenario, "maker-first"));
      const taker = figures(await runMode(dir, scenario, "always-taker"));
      for (const m of MEASURES) {
        const pair: [Mode, Figures, Mode, Figures][] = [
          ["maker-first", maker, "always-taker", taker],
          ["always-taker", taker, "maker-first", maker],
        ];
        for (const [mode, own, other, theirs] of pair) {
          const value = own[m.key];
          const baselineValue = theirs[m.key];
          results.push({
            name: `router ${scenario}: ${m.label}, ${mode}`,
            unit: m.unit,
            value,
            baselineName: other,
            baselineValue,
            ratio: baselineValue !== 0 && Number.isFinite(baselineValue) ? value / baselineValue : 0,
          });
        }
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return results;
}
