/**
 * Protective stops resting at the venue: for every open position, a reduce-only stop at the
 * configured stop-loss distance from the venue's average entry, so that a dead process or host
 * still leaves the position protected. The engine's own position monitor remains the first line;
 * the venue's stop sits a tick or so beyond it (rounded away from the entry) as the backstop.
 *
 * Kept in step from the venue's own position (size, average entry and the stop it holds): after
 * every fill of the symbol, after the boot reconciliation and on the positions timer. A venue
 * that drops the stop by itself when the position goes flat (Bybit) is sent nothing then; one
 * whose stop outlives the position (Binance) reports it, and it is removed. With no stop-loss
 * configured (neither `risk.stopLossPct` nor an operator's per-symbol stop) nothing is asked or sent.
 */
import type { Clock, TimerHandle } from "../../core/clock.ts";
import { type Dec, ONE, add, format, fromNumber, mul, sub } from "../../core/decimal.ts";
import { describeError } from "../../core/errors.ts";
import { type Instrument, roundPrice } from "../../core/instrument.ts";
import type { PositionStatusReport } from "../venue.ts";
import type { Alert, LiveAdapter } from "./adapter.ts";

export interface ProtectiveStopsOptions {
  readonly adapter: LiveAdapter;
  readonly symbols: readonly string[];
  /** Stop-loss distance in percent of the average entry (2 = 2 %); undefined: none configured. */
  readonly stopPct: (symbol: string) => number | undefined;
  readonly instrument: (symbol: string) => Promise<Instrument | undefined>;
  readonly clock: Clock;
  readonly intervalMs: number;
  readonly alert: Alert;
}

/** Where the stop of `position` belongs, on the tick grid; undefined when flat or none is configured. */
export function protectiveStopPrice(position: Pick<PositionStatusReport, "qty" | "avgPrice">, pct: number | undefined, instrument: Instrument): Dec | undefined {
  if (position.qty === 0n || position.avgPrice <= 0n || pct === undefined || !Number.isFinite(pct) || pct <= 0) return undefined;
  const f = fromNumber(pct / 100);
  const long = position.qty > 0n;
  const price = roundPrice(instrument, mul(position.avgPrice, long ? sub(ONE, f) : add(ONE, f)), long ? "floor" : "ceil");
  return price > 0n ? price : undefined;
}

export class ProtectiveStops {
  readonly #o: ProtectiveStopsOptions;
  /** Symbols with a sync running, and those due another pass once it ends. */
  readonly #running = new Map<string, Promise<void>>();
  readonly #again = new Set<string>();
  #timer: TimerHandle | undefined;
  #stopped = false;

  constructor(options: ProtectiveStopsOptions) {
    this.#o = options;
  }

  start(): void {
    if (this.#stopped || this.#timer !== undefined) return;
    const tick = (): void => {
      this.#timer = this.#o.clock.setTimeout(tick, this.#o.intervalMs);
      this.all();
    };
    this.#timer = this.#o.clock.setTimeout(tick, this.#o.intervalMs);
  }

  stop(): void {
    this.#stopped = true;
    this.#timer?.cancel();
  }

  all(): void {
    for (const s of this.#o.symbols) this.touch(s);
  }

  /** The position in `symbol` may have changed: bring its stop in step (coalesced per symbol). */
  touch(symbol: string): void {
    if (this.#stopped || !this.#o.symbols.includes(symbol)) return;
    if (this.#running.has(symbol)) {
      this.#again.add(symbol);
      return;
    }
    const run = this.#sync(symbol).finally(() => {
      this.#running.delete(symbol);
      if (this.#again.delete(symbol)) this.touch(symbol);
    });
    this.#running.set(symbol, run);
  }

  /** Resolves once every sync under way has ended (tests, the boot). */
  async settled(): Promise<void> {
    while (this.#running.size > 0) await Promise.all([...this.#running.values()]);
  }

  async #sync(symbol: string): Promise<void> {
    const { adapter, alert } = this.#o;
    // With no stop-loss configured hean leaves the venue's stops alone (and asks nothing).
    if (this.#o.stopPct(symbol) === undefined) return;
    try {
      const instrument = await this.#o.instrument(symbol);
      const position = await adapter.position(symbol, "essential");
      if (instrument === undefined || position === undefined) return;
      // Flat: a venue whose stop outlives the position (Binance's closePosition order) has it removed.
      if (position.qty === 0n && position.stopLoss === undefined) return;
      const want = protectiveStopPrice(position, this.#o.stopPct(symbol), instrument);
      if (want === position.stopLoss) return;
      await adapter.protectiveStop(symbol, want);
      alert("info", "PROTECTIVE_STOP_SET", want === undefined ? `${symbol}: protective stop removed` : `${symbol}: protective stop resting at ${format(want)} for ${format(position.qty)}`, {
        symbol,
        stop: want === undefined ? null : format(want),
      });
    } catch (e) {
      // The engine's own stop still watches the position; the next fill or timer tries again.
      alert("warning", "PROTECTIVE_STOP_FAILED", `${symbol}: cannot place the protective stop at the venue: ${describeError(e).message}`, { symbol });
    }
  }
}
