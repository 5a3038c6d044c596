/**
 * The dashboard's performance, candle and strategy reads:
 *
 *   GET /api/performance            figures, closed/open trades, per-symbol and per-day totals,
 *                                   and the equity curve with its drawdown, ending at equity now
 *   GET /api/candles?symbol=&interval=1s|1m|5m&limit=
 *   GET /api/strategies
 *
 * The curve is the engine's own (the run performance the exit report reads), so the chart and
 * the equity figure above it are one number.
 */
import { ApiError, sendJson } from "./respond.ts";
import { CANDLE_INTERVALS, isCandleInterval } from "../candles.ts";
import type { EngineView } from "../engine-view.ts";
import { limitParam, type ReadHandler } from "./read-handler.ts";

export interface CurvePoint {
  readonly ts: number;
  readonly equity: number;
  /** Fall from the highest equity so far, in percent (0 at a peak). */
  readonly drawdownPct: number;
}

/**
 * Equity samples (oldest first) with the drawdown at each, and the equity now as the last point
 * when it is newer than the curve's last sample (the curve samples on journaled marks and fills;
 * the figure values the live book).
 */
export function curveWithDrawdown(points: readonly { readonly ts: number; readonly equity: number }[], now?: { ts: number; equity: number }): CurvePoint[] {
  const all = now !== undefined && Number.isFinite(now.equity) && (points.length === 0 || now.ts >= points.at(-1)!.ts) ? [...points, now] : points;
  let peak = Number.NEGATIVE_INFINITY;
  return all.map((p) => {
    if (p.equity > peak) peak = p.equity;
    const drawdownPct = peak > 0 ? Number((((peak - p.equity) / peak) * 100).toFixed(6)) : 0;
    return { ts: p.ts, equity: p.equity, drawdownPct };
  });
}

export function dashboardRoutes(view: EngineView, read: <T>(what: string, fn: () => T) => T): Record<string, ReadHandler> {
  return {
    "/api/performance": ({ res }) => {
      const report = read("its performance", () => view.performance());
      const status = read("its status", () => view.status());
      const curve = curveWithDrawdown(read("the equity curve", () => view.equityHistory()), { ts: status.now, equity: Number(status.equity) });
      sendJson(res, 200, { ...report, equity: status.equity, now: status.now, curve });
    },
    "/api/candles": ({ url, res }) => {
      const symbol = (url.searchParams.get("symbol") ?? "").toUpperCase();
      const symbols = read("its status", () => view.status().symbols);
      if (symbol === "") throw new ApiError(400, "BAD_REQUEST", `"symbol" is required: /api/candles?symbol=${symbols[0] ?? "BTCUSDT"}&interval=1m`);
      if (!symbols.includes(symbol)) throw new ApiError(404, "NOT_FOUND", `unknown symbol ${JSON.stringify(symbol)}: the engine trades ${symbols.join(", ")}`);
      const interval = url.searchParams.get("interval") ?? "1m";
      if (!isCandleInterval(interval)) {
        throw new ApiError(400, "BAD_REQUEST", `unknown interval ${JSON.stringify(interval)}: one of ${Object.keys(CANDLE_INTERVALS).join(", ")}`);
      }
      const keep = CANDLE_INTERVALS[interval].keep;
      const limit = limitParam(url, keep, keep);
      sendJson(res, 200, read("candles", () => view.candles(symbol, interval, limit)));
    },
    "/api/strategies": ({ res }) => sendJson(res, 200, read("its strategies", () => view.strategies())),
  };
}
