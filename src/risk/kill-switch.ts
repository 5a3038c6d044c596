/**
 * The kill switch: block, cancel, close, verify — journaled step by step, retried until flat.
 *
 * The audited engine's kill switch only set a flag. Ours acts in the same turn it is triggered:
 * the `triggered` record halts new exposure at once (the engine's trading state becomes
 * "halted"), every working order is cancelled, every position is closed with a reduce-only
 * marketable limit (bounded slippage), and flatness is confirmed from the venue's own positions,
 * not from our own bookkeeping. Until the venue says flat, it keeps retrying and alerting.
 */
import type { Clock, TimerHandle } from "../core/clock.ts";
import { type Dec, abs, format } from "../core/decimal.ts";
import { describeError } from "../core/errors.ts";
import type { KillSwitchEvent, KillSwitchReason } from "../core/events.ts";
import type { InstrumentRegistry } from "../core/instrument.ts";
import { exitLimitPrice } from "../execution/exit-price.ts";
import type { Engine } from "../engine/engine.ts";
import type { CandidateOrder, Executor } from "../execution/executor.ts";
import type { Venue, VenuePosition } from "../execution/venue-port.ts";

export interface KillSwitchOptions {
  readonly engine: Engine;
  readonly executor: Executor;
  readonly venue: Venue;
  readonly clock: Clock;
  readonly instruments: InstrumentRegistry;
  /** Worst price a closing order accepts, in bps from the touch. */
  readonly slippageBps: number;
  /** A book older than this is no reference for a close price. */
  readonly staleDataMs: number;
  /** First wait before checking the venue; doubles per retry up to `maxRetryMs`. */
  readonly verifyAfterMs?: number;
  readonly maxRetryMs?: number;
  readonly onAlert: (severity: "warning" | "critical", code: string, message: string, context: Record<string, unknown>) => void;
}

export class KillSwitch {
  readonly #o: KillSwitchOptions;
  #timer: TimerHandle | undefined;
  #attempt = 0;
  #verifying = false;

  constructor(options: KillSwitchOptions) {
    this.#o = options;
  }

  get active(): boolean {
    return this.#o.engine.state.killSwitch.active;
  }

  /** A check of the venue's positions is waiting on the venue's answer. */
  get verifying(): boolean {
    return this.#verifying;
  }

  /** Idempotent: a second trigger while active does not restart anything. */
  trigger(reason: KillSwitchReason, detail: string): void {
    if (this.active) return;
    this.#step("triggered", reason, detail);
    this.#o.onAlert("critical", "KILL_SWITCH", `kill switch: ${reason} (${detail})`, { reason, detail });
    this.#attempt = 0;
    this.#flattenPass();
  }

