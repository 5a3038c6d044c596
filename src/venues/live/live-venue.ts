/**
 * The live venue every exchange shares: exactly-once order gateway, in-doubt settlement, order
 * tracking, reconciliation, circuit breaker, rate limiter, server time, health and lifecycle,
 * over one exchange's wire (`LiveWire`: signing, REST, streams, error classification). Everything
 * it learns leaves as hean events through the sink; its health feeds risk and the operator view.
 *
 * The start is bounded and can be interrupted: keys the venue refuses stop it at once
 * (`VENUE_AUTH_FAILED`), so does a REST base URL that answers HTTP 404 (`VENUE_URL_NOT_FOUND`,
 * naming the URL and the setting), a venue that cannot be reached is retried with backoff until
 * `bootTimeoutMs` (`VENUE_UNAVAILABLE`), and `stop()` during the start ends it promptly
 * (`START_ABORTED`).
 */
import { type Clock, RealClock, type TimerHandle } from "../../core/clock.ts";
import { type Dec, format } from "../../core/decimal.ts";
import { HeanError, describeError, isHeanError } from "../../core/errors.ts";
import type { AlertEvent, FillEvent, HeanEvent } from "../../core/events.ts";
import { DEFAULT_LIVE_TUNING, type LiveTuning } from "../../config/venue-config.ts";
import { type AccountReport, type AccountView, type FillReport, type OrderStatusReport, accountSnapshotOf, fundingPaidOf } from "../venue.ts";
import { type EventSink, type Venue, type VenueOrderRequest, type VenueOrderSnapshot, type VenuePosition } from "../../execution/venue-port.ts";
import type { Instrument } from "../../core/instrument.ts";
import type { LiveAdapter, LiveWire } from "./adapter.ts";
import { CircuitBreaker } from "./circuit-breaker.ts";
import { fillEventOf } from "./fill-event.ts";
import { estimatedFee, foreignFeeBlock } from "./foreign-fee.ts";
import { LiveHealth } from "./health.ts";
import { OrderGateway } from "./order-gateway.ts";
import { OrderTracker } from "./order-tracker.ts";
import { truncationEpisodes } from "./paging.ts";
import { RateLimiter } from "./rate-limiter.ts";
import { ALL_PARTS, Reconciler } from "./reconciler.ts";
import { ServerTime } from "./server-time.ts";
import { ProtectiveStops } from "./protective-stops.ts";
import { type OtherEngine, otherEngineTag, sharedAccountBlock } from "./shared-account.ts";
import { sleep } from "./sleep.ts";

export interface LiveVenueOptions {
  /** The registry id: "bybit", … */
  readonly id: string;
  readonly wire: LiveWire;
  readonly symbols: readonly string[];
  readonly account: AccountView;
  readonly tuning?: LiveTuning | undefined;
  readonly clock?: Clock | undefined;
  readonly random?: (() => number) | undefined;
  /**
   * Stop-loss distance per symbol in percent of the average entry: a reduce-only stop rests at the
   * venue at that distance for every open position (`protective-stops.ts`). Absent: none.
   */
  readonly protectiveStopPct?: ((symbol: string) => number | undefined) | undefined;
}

/** Codes that may repeat in bursts: at most one alert per code and symbol per window. */
const THROTTLED = new Set(["VENUE_MALFORMED_MESSAGE", "BOOK_RESYNC", "VENUE_RATE_LIMITED", "PUBLIC_STREAM_SILENT", "PRIVATE_STREAM_DOWN", "PRIVATE_AUTH_FAILED", "RECONCILE_FAILED", "POSITION_MISMATCH", "EXTERNAL_FILL"]);
const ALERT_WINDOW_MS = 2_000;
/** A pushed wallet change is followed by a reconciled read (ledger, then wallet) this soon, once per burst. */
const WALLET_RECHECK_MS = 1_000;

