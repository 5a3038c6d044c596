/**
 * The fleet risk process: sums equity and gross exposure over every engine that is up (from
 * their heartbeats) and, when the fleet's drawdown from its high-water mark or its gross
 * exposure crosses a limit, stops every registered engine through the command bus (a stop
 * flattens: working orders cancelled, positions closed reduce-only). The trip is latched in
 * Redis (`hean:fleet:risk`): while latched, an engine that trades again (resumed by hand, or
 * back from an outage) is stopped again, until an operator resets the fleet risk, which also
 * re-bases the high-water mark on the equity of that moment. The high-water mark lives in Redis
 * too, so a restarted fleet process keeps measuring from the same peak.
 *
 * The fleet's equity counts an engine that is down at the equity it last reported (kept in
 * `hean:fleet:risk` as `equity:<engineId>`): its account did not lose its money when its process
 * stopped. Summed over the engines up alone, one engine of two restarting read as a 50% drawdown
 * against a peak that held both, and the fleet risk stopped and flattened every engine.
 */
import type { EngineBeat } from "./heartbeat.ts";
import { readFleet } from "./heartbeat.ts";
import { sendCommand } from "./command-sender.ts";
import type { RedisLink } from "./redis-link.ts";

export interface FleetRiskLimits {
  /** Fraction (0.1 = 10%) of the fleet's equity high-water mark; undefined: no drawdown limit. */
  readonly maxDrawdown: number | undefined;
  /** Sum over engines and symbols of |qty × mark|, in quote currency; undefined: no limit. */
  readonly maxGrossExposure: number | undefined;
}

export interface FleetTotals {
  readonly enginesUp: number;
  readonly enginesDown: number;
  /** The engines up, plus `equityOfDown`. */
  readonly equity: number;
  /** What the engines that are down last reported (0 when unknown). */
  readonly equityOfDown: number;
  readonly grossExposure: number;
  readonly highWaterMark: number;
  readonly drawdown: number;
}

export type FleetVerdict = { readonly breach: false } | { readonly breach: true; readonly reason: string };

const FLEET_RISK_KEY = "hean:fleet:risk";
/** `equity:<engineId>` in FLEET_RISK_KEY: the equity each engine last reported. */
const EQUITY_FIELD = "equity:";

/** Totals over the beats of the engines that are up, plus the last equity of those down (pure). */
export function fleetTotals(beats: readonly EngineBeat[], enginesDown: number, highWaterMark: number, equityOfDown = 0): FleetTotals {
  let equity = equityOfDown;
  let gross = 0;
  for (const b of beats) {
    const e = Number(b.status.equity);
    if (Number.isFinite(e)) equity += e;
    for (const p of b.positions) {
      const qty = Number(p.qty);
      const mark = Number(p.markPrice ?? p.avgPrice);
      if (Number.isFinite(qty) && Number.isFinite(mark)) gross += Math.abs(qty * mark);
    }
  }
  const hwm = Math.max(highWaterMark, equity);
  return { enginesUp: beats.length, enginesDown, equity, equityOfDown, grossExposure: gross, highWaterMark: hwm, drawdown: hwm > 0 ? (hwm - equity) / hwm : 0 };
}

/** Whether the totals cross a limit (pure). */
export function judgeFleet(t: FleetTotals, limits: FleetRiskLimits): FleetVerdict {
  if (limits.maxDrawdown !== undefined && t.drawdown > limits.maxDrawdown) {
    return { breach: true, reason: `fleet drawdown ${(t.drawdown * 100).toFixed(2)}% above ${(limits.maxDrawdown * 100).toFixed(2)}% (equity ${t.equity.toFixed(2)}, peak ${t.highWaterMark.toFixed(2)})` };
  }
  if (limits.maxGrossExposure !== undefined && t.grossExposure > limits.maxGrossExposure) {
    return { breach: true, reason: `fleet gross exposure ${t.grossExposure.toFixed(2)} above ${limits.maxGrossExposure}` };
  }
  return { breach: false };
}

export interface FleetRiskState {
  readonly totals: FleetTotals | undefined;
  readonly tripped: { readonly reason: string; readonly at: number; readonly id: string } | undefined;
  readonly limits: FleetRiskLimits;
}

