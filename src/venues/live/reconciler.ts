/**
 * The venue is the truth: reconciliation on boot (after journal replay, before trading), after
 * every private (re)connect, and on timers (open orders + recent executions every 30 s,
 * positions + wallet every 60 s by default).
 *
 * - Orders: every order the venue has open, and every order the engine thinks is working, is
 *   compared; differences become ordinary events (accepted, cancelled, expired, rejected) sent
 *   once. In-doubt orders are settled by client order id. An open venue order the engine had closed is
 *   an orphan: cancelled at once, loudly.
 * - Executions since the last pass (with overlap, paged, per symbol): each execId the engine lacks
 *   becomes a fill with `source: "reconciliation"`; the venue's execId is the fill id, so the
 *   stream, REST and a replay can never count one twice. Fills on orders hean never placed are
 *   adopted as external. A search cut short at its page bound moves the cursor no further than
 *   what it read: the next pass searches the rest (see `#executions`).
 * - Positions: the venue's size against the engine's (plus fills sent but not applied yet). A
 *   difference beyond tolerance raises an alert; if it persists unchanged (same venue sequence,
 *   no working orders, no new fills) for `positionSettleMs`, the venue's truth is adopted through
 *   an external fill whose id is derived from the venue's position sequence.
 * - Funding settlements the venue lists with the executions become `funding.paid` (booked once by
 *   the venue's id for them, however often a pass or the stream sees them).
 * - Wallet: cash-ledger entries since the last pass (transfers, bonuses, …) become cash
 *   adjustments, then the wallet itself an account snapshot under the venue's registry id, once
 *   a ledger read after the wallet finds nothing the one before it did not (an entry landing
 *   between the two reads is booked, and the wallet read again).
 *
 * Passes never overlap; a request during a pass is merged into the next one, and its caller is
 * answered when that pass ends: never made to wait for passes asked for after it (a venue slower
 * than the timers would otherwise keep a boot waiting forever).
 */
import type { Clock, TimerHandle } from "../../core/clock.ts";
import { type Dec, ZERO, abs, format, sub } from "../../core/decimal.ts";
import { describeError } from "../../core/errors.ts";
import type { FillEvent, HeanEvent } from "../../core/events.ts";
import { TERMINAL, WORKING } from "../../engine/order-state.ts";
import type { LiveTuning } from "../../config/venue-config.ts";
import { type AccountView, type OrderStatusReport, accountSnapshotOf, cashAdjustedOf, fundingPaidOf } from "../venue.ts";
import type { Alert, LiveAdapter } from "./adapter.ts";
import type { LiveHealth } from "./health.ts";
import { type OrderGateway, isOpen } from "./order-gateway.ts";
import type { OrderTracker } from "./order-tracker.ts";
import type { ServerTime } from "./server-time.ts";
import { sleep } from "./sleep.ts";

/** Wallet reads in one pass while the ledger read after each finds new entries (see `#wallet`). */
const WALLET_READS = 3;

export type ReconcilePart = "orders" | "executions" | "positions" | "wallet";
export const ALL_PARTS: readonly ReconcilePart[] = ["orders", "executions", "positions", "wallet"];

export interface ReconcilerOptions {
  /** The venue's registry id, for the account snapshots it reads. */
  readonly venue: string;
  readonly adapter: LiveAdapter;
  readonly tracker: OrderTracker;
  readonly gateway: OrderGateway;
  readonly account: AccountView;
  readonly symbols: readonly string[];
  readonly tuning: LiveTuning;
  readonly clock: Clock;
  readonly time: ServerTime;
  readonly health: LiveHealth;
  readonly emit: (event: HeanEvent | undefined) => void;
  readonly alert: Alert;
  /** How many events the venue has sent so far (differences are counted as what a step sent). */
  readonly sentCount: () => number;
  /** An open order this engine did not place (another engine's is told by its id). */
  readonly notOurs?: ((order: OrderStatusReport) => void) | undefined;
}

/** The next pass, not started yet: the parts asked for since the last one began, and its answer. */
interface PendingPass {
  readonly parts: Set<ReconcilePart>;
  /** Asked for by the boot (in-doubt orders are settled, not left to the stream). */
  boot: boolean;
  readonly result: PromiseWithResolvers<boolean>;
}

