/**
 * `/v5/private`: auth, ping, subscribe/unsubscribe to `order`, `execution`, `execution.fast`,
 * `position`, `wallet` (all-in-one or `.linear`), and delivery of account messages to the
 * account's authenticated connections, through the duplicate and reorder faults.
 */
import type { Clock } from "../../core/clock.ts";
import type { FaultState } from "../shared/faults.ts";
import { FaultyDelivery } from "../shared/faulty-delivery.ts";
import type { SeededRandom } from "../shared/rng.ts";
import { checkWsAuth, type ApiCredential } from "./signing.ts";
import type { WsPeer } from "../shared/ws-peer.ts";

export type PrivateTopic = "order" | "execution" | "execution.fast" | "position" | "wallet";

const TOPIC_FORMS: Readonly<Record<string, { topic: PrivateTopic; categorised: boolean }>> = {
  order: { topic: "order", categorised: false },
  "order.linear": { topic: "order", categorised: true },
  execution: { topic: "execution", categorised: false },
  "execution.linear": { topic: "execution", categorised: true },
  "execution.fast": { topic: "execution.fast", categorised: false },
  "execution.fast.linear": { topic: "execution.fast", categorised: true },
  position: { topic: "position", categorised: false },
  "position.linear": { topic: "position", categorised: true },
  wallet: { topic: "wallet", categorised: false },
};

type Request = { op?: unknown; args?: unknown; req_id?: unknown };

export class PrivateStreams {
  readonly #peers = new Set<WsPeer>();
  readonly #lookup: (apiKey: string) => ApiCredential | undefined;
  readonly #clock: Clock;
  readonly #random: SeededRandom;
  readonly #delivery: FaultyDelivery;

  constructor(lookup: (apiKey: string) => ApiCredential | undefined, faults: FaultState, clock: Clock, random: SeededRandom) {
    this.#lookup = lookup;
    this.#clock = clock;
    this.#random = random;
    this.#delivery = new FaultyDelivery(faults, clock);
  }

  add(peer: WsPeer): void {
    this.#peers.add(peer);
  }

  remove(peer: WsPeer): void {
    this.#peers.delete(peer);
    this.#delivery.forget(peer);
  }

  get peers(): ReadonlySet<WsPeer> {
    return this.#peers;
  }

  handleMessage(peer: WsPeer, text: string): void {
    let request: Request;
    try {
      const parsed: unknown = JSON.parse(text);
      if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) throw new Error("not an object");
      request = parsed as Request;
    } catch {
      peer.send({ success: false, ret_msg: "error:request not json", op: "", conn_id: peer.connId });
      return;
    }
    const op = typeof request.op === "string" ? request.op : "";
    const reqId = typeof request.req_id === "string" ? { req_id: request.req_id } : {};
    const reply = (success: boolean, retMsg: string): void =>
      peer.send({ ...reqId, success, ret_msg: retMsg, op, conn_id: peer.connId });
    switch (op) {
      case "ping":
        peer.send({ ...reqId, op: "pong", args: [String(this.#clock.now())], conn_id: peer.connId });
        return;
      case "auth": {
        const result = checkWsAuth(request.args, this.#lookup, this.#clock.now());
        if (!result.ok) {
          if (result.reason === "params" || result.reason === "expired") {
            // Observed (pybit#152, #300): an expired or malformed auth says "Params Error".
            reply(false, "Params Error");
          } else {
            // Observed (ccxt pro bybit.ts): a bad key or signature gets an opaque code and the request echoed, without `op`.
            const args = Array.isArray(request.args) ? request.args.map((a) => String(a)) : [];
            peer.send({ success: false, ret_msg: "error:USVC1111", conn_id: peer.connId, request: { op: "auth", args } });
          }
          return;
        }
        if (peer.credential !== undefined && peer.credential.apiKey !== result.credential.apiKey) {
          reply(false, "error:already authorized with another key");
          return;
        }
        peer.credential = result.credential;
        reply(true, "");
        return;
      }
      case "subscribe":
      case "unsubscribe": {
        if (peer.credential === undefined) {
          reply(false, "Request not authorized");
          return;
        }
        const topics = Array.isArray(request.args) ? request.args : undefined;
        if (topics === undefined || topics.length === 0 || !topics.every((t): t is string => typeof t === "string")) {
          reply(false, "error:args must be a non-empty array of topics");
          return;
        }
        const unknown = topics.find((t) => TOPIC_FORMS[t] === undefined);
        if (unknown !== undefined) {
          reply(false, `error:handler not found,topic:${unknown}`);
          return;
        }
        const forms = new Set(topics.filter((t) => t !== "wallet").map((t) => TOPIC_FORMS[t]!.categorised));
        if (forms.size > 1) {
          reply(false, "error:all-in-one and categorised topics cannot be mixed in one request");
          return;
        }
        for (const t of topics) {
          if (op === "subscribe") peer.subscriptions.add(t);
          else peer.subscriptions.delete(t);
        }
        reply(true, "");
        return;
      }
      default:
        reply(false, `error:invalid op ${JSON.stringify(op)}`);
    }
  }

  /** Send account data to every connection of `accountId` subscribed to `topic` (in any of its forms). */
  publish(accountId: string, topic: PrivateTopic, data: readonly unknown[]): void {
    if (data.length === 0) return;
    for (const peer of this.#peers) {
      if (peer.credential?.accountId !== accountId) continue;
      for (const form of peer.subscriptions) {
        if (TOPIC_FORMS[form]?.topic !== topic) continue;
        const message = { id: `${accountId}${this.#random.uuid()}`, topic: form, creationTime: this.#clock.now(), data };
        this.#delivery.deliver(peer, JSON.stringify(message));
      }
    }
  }

  /** Close every private stream: `terminate` drops TCP, otherwise a close frame. */
  disconnectAll(how: "terminate" | "close"): void {
    for (const peer of [...this.#peers]) {
      if (how === "terminate") peer.terminate();
      else peer.close(1001, "simulated disconnect");
    }
  }
}
