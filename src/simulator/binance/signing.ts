/**
 * Binance USD-M request authentication. The signed text is the raw query string followed by the
 * raw body with nothing between them; `signature` must be the last parameter and is excluded from
 * what it signs. Checks in Binance's order: the key (-2014 malformed, -2015 unknown), the
 * timestamp window `serverTime - recvWindow ≤ timestamp < serverTime + 1000` (-1021), then the
 * signature (-1022). USER_STREAM endpoints (listenKey) need the key only.
 */
import { hmacHex, sameHex, type ApiCredential } from "../shared/credential.ts";
import { ERR, type BinanceError } from "./codes.ts";

export const DEFAULT_RECV_WINDOW = 5000;
/** Binance caps recvWindow at 60 s. */
const MAX_RECV_WINDOW = 60_000;
const API_KEY = /^[A-Za-z0-9._-]{1,128}$/;

export type AuthResult = { readonly ok: true; readonly credential: ApiCredential } | { readonly ok: false; readonly error: BinanceError };

export interface SignedRequest {
  readonly apiKey: string | undefined;
  /** The raw query string (without `?`) and raw body, as received. */
  readonly query: string;
  readonly body: string;
  /** Merged parameters (the query wins over the body). */
  readonly params: ReadonlyMap<string, string>;
}

export function checkApiKey(apiKey: string | undefined, lookup: (apiKey: string) => ApiCredential | undefined): AuthResult {
  if (apiKey === undefined || apiKey === "") return { ok: false, error: ERR.mandatory("X-MBX-APIKEY") };
  if (!API_KEY.test(apiKey)) return { ok: false, error: ERR.badKeyFormat };
  const credential = lookup(apiKey);
  return credential === undefined ? { ok: false, error: ERR.rejectedKey } : { ok: true, credential };
}

/** The text the signature covers: query + body, each without its `signature` (which must come last). */
export function signedPayload(query: string, body: string): { payload: string; signature: string } | undefined {
  const strip = (text: string): { rest: string; signature: string | undefined } | undefined => {
    const at = text.search(/(^|&)signature=/);
    if (at < 0) return { rest: text, signature: undefined };
    const start = text[at] === "&" ? at + 1 : at;
    const tail = text.slice(start + "signature=".length);
    if (tail.includes("&")) return undefined; // signature not last
    return { rest: text.slice(0, at), signature: tail };
  };
  const q = strip(query);
  const b = strip(body);
  if (q === undefined || b === undefined) return undefined;
  // Signed last means: in the body when there is one, else in the query.
  const signature = b.signature ?? q.signature;
  if (signature === undefined || (b.signature !== undefined && q.signature !== undefined)) return undefined;
  if (q.signature !== undefined && body !== "") return undefined;
  return { payload: q.rest + b.rest, signature };
}

export function checkSigned(req: SignedRequest, lookup: (apiKey: string) => ApiCredential | undefined, serverTime: number): AuthResult {
  const key = checkApiKey(req.apiKey, lookup);
  if (!key.ok) return key;
  const timestampText = req.params.get("timestamp");
  if (timestampText === undefined || !/^\d{1,16}$/.test(timestampText)) return { ok: false, error: ERR.mandatory("timestamp") };
  const recvText = req.params.get("recvWindow");
  if (recvText !== undefined && (!/^\d{1,6}$/.test(recvText) || Number(recvText) > MAX_RECV_WINDOW || Number(recvText) <= 0)) {
    return { ok: false, error: ERR.malformed("recvWindow") };
  }
  const recvWindow = recvText === undefined ? DEFAULT_RECV_WINDOW : Number(recvText);
  const timestamp = Number(timestampText);
  if (timestamp >= serverTime + 1000) return { ok: false, error: ERR.timestampAhead };
  if (serverTime - timestamp > recvWindow) return { ok: false, error: ERR.timestampOutside };
  const signed = signedPayload(req.query, req.body);
  if (signed === undefined) return { ok: false, error: ERR.mandatory("signature") };
  const expected = hmacHex(key.credential.apiSecret, signed.payload);
  // Binance: the signature is not case sensitive.
  if (!sameHex(expected, signed.signature.toLowerCase())) return { ok: false, error: ERR.badSignature };
  return key;
}