interface Candidate {
  readonly seq: number;
  readonly venueQty: Dec;
  readonly engineQty: Dec;
  readonly at: number;
}


export class Reconciler {
  readonly #o: ReconcilerOptions;
  #next: PendingPass | undefined;
  #draining = false;
  readonly #cursor = new Map<string, number>();
  readonly #candidates = new Map<string, Candidate>();
  readonly #externalSeen = new Set<string>();
  readonly #timers: TimerHandle[] = [];
  #recheck: TimerHandle | undefined;
  #stopped = false;
  lastError: string | undefined;
  /** What the last failed pass threw (undefined after a success): the boot tells keys refused from a venue away. */
  lastFailure: unknown;

  constructor(options: ReconcilerOptions) {
    this.#o = options;
  }

  /**
   * Where the execution and ledger searches start. For a journal with a past: `bootLookbackMs`
   * back (fills it may lack), or further, from when it last read the account reconciled (less the
   * overlap): what the account did while hean was down is news to it, and a deposit, a withdrawal
   * or funding older than `bootLookbackMs` (an engine stopped overnight) was never booked: the
   * books diverged by it and the governor held QUARANTINE for good. Never before its account
   * opened (what the account did before is in the opening balance: a journal started afresh
   * minutes ago booked the old one's trades and transfers again). Each venue bounds a search by
   * what it keeps (Bybit and Binance: 7 days). A fresh journal starts now (nothing of the
   * account's past is ours to replay; a position it holds is adopted whole by the position check).
   */
  prime(): void {
    const { account, time, tuning } = this.#o;
    const now = time.now();
    const seen = account.reconciledAt();
    const back = seen === undefined ? now - tuning.bootLookbackMs : Math.min(now - tuning.bootLookbackMs, seen - tuning.executionOverlapMs);
    this.#floor = account.hasHistory() ? Math.max(back, account.openedAt() ?? -Infinity) : now - 1_000;
    for (const s of this.#o.symbols) this.#cursor.set(s, this.#floor);
    this.#resume.clear();
    this.#olderThan.clear();
    this.#ledgerCursor = this.#floor;
  }

  /** Executions and ledger entries before this are never searched (see `prime`). */
  #floor = 0;
  /** Where the next transaction-log read starts (less the execution overlap). */
  #ledgerCursor = 0;

  /** Periodic passes. */
  start(): void {
    const { clock, tuning } = this.#o;
    this.#timers.push(clock.setInterval(() => void this.run(["orders", "executions"]), tuning.reconcileOrdersMs));
    this.#timers.push(clock.setInterval(() => void this.run(["positions", "wallet"]), tuning.reconcilePositionsMs));
  }

  stop(): void {
    this.#stopped = true;
    for (const t of this.#timers) t.cancel();
    this.#recheck?.cancel();
  }

  /**
   * The boot pass: in-doubt orders from the journal are settled before it returns (waiting out
   * the receive window where needed), then executions since `bootLookbackMs`, positions (twice
   * when they differ, so a persisting difference is adopted before trading), wallet.
   */
  async boot(): Promise<boolean> {
    const { tuning } = this.#o;
    const ok = await this.#request(ALL_PARTS, true);
    if (ok && this.#candidates.size > 0 && tuning.adoptVenuePositions) {
      await sleep(this.#o.clock, tuning.positionSettleMs);
      return this.run(["executions", "positions"]);
    }
    return ok;
  }

  /** Reconcile `parts`; resolves true when the pass that covers them (with anything merged into it) succeeded. */
  run(parts: readonly ReconcilePart[]): Promise<boolean> {
    return this.#request(parts, false);
  }

  #request(parts: readonly ReconcilePart[], boot: boolean): Promise<boolean> {
    const next = (this.#next ??= { parts: new Set(), boot: false, result: Promise.withResolvers<boolean>() });
    for (const p of parts) next.parts.add(p);
    next.boot ||= boot;
    if (!this.#draining) void this.#drain();
    return next.result.promise;
  }

  /**
   * One pass at a time while any is asked for. `#draining` is cleared in the same turn as the last
   * check for a next pass, so a request can never land between the two and be left waiting.
   */
  async #drain(): Promise<void> {
    this.#draining = true;
    try {
      for (;;) {
        const pass = this.#next;
        if (pass === undefined) return;
        this.#next = undefined;
        const parts = ALL_PARTS.filter((p) => pass.parts.has(p));
        pass.result.resolve(this.#stopped ? false : await this.#pass(parts, pass.boot));
      }
    } finally {
      this.#draining = false;
    }
  }

  async #pass(parts: readonly ReconcilePart[], boot: boolean): Promise<boolean> {
    const { health, clock } = this.#o;
    health.reconciliationRuns++;
    try {
      if (parts.includes("orders")) await this.#orders(boot);
      if (parts.includes("executions")) await this.#executions();
      if (parts.includes("positions")) await this.#positions();
      if (parts.includes("wallet")) await this.#wallet();
      health.lastReconcileOk = clock.now();
      this.lastError = undefined;
      this.lastFailure = undefined;
      return true;
    } catch (e) {
      health.reconciliationFailures++;
      this.lastFailure = e;
      const { message } = describeError(e);
      if (this.lastError !== message) this.#o.alert("warning", "RECONCILE_FAILED", `reconciliation failed: ${message}`, { parts });
      this.lastError = message;
      return false;
    }
  }

  // ------------------------------------------------------------------ orders

  async #orders(boot: boolean): Promise<void> {
    const { account, tracker, gateway, health, adapter } = this.#o;
    tracker.prune();
    const open = new Map<string, OrderStatusReport>();
    for (const symbol of this.#o.symbols) {
      for (const o of await adapter.openOrders(symbol)) open.set(o.clientOrderId ?? `#${o.venueOrderId}`, o);
    }
    for (const [key, o] of open) {
      const mine = o.clientOrderId === undefined ? undefined : account.order(o.clientOrderId);
      if (o.clientOrderId === undefined || mine === undefined) {
        this.#o.notOurs?.(o);
        if (!this.#externalSeen.has(key)) {
          this.#externalSeen.add(key);
          health.externalOpenOrders++;
          this.#o.alert("info", "EXTERNAL_OPEN_ORDER", `${o.symbol}: open order ${o.venueOrderId} was not placed by this engine; left alone`, { venueOrderId: o.venueOrderId, clientOrderId: o.clientOrderId ?? "" });
        }
        continue;
      }
      const t = tracker.get(o.clientOrderId)!;
      if (TERMINAL.has(mine.status)) {
        // The list may predate the event that closed it: only the venue's current word counts.
        const now = await adapter.queryOrder(o.symbol, o.clientOrderId);
        if (now !== undefined && isOpen(now)) await this.#orphan(o.symbol, o.clientOrderId, now.venueOrderId);
        continue;
      }
      if (t.phase === "creating" || (mine.status === "PENDING_SUBMIT" && !boot)) continue;
      this.#count(await this.#applied(() => gateway.applyVenueOrder(t, o)));
    }
    for (const mine of [...account.orders()]) {
      if (!WORKING.has(mine.status) || open.has(mine.clientOrderId)) continue;
      // An intent waiting for its journal commit is about to be sent by this process, not lost.
      if (mine.status === "PENDING_SUBMIT" && !boot) continue;
      const t = tracker.get(mine.clientOrderId);
      if (t === undefined || t.phase === "creating") continue;
      if (boot) {
        // Trading waits for this: an earlier look may be mid-query, so wait for it, then settle.
        while (t.settling) await sleep(this.#o.clock, 20);
        this.#count(await this.#applied(() => gateway.settle(t, true)));
        continue;
      }
      if (t.cancelInFlight || t.settling) continue;
      if (t.phase === "in-doubt") {
        this.#count(await this.#applied(() => gateway.settle(t, false)));
        continue;
      }
      const found = await adapter.queryOrder(mine.symbol, mine.clientOrderId);
      if (found === undefined) {
        t.phase = "in-doubt";
        this.#count(await this.#applied(() => gateway.settle(t, false)));
      } else {
        this.#count(await this.#applied(() => gateway.applyVenueOrder(t, found)));
      }
    }
  }

  /** Open at the venue, closed in the engine: a live order nobody watches. Cancel it now. */
  async #orphan(symbol: string, clientOrderId: string, venueOrderId: string): Promise<void> {
    this.#o.health.orphanOrders++;
    this.#o.health.reconciliationDifferences++;
    this.#o.alert("critical", "VENUE_ORPHAN_ORDER", `${clientOrderId} is open at the venue but closed in the engine: cancelling it`, { clientOrderId, venueOrderId });
    await this.#o.adapter.cancelOrder(symbol, clientOrderId);
  }

  /** Runs `fn` and says how many events were sent meanwhile (the differences it found). */
  async #applied(fn: () => Promise<void>): Promise<number> {
    const before = this.#o.sentCount();
    await fn();
    return this.#o.sentCount() - before;
  }

  #count(n: number): void {
    this.#o.health.reconciliationDifferences += n;
  }

