/**
 * Bybit V5 authentication: the HMAC-SHA256 signature over timestamp + key + recvWindow + the
 * exact query string (GET) or the exact raw body (POST), the timestamp window, and the WS
 * `auth` op over "GET/realtime" + expires. Byte-exact: the server signs what arrived, never a
 * re-serialisation of it.
 */
import { hmacHex, sameHex, type ApiCredential } from "../shared/credential.ts";
import { RET, type RetCode } from "./codes.ts";

export { hmacHex, type ApiCredential } from "../shared/credential.ts";

export type AuthResult =
  | { readonly ok: true; readonly credential: ApiCredential }
  | { readonly ok: false; readonly retCode: RetCode; readonly retMsg: string };

export const DEFAULT_RECV_WINDOW = 5000;

export const restSignPayload = (timestamp: string, apiKey: string, recvWindow: string, queryOrBody: string): string =>
  timestamp + apiKey + recvWindow + queryOrBody;

export const wsAuthPayload = (expires: string | number): string => `GET/realtime${expires}`;

const INTEGER = /^\d{1,16}$/;

export interface RestAuthInput {
  readonly apiKey: string | undefined;
  readonly timestamp: string | undefined;
  readonly sign: string | undefined;
  readonly recvWindow: string | undefined;
  /** The raw query string (GET) or raw body (POST), exactly as received. */
  readonly signedText: string;
}

/**
 * Checks in Bybit's order: the key must be known (10003), the timestamp inside
 * `server_time - recv_window <= timestamp < server_time + 1000` (10002), then the signature (10004).
 */
export function checkRestAuth(
  input: RestAuthInput,
  lookup: (apiKey: string) => ApiCredential | undefined,
  serverTime: number,
): AuthResult {
  const credential = input.apiKey === undefined ? undefined : lookup(input.apiKey);
  if (credential === undefined) return { ok: false, retCode: RET.API_KEY, retMsg: "API key is invalid." };
  const recvWindowText = input.recvWindow ?? String(DEFAULT_RECV_WINDOW);
  if (!INTEGER.test(recvWindowText)) {
    return { ok: false, retCode: RET.PARAM, retMsg: `invalid recv_window: ${JSON.stringify(recvWindowText)}` };
  }
  const recvWindow = Number(recvWindowText);
  const timestampText = input.timestamp ?? "";
  const timestamp = INTEGER.test(timestampText) ? Number(timestampText) : Number.NaN;
  if (!(serverTime - recvWindow <= timestamp && timestamp < serverTime + 1000)) {
    return {
      ok: false,
      retCode: RET.TIMESTAMP,
      retMsg:
        "invalid request, please check your server timestamp or recv_window param. " +
        `req_timestamp[${timestampText}],server_timestamp[${serverTime}],recv_window[${recvWindowText}]`,
    };
  }
  const payload = restSignPayload(timestampText, credential.apiKey, recvWindowText, input.signedText);
  if (input.sign === undefined || !sameHex(hmacHex(credential.apiSecret, payload), input.sign)) {
    // Live form: the prefix (timestamp, key, window) is masked, the signed params are echoed.
    return {
      ok: false,
      retCode: RET.SIGN,
      retMsg: `Error sign, please check your signature generation algorithm: origin_string[***${input.signedText}]`,
    };
  }
  return { ok: true, credential };
}

export type WsAuthResult =
  | { readonly ok: true; readonly credential: ApiCredential }
  | { readonly ok: false; readonly reason: "params" | "key" | "sign" | "expired" };

/** `args: [apiKey, expires, signature]`; expires (ms) must lie in the future. */
export function checkWsAuth(
  args: unknown,
  lookup: (apiKey: string) => ApiCredential | undefined,
  serverTime: number,
): WsAuthResult {
  if (!Array.isArray(args) || args.length !== 3) return { ok: false, reason: "params" };
  const [apiKey, expires, sign] = args as unknown[];
  if (typeof apiKey !== "string" || typeof sign !== "string") return { ok: false, reason: "params" };
  const expiresText = typeof expires === "number" && Number.isInteger(expires) ? String(expires) : expires;
  if (typeof expiresText !== "string" || !INTEGER.test(expiresText)) return { ok: false, reason: "params" };
  if (Number(expiresText) <= serverTime) return { ok: false, reason: "expired" };
  const credential = lookup(apiKey);
  if (credential === undefined) return { ok: false, reason: "key" };
  if (!sameHex(hmacHex(credential.apiSecret, wsAuthPayload(expiresText)), sign)) return { ok: false, reason: "sign" };
  return { ok: true, credential };
}