export class LiveVenue implements Venue {
  readonly id: string;
  readonly health: LiveHealth;
  readonly tuning: LiveTuning;
  readonly #o: LiveVenueOptions;
  readonly #name: string;
  readonly #clock: Clock;
  readonly #random: () => number;
  readonly #time: ServerTime;
  readonly #limiter: RateLimiter;
  readonly #breaker: CircuitBreaker;
  readonly #adapter: LiveAdapter;
  readonly #tracker: OrderTracker;
  readonly #gateway: OrderGateway;
  readonly #reconciler: Reconciler;
  readonly #stops: ProtectiveStops | undefined;
  /** The venue's listing, once asked. */
  #listing: Promise<readonly Instrument[]> | undefined;
  /** The listing once it has arrived, for what must decide synchronously (a fill's fee). */
  readonly #listed = new Map<string, Instrument>();
  readonly #alertAt = new Map<string, { at: number; suppressed: number }>();
  #sink: EventSink | undefined;
  #sent = 0;
  #startedAtServer = 0;
  #stopping: Promise<void> | undefined;
  #reconnectRetry: TimerHandle | undefined;
  #probeRetry: TimerHandle | undefined;
  /** While the private stream is down, REST polling keeps the engine informed. */
  #polling: TimerHandle | undefined;
  /** Why the venue refused our keys, once it has (the start stops on it). */
  #authRefused: string | undefined;
  /** Resolves when `stop()` is called: every wait of the start races it. */
  readonly #stopRequested: Promise<void>;
  #requestStop!: () => void;
  /** The reconciliation that follows a pushed wallet (see `#onWallet`). */
  #walletRecheck: TimerHandle | undefined;

