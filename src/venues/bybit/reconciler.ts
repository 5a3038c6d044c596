/**
 * The venue is the truth: reconciliation on boot (after journal replay, before trading), after
 * every private (re)connect, and on timers (open orders + recent executions every 30 s,
 * positions + wallet every 60 s by default).
 *
 * - Orders: every order the venue has open, and every order the engine thinks is working, is
 *   compared; differences become ordinary events (accepted, cancelled, expired, rejected) sent
 *   once. In-doubt orders are settled by orderLinkId. An open venue order the engine had closed is
 *   an orphan: cancelled at once, loudly.
 * - Executions since the last pass (with overlap, paged, per symbol): each execId the engine lacks
 *   becomes a fill with `source: "reconciliation"`; the venue's execId is the fill id, so the
 *   stream, REST and a replay can never count one twice. Fills on orders hean never placed are
 *   adopted as external.
 * - Positions: the venue's size against the engine's (plus fills sent but not applied yet). A
 *   difference beyond tolerance raises an alert; if it persists unchanged (same venue sequence,
 *   no working orders, no new fills) for `positionSettleMs`, the venue's truth is adopted through
 *   an external fill whose id is derived from the venue's position sequence.
 * - Wallet: transaction-log entries since the last pass (transfers, bonuses, …) become cash
 *   adjustments, then the wallet itself an account snapshot (funding comes with the executions).
 *
 * Passes never overlap; a request during a pass is merged into the next one.
 */
import type { Clock, TimerHandle } from "../../core/clock.ts";
import { type Dec, ZERO, abs, format, sub } from "../../core/decimal.ts";
import { describeError } from "../../core/errors.ts";
import type { FillEvent, HeanEvent } from "../../core/events.ts";
import { TERMINAL, WORKING } from "../../engine/order-state.ts";
import type { AccountView } from "./account-view.ts";
import type { BybitHealth } from "./health.ts";
import type { Alert, OrderGateway } from "./order-gateway.ts";
import type { BybitTuning } from "./options.ts";
import type { OrderTracker } from "./order-tracker.ts";
import { type BybitRestClient, sleep } from "./rest-client.ts";
import type { ServerTime } from "./server-time.ts";
import { accountSnapshotOf, cashAdjustedOf, fundingPaidOf } from "../venue.ts";
import { OPEN_STATUSES, type WireOrder, accountReportOf, readCashEntry, readExecution, readFunding, readList, readOrder, readPosition, readWallet } from "./wire.ts";

export type ReconcilePart = "orders" | "executions" | "positions" | "wallet";
export const ALL_PARTS: readonly ReconcilePart[] = ["orders", "executions", "positions", "wallet"];

export interface ReconcilerOptions {
  readonly rest: BybitRestClient;
  readonly tracker: OrderTracker;
  readonly gateway: OrderGateway;
  readonly account: AccountView;
  readonly symbols: readonly string[];
  readonly tuning: BybitTuning;
  readonly clock: Clock;
  readonly time: ServerTime;
  readonly health: BybitHealth;
  readonly emit: (event: HeanEvent | undefined) => void;
  readonly alert: Alert;
  /** How many events the venue has sent so far (differences are counted as what a step sent). */
  readonly sentCount: () => number;
}

interface Candidate {
  readonly seq: number;
  readonly venueQty: Dec;
  readonly engineQty: Dec;
  readonly at: number;
}

const SEVEN_DAYS_MS = 7 * 24 * 3600 * 1000;
const MAX_PAGES = 50;

export class Reconciler {
  readonly #o: ReconcilerOptions;
  readonly #queued = new Set<ReconcilePart>();
  #boot = false;
  #loop: Promise<boolean> | undefined;
  readonly #cursor = new Map<string, number>();
  readonly #candidates = new Map<string, Candidate>();
  readonly #externalSeen = new Set<string>();
  readonly #timers: TimerHandle[] = [];
  #recheck: TimerHandle | undefined;
  #stopped = false;
  lastError: string | undefined;

  constructor(options: ReconcilerOptions) {
    this.#o = options;
  }

