/**
 * The Bybit V5 live venue (linear USDT perpetuals, one-way mode): REST client with limiter and
 * circuit breaker, exactly-once order gateway, public books, private stream, reconciliation,
 * composed behind hean's `Venue` interface. Everything it learns leaves as hean events through
 * the sink; its health feeds risk (`VenueHealthInput`) and the operator view.
 */
import { type Clock, RealClock, type TimerHandle } from "../../core/clock.ts";
import { HeanError, describeError } from "../../core/errors.ts";
import type { AlertEvent, FillEvent, HeanEvent } from "../../core/events.ts";
import { type EventSink, type Venue, type VenueOrderRequest, type VenueOrderSnapshot, type VenueOrderStatus, type VenuePosition, accountSnapshotOf, fundingPaidOf } from "../venue.ts";
import type { AccountView } from "./account-view.ts";
import { CircuitBreaker } from "./circuit-breaker.ts";
import { BybitHealth } from "./health.ts";
import { OrderGateway } from "./order-gateway.ts";
import { OrderTracker } from "./order-tracker.ts";
import { type BybitTuning, DEFAULT_BYBIT_TUNING } from "./options.ts";
import { PrivateStream } from "./private-stream.ts";
import { PublicStream } from "./public-stream.ts";
import { RateLimiter } from "./rate-limiter.ts";
import { ALL_PARTS, Reconciler } from "./reconciler.ts";
import { BybitRestClient, sleep } from "./rest-client.ts";
import { ServerTime } from "./server-time.ts";
import type { BybitSigner } from "./signer.ts";
import {
  CANCEL_STATUSES,
  EXPIRY_REASONS,
  POST_ONLY_WOULD_TAKE,
  type WireExecution,
  type WireOrder,
  accountReportOf,
  fillEventOf,
  readExecution,
  readFunding,
  readList,
  readOrder,
  readPosition,
  readWallet,
} from "./wire.ts";

export interface BybitVenueOptions {
  readonly restUrl: string;
  readonly wsPublicUrl: string;
  readonly wsPrivateUrl: string;
  readonly symbols: readonly string[];
  readonly signer: BybitSigner;
  readonly account: AccountView;
  readonly tuning?: BybitTuning | undefined;
  readonly clock?: Clock | undefined;
  readonly random?: (() => number) | undefined;
}

/** Codes that may repeat in bursts: at most one alert per code and symbol per window. */
const THROTTLED = new Set(["BOOK_RESYNC", "VENUE_RATE_LIMITED", "PUBLIC_STREAM_SILENT", "PRIVATE_STREAM_DOWN", "RECONCILE_FAILED", "POSITION_MISMATCH"]);
const ALERT_WINDOW_MS = 2_000;
/** A pushed wallet change is followed by a reconciled read (ledger, then wallet) this soon, once per burst. */
const WALLET_RECHECK_MS = 1_000;

export class BybitVenue implements Venue {
  readonly id = "bybit";
  readonly health: BybitHealth;
  readonly tuning: BybitTuning;
  readonly #o: BybitVenueOptions;
  readonly #clock: Clock;
  readonly #time: ServerTime;
  readonly #limiter: RateLimiter;
  readonly #breaker: CircuitBreaker;
  readonly #rest: BybitRestClient;
  readonly #tracker: OrderTracker;
  readonly #gateway: OrderGateway;
  readonly #reconciler: Reconciler;
  readonly #public: PublicStream;
  readonly #private: PrivateStream;
  readonly #alertAt = new Map<string, { at: number; suppressed: number }>();
  #sink: EventSink | undefined;
  #sent = 0;
  #startedAtServer = 0;
  #stopping: Promise<void> | undefined;
  #reconnectRetry: TimerHandle | undefined;
  #probeRetry: TimerHandle | undefined;
  /** While the private stream is down, REST polling keeps the engine informed. */
  #polling: TimerHandle | undefined;
  #walletRecheck: TimerHandle | undefined;

