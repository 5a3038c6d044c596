/**
 * Metrics that only the event stream can give: order lifecycle counts per symbol, fills by
 * liquidity, acknowledgement latency (from `order.submitted` to `order.accepted` or
 * `order.rejected`, in the engine's own timestamps), kill-switch triggers, commands, alerts and
 * the time of the last book per symbol (for staleness).
 *
 * `observe` runs inside the engine's turn for every event, so it only does map lookups and
 * counter increments; the map of live orders is bounded so a flood of orders whose end we never
 * see cannot grow it without limit.
 */
import { Counter, Gauge, Histogram, type Registry } from "@prometheus-io/client";
import { add, cmp, ZERO, type Dec } from "../../core/decimal.ts";
import type { HeanEvent, KillSwitchReason } from "../../core/events.ts";

const KILL_SWITCH_REASONS: readonly KillSwitchReason[] = [
  "HARD_STOP",
  "OPERATOR_STOP",
  "OPERATOR_FLATTEN",
  "STALE_MARKET_DATA",
  "PRIVATE_STREAM_DOWN",
  "CIRCUIT_BREAKER_OPEN",
  "REJECTION_STORM",
];

const MAX_TRACKED_ORDERS = 50_000;
const ACK_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

interface TrackedOrder {
  readonly symbol: string;
  readonly qty: Dec;
  filled: Dec;
  submittedAt: number | undefined;
  /** Kept after the last fill (an acknowledgement may still arrive late); evicted by age. */
  complete: boolean;
}

export class OrderMetrics {
  readonly #orders = new Map<string, TrackedOrder>();
  readonly #lastBookAt = new Map<string, number>();
  readonly #symbolsSeen = new Set<string>();
  #makerFills = 0;
  #allFills = 0;

  readonly #submitted: Counter<"symbol">;
  readonly #resent: Counter<"symbol">;
  readonly #accepted: Counter<"symbol">;
  readonly #rejected: Counter<"symbol">;
  readonly #filled: Counter<"symbol">;
  readonly #cancelled: Counter<"symbol">;
  readonly #unknown: Counter<"symbol">;
  readonly #fills: Counter<"symbol" | "liquidity">;
  readonly #makerRatio: Gauge;
  readonly #ackLatency: Histogram<"outcome">;
  readonly #killSwitch: Counter<"reason">;
  readonly #commands: Counter<"command" | "source">;
  readonly #alerts: Counter<"severity">;
  readonly #marketLive: Gauge<"symbol">;