  /**
   * Where the execution search starts: `bootLookbackMs` back for a journal with a past (fills it
   * may lack), now for a fresh one (nothing of the account's past is ours to replay; a position
   * it holds is adopted whole by the position check).
   */
  prime(): void {
    const { account, time, tuning } = this.#o;
    this.#floor = account.hasHistory() ? time.now() - tuning.bootLookbackMs : time.now() - 1_000;
    for (const s of this.#o.symbols) this.#cursor.set(s, this.#floor);
    this.#ledgerCursor = this.#floor;
  }

  /** Where the next transaction-log read starts (with the execution overlap). */
  #ledgerCursor = 0;

  /** Executions before this are never searched (see `prime`). */
  #floor = 0;

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
    this.#boot = true;
    const ok = await this.run(ALL_PARTS);
    if (ok && this.#candidates.size > 0 && tuning.adoptVenuePositions) {
      await sleep(this.#o.clock, tuning.positionSettleMs);
      return this.run(["executions", "positions"]);
    }
    return ok;
  }

  /** Reconcile `parts`; resolves true when the pass (including anything merged into it) succeeded. */
  run(parts: readonly ReconcilePart[]): Promise<boolean> {
    for (const p of parts) this.#queued.add(p);
    this.#loop ??= this.#drain().finally(() => (this.#loop = undefined));
    return this.#loop;
  }

  async #drain(): Promise<boolean> {
    let ok = true;
    while (this.#queued.size > 0 && !this.#stopped) {
      const parts = ALL_PARTS.filter((p) => this.#queued.has(p));
      this.#queued.clear();
      const boot = this.#boot;
      this.#boot = false;
      ok = await this.#pass(parts, boot);
    }
    return ok;
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
      return true;
    } catch (e) {
      health.reconciliationFailures++;
      const { message } = describeError(e);
      if (this.lastError !== message) this.#o.alert("warning", "RECONCILE_FAILED", `reconciliation failed: ${message}`, { parts });
      this.lastError = message;
      return false;
    }
  }

  // ------------------------------------------------------------------ orders

  async #orders(boot: boolean): Promise<void> {
    const { account, tracker, gateway, health } = this.#o;
    tracker.prune();
    const open = new Map<string, WireOrder>();
    for (const symbol of this.#o.symbols) {
      for (const item of await this.#pages("/v5/order/realtime", { category: "linear", symbol, openOnly: 0, limit: 50 })) {
        const o = readOrder(item);
        if (o !== undefined) open.set(o.orderLinkId !== "" ? o.orderLinkId : `#${o.orderId}`, o);
      }
    }
    for (const [key, o] of open) {
      const mine = o.orderLinkId === "" ? undefined : account.order(o.orderLinkId);
      if (mine === undefined) {
        if (!this.#externalSeen.has(key)) {
          this.#externalSeen.add(key);
          health.externalOpenOrders++;
          this.#o.alert("info", "EXTERNAL_OPEN_ORDER", `${o.symbol}: open order ${o.orderId} was not placed by this engine; left alone`, { orderId: o.orderId, orderLinkId: o.orderLinkId });
        }
        continue;
      }
      const t = tracker.get(o.orderLinkId)!;
      if (TERMINAL.has(mine.status)) {
        // The list may predate the event that closed it: only the venue's current word counts.
        const now = await gateway.queryOrder(o.symbol, o.orderLinkId);
        if (now !== undefined && OPEN_STATUSES.has(now.orderStatus)) await this.#orphan(now);
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
      const found = await gateway.queryOrder(mine.symbol, mine.clientOrderId);
      if (found === undefined) {
        t.phase = "in-doubt";
        this.#count(await this.#applied(() => gateway.settle(t, false)));
      } else {
        this.#count(await this.#applied(() => gateway.applyVenueOrder(t, found)));
      }
    }
  }

