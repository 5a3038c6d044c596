/**
 * A client process for the contract test: the `binance` package's WebsocketClient subscribes to
 * the USD-M user data stream of the simulator at argv[2] (REST) / argv[3] (WS), USDMClient sells
 * 0.01 BTCUSDT at market, and the first FILLED ORDER_TRADE_UPDATE is printed as one JSON line.
 * It runs in its own process because the package keeps a 50-minute keepalive interval that its
 * close does not clear; the process exits when it has its answer.
 */
import { USDMClient, WebsocketClient } from "binance";

const [baseUrl, wsUrl, key, secret] = process.argv.slice(2) as [string, string, string, string];
const quiet = { trace: () => undefined, info: () => undefined, error: (...a: unknown[]) => process.stderr.write(`${JSON.stringify(a)}\n`) };
const ws = new WebsocketClient({ api_key: key, api_secret: secret, wsUrl, restOptions: { baseUrl, disableTimeSync: true } }, quiet as never);
const rest = new USDMClient({ api_key: key, api_secret: secret, baseUrl });
const filled = new Promise<unknown>((resolve) => ws.on("message", (m: any) => m?.e === "ORDER_TRADE_UPDATE" && m.o.X === "FILLED" && resolve(m)));
const opened = new Promise<void>((resolve) => ws.on("open", () => resolve()));
await ws.subscribeUsdFuturesUserDataStream();
await opened;
await rest.submitNewOrder({ symbol: "BTCUSDT", side: "SELL", type: "MARKET", quantity: 0.01 });
process.stdout.write(`${JSON.stringify(await filled)}\n`);
process.exit(0);