  constructor(registry: Registry) {
    const registers = [registry];
    const perSymbol = (name: string, help: string): Counter<"symbol"> =>
      new Counter({ name, help, labelNames: ["symbol"], registers });
    this.#submitted = perSymbol("hean_orders_submitted_total", "Orders sent to the venue for the first time, by symbol.");
    this.#resent = perSymbol("hean_order_resends_total", "Resends of an order under the same client order id after an ambiguous outcome.");
    this.#accepted = perSymbol("hean_orders_accepted_total", "Orders the venue acknowledged, by symbol.");
    this.#rejected = perSymbol("hean_orders_rejected_total", "Orders the venue rejected, by symbol.");
    this.#filled = perSymbol("hean_orders_filled_total", "Orders filled completely, by symbol.");
    this.#cancelled = perSymbol("hean_orders_cancelled_total", "Orders cancelled or expired, by symbol.");
    this.#unknown = perSymbol("hean_orders_unknown_total", "Sends whose outcome was ambiguous (timeout, reset) and had to be resolved with the venue.");
    this.#fills = new Counter({
      name: "hean_fills_total",
      help: "Fills (executions), by symbol and liquidity (maker or taker).",
      labelNames: ["symbol", "liquidity"],
      registers,
    });
    this.#makerRatio = new Gauge({
      name: "hean_maker_fill_ratio",
      help: "Maker fills divided by all fills since start (0 before the first fill).",
      registers,
    });
    this.#ackLatency = new Histogram({
      name: "hean_order_ack_latency_seconds",
      help: "Time from sending an order to the venue's acceptance or rejection, in seconds.",
      labelNames: ["outcome"],
      buckets: ACK_BUCKETS,
      registers,
    });
    this.#killSwitch = new Counter({
      name: "hean_kill_switch_triggers_total",
      help: "Kill-switch triggers, by reason.",
      labelNames: ["reason"],
      registers,
    });
    for (const reason of KILL_SWITCH_REASONS) this.#killSwitch.inc({ reason }, 0);
    this.#commands = new Counter({
      name: "hean_commands_total",
      help: "Operator commands received, by command and source kind (api, telegram, cli).",
      labelNames: ["command", "source"],
      registers,
    });
    this.#alerts = new Counter({
      name: "hean_alerts_total",
      help: "Alerts raised, by severity.",
      labelNames: ["severity"],
      registers,
    });
    for (const severity of ["info", "warning", "critical"]) this.#alerts.inc({ severity }, 0);
    this.#marketLive = new Gauge({
      name: "hean_market_data_live",
      help: "1 when the market data of a symbol is live, 0 when stale or resyncing (from the last status event).",
      labelNames: ["symbol"],
      registers,
    });
  }

  /** Makes per-symbol series exist (at 0) before the first event, so rate() and alerts see them. */
  knowSymbols(symbols: readonly string[]): void {
    for (const symbol of symbols) {
      if (this.#symbolsSeen.has(symbol)) continue;
      this.#symbolsSeen.add(symbol);
      for (const c of [this.#submitted, this.#resent, this.#accepted, this.#rejected, this.#filled, this.#cancelled, this.#unknown]) {
        c.inc({ symbol }, 0);
      }
      for (const liquidity of ["maker", "taker"]) this.#fills.inc({ symbol, liquidity }, 0);
    }
  }

  lastBookAt(symbol: string): number | undefined {
    return this.#lastBookAt.get(symbol);
  }

  observe(event: HeanEvent): void {
    switch (event.type) {
      case "market.book":
        this.#lastBookAt.set(event.symbol, event.ts);
        return;
      case "market.status":
        this.#marketLive.set({ symbol: event.symbol }, event.status === "live" ? 1 : 0);
        return;
      case "order.intent":
        this.#track(event.clientOrderId, { symbol: event.symbol, qty: event.qty, filled: ZERO, submittedAt: undefined, complete: false });
        return;
      case "order.submitted": {
        const order = this.#orders.get(event.clientOrderId);
        const symbol = order?.symbol ?? "unknown";
        (event.attempt <= 1 ? this.#submitted : this.#resent).inc({ symbol });
        if (order !== undefined) order.submittedAt = event.ts;
        return;
      }
      case "order.accepted":
        this.#acknowledged(event.clientOrderId, event.ts, "accepted");
        return;
      case "order.rejected":
        this.#acknowledged(event.clientOrderId, event.ts, "rejected");
        this.#orders.delete(event.clientOrderId);
        return;
      case "order.unknown":
        this.#unknown.inc({ symbol: this.#symbolOf(event.clientOrderId) });
        return;
      case "order.cancelled":
      case "order.expired":
        this.#cancelled.inc({ symbol: this.#symbolOf(event.clientOrderId) });
        this.#orders.delete(event.clientOrderId);
        return;
      case "order.filled":
        this.#fill(event.clientOrderId, event.symbol, event.qty, event.liquidity);
        return;
      case "risk.kill-switch":
        if (event.step === "triggered") this.#killSwitch.inc({ reason: event.reason });
        return;
      case "command":
        this.#commands.inc({ command: event.command, source: event.source.split(":")[0] ?? "unknown" });
        return;
      case "alert":
        this.#alerts.inc({ severity: event.severity });
        return;
      default:
        return;
    }
  }

  #track(clientOrderId: string, order: TrackedOrder): void {
    if (this.#orders.size >= MAX_TRACKED_ORDERS) {
      const oldest = this.#orders.keys().next().value;
      if (oldest !== undefined) this.#orders.delete(oldest);
    }
    this.#orders.set(clientOrderId, order);
  }

  #symbolOf(clientOrderId: string): string {
    return this.#orders.get(clientOrderId)?.symbol ?? "unknown";
  }

  #acknowledged(clientOrderId: string, ts: number, outcome: "accepted" | "rejected"): void {
    const order = this.#orders.get(clientOrderId);
    const symbol = order?.symbol ?? "unknown";
    (outcome === "accepted" ? this.#accepted : this.#rejected).inc({ symbol });
    if (order?.submittedAt !== undefined) {
      this.#ackLatency.observe({ outcome }, Math.max(0, ts - order.submittedAt) / 1000);
      order.submittedAt = undefined;
    }
  }

  #fill(clientOrderId: string | undefined, symbol: string, qty: Dec, liquidity: "maker" | "taker"): void {
    this.#fills.inc({ symbol, liquidity });
    this.#allFills += 1;
    if (liquidity === "maker") this.#makerFills += 1;
    this.#makerRatio.set(this.#makerFills / this.#allFills);
    if (clientOrderId === undefined) return;
    const order = this.#orders.get(clientOrderId);
    if (order === undefined || order.complete) return;
    order.filled = add(order.filled, qty);
    if (cmp(order.filled, order.qty) >= 0) {
      order.complete = true;
      this.#filled.inc({ symbol });
    }
  }
}
