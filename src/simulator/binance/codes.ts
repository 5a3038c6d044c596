/**
 * Binance USD-M error codes the simulator answers with, their live messages, and the HTTP status
 * each goes out with: business errors are HTTP 400 (a few 401/404/429/418), body `{code, msg}`.
 */
export interface BinanceError {
  readonly status: number;
  readonly code: number;
  readonly msg: string;
}

const e = (status: number, code: number, msg: string): BinanceError => ({ status, code, msg });

export const ERR = {
  unknown: e(500, -1000, "An unknown error occurred while processing the request."),
  tooManyRequests: (limit: number): BinanceError =>
    e(429, -1003, `Too many requests; current limit is ${limit} requests per minute. Please use the websocket for live updates to avoid polling the API.`),
  banned: (until: number): BinanceError => e(418, -1003, `Way too many requests; IP banned until ${until}. Please use the websocket for live updates to avoid bans.`),
  timestampOutside: e(400, -1021, "Timestamp for this request is outside of the recvWindow."),
  timestampAhead: e(400, -1021, "Timestamp for this request was 1000ms ahead of the server's time."),
  badSignature: e(400, -1022, "Signature for this request is not valid."),
  mandatory: (name: string): BinanceError => e(400, -1102, `Mandatory parameter '${name}' was not sent, was empty/null, or malformed.`),
  malformed: (name: string): BinanceError => e(400, -1102, `Parameter '${name}' was not sent, was empty/null, or malformed.`),
  badPrecision: e(400, -1111, "Precision is over the maximum defined for this asset."),
  filter: (what: string): BinanceError => e(400, -1013, `Filter failure: ${what}`),
  orderType: e(400, -1116, "Invalid orderType."),
  badSymbol: e(400, -1121, "Invalid symbol."),
  badListenKey: e(400, -1125, "This listenKey does not exist. Please use `POST /fapi/v1/listenKey` to recreate `listenKey`"),
  cancelUnknown: e(400, -2011, "Unknown order sent."),
  noSuchOrder: e(400, -2013, "Order does not exist."),
  badKeyFormat: e(401, -2014, "API-key format invalid."),
  rejectedKey: e(401, -2015, "Invalid API-key, IP, or permissions for action."),
  marginInsufficient: e(400, -2019, "Margin is insufficient."),
  wouldTrigger: e(400, -2021, "Order would immediately trigger."),
  reduceOnly: e(400, -2022, "ReduceOnly Order is rejected."),
  clientOrderIdFormat: e(400, -4015, "Client order id is not valid."),
  positionSide: e(400, -4061, "Order's position side does not match user's setting."),
  noNeedChangeMode: e(400, -4059, "No need to change position side."),
  modeWithOpenOrders: e(400, -4067, "Position side cannot be changed if there exists open orders."),
  modeWithPosition: e(400, -4068, "Position side cannot be changed if there exists position."),
  hedgeOrderNotSimulated: e(400, -4061, "Order's position side does not match user's setting. (hedge-mode orders are not simulated: switch the account to one-way mode)"),
  duplicateClientOrderId: e(400, -4116, "ClientOrderId is duplicated."),
  priceAboveBand: (highest: string): BinanceError => e(400, -4016, `Limit price can't be higher than ${highest}.`),
  priceBelowBand: (lowest: string): BinanceError => e(400, -4024, `Limit price can't be lower than ${lowest}.`),
  minNotional: (min: string): BinanceError => e(400, -4164, `Order's notional must be no smaller than ${min} (unless you choose reduce only).`),
  fokReject: e(400, -5021, "Due to the order could not be filled immediately, the FOK order has been rejected. The order will not be recorded in the order history"),
  gtxReject: e(400, -5022, "Due to the order could not be executed as maker, the Post Only order will be rejected. The order will not be recorded in the order history"),
  notFound: e(404, -1000, "Not found."),
} as const;

export const isBinanceError = (value: unknown): value is BinanceError =>
  typeof value === "object" && value !== null && "code" in value && "msg" in value && "status" in value;