  /** After a restart with the kill switch still active: carry on where it stopped. */
  resume(): void {
    if (this.active && this.#o.engine.state.killSwitch.flatAt === null) this.#flattenPass();
  }

  /** Leave the kill switch (operator resume). The caller checks the governor is not in HARD_STOP. */
  reset(detail: string): void {
    if (!this.active) return;
    this.#timer?.cancel();
    this.#timer = undefined;
    this.#step("reset", this.#o.engine.state.killSwitch.reason ?? "OPERATOR_STOP", detail);
  }

  stop(): void {
    this.#timer?.cancel();
  }

  /** `venuePositions`: what the venue last reported; it wins where it disagrees with our books. */
  #flattenPass(venuePositions: readonly VenuePosition[] = []): void {
    const { engine, executor } = this.#o;
    const reason = engine.state.killSwitch.reason ?? "OPERATOR_STOP";
    const working = engine.state.workingOrders().filter((o) => o.purpose !== "kill-switch");
    if (working.length > 0) {
      this.#step("cancelling", reason, `${working.length} working orders`);
      for (const o of working) if (o.status !== "PENDING_CANCEL") executor.cancel(o.clientOrderId, "kill switch");
    }
    const closing = new Set(engine.state.workingOrders().filter((o) => o.purpose === "kill-switch").map((o) => o.symbol));
    const targets = new Map<string, Dec>();
    for (const p of engine.state.portfolio.openPositions()) targets.set(p.symbol, p.qty);
    for (const p of venuePositions) if (p.qty !== 0n) targets.set(p.symbol, p.qty);
    const toClose = [...targets].map(([symbol, qty]) => ({ symbol, qty })).filter((p) => !closing.has(p.symbol));
    if (toClose.length > 0) {
      this.#step("closing", reason, toClose.map((p) => `${p.symbol} ${format(p.qty)}`).join(", "));
      const results = executor.submitUrgent(toClose.map((p) => this.#closeOrder(p.symbol, p.qty)));
      results.forEach((result, i) => {
        if (!result.ok) {
          const symbol = toClose[i]!.symbol;
          this.#o.onAlert("critical", "KILL_SWITCH_CLOSE_FAILED", `could not send close for ${symbol}: ${result.message}`, { symbol, code: result.code });
        }
      });
    }
    this.#scheduleVerify();
  }

  #closeOrder(symbol: string, qty: Dec): CandidateOrder {
    const { engine, instruments, slippageBps } = this.#o;
    const instrument = instruments.find(symbol);
    const book = engine.lastBook(symbol);
    const side = qty > 0n ? "sell" : "buy";
    // Without a fresh book there is no touch to bound against (stale data is one of our
    // triggers): a reduce-only market order is then the only way out.
    const fresh = book !== undefined && this.#o.clock.now() - book.ts <= this.#o.staleDataMs;
    const price = fresh && instrument !== undefined ? exitLimitPrice(side, book, slippageBps, instrument) : undefined;
    return {
      strategyId: "risk",
      symbol,
      side,
      orderType: price === undefined ? "market" : "limit",
      qty: abs(qty),
      price,
      timeInForce: "IOC",
      reduceOnly: true,
      purpose: "kill-switch",
    };
  }

  #scheduleVerify(): void {
    this.#timer?.cancel();
    const base = this.#o.verifyAfterMs ?? 250;
    const delay = Math.min(this.#o.maxRetryMs ?? 5_000, base * 2 ** Math.min(this.#attempt, 10));
    this.#timer = this.#o.clock.setTimeout(() => void this.#verify(), delay);
  }

  async #verify(): Promise<void> {
    if (!this.active || this.#verifying) return;
    this.#verifying = true;
    const reason = this.#o.engine.state.killSwitch.reason ?? "OPERATOR_STOP";
    let positions: VenuePosition[] = [];
    try {
      positions = await this.#o.venue.positions();
      const open = positions.filter((p) => p.qty !== 0n);
      const working = this.#o.engine.state.workingOrders().filter((o) => o.purpose !== "kill-switch");
      if (!this.active) return;
      if (open.length === 0 && working.length === 0) {
        if (this.#o.engine.state.killSwitch.flatAt === null) this.#step("flat", reason, "venue reports no positions and no working orders");
        return;
      }
      this.#attempt++;
      this.#step("retry", reason, `attempt ${this.#attempt}: venue positions ${open.map((p) => `${p.symbol} ${format(p.qty)}`).join(", ") || "none"}, ${working.length} working orders`);
      // Said at attempts 1, 2, 4, 8, …: every retry (every 5 s at most once it backs off) paged
      // the operator with the same critical alert; each retry is still journaled.
      if ((this.#attempt & (this.#attempt - 1)) === 0) {
        this.#o.onAlert("critical", "KILL_SWITCH_NOT_FLAT", `not flat yet after ${this.#attempt} attempts (said again after ${this.#attempt * 2})`, { open: open.map((p) => p.symbol), working: working.length });
      }
    } catch (e) {
      this.#attempt++;
      this.#o.onAlert("critical", "KILL_SWITCH_VERIFY_FAILED", `cannot read venue positions: ${describeError(e).message}`, {});
    } finally {
      this.#verifying = false;
    }
    if (this.active) this.#flattenPass(positions);
  }

  #step(step: KillSwitchEvent["step"], reason: KillSwitchReason, detail: string): void {
    this.#o.engine.record({ type: "risk.kill-switch", ts: this.#o.clock.now(), step, reason, detail });
  }
}
