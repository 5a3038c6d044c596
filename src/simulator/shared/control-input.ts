/**
 * Reading the simulators' own control requests (`/__sim/*`): the JSON body, and the fields of
 * `POST /__sim/reset` and `POST /__sim/price`, each refused with a sentence naming what is wrong.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { format, tryDec, type Dec } from "../../core/decimal.ts";
import { sendJson } from "./http-io.ts";

export interface ResetFields {
  readonly seed?: number | undefined;
  readonly scenario?: string | undefined;
  readonly startingBalance?: Dec | undefined;
}

export type Checked<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: string };

export const badRequest = (res: ServerResponse, error: string): void => sendJson(res, 400, { ok: false, error });

/** The body's fields; a POST must carry a JSON object (or nothing). */
export function controlFields(req: IncomingMessage, body: string | undefined): Checked<Record<string, unknown>> {
  let input: unknown = {};
  if (body !== undefined && body.trim() !== "") {
    try {
      input = JSON.parse(body);
    } catch {
      input = undefined;
    }
  }
  if (typeof input === "object" && input !== null && !Array.isArray(input)) return { ok: true, value: input as Record<string, unknown> };
  return req.method === "POST" ? { ok: false, error: "the body must be a JSON object" } : { ok: true, value: {} };
}

export function decimalField(raw: unknown): Dec | undefined {
  return typeof raw === "string" || typeof raw === "number" ? tryDec(String(raw)) : undefined;
}

export function resetFields(fields: Readonly<Record<string, unknown>>): Checked<ResetFields> {
  const seed = fields["seed"];
  const scenario = fields["scenario"];
  const balance = fields["startingBalance"];
  if (seed !== undefined && (typeof seed !== "number" || !Number.isInteger(seed) || seed < 0)) return { ok: false, error: "seed must be a non-negative integer" };
  if (scenario !== undefined && typeof scenario !== "string") return { ok: false, error: "scenario must be a string" };
  const startingBalance = balance === undefined ? undefined : decimalField(balance);
  if (balance !== undefined && (startingBalance === undefined || startingBalance < 0n)) return { ok: false, error: "startingBalance must be a decimal ≥ 0" };
  return { ok: true, value: { seed: seed as number | undefined, scenario: scenario as string | undefined, startingBalance } };
}

/** `{symbol, price}` of `POST /__sim/price`: a known symbol and a positive decimal. */
export function priceFields(fields: Readonly<Record<string, unknown>>, known: (symbol: string) => boolean): Checked<{ symbol: string; price: Dec }> {
  const symbol = fields["symbol"];
  const price = decimalField(fields["price"]);
  if (typeof symbol !== "string" || !known(symbol)) return { ok: false, error: `unknown symbol ${JSON.stringify(symbol)}` };
  if (price === undefined || price <= 0n) return { ok: false, error: `price must be a positive decimal, got ${JSON.stringify(fields["price"])}` };
  return { ok: true, value: { symbol, price } };
}

/** `POST /__sim/reset`: check the fields, reset, answer `{ok: true}` (or 400 with why not). */
export async function answerReset(res: ServerResponse, fields: Readonly<Record<string, unknown>>, reset: (options: ResetFields) => Promise<void>): Promise<void> {
  const checked = resetFields(fields);
  if (!checked.ok) return badRequest(res, checked.error);
  try {
    await reset(checked.value);
  } catch (e) {
    return badRequest(res, e instanceof Error ? e.message : String(e));
  }
  sendJson(res, 200, { ok: true });
}

/** `POST /__sim/price`: check the fields, move the market, answer what was set. */
export function answerPrice(res: ServerResponse, fields: Readonly<Record<string, unknown>>, known: (symbol: string) => boolean, setPrice: (symbol: string, price: Dec) => void): void {
  const checked = priceFields(fields, known);
  if (!checked.ok) return badRequest(res, checked.error);
  setPrice(checked.value.symbol, checked.value.price);
  sendJson(res, 200, { ok: true, symbol: checked.value.symbol, price: format(checked.value.price) });
}

export interface SimControlRoutes {
  /** The account `GET /__sim/state` shows unless `?account=` names another. */
  readonly primaryAccount: string;
  state(account: string): Record<string, unknown>;
  /** Parse and apply a fault set; the refusal, when refused (nothing changes then). */
  applyFaults(fields: Record<string, unknown>): string | undefined;
  describeFaults(): Record<string, unknown>;
  knownSymbol(symbol: string): boolean;
  setPrice(symbol: string, price: Dec): void;
  reset(options: ResetFields): Promise<void>;
  /** A venue's own control routes, by "METHOD /path". */
  readonly extra?: Readonly<Record<string, (fields: Record<string, unknown>, res: ServerResponse) => void>> | undefined;
}

/** `GET /__sim/state`, `GET|POST /__sim/faults`, `POST /__sim/price`, `POST /__sim/reset`, and the venue's own. */
export async function handleSimControl(req: IncomingMessage, res: ServerResponse, path: string, body: string | undefined, routes: SimControlRoutes): Promise<void> {
  const route = `${req.method ?? ""} ${path}`;
  const input = controlFields(req, body);
  if (!input.ok) return badRequest(res, input.error);
  const fields = input.value;
  switch (route) {
    case "GET /__sim/state": {
      const account = new URL(req.url ?? "/", "http://x").searchParams.get("account") ?? routes.primaryAccount;
      sendJson(res, 200, routes.state(account));
      return;
    }
    case "GET /__sim/faults":
      sendJson(res, 200, { ok: true, faults: routes.describeFaults() });
      return;
    case "POST /__sim/faults": {
      const refused = routes.applyFaults(fields);
      if (refused !== undefined) return badRequest(res, refused);
      sendJson(res, 200, { ok: true, faults: routes.describeFaults() });
      return;
    }
    case "POST /__sim/price":
      return answerPrice(res, fields, routes.knownSymbol, routes.setPrice);
    case "POST /__sim/reset":
      return answerReset(res, fields, routes.reset);
    default: {
      const extra = routes.extra?.[route];
      if (extra !== undefined) return extra(fields, res);
      sendJson(res, 404, { ok: false, error: `no simulator route ${route}` });
    }
  }
}