export class FleetRisk {
  readonly #link: RedisLink;
  readonly #limits: FleetRiskLimits;
  readonly #log: (line: string) => void;
  #totals: FleetTotals | undefined;
  #tripped: FleetRiskState["tripped"];
  #stopsSent = 0;

  constructor(link: RedisLink, limits: FleetRiskLimits, log: (line: string) => void = () => undefined) {
    this.#link = link;
    this.#limits = limits;
    this.#log = log;
  }

  state(): FleetRiskState {
    return { totals: this.#totals, tripped: this.#tripped, limits: this.#limits };
  }

  /** One evaluation: read the fleet, update the peak, trip and stop when a limit is crossed. */
  async check(): Promise<FleetRiskState> {
    const link = this.#link;
    const fleet = await readFleet(link);
    const stored = await link.send(["HGETALL", FLEET_RISK_KEY]);
    const saved = pairs(stored);
    this.#tripped = saved["tripped"] !== undefined ? { reason: saved["tripped"], at: Number(saved["at"] ?? 0), id: saved["id"] ?? "trip" } : undefined;
    const beats = fleet.flatMap((e) => (e.beat === undefined ? [] : [e.beat]));
    let equityOfDown = 0;
    for (const e of fleet) {
      if (e.beat !== undefined) continue;
      const last = Number(saved[`${EQUITY_FIELD}${e.engineId}`]);
      if (Number.isFinite(last)) equityOfDown += last;
    }
    const totals = fleetTotals(beats, fleet.length - beats.length, Number(saved["hwm"] ?? 0) || 0, equityOfDown);
    this.#totals = totals;
    const lastEquities = beats.flatMap((b) => (Number.isFinite(Number(b.status.equity)) ? [`${EQUITY_FIELD}${b.engineId}`, String(b.status.equity)] : []));
    if (lastEquities.length > 0) await link.send(["HSET", FLEET_RISK_KEY, ...lastEquities]);
    if (beats.length > 0 && totals.highWaterMark > Number(saved["hwm"] ?? 0)) await link.send(["HSET", FLEET_RISK_KEY, "hwm", String(totals.highWaterMark)]);
    if (this.#tripped === undefined) {
      const verdict = beats.length === 0 ? ({ breach: false } as const) : judgeFleet(totals, this.#limits);
      if (verdict.breach) {
        const id = `fleet-risk-${Date.now().toString(36)}`;
        this.#tripped = { reason: verdict.reason, at: Date.now(), id };
        await link.send(["HSET", FLEET_RISK_KEY, "tripped", verdict.reason, "at", String(this.#tripped.at), "id", id]);
        this.#log(`FLEET RISK TRIPPED: ${verdict.reason}: stopping all ${fleet.length} engines`);
        for (const e of fleet) await this.#stop(e.engineId, `${id}-${e.engineId}`, verdict.reason);
      }
    } else {
      // Latched: whoever trades again is stopped again (a new commandId: the old one is answered already).
      for (const e of fleet) {
        if (e.beat !== undefined && e.beat.status.tradingState === "active") {
          await this.#stop(e.engineId, `${this.#tripped.id}-${e.engineId}-${++this.#stopsSent}`, this.#tripped.reason);
        }
      }
    }
    return this.state();
  }

  /** Operator reset: clear the latch and measure drawdown from the equity of now. */
  async reset(): Promise<void> {
    // The engines' last equities stay: a down engine is still counted at its own.
    await this.#link.send(["HDEL", FLEET_RISK_KEY, "tripped", "at", "id", "hwm"]);
    this.#tripped = undefined;
    if (this.#totals !== undefined && this.#totals.enginesUp > 0) await this.#link.send(["HSET", FLEET_RISK_KEY, "hwm", String(this.#totals.equity)]);
  }

  async #stop(engineId: string, commandId: string, reason: string): Promise<void> {
    await sendCommand(this.#link, engineId, { commandId, command: "stop", args: { reason: `fleet risk: ${reason}`.slice(0, 200) }, source: "fleet-risk", ttlMs: undefined });
  }
}

function pairs(reply: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (Array.isArray(reply)) for (let i = 0; i + 1 < reply.length; i += 2) out[String(reply[i])] = String(reply[i + 1]);
  return out;
}
