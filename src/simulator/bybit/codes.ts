/**
 * Bybit V5 retCodes the simulator answers with, and their messages as Bybit writes them
 * (doc text, or the live text where a live response differs from the docs and clients match on it).
 */
export const RET = {
  OK: 0,
  PARAM: 10001,
  TIMESTAMP: 10002,
  API_KEY: 10003,
  SIGN: 10004,
  PERMISSION: 10005,
  RATE_LIMIT: 10006,
  SERVER_ERROR: 10016,
  ROUTE_NOT_FOUND: 10017,
  ORDER_NOT_EXIST: 110001,
  PRICE_RANGE: 110003,
  AVAILABLE_INSUFFICIENT: 110007,
  ORDER_FINISHED: 110008,
  REDUCE_ONLY: 110017,
  TOO_MANY_ORDERS: 110020,
  POSITION_MODE_UNCHANGED: 110025,
  LEVERAGE_UNCHANGED: 110043,
  DUPLICATE_LINK_ID: 110072,
  NOTIONAL_TOO_LOW: 110094,
  NOT_MODIFIED: 34040,
} as const;

export type RetCode = (typeof RET)[keyof typeof RET];

export const RET_MSG: Readonly<Record<RetCode, string>> = {
  0: "OK",
  10001: "Request parameter error",
  10002: "The request time exceeds the time window range.",
  10003: "API key is invalid. Check whether the key and domain are matched, there are 4 env: mainnet, testnet, mainnet-demo, testnet-demo",
  10004: "Error sign, please check your signature generation algorithm.",
  10005: "Permission denied, please check your API key permissions.",
  // The rate-limit page shows this shorter text; clients match on the code.
  10006: "Too many visits!",
  10016: "Server error.",
  10017: "Route not found.",
  110001: "Order does not exist",
  110003: "Order price exceeds the allowable range.",
  110007: "Available balance is insufficient",
  110008: "The order has been completed or cancelled.",
  // Live text (ccxt#19588); the error table says "orderQty will be truncated to zero".
  110017: "Reduce-only rule not satisfied",
  110020: "Not allowed to have more than 500 active orders.",
  110025: "Position mode has not been modified.",
  110043: "Set leverage has not been modified.",
  110072: "OrderLinkedID is duplicate",
  110094: "Order notional value below the lower limit",
  34040: "not modified",
};