  // ------------------------------------------------------------------ executions

  /**
   * Each symbol's executions since its cursor (less the overlap, for executions still in flight),
   * up to now. A search cut short at its page bound (`Executions.cut`) must not move the cursor
   * past what it did not read: a venue that reads oldest first is searched next from exactly
   * where the cut was (`#resume`, no overlap, or the same first pages would be read again); one
   * that reads newest first is searched next up to it (`#olderThan`), and the cursor moves on to
   * the end of the window cut short only once its older part is read in full.
   */
  async #executions(): Promise<void> {
    const { time, clock, tuning, tracker, health, emit, adapter } = this.#o;
    const now = time.now();
    for (const symbol of this.#o.symbols) {
      const cursor = this.#cursor.get(symbol) ?? now - tuning.executionOverlapMs;
      const resume = this.#resume.get(symbol);
      const older = this.#olderThan.get(symbol);
      const start = Math.max(resume ?? cursor - tuning.executionOverlapMs, this.#floor);
      const end = older?.end ?? now;
      let newest = cursor;
      const { fills, funding, cut } = await adapter.executions(symbol, start, end);
      // Booked once by the venue's id for it, however often a pass or the stream sees it.
      for (const f of funding) emit(fundingPaidOf(f, clock.now(), "reconciliation"));
      for (const e of fills) {
        if (e.venueTs > newest) newest = e.venueTs;
        const fill = tracker.fill(e, "reconciliation");
        if (fill === undefined) continue;
        health.missedFills++;
        health.reconciliationDifferences++;
        emit(fill);
      }
      if (cut === undefined) {
        // Everything up to `end` (and, after the older part of a window cut short, up to that
        // window's end) has been looked at; the overlap covers executions still in flight.
        this.#resume.delete(symbol);
        this.#olderThan.delete(symbol);
        this.#cursor.set(symbol, Math.max(cursor, older?.resume ?? 0, older === undefined ? newest : 0, end));
      } else if (cut.unread === "newer") {
        // Read up to `cut.at` (its own millisecond perhaps not in full): the next pass starts there.
        this.#resume.set(symbol, Math.max(start, cut.at));
      } else {
        // Read from `cut.at` to `end`: the next pass searches what is older, and then moves on.
        this.#olderThan.set(symbol, { end: Math.max(start, Math.min(end, cut.at)), resume: Math.max(older?.resume ?? 0, end) });
      }
    }
  }