  constructor(options: BybitVenueOptions) {
    this.#o = options;
    const clock = (this.#clock = options.clock ?? new RealClock());
    const random = options.random ?? Math.random;
    const tuning = (this.tuning = options.tuning ?? DEFAULT_BYBIT_TUNING);
    this.health = new BybitHealth(clock.now(), () => ({ public: this.#public.synced, private: this.#private.ready }));
    this.#time = new ServerTime(clock);
    this.#limiter = new RateLimiter(clock, random, { backoffBaseMs: tuning.rateLimitBackoffMs, backoffMaxMs: tuning.rateLimitMaxBackoffMs });
    this.#breaker = new CircuitBreaker({
      clock,
      failureThreshold: tuning.breakerFailures,
      openMs: tuning.breakerOpenMs,
      maxOpenMs: tuning.breakerMaxOpenMs,
      onChange: (state, detail) => {
        this.health.breakerState = state;
        this.health.breakerOpenSince = this.#breaker.openSince;
        if (state === "open") this.#alert("critical", "VENUE_CIRCUIT_OPEN", `Bybit REST circuit breaker open: ${detail}`, { state });
        else if (state === "half-open") this.#alert("info", "VENUE_CIRCUIT_HALF_OPEN", `Bybit REST circuit breaker half-open: probing (${detail})`, { state });
        else this.#alert("info", "VENUE_CIRCUIT_CLOSED", `Bybit REST circuit breaker closed: ${detail}`, { state });
      },
      onProbe: () => this.#probe(),
    });
    this.#rest = new BybitRestClient({
      baseUrl: options.restUrl.replace(/\/+$/, ""),
      signer: options.signer,
      clock,
      time: this.#time,
      limiter: this.#limiter,
      breaker: this.#breaker,
      tuning,
      random,
      onRateLimited: (path, waitMs, detail) => {
        this.health.rateLimitRefusals++;
        this.#alert("warning", "VENUE_RATE_LIMITED", `Bybit refused ${path} (${detail}): backing off ${waitMs} ms`, { path, waitMs });
      },
    });
    const emit = (e: HeanEvent | undefined): void => this.#emit(e);
    const alert = (severity: AlertEvent["severity"], code: string, message: string, context: Record<string, unknown>): void => this.#alert(severity, code, message, context);
    this.#tracker = new OrderTracker(options.account, clock);
    this.#gateway = new OrderGateway({
      rest: this.#rest,
      tracker: this.#tracker,
      time: this.#time,
      tuning,
      clock,
      random,
      health: this.health,
      emit,
      alert,
      startedAtServer: () => this.#startedAtServer,
    });
    this.#reconciler = new Reconciler({
      rest: this.#rest,
      tracker: this.#tracker,
      gateway: this.#gateway,
      account: options.account,
      symbols: options.symbols,
      tuning,
      clock,
      time: this.#time,
      health: this.health,
      emit,
      alert,
      sentCount: () => this.#sent,
    });
    this.#public = new PublicStream({ url: options.wsPublicUrl, symbols: options.symbols, tuning, clock, random, emit, alert });
    this.#private = new PrivateStream({
      url: options.wsPrivateUrl,
      signer: options.signer,
      time: this.#time,
      tuning,
      clock,
      random,
      alert,
      onReady: () => this.#onPrivateReady(),
      onDown: (reason) => this.#onPrivateDown(reason),
      onData: (topic, items) => this.#onPrivateData(topic, items),
    });
  }

  // ------------------------------------------------------------------ lifecycle

  async start(sink: EventSink): Promise<void> {
    this.#sink = sink;
    const { tuning } = this;
    // The clock offset matters for signatures and the in-doubt proof; every answer refines it,
    // so a venue that refuses us right now (a rate-limit storm) delays the start, never fails it:
    // the boot reconciliation is the gate that must pass before trading.
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        await this.#rest.syncTime();
        break;
      } catch (e) {
        if (attempt === 2) this.#alert("warning", "VENUE_TIME_UNSYNCED", `cannot read Bybit's clock yet: ${describeError(e).message}`, {});
        else await sleep(this.#clock, 200 * 2 ** attempt);
      }
    }
    this.#startedAtServer = this.#time.now();
    this.#reconciler.prime();
    this.#public.start();
    this.#private.start();
    this.#reconciler.start();
    const deadline = this.#clock.now() + tuning.startTimeoutMs;
    while (!(this.#public.synced && this.#private.ready) && this.#clock.now() < deadline) await sleep(this.#clock, 50);
    if (!this.#public.synced || !this.#private.ready) {
      this.#alert("critical", "VENUE_STREAMS_NOT_READY", `Bybit streams not ready after ${tuning.startTimeoutMs} ms (public ${this.#public.synced}, private ${this.#private.ready}); carrying on`, {});
    }
  }

  /**
   * `boot`: settle every order the journal left in doubt, recover fills, compare positions,
   * before trading starts (the runtime waits for it). Throws VENUE_UNAVAILABLE when the venue
   * cannot be reconciled: trading must not start blind.
   */
  async reconcile(reason: "boot" | "manual"): Promise<void> {
    if (reason === "manual") {
      await this.#reconciler.run(ALL_PARTS);
      return;
    }
    const deadline = this.#clock.now() + 3 * this.tuning.startTimeoutMs;
    for (let attempt = 0; ; attempt++) {
      if (await this.#reconciler.boot()) {
        this.health.bootReconciled = true;
        return;
      }
      if (this.#clock.now() >= deadline) {
        throw new HeanError("VENUE_UNAVAILABLE", `the boot reconciliation with Bybit failed: ${this.#reconciler.lastError ?? "unknown"}`, {});
      }
      await sleep(this.#clock, Math.min(5_000, 250 * 2 ** attempt));
    }
  }

  stop(): Promise<void> {
    this.#stopping ??= this.#stop();
    return this.#stopping;
  }

  async #stop(): Promise<void> {
    // A last look at the venue, so that fills of the final moments are journaled too.
    if (this.#breaker.state === "closed") {
      let timer: TimerHandle | undefined;
      const deadline = new Promise<void>((resolve) => (timer = this.#clock.setTimeout(resolve, this.tuning.finalReconcileMs)));
      await Promise.race([this.#reconciler.run(["orders", "executions"]), deadline]);
      timer?.cancel();
    }
    this.#reconciler.stop();
    this.#gateway.stop();
    this.#breaker.stop();
    this.#reconnectRetry?.cancel();
    this.#probeRetry?.cancel();
    this.#polling?.cancel();
    this.#walletRecheck?.cancel();
    await Promise.all([this.#public.stop(), this.#private.stop()]);
    this.#sink = undefined;
  }

  /**
   * Whether new exposure should wait: the REST path is failing or backing off, or the private
   * stream is down or not yet reconciled since it came back (we would be blind to our own fills).
   */
  blocksNewExposure(): string | undefined {
    if (this.#breaker.state !== "closed") return `the Bybit circuit breaker is ${this.#breaker.state}`;
    if (this.#limiter.heldUntil > 0) return "the Bybit rate limiter is backing off";
    if (this.health.privateDown !== null) return "the Bybit private stream is down or not reconciled yet";
    return undefined;
  }

  // ------------------------------------------------------------------ commands

  submit(order: VenueOrderRequest): void {
    if (this.#sink === undefined || typeof order !== "object" || order === null) return;
    this.#gateway.submit(order);
  }

  cancel(clientOrderId: string, _symbol: string): void {
    if (this.#sink === undefined || typeof clientOrderId !== "string") return;
    this.#gateway.cancel(clientOrderId);
  }

  async queryOrder(clientOrderId: string, symbol: string): Promise<VenueOrderSnapshot | undefined> {
    const o = await this.#gateway.queryOrder(symbol, clientOrderId);
    return o === undefined ? undefined : snapshotOf(o);
  }

  async openOrders(): Promise<VenueOrderSnapshot[]> {
    const out: VenueOrderSnapshot[] = [];
    for (const symbol of this.#o.symbols) {
      const result = await this.#rest.read("/v5/order/realtime", { category: "linear", symbol, openOnly: 0, limit: 50 }, { signed: true });
      for (const item of readList(result).list) {
        const o = readOrder(item);
        if (o !== undefined) out.push(snapshotOf(o));
      }
    }
    return out;
  }

  /** The venue's positions, read even while the breaker is open: the kill switch verifies with them. */
  async positions(): Promise<VenuePosition[]> {
    const out: VenuePosition[] = [];
    for (const symbol of this.#o.symbols) {
      const result = await this.#rest.read("/v5/position/list", { category: "linear", symbol }, { signed: true, admission: "essential" });
      for (const item of readList(result).list) {
        const p = readPosition(item);
        if (p !== undefined && p.symbol === symbol && p.size !== 0n) out.push({ symbol, qty: p.size, avgPrice: p.avgPrice });
      }
    }
    return out;
  }

  async fillsSince(sinceMs: number): Promise<FillEvent[]> {
    const out: FillEvent[] = [];
    const end = this.#time.now();
    for (const symbol of this.#o.symbols) {
      let cursor = "";
      for (let page = 0; page < 50; page++) {
        const params = { category: "linear", symbol, startTime: Math.max(sinceMs, end - 7 * 86_400_000 + 60_000), endTime: end, limit: 100, ...(cursor !== "" ? { cursor } : {}) };
        const { list, cursor: next } = readList(await this.#rest.read("/v5/execution/list", params, { signed: true }));
        for (const item of list) {
          const e = readExecution(item);
          if (e !== undefined) out.push(fillOf(e, this.#clock.now(), this.#o.account));
        }
        if (next === "" || list.length === 0) break;
        cursor = next;
      }
    }
    return out.sort((a, b) => a.venueTs - b.venueTs);
  }

  // ------------------------------------------------------------------ private stream

  #onPrivateReady(): void {
    this.#reconnectRetry?.cancel();
    this.#polling?.cancel();
    this.#polling = undefined;
    void this.#reconcileAfterConnect(0);
  }

  /** Trust the stream only after a reconciliation has caught up with what it may have missed. */
  async #reconcileAfterConnect(attempt: number): Promise<void> {
    const ok = await this.#reconciler.run(ALL_PARTS);
    if (this.#stopping !== undefined || !this.#private.ready) return;
    if (ok) {
      this.health.privateDown = null;
      return;
    }
    this.#reconnectRetry = this.#clock.setTimeout(() => void this.#reconcileAfterConnect(attempt + 1), Math.min(5_000, 250 * 2 ** attempt));
  }

  #onPrivateDown(reason: string): void {
    this.health.privateDown ??= this.#clock.now();
    if (this.#stopping !== undefined) return;
    this.#alert("warning", "PRIVATE_STREAM_DOWN", `Bybit private stream lost (${reason}): reconnecting`, { reason });
    // Blind to our own orders until it is back: poll open orders and executions meanwhile.
    this.#polling ??= this.#clock.setInterval(() => void this.#reconciler.run(["orders", "executions"]), Math.min(5_000, this.tuning.reconcileOrdersMs));
  }

  #onPrivateData(topic: "order" | "execution" | "position" | "wallet", items: readonly unknown[]): void {
    switch (topic) {
      case "order":
        for (const item of items) {
          const o = readOrder(item);
          if (o === undefined || o.orderLinkId === "") continue;
          const t = this.#tracker.get(o.orderLinkId);
          if (t !== undefined) void this.#gateway.applyVenueOrder(t, o, "defer");
        }
        return;
      case "execution":
        for (const item of items) {
          const e = readExecution(item);
          if (e !== undefined) this.#emit(this.#tracker.fill(e, "stream"));
          const funding = e === undefined ? readFunding(item) : undefined;
          if (funding !== undefined) this.#emit(fundingPaidOf(funding, this.#clock.now(), "stream"));
        }
        return;
      case "wallet":
        for (const item of items) {
          const w = readWallet(item);
          if (w === undefined) continue;
          this.health.wallet = { balance: w.walletBalance, equity: w.equity, at: this.#clock.now() };
          const report = accountReportOf(w, this.#time.now());
          if (report !== undefined) this.#emit(accountSnapshotOf(this.id, report, this.#clock.now(), "stream"));
        }
        // A transfer shows here before the ledger entry that explains it is read: reconcile soon.
        this.#walletRecheck ??= this.#clock.setTimeout(() => {
          this.#walletRecheck = undefined;
          if (this.#stopping === undefined) void this.#reconciler.run(["wallet"]);
        }, WALLET_RECHECK_MS);
        return;
      case "position":
        // Positions are compared by reconciliation (REST), where sequence and pending fills are known.
        return;
    }
  }

  // ------------------------------------------------------------------ plumbing

  /**
   * The half-open probe: one cheap private read (its budget resets every second, and a position
   * is worth knowing anyway). Held back by the limiter, it waits its turn and tries again.
   */
  #probe(): void {
    this.#probeRetry?.cancel();
    const path = "/v5/position/list";
    const params = { category: "linear", symbol: this.#o.symbols[0] ?? "BTCUSDT" };
    void this.#rest.send("GET", path, params, { signed: true, timeoutMs: this.tuning.requestTimeoutMs, maxWaitMs: 0, admission: "probe" }).then((r) => {
      if (r.sent || this.#breaker.state !== "half-open" || this.#stopping !== undefined) return;
      this.#probeRetry = this.#clock.setTimeout(() => this.#probe(), Math.max(50, this.#limiter.waitMs(path)));
    });
  }

  #emit(event: HeanEvent | undefined): void {
    if (event === undefined || this.#sink === undefined) return;
    this.#sent++;
    this.#sink(event);
  }

  #alert(severity: AlertEvent["severity"], code: string, message: string, context: Record<string, unknown>): void {
    if (THROTTLED.has(code)) {
      const key = `${code}|${typeof context.symbol === "string" ? context.symbol : ""}`;
      const now = this.#clock.now();
      const last = this.#alertAt.get(key);
      if (last !== undefined && now - last.at < ALERT_WINDOW_MS) {
        last.suppressed++;
        return;
      }
      this.#alertAt.set(key, { at: now, suppressed: 0 });
      if (last !== undefined && last.suppressed > 0) context = { ...context, suppressed: last.suppressed };
    }
    this.#emit({ type: "alert", ts: this.#clock.now(), severity, code, message, context });
  }
}

function statusOf(o: WireOrder): VenueOrderStatus {
  if (o.orderStatus === "PartiallyFilled") return "partially-filled";
  if (o.orderStatus === "Filled") return "filled";
  if (o.orderStatus === "Rejected") return "rejected";
  if (CANCEL_STATUSES.has(o.orderStatus)) return EXPIRY_REASONS.has(o.rejectReason) ? "expired" : "cancelled";
  return "open";
}

function snapshotOf(o: WireOrder): VenueOrderSnapshot {
  return {
    clientOrderId: o.orderLinkId === "" ? undefined : o.orderLinkId,
    venueOrderId: o.orderId,
    symbol: o.symbol,
    side: o.side,
    orderType: o.orderType,
    qty: o.qty,
    filledQty: o.cumExecQty,
    price: o.price,
    reduceOnly: o.reduceOnly,
    status: statusOf(o),
    postOnlyWouldTake: o.rejectReason === POST_ONLY_WOULD_TAKE,
  };
}

function fillOf(e: WireExecution, ts: number, account: AccountView): FillEvent {
  const ours = e.orderLinkId !== "" && account.order(e.orderLinkId) !== undefined;
  return fillEventOf(e, ts, ours ? e.orderLinkId : undefined, "reconciliation");
}
