/**
 * `/v5/public/linear`: ping, subscribe and unsubscribe with Bybit's linear response shapes.
 * Pongs keep flowing while the stale-public fault holds data back, as on a real stale feed.
 */
import type { PublicFeeds } from "./public-feeds.ts";
import type { WsPeer } from "../shared/ws-peer.ts";

type Request = { op?: unknown; args?: unknown; req_id?: unknown };

export function handlePublicMessage(peer: WsPeer, text: string, feeds: PublicFeeds): void {
  let request: Request;
  try {
    const parsed: unknown = JSON.parse(text);
    if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) throw new Error("not an object");
    request = parsed as Request;
  } catch {
    peer.send({ success: false, ret_msg: "error:request not json", conn_id: peer.connId, req_id: "", op: "" });
    return;
  }
  const reqId = typeof request.req_id === "string" ? request.req_id : "";
  const op = typeof request.op === "string" ? request.op : "";
  const reply = (success: boolean, retMsg: string): void =>
    peer.send({ success, ret_msg: retMsg, conn_id: peer.connId, req_id: reqId, op });
  switch (op) {
    case "ping":
      reply(true, "pong");
      return;
    case "subscribe":
    case "unsubscribe": {
      const topics = Array.isArray(request.args) ? request.args : undefined;
      if (topics === undefined || topics.length === 0 || !topics.every((t): t is string => typeof t === "string")) {
        reply(false, "error:args must be a non-empty array of topics");
        return;
      }
      let error = "";
      for (const topic of topics) {
        if (op === "unsubscribe") {
          if (peer.subscriptions.delete(topic)) feeds.unsubscribe(peer, topic);
          continue;
        }
        const check = feeds.check(topic);
        if (!check.ok) error ||= check.error;
        else if (peer.subscriptions.has(topic)) error ||= `error:already subscribed,topic:${topic}`;
        else {
          peer.subscriptions.add(topic);
          feeds.subscribe(peer, topic);
        }
      }
      reply(error === "", error);
      return;
    }
    default:
      reply(false, `error:invalid op ${JSON.stringify(op)}`);
  }
}
