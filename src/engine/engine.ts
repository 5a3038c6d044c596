/**
 * The single writer. Every change to trading state goes through `record`, which applies the
 * event to the state (refusing illegal ones before anything changes), appends it to the journal,
 * and only then tells everyone else (the outbox). There are no locks because there is nothing
 * to race: one place, one order of events.
 *
 * Events from venues and operators arrive through the inbox bus (lanes, priorities, conflated
 * market data); the engine is its only subscriber. What the engine accepted goes to the outbox
 * bus, where risk, strategies, execution and observers react, each isolated from the others.
 */
import type { Clock } from "../core/clock.ts";
import { format } from "../core/decimal.ts";
import { describeError } from "../core/errors.ts";
import { type AlertEvent, type BookEvent, type HeanEvent, isJournaled } from "../core/events.ts";
import type { EventBus } from "../bus/event-bus.ts";
import { type ApplyOutcome, type EngineState, fillPrint } from "./engine-state.ts";
import type { EngineStateView } from "./engine-state-view.ts";
import type { JournalPort } from "./journal-port.ts";

export interface EngineOptions {
  readonly state: EngineState;
  readonly journal: JournalPort;
  readonly inbox: EventBus;
  readonly outbox: EventBus;
  readonly clock: Clock;
  /** Journal a mark per symbol at most this often (replays value positions at these marks). */
  readonly markIntervalMs?: number;
  /** Write a snapshot after this many journaled events. */
  readonly snapshotEvery?: number;
}

export type RecordOutcome = ApplyOutcome | "refused";

export class Engine {
  /** The state, read only: only this engine changes it, by applying events. */
  readonly state: EngineStateView;
  readonly #state: EngineState;
  readonly journal: JournalPort;
  readonly #outbox: EventBus;
  readonly #clock: Clock;
  readonly #markIntervalMs: number;
  readonly #snapshotEvery: number;
  /** The book each symbol's last journaled mark came from. */
  readonly #lastMarkJournaled = new Map<string, BookEvent>();
  readonly #lastBook = new Map<string, BookEvent>();
  #sinceSnapshot = 0;
  /** False while another thread keeps the periodic snapshots (engine/snapshot-keeper.ts). */
  #periodicSnapshots = true;
  #journalFailure: string | undefined;
  duplicateFills = 0;
  /** Funding or cash adjustments seen again (stream and reconciliation overlap): booked once. */
  duplicateCash = 0;
  refusedEvents = 0;

  constructor(options: EngineOptions) {
    this.state = this.#state = options.state;
    this.journal = options.journal;
    this.#outbox = options.outbox;
    this.#clock = options.clock;
    this.#markIntervalMs = options.markIntervalMs ?? 1_000;
    this.#snapshotEvery = options.snapshotEvery ?? 10_000;
    options.inbox.subscribe("engine", (e) => void this.record(e));
  }

