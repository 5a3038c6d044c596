/**
 * Bybit's response envelope. Business outcomes (success or a retCode) are HTTP 200 with this
 * body; handlers return a `Reply` and never throw for a client's mistake.
 */
import { RET, RET_MSG, type RetCode } from "./codes.ts";

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

export interface Reply {
  readonly retCode: number;
  readonly retMsg: string;
  readonly result: JsonObject;
  readonly retExtInfo: JsonObject;
}

export const ok = (result: JsonObject = {}, retExtInfo: JsonObject = {}): Reply => ({
  retCode: RET.OK,
  retMsg: "OK",
  result,
  retExtInfo,
});

export const fail = (retCode: RetCode, retMsg: string = RET_MSG[retCode]): Reply => ({
  retCode,
  retMsg,
  result: {},
  retExtInfo: {},
});

export const isFailure = (reply: Reply): boolean => reply.retCode !== RET.OK;

/** The body as it goes on the wire, with the server time Bybit appends. */
export const envelope = (reply: Reply, timeMs: number): JsonObject => ({
  retCode: reply.retCode,
  retMsg: reply.retMsg,
  result: reply.result,
  retExtInfo: reply.retExtInfo,
  time: timeMs,
});
