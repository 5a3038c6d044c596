/**
 * The read side of the API: health, readiness, metrics and JSON views of the engine. Every
 * handler reads a snapshot from the view; none can change anything.
 */
import { describeError } from "../../core/errors.ts";
import type { HeanMetrics } from "../metrics/metrics.ts";
import type { EngineView } from "../engine-view.ts";
import { dashboardRoutes } from "./dashboard-routes.ts";
import { limitParam, type ReadHandler } from "./read-handler.ts";
import { ApiError, sendJson, sendText } from "./respond.ts";

const MAX_CHART_POINTS = 10_000;

/** Runs a view read; a view that throws (engine starting or stopping) is a 503, not a crash. */
export function read<T>(what: string, fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    throw new ApiError(503, "ENGINE_UNAVAILABLE", `the engine could not give ${what}: ${describeError(e).message}`);
  }
}

export function readRoutes(view: EngineView, metrics: HeanMetrics, startedAt: number): Record<string, ReadHandler> {
  return {
    ...dashboardRoutes(view, read),
    "/health": ({ res }) => {
      sendJson(res, 200, { status: "ok", uptimeSeconds: Math.round((Date.now() - startedAt) / 1000) });
    },
    "/ready": ({ res }) => {
      const status = read("its status", () => view.status());
      const { ok, reasons } = status.ready;
      sendJson(res, ok ? 200 : 503, { ready: ok, reasons });
    },
    "/metrics": async ({ res }) => {
      const text = await metrics.render();
      sendText(res, 200, metrics.contentType, text, { "cache-control": "no-store" });
    },
    "/api/status": ({ res }) => sendJson(res, 200, read("its status", () => view.status())),
    "/api/positions": ({ res }) => sendJson(res, 200, read("positions", () => view.positions())),
    "/api/orders": ({ res }) => sendJson(res, 200, read("orders", () => view.orders())),
    "/api/risk": ({ res }) => sendJson(res, 200, read("the risk state", () => view.risk())),
    "/api/bus": ({ res }) => sendJson(res, 200, read("the bus state", () => view.bus())),
    "/api/venue": ({ res }) => sendJson(res, 200, read("the venue health", () => view.venueHealth())),
    "/api/fills": ({ url, res }) => {
      const limit = limitParam(url, 100, 1000);
      sendJson(res, 200, read("fills", () => view.recentFills(limit)));
    },
    "/api/alerts": ({ url, res }) => {
      const limit = limitParam(url, 50, 500);
      sendJson(res, 200, read("alerts", () => view.recentAlerts(limit)));
    },
    "/api/equity": ({ res }) => {
      const history = read("the equity history", () => view.equityHistory());
      sendJson(res, 200, history.length > MAX_CHART_POINTS ? history.slice(-MAX_CHART_POINTS) : history);
    },
    "/api/prices": ({ url, res }) => {
      const symbol = url.searchParams.get("symbol");
      if (symbol === null || symbol === "") throw new ApiError(400, "BAD_REQUEST", `"symbol" is required: /api/prices?symbol=BTCUSDT`);
      const symbols = read("its status", () => view.status().symbols);
      if (!symbols.includes(symbol)) {
        throw new ApiError(404, "NOT_FOUND", `unknown symbol ${JSON.stringify(symbol)}: the engine trades ${symbols.join(", ")}`);
      }
      const history = read("the price history", () => view.priceHistory(symbol));
      sendJson(res, 200, history.length > MAX_CHART_POINTS ? history.slice(-MAX_CHART_POINTS) : history);
    },
  };
}