  /** Apply, journal, then publish. Never throws: a refused event raises an alert and changes nothing. */
  record(event: HeanEvent): RecordOutcome {
    if (event.type === "market.book") return this.#onBook(event);
    if (event.type === "order.filled") this.#markBeforeFill(event.symbol);
    let outcome: ApplyOutcome;
    try {
      outcome = this.#state.apply(event);
    } catch (e) {
      this.refusedEvents++;
      const err = describeError(e);
      this.#alert("critical", "ENGINE_EVENT_REFUSED", `refused ${event.type}: ${err.message}`, { eventType: event.type, error: err });
      return "refused";
    }
    if (outcome === "duplicate-fill") {
      this.duplicateFills++;
      return outcome;
    }
    if (outcome === "conflicting-fill" && event.type === "order.filled") {
      this.duplicateFills++;
      const recorded = this.#state.recordedFill(event.fillId);
      this.#alert("critical", "FILL_CONFLICT", `fill ${event.fillId} reported again with other numbers: kept ${recorded}, ignored ${fillPrint(event)} (${event.source})`, {
        fillId: event.fillId,
        recorded,
        ignored: fillPrint(event),
        source: event.source,
      });
      return outcome;
    }
    // A resent command was answered the first time: publishing it would run it again.
    if (outcome === "duplicate-command") return outcome;
    if (outcome === "duplicate-cash") {
      this.duplicateCash++;
      return outcome;
    }
    if (outcome === "applied" && isJournaled(event) && this.#append(event)) {
      if (++this.#sinceSnapshot >= this.#snapshotEvery && this.#periodicSnapshots) this.snapshot();
    }
    this.#outbox.publish(event);
    return outcome;
  }

  /**
   * False when the journal takes no more records (its commit failed, or it is closed): the event
   * has changed the state in memory and goes on to the outbox, so everything waiting on it (an
   * intent's rejection, a command's answer) still hears of it; the failure is said once and from
   * then on the executor sends nothing (`journalFailure`). Throwing here, out of whatever recorded
   * the event, took the process down (an unhandled rejection) or left a command unanswered.
   */
  #append(event: HeanEvent): boolean {
    try {
      this.#state.lastSeq = this.journal.append(event);
      return true;
    } catch (e) {
      if (this.#journalFailure === undefined) {
        this.#journalFailure = describeError(e).message;
        this.#alert("critical", "JOURNAL_FAILED", `journal is not durable: ${this.#journalFailure}`, { eventType: event.type });
      }
      return false;
    }
  }

  /** Resolves once everything recorded so far is durable. On failure trading must stop: we say so loudly. */
  async flush(): Promise<void> {
    try {
      await this.journal.flush();
    } catch (e) {
      this.#journalFailure = describeError(e).message;
      this.#alert("critical", "JOURNAL_FAILED", `journal is not durable: ${this.#journalFailure}`, {});
      throw e;
    }
  }

  /** `flush` on the journal's priority path (kill-switch intents): same guarantee, less waiting. */
  async flushUrgent(): Promise<void> {
    try {
      await (this.journal.flushUrgent?.() ?? this.journal.flush());
    } catch (e) {
      this.#journalFailure = describeError(e).message;
      this.#alert("critical", "JOURNAL_FAILED", `journal is not durable: ${this.#journalFailure}`, {});
      throw e;
    }
  }

  /** Set when durability failed: no new order may be sent while it is. */
  get journalFailure(): string | undefined {
    return this.#journalFailure;
  }

  lastBook(symbol: string): BookEvent | undefined {
    return this.#lastBook.get(symbol);
  }

  /** Journal the current marks of every symbol (on shutdown, so a replay values positions the same). */
  recordMarks(): void {
    for (const book of this.#lastBook.values()) this.#recordMark(book);
  }

  /** Whether this engine takes a snapshot every `snapshotEvery` journaled events (it does unless another thread keeps them). */
  setPeriodicSnapshots(on: boolean): void {
    this.#periodicSnapshots = on;
  }

  snapshot(): void {
    this.#sinceSnapshot = 0;
    try {
      this.journal.writeSnapshot(this.#state.lastSeq, this.#state.snapshot());
    } catch (e) {
      this.#alert("warning", "SNAPSHOT_FAILED", `snapshot failed: ${describeError(e).message}`, {});
    }
  }

  #onBook(book: BookEvent): RecordOutcome {
    if (!(book.bid > 0n && book.ask >= book.bid)) {
      this.#alert("warning", "BOOK_INVALID", `ignored crossed or empty book for ${book.symbol}`, {
        symbol: book.symbol,
        bid: format(book.bid),
        ask: format(book.ask),
      });
      return "refused";
    }
    this.#lastBook.set(book.symbol, book);
    this.#state.portfolio.setMark(book.symbol, book.bid, book.ask, book.ts);
    const last = this.#lastMarkJournaled.get(book.symbol);
    // A symbol's first book is journaled held or not: the run's buy-and-hold starts at its price.
    if (last === undefined || (book.ts - last.ts >= this.#markIntervalMs && this.state.portfolio.position(book.symbol).qty !== 0n)) {
      this.#recordMark(book);
    }
    this.#outbox.publish(book);
    return "ignored";
  }

  /**
   * Reports value positions at journaled marks only (so a replay values the run as the run did),
   * and marks are journaled only while a position is held: without this, a position opened after
   * a flat spell would be valued at the last mark of the previous one, however far the market has
   * moved since. A mark at most `markIntervalMs` old is kept, as on every book.
   */
  #markBeforeFill(symbol: string): void {
    const book = this.#lastBook.get(symbol);
    const last = this.#lastMarkJournaled.get(symbol);
    if (book !== undefined && book !== last && (last === undefined || book.ts - last.ts >= this.#markIntervalMs)) this.#recordMark(book);
  }

  #recordMark(book: BookEvent): void {
    this.#lastMarkJournaled.set(book.symbol, book);
    this.record({ type: "mark", ts: book.ts, symbol: book.symbol, bid: book.bid, ask: book.ask });
  }

  #alert(severity: AlertEvent["severity"], code: string, message: string, context: Record<string, unknown>): void {
    this.#outbox.publish({ type: "alert", ts: this.#clock.now(), severity, code, message, context });
  }
}