  constructor(options: LiveVenueOptions) {
    this.#o = options;
    this.id = options.id;
    this.#name = options.wire.name;
    const name = this.#name;
    this.#stopRequested = new Promise((resolve) => (this.#requestStop = resolve));
    const clock = (this.#clock = options.clock ?? new RealClock());
    const random = (this.#random = options.random ?? Math.random);
    const tuning = (this.tuning = options.tuning ?? DEFAULT_LIVE_TUNING);
    this.health = new LiveHealth(
      clock.now(),
      () => ({ public: this.#adapter.publicStream.ready, private: this.#adapter.privateStream.ready }),
      () => this.blocksNewExposure(),
    );
    this.#time = new ServerTime(clock);
    this.#limiter = new RateLimiter(clock, random, { scopeOf: options.wire.scopeOf, backoffBaseMs: tuning.rateLimitBackoffMs, backoffMaxMs: tuning.rateLimitMaxBackoffMs });
    this.#breaker = new CircuitBreaker({
      clock,
      failureThreshold: tuning.breakerFailures,
      openMs: tuning.breakerOpenMs,
      maxOpenMs: tuning.breakerMaxOpenMs,
      onChange: (state, detail) => {
        this.health.breakerState = state;
        this.health.breakerOpenSince = this.#breaker.openSince;
        if (state === "open") this.#alert("critical", "VENUE_CIRCUIT_OPEN", `${name} REST circuit breaker open: ${detail}`, { state });
        else if (state === "half-open") this.#alert("info", "VENUE_CIRCUIT_HALF_OPEN", `${name} REST circuit breaker half-open: probing (${detail})`, { state });
        else this.#alert("info", "VENUE_CIRCUIT_CLOSED", `${name} REST circuit breaker closed: ${detail}`, { state });
      },
      onProbe: () => this.#probe(),
    });
    const emit = (e: HeanEvent | undefined): void => this.#emit(e);
    const alert = (severity: AlertEvent["severity"], code: string, message: string, context: Record<string, unknown>): void => this.#alert(severity, code, message, context);
    const pages = truncationEpisodes(name, alert);
    this.#adapter = options.wire.connect({
      symbols: options.symbols,
      tuning,
      clock,
      random,
      time: this.#time,
      limiter: this.#limiter,
      breaker: this.#breaker,
      emit,
      alert,
      onRateLimited: (what, waitMs, detail) => {
        this.health.rateLimitRefusals++;
        this.#alert("warning", "VENUE_RATE_LIMITED", `${name} refused ${what} (${detail}): backing off ${waitMs} ms`, { path: what, waitMs });
      },
      privateFeed: {
        onReady: () => this.#onPrivateReady(),
        onDown: (reason) => this.#onPrivateDown(reason),
        onAuthFailed: (reason) => {
          this.#authRefused = reason;
          this.#alert("critical", "PRIVATE_AUTH_FAILED", `${name} private stream authentication refused: ${reason}`, { reply: reason });
        },
        onOrder: (report) => this.#onOrderReport(report),
        onFill: (report) => {
          this.#emit(this.#tracker.fill(report, "stream"));
          this.#stops?.touch(report.symbol);
        },
        onWallet: (report) => this.#onWallet(report),
        onFunding: (report) => this.#emit(fundingPaidOf(report, this.#clock.now(), "stream")),
      },
      onMalformed: (channel, error, context) => this.#malformed(channel, error, context),
      pagesTruncated: pages.truncated,
      pagesWhole: pages.whole,
    });
    this.#tracker = new OrderTracker(
      options.account,
      clock,
      (report) => this.#foreignFee(report),
      (report) => this.#notOurs(report),
    );
    this.#gateway = new OrderGateway({
      adapter: this.#adapter,
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
      venue: this.id,
      adapter: this.#adapter,
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
      notOurs: (o) => this.#otherEngine(o.clientOrderId, o.symbol, "open order"),
    });
    const stopPct = options.protectiveStopPct;
    this.#stops =
      stopPct === undefined
        ? undefined
        : new ProtectiveStops({
            adapter: this.#adapter,
            symbols: options.symbols,
            stopPct,
            instrument: async (symbol) => (await this.instruments()).find((i) => i.symbol === symbol),
            clock,
            intervalMs: tuning.reconcilePositionsMs,
            alert,
          });
  }

  // ------------------------------------------------------------------ lifecycle

  /** The venue's listing, asked before the start (the runtime checks the symbols against it). */
  instruments(): Promise<readonly Instrument[]> {
    const listing = (this.#listing ??= this.#adapter.instruments().catch((e: unknown) => {
      throw this.#wrongUrl(e);
    }));
    listing.then((list) => {
      for (const i of list) this.#listed.set(i.symbol, i);
    }, () => {});
    // A failed ask is not kept: the next one asks the venue again.
    listing.catch(() => {
      if (this.#listing === listing) this.#listing = undefined;
    });
    return listing;
  }

  async start(sink: EventSink): Promise<void> {
    this.#sink = sink;
    const { tuning } = this;
    const bootDeadline = this.#clock.now() + tuning.bootTimeoutMs;
    this.#bootDeadline = bootDeadline;
    // The clock offset matters for signatures and the in-doubt proof; every answer refines it,
    // so a venue that refuses us right now (a rate-limit storm) delays the start, never fails it:
    // the boot reconciliation is the gate that must pass (by the boot deadline) before trading.
    for (let attempt = 0; attempt < 3; attempt++) {
      this.#assertStarting();
      try {
        await this.#adapter.syncTime();
        break;
      } catch (e) {
        // A base URL that serves no such path: asking again cannot help, and nothing else will work.
        if (isHeanError(e, "VENUE_URL_NOT_FOUND")) throw this.#wrongUrl(e);
        if (attempt === 2) this.#alert("warning", "VENUE_TIME_UNSYNCED", `cannot read ${this.#name}'s clock yet: ${describeError(e).message}`, {});
        else await this.#pause(200 * 2 ** attempt);
      }
    }
    await this.#checkAccount(bootDeadline);
    this.#startedAtServer = this.#time.now();
    this.#reconciler.prime();
    this.#adapter.publicStream.start();
    this.#adapter.privateStream.start();
    this.#reconciler.start();
    const deadline = Math.min(bootDeadline, this.#clock.now() + tuning.startTimeoutMs);
    while (!(this.#adapter.publicStream.ready && this.#adapter.privateStream.ready) && this.#clock.now() < deadline) {
      this.#assertStarting();
      await this.#pause(50);
    }
    this.#assertStarting();
    if (!this.#adapter.publicStream.ready || !this.#adapter.privateStream.ready) {
      const pub = this.#adapter.publicStream.ready;
      const priv = this.#adapter.privateStream.ready;
      this.#alert("critical", "VENUE_STREAMS_NOT_READY", `${this.#name} streams not ready after ${tuning.startTimeoutMs} ms (public ${pub}, private ${priv}); carrying on`, {});
    }
  }

  /** The account must be set up the way hean trades it; an unreachable venue is asked again until the boot deadline. */
  async #checkAccount(bootDeadline: number): Promise<void> {
    const check = this.#adapter.checkAccount?.bind(this.#adapter);
    if (check === undefined) return;
    for (let attempt = 0; ; attempt++) {
      this.#assertStarting();
      try {
        await check();
        return;
      } catch (e) {
        if (!isHeanError(e, "VENUE_UNAVAILABLE") && !isHeanError(e, "VENUE_RATE_LIMITED")) throw this.#wrongUrl(e);
        if (this.#clock.now() >= bootDeadline) {
          throw new HeanError("VENUE_UNAVAILABLE", `cannot check the ${this.#name} account within bootTimeoutMs (${this.tuning.bootTimeoutMs} ms): ${describeError(e).message}`, { venue: this.id });
        }
        await this.#pause(Math.min(5_000, 250 * 2 ** attempt, Math.max(1, bootDeadline - this.#clock.now())));
      }
    }
  }

  /** A `VENUE_URL_NOT_FOUND` said with the setting to fix (other errors as they are). */
  #wrongUrl(e: unknown): unknown {
    if (!isHeanError(e, "VENUE_URL_NOT_FOUND") || e.context.hint !== undefined) return e;
    const hint = `check --rest-url (venues.${this.id}.restUrl)`;
    return new HeanError("VENUE_URL_NOT_FOUND", `${this.#name}: ${e.message.replace(/^VENUE_URL_NOT_FOUND: /, "")}; ${hint}`, { ...e.context, venue: this.id, hint });
  }

  /** Until when the start (streams and boot reconciliation) may keep trying. */
  #bootDeadline = 0;

  /** The start must not go on: the keys were refused, or a stop was asked for. */
  #assertStarting(): void {
    if (this.#authRefused !== undefined) {
      throw new HeanError("VENUE_AUTH_FAILED", `${this.#name} refused the API keys (${this.#authRefused}): check the key, the secret and their permissions`, { venue: this.id });
    }
    if (this.#stopping !== undefined) throw new HeanError("START_ABORTED", `the start on ${this.#name} was interrupted by a stop`, { venue: this.id });
  }

  /** Wait, but no longer than until a stop is asked for. */
  async #pause(ms: number): Promise<void> {
    await Promise.race([sleep(this.#clock, ms), this.#stopRequested]);
  }

  /**
   * `boot`: settle every order the journal left in doubt, recover fills, compare positions,
   * before trading starts (the runtime waits for it). Throws when the venue cannot be reconciled
   * by the boot deadline (VENUE_UNAVAILABLE) or refuses the keys (VENUE_AUTH_FAILED): trading
   * must not start blind.
   */
  async reconcile(reason: "boot" | "manual"): Promise<void> {
    if (reason === "manual") {
      await this.#reconciler.run(ALL_PARTS);
      return;
    }
    for (let attempt = 0; ; attempt++) {
      this.#assertStarting();
      // A pass that keeps being extended (a stream reconnecting all the while) must not outlive the deadline.
      let timer: TimerHandle | undefined;
      const late = new Promise<false>((resolve) => (timer = this.#clock.setTimeout(() => resolve(false), Math.max(0, this.#bootDeadline - this.#clock.now()))));
      const ok = await Promise.race([this.#reconciler.boot(), late, this.#stopRequested.then(() => false)]);
      timer?.cancel();
      if (ok) {
        this.health.bootReconciled = true;
        // Positions the venue holds (adopted or ours) get their protective stops before trading.
        this.#stops?.all();
        await this.#stops?.settled();
        this.#stops?.start();
        return;
      }
      this.#assertStarting();
      const failure = this.#reconciler.lastFailure;
      if (isHeanError(failure, "VENUE_URL_NOT_FOUND")) throw this.#wrongUrl(failure);
      if (isHeanError(failure, "VENUE_AUTH_FAILED")) {
        throw new HeanError("VENUE_AUTH_FAILED", `${this.#name} refused the API keys (${failure.message}): check the key, the secret and their permissions`, { venue: this.id });
      }
      if (this.#clock.now() >= this.#bootDeadline) {
        throw new HeanError("VENUE_UNAVAILABLE", `the boot reconciliation with ${this.#name} did not succeed within bootTimeoutMs (${this.tuning.bootTimeoutMs} ms): ${this.#reconciler.lastError ?? "it did not complete"}`, { venue: this.id });
      }
      await this.#pause(Math.min(5_000, 250 * 2 ** attempt, Math.max(1, this.#bootDeadline - this.#clock.now())));
    }
  }

  stop(): Promise<void> {
    this.#stopping ??= this.#stop();
    return this.#stopping;
  }

  async #stop(): Promise<void> {
    this.#requestStop();
    // A last look at the venue, so that fills of the final moments are journaled too (only after
    // a boot that reconciled: before it, this process has traded nothing).
    if (this.#breaker.state === "closed" && this.health.bootReconciled) {
      let timer: TimerHandle | undefined;
      const deadline = new Promise<void>((resolve) => (timer = this.#clock.setTimeout(resolve, this.tuning.finalReconcileMs)));
      await Promise.race([this.#reconciler.run(["orders", "executions"]), deadline]);
      timer?.cancel();
    }
    this.#reconciler.stop();
    this.#stops?.stop();
    this.#gateway.stop();
    this.#breaker.stop();
    this.#reconnectRetry?.cancel();
    this.#probeRetry?.cancel();
    this.#polling?.cancel();
    this.#walletRecheck?.cancel();
    await Promise.all([this.#adapter.publicStream.stop(), this.#adapter.privateStream.stop()]);
    this.#sink = undefined;
  }

  /**
   * Whether new exposure should wait: the REST path is failing or backing off, or the private
   * stream is down or not yet reconciled since it came back (we would be blind to our own fills).
   */
  blocksNewExposure(): string | undefined {
    if (this.health.foreignFee !== undefined) return foreignFeeBlock(this.#name, this.health.foreignFee);
    if (this.health.sharedAccount !== undefined) return sharedAccountBlock(this.#name, this.health.sharedAccount);
    if (this.#breaker.state !== "closed") return `the ${this.#name} circuit breaker is ${this.#breaker.state}`;
    if (this.#limiter.heldUntil > 0) return `the ${this.#name} rate limiter is backing off`;
    if (this.health.privateDown !== null) return `the ${this.#name} private stream is down or not reconciled yet`;
    const stale = this.#adapter.publicStream.staleSymbols?.() ?? [];
    if (stale.length > 0) return `the ${this.#name} order book of ${stale.join(", ")} is stale (resyncing): no entries on a stale book`;
    return undefined;
  }

  /** A fill whose fee came in another asset: booked at the instrument's rate, alerted once, and new exposure stops. */
  #foreignFee(report: FillReport): Dec {
    const fee = estimatedFee(report, this.#listed.get(report.symbol));
    if (this.health.foreignFee === undefined) {
      this.health.foreignFee = { asset: report.feeAsset ?? "?", fillId: report.fillId };
      this.#alert("critical", "VENUE_FEE_ASSET", foreignFeeBlock(this.#name, this.health.foreignFee), {
        fillId: report.fillId,
        feeAsset: report.feeAsset ?? "?",
        feeCharged: format(report.fee),
        feeBooked: format(fee),
      });
    }
    return fee;
  }

  /**
   * A fill on an order this engine did not place, booked into its position (a symbol it trades or
   * holds): another hean engine's stops new exposure (`#otherEngine`); anyone else's (a trade by
   * hand, another program, a liquidation, the venue's own protective stop firing) is said, so the
   * operator knows hean's risk rules now manage it (stop-loss, max hold, the kill switch).
   */
  #notOurs(report: FillReport): void {
    if (otherEngineTag(report.clientOrderId, this.#o.account.orderTag) !== undefined) return this.#otherEngine(report.clientOrderId, report.symbol, "fill");
    const order = report.clientOrderId === "" ? `venue order ${report.venueOrderId}` : `order ${report.clientOrderId}`;
    const message =
      `${report.symbol}: ${report.side} ${format(report.qty)} at ${format(report.price)} (${order}) did not come from hean's orders ` +
      "(a trade by hand or by another program, a liquidation, or the protective stop resting at the venue) and is now part of its position, managed by its risk rules";
    this.#alert("warning", "EXTERNAL_FILL", message, {
      symbol: report.symbol,
      clientOrderId: report.clientOrderId,
      venueOrderId: report.venueOrderId,
    });
  }

  /** An order or fill that is not this engine's: another hean engine's, on a traded symbol, is alerted once and stops new exposure. */
  #otherEngine(clientOrderId: string | undefined, symbol: string, seenIn: OtherEngine["seenIn"]): void {
    if (this.health.sharedAccount !== undefined || !this.#o.symbols.includes(symbol)) return;
    const tag = otherEngineTag(clientOrderId, this.#o.account.orderTag);
    if (tag === undefined || clientOrderId === undefined) return;
    this.health.sharedAccount = { tag, clientOrderId, symbol, seenIn };
    this.#alert("critical", "ACCOUNT_SHARED", sharedAccountBlock(this.#name, this.health.sharedAccount), { otherJournalTag: tag, clientOrderId, symbol });
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
    const o = await this.#adapter.queryOrder(symbol, clientOrderId);
    return o === undefined ? undefined : snapshotOf(o);
  }

  async openOrders(): Promise<VenueOrderSnapshot[]> {
    const out: VenueOrderSnapshot[] = [];
    for (const symbol of this.#o.symbols) for (const o of await this.#adapter.openOrders(symbol)) out.push(snapshotOf(o));
    return out;
  }

  /** The venue's positions, read even while the breaker is open: the kill switch verifies with them. */
  async positions(): Promise<VenuePosition[]> {
    const out: VenuePosition[] = [];
    for (const symbol of this.#o.symbols) {
      const p = await this.#adapter.position(symbol, "essential");
      if (p !== undefined && p.qty !== 0n) out.push({ symbol, qty: p.qty, avgPrice: p.avgPrice });
    }
    return out;
  }

  async fillsSince(sinceMs: number): Promise<FillEvent[]> {
    const out: FillEvent[] = [];
    const end = this.#time.now();
    for (const symbol of this.#o.symbols) {
      for (const e of (await this.#adapter.executions(symbol, sinceMs, end)).fills) {
        const ours = e.clientOrderId !== "" && this.#o.account.placed(e.clientOrderId) !== undefined;
        out.push(fillEventOf(e, this.#clock.now(), ours ? e.clientOrderId : undefined, "reconciliation"));
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
    if (this.#stopping !== undefined || !this.#adapter.privateStream.ready) return;
    if (ok) {
      this.health.privateDown = null;
      return;
    }
    this.#reconnectRetry = this.#clock.setTimeout(() => void this.#reconcileAfterConnect(attempt + 1), Math.min(5_000, 250 * 2 ** attempt));
  }

  #onPrivateDown(reason: string): void {
    this.health.privateDown ??= this.#clock.now();
    if (this.#stopping !== undefined) return;
    this.#alert("warning", "PRIVATE_STREAM_DOWN", `${this.#name} private stream lost (${reason}): reconnecting`, { reason });
    // Blind to our own orders until it is back: poll open orders and executions meanwhile.
    this.#polling ??= this.#clock.setInterval(() => void this.#reconciler.run(["orders", "executions"]), Math.min(5_000, this.tuning.reconcileOrdersMs));
  }

  /**
   * A pushed wallet is shown and journaled, but only a reconciled one is compared with the
   * engine's cash: a transfer shows here before the ledger entry that explains it is read, so a
   * reconciliation (ledger, then wallet) follows soon, once per burst.
   */
  #onWallet(report: AccountReport): void {
    const now = this.#clock.now();
    this.health.wallet = { balance: report.walletBalance, equity: report.equity, at: now };
    this.#emit(accountSnapshotOf(this.id, report, now, "stream"));
    this.#walletRecheck ??= this.#clock.setTimeout(() => {
      this.#walletRecheck = undefined;
      if (this.#stopping === undefined) void this.#reconciler.run(["wallet"]);
    }, WALLET_RECHECK_MS);
  }

  #onOrderReport(o: OrderStatusReport): void {
    if (o.clientOrderId === undefined) return;
    const t = this.#tracker.get(o.clientOrderId);
    if (t !== undefined) void this.#gateway.applyVenueOrder(t, o, "defer");
    else this.#otherEngine(o.clientOrderId, o.symbol, "order update");
  }

  /** A message hean could not read: counted by channel and kind, and said (throttled). */
  #malformed(channel: "rest" | "ws", error: HeanError, context: Record<string, unknown>): void {
    const key = this.health.countMalformed(channel, error);
    this.#alert("warning", "VENUE_MALFORMED_MESSAGE", `${this.#name} sent a message hean cannot read (${key}): ${error.message}`, { ...context, kind: key });
  }

  // ------------------------------------------------------------------ plumbing

  /** The half-open probe: one cheap read the wire chooses. Held back by the limiter, it waits its turn and tries again. */
  #probe(): void {
    this.#probeRetry?.cancel();
    if (this.#stopping !== undefined) return;
    void this.#adapter.probe().then((r) => {
      if (r.sent || this.#breaker.state !== "half-open" || this.#stopping !== undefined) return;
      this.#probeRetry = this.#clock.setTimeout(() => this.#probe(), Math.max(50, r.retryInMs));
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

/** The `Venue` snapshot of a report: a venue that has an order but not decided on it shows it open. */
function snapshotOf(o: OrderStatusReport): VenueOrderSnapshot {
  return {
    clientOrderId: o.clientOrderId,
    venueOrderId: o.venueOrderId,
    symbol: o.symbol,
    side: o.side,
    orderType: o.orderType,
    qty: o.qty,
    filledQty: o.filledQty,
    price: o.price,
    reduceOnly: o.reduceOnly,
    status: o.status === "pending" ? "open" : o.status,
    postOnlyWouldTake: o.postOnlyWouldTake,
  };
}