  /** A search cut short that read oldest first resumes here, exactly (see `#executions`). */
  readonly #resume = new Map<string, number>();
  /** A search cut short that read newest first: search up to `end` next, then go on from `resume`. */
  readonly #olderThan = new Map<string, { readonly end: number; readonly resume: number }>();

  // ------------------------------------------------------------------ positions and wallet

  async #positions(): Promise<void> {
    const { account, tracker, tuning, clock, alert, health } = this.#o;
    let recheck = false;
    for (const symbol of this.#o.symbols) {
      const p = await this.#o.adapter.position(symbol, "normal");
      const venueQty = p?.qty ?? ZERO;
      const engineQty = (account.positionQty(symbol) + tracker.pendingQty(symbol)) as Dec;
      const diff = sub(venueQty, engineQty);
      if (abs(diff) <= tuning.positionTolerance) {
        this.#candidates.delete(symbol);
        continue;
      }
      const now = clock.now();
      const seq = p?.seq ?? 0;
      const c = this.#candidates.get(symbol);
      if (c === undefined || c.seq !== seq || c.venueQty !== venueQty || c.engineQty !== engineQty) {
        this.#candidates.set(symbol, { seq, venueQty, engineQty, at: now });
        health.positionMismatches++;
        health.reconciliationDifferences++;
        alert("warning", "POSITION_MISMATCH", `${symbol}: venue holds ${format(venueQty)}, engine ${format(engineQty)}`, {
          symbol,
          venueQty: format(venueQty),
          engineQty: format(engineQty),
        });
        recheck = true;
        continue;
      }
      const quiet =
        now - c.at >= tuning.positionSettleMs &&
        ![...account.orders()].some((o) => o.symbol === symbol && WORKING.has(o.status)) &&
        tracker.lastFillSentAt(symbol) <= c.at;
      if (!quiet || !tuning.adoptVenuePositions) {
        recheck ||= tuning.adoptVenuePositions;
        continue;
      }
      const price = p !== undefined && p.avgPrice > 0n ? p.avgPrice : p?.markPrice;
      if (price === undefined || price <= 0n) {
        alert("critical", "POSITION_UNADOPTABLE", `${symbol}: cannot adopt the venue's position without a price`, { symbol });
        continue;
      }
      const fill: FillEvent = {
        type: "order.filled",
        ts: now,
        // Derived from the venue's state only: two passes over the same state send the same id.
        fillId: `recon-${symbol}-${seq}-${format(venueQty)}-${format(engineQty)}`,
        venueOrderId: "reconciliation",
        symbol,
        side: diff > 0n ? "buy" : "sell",
        price,
        qty: abs(diff),
        fee: ZERO,
        liquidity: "taker",
        venueTs: this.#o.time.now(),
        source: "reconciliation",
      };
      const sent = tracker.adoptionFill(fill);
      this.#candidates.delete(symbol);
      if (sent === undefined) continue;
      health.positionsAdopted++;
      alert("critical", "POSITION_ADOPTED", `${symbol}: adopted the venue's position ${format(venueQty)} (engine had ${format(engineQty)})`, {
        symbol,
        venueQty: format(venueQty),
        engineQty: format(engineQty),
      });
      this.#o.emit(sent);
    }
    if (recheck && !this.#stopped) {
      this.#recheck?.cancel();
      this.#recheck = clock.setTimeout(() => void this.run(["executions", "positions"]), tuning.positionSettleMs);
    }
  }

  /**
   * The ledger first: a snapshot must never be read before the entries that explain it. And the
   * ledger again after it: an entry (a deposit, a transfer) that landed between the two reads is
   * in the wallet but was not booked, and the books would read as diverged by money that is
   * explained (ACCOUNT_DIVERGENCE, and the governor's quarantine for at least its dwell). While a
   * read after the wallet finds entries the reads before it did not, they are booked and the
   * wallet read again; past `WALLET_READS` the last one is shown all the same.
   */
  async #wallet(): Promise<void> {
    const { clock, tuning, health, venue } = this.#o;
    const start = Math.max(this.#ledgerCursor - tuning.executionOverlapMs, this.#floor);
    const booked = new Set<string>();
    await this.#bookLedger(start, booked);
    for (let reads = 1; ; reads++) {
      const w = await this.#o.adapter.wallet();
      if (w === undefined) return;
      const late = await this.#bookLedger(start, booked);
      if (late === 0 || reads >= WALLET_READS) {
        health.wallet = { balance: w.walletBalance, equity: w.equity, at: clock.now() };
        this.#o.emit(accountSnapshotOf(venue, w, clock.now(), "reconciliation"));
        return;
      }
    }
  }

  /** The ledger's entries since `start` that are not in `booked` yet, booked (and added to it); how many. */
  async #bookLedger(start: number, booked: Set<string>): Promise<number> {
    const { time, clock, emit, adapter } = this.#o;
    const end = time.now();
    let added = 0;
    for (const entry of await adapter.cashLedger(start, end)) {
      if (booked.has(entry.adjustmentId)) continue;
      booked.add(entry.adjustmentId);
      added++;
      emit(cashAdjustedOf(entry, clock.now(), "reconciliation"));
    }
    this.#ledgerCursor = end;
    return added;
  }
}