  /** Open at the venue, closed in the engine: a live order nobody watches. Cancel it now. */
  async #orphan(o: WireOrder): Promise<void> {
    this.#o.health.orphanOrders++;
    this.#o.health.reconciliationDifferences++;
    this.#o.alert("critical", "VENUE_ORPHAN_ORDER", `${o.orderLinkId} is open at the venue but closed in the engine: cancelling it`, { orderLinkId: o.orderLinkId, orderId: o.orderId });
    await this.#o.rest.send("POST", "/v5/order/cancel", { category: "linear", symbol: o.symbol, orderLinkId: o.orderLinkId }, {
      signed: true,
      timeoutMs: this.#o.tuning.requestTimeoutMs,
      maxWaitMs: this.#o.tuning.orderMaxWaitMs,
      admission: "essential",
    });
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

  async #executions(): Promise<void> {
    const { time, tuning, tracker, health, emit } = this.#o;
    const end = time.now();
    for (const symbol of this.#o.symbols) {
      const cursor = this.#cursor.get(symbol) ?? end - tuning.executionOverlapMs;
      const start = Math.max(cursor - tuning.executionOverlapMs, this.#floor, end - SEVEN_DAYS_MS + 60_000);
      let newest = cursor;
      for (const item of await this.#pages("/v5/execution/list", { category: "linear", symbol, startTime: start, endTime: end, limit: 100 })) {
        const e = readExecution(item);
        if (e === undefined) {
          const funding = readFunding(item);
          // Booked once by its execId, however often a pass or the stream sees it.
          if (funding !== undefined) emit(fundingPaidOf(funding, this.#o.clock.now(), "reconciliation"));
          continue;
        }
        if (e.execTime > newest) newest = e.execTime;
        const fill = tracker.fill(e, "reconciliation");
        if (fill === undefined) continue;
        health.missedFills++;
        health.reconciliationDifferences++;
        emit(fill);
      }
      // Everything up to `end` has been looked at; the overlap covers executions still in flight.
      this.#cursor.set(symbol, Math.max(newest, end));
    }
  }

  // ------------------------------------------------------------------ positions and wallet

  async #positions(): Promise<void> {
    const { account, tracker, tuning, clock, alert, health } = this.#o;
    let recheck = false;
    for (const symbol of this.#o.symbols) {
      const result = await this.#o.rest.read("/v5/position/list", { category: "linear", symbol }, { signed: true });
      const p = readList(result).list.map(readPosition).find((x) => x?.symbol === symbol);
      const venueQty = p?.size ?? ZERO;
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
          venue: format(venueQty),
          engine: format(engineQty),
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
        venue: format(venueQty),
        engine: format(engineQty),
      });
      this.#o.emit(sent);
    }
    if (recheck && !this.#stopped) {
      this.#recheck?.cancel();
      this.#recheck = clock.setTimeout(() => void this.run(["executions", "positions"]), tuning.positionSettleMs);
    }
  }

  async #wallet(): Promise<void> {
    const { time, clock, tuning, emit } = this.#o;
    // The ledger first: a snapshot must never be read before the entries that explain it.
    const end = time.now();
    const start = Math.max(this.#ledgerCursor - tuning.executionOverlapMs, this.#floor, end - SEVEN_DAYS_MS + 60_000);
    const entries = await this.#pages("/v5/account/transaction-log", { accountType: "UNIFIED", currency: "USDT", startTime: start, endTime: end, limit: 50 });
    for (const item of entries.reverse()) {
      const entry = readCashEntry(item);
      if (entry !== undefined) emit(cashAdjustedOf(entry, clock.now(), "reconciliation"));
    }
    this.#ledgerCursor = end;
    const result = await this.#o.rest.read("/v5/account/wallet-balance", { accountType: "UNIFIED", coin: "USDT" }, { signed: true });
    const w = readList(result).list.map((item) => readWallet(item)).find((x) => x !== undefined);
    if (w === undefined) return;
    this.#o.health.wallet = { balance: w.walletBalance, equity: w.equity, at: clock.now() };
    const report = accountReportOf(w, time.now());
    if (report !== undefined) emit(accountSnapshotOf("bybit", report, clock.now(), "reconciliation"));
  }

  /** Every item of a paged list endpoint. */
  async #pages(path: string, params: Record<string, string | number>): Promise<unknown[]> {
    const out: unknown[] = [];
    let cursor = "";
    for (let page = 0; page < MAX_PAGES; page++) {
      const result = await this.#o.rest.read(path, cursor === "" ? params : { ...params, cursor }, { signed: true });
      const { list, cursor: next } = readList(result);
      out.push(...list);
      if (next === "" || list.length === 0) return out;
      cursor = next;
    }
    return out;
  }
}
