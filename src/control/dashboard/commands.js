// @ts-check
/**
 * Kill-switch and other commands from the dashboard: every command goes through a confirmation
 * dialog that also asks for the API token. The token lives in sessionStorage (this tab only) if
 * the operator allows it, and travels only in the Authorization header, never in a URL.
 * Each dialog gets one commandId; retrying the same command from the same dialog reuses it, so a
 * command whose response was lost is not applied twice. Edited arguments make another command,
 * so they get a new commandId (the engine refuses a known id with another payload).
 */
import { byId, el } from "./dom.js";

const TOKEN_KEY = "hean.apiToken";

/** @type {Record<string, { title: string, text: string, confirm: string, style: string }>} */
const COPY = {
  stop: {
    title: "Stop trading?",
    text: "Engages the kill switch: new exposure is blocked at once. Positions stay open unless you flatten.",
    confirm: "Confirm STOP",
    style: "btn btn-danger",
  },
  flatten: {
    title: "Flatten everything?",
    text: "Engages the kill switch, cancels working orders and closes every position with reduce-only orders.",
    confirm: "Confirm FLATTEN",
    style: "btn btn-danger",
  },
  "cancel-all": { title: "Cancel all working orders?", text: "Cancels every working order at the venue. Positions are not touched.", confirm: "Cancel all orders", style: "btn btn-danger" },
  resume: { title: "Resume trading?", text: "The engine may open new positions again, within its risk limits.", confirm: "Confirm RESUME", style: "btn btn-ok" },
  "reset-hard-stop": {
    title: "Leave HARD_STOP?",
    text: "Clears the hard stop so trading can be resumed. Only do this once you know why it triggered.",
    confirm: "Reset hard stop",
    style: "btn btn-warn",
  },
  "close-position": {
    title: "Close this position?",
    text: "Sends one reduce-only order that takes the whole position off (bounded beyond the touch, like the kill switch's). Trading continues.",
    confirm: "Close position",
    style: "btn btn-danger",
  },
  "set-stoploss": { title: "Set a stop-loss", text: "Closes the position with a reduce-only order if price moves this far against the entry.", confirm: "Set stop-loss", style: "btn btn-ok" },
};

function newCommandId() {
  const bytes = new Uint8Array(6);
  crypto.getRandomValues(bytes);
  return `dash-${Date.now().toString(36)}-${[...bytes].map((b) => b.toString(16).padStart(2, "0")).join("")}`;
}

/**
 * @param {{ toast: (text: string, tone: "ok" | "bad" | "info") => void }} ui
 * @returns {{ openStopLoss: (symbol: string) => void, openClose: (symbol: string) => void }}
 */
export function setupCommands(ui) {
  const dialog = /** @type {HTMLDialogElement} */ (byId("confirm"));
  const form = /** @type {HTMLFormElement} */ (byId("confirm-form"));
  const tokenInput = /** @type {HTMLInputElement} */ (byId("cmd-token"));
  const remember = /** @type {HTMLInputElement} */ (byId("cmd-remember"));
  const symbolInput = /** @type {HTMLInputElement} */ (byId("cmd-symbol"));
  const pctInput = /** @type {HTMLInputElement} */ (byId("cmd-pct"));
  const errorBox = byId("confirm-error");
  const confirmButton = /** @type {HTMLButtonElement} */ (byId("cmd-confirm"));
  /** @type {{ type: string, commandId: string, sent: string | null } | null} */
  let pending = null;

  /** @param {string} type @param {string} [symbol] */
  const open = (type, symbol) => {
    const copy = COPY[type];
    if (copy === undefined) return;
    pending = { type, commandId: newCommandId(), sent: null };
    byId("confirm-title").textContent = copy.title;
    byId("confirm-text").textContent = copy.text;
    confirmButton.textContent = copy.confirm;
    confirmButton.className = copy.style;
    confirmButton.disabled = false;
    byId("confirm-stoploss").hidden = type !== "set-stoploss";
    const symbolLine = byId("confirm-symbol");
    symbolLine.hidden = type !== "close-position";
    symbolLine.textContent = type === "close-position" ? (symbol ?? "") : "";
    symbolInput.value = symbol ?? "";
    pctInput.value = "";
    tokenInput.value = sessionStorage.getItem(TOKEN_KEY) ?? "";
    errorBox.hidden = true;
    dialog.showModal();
    (tokenInput.value === "" ? tokenInput : type === "set-stoploss" ? pctInput : confirmButton).focus();
  };

  /** @param {string} message */
  const fail = (message) => {
    errorBox.textContent = message;
    errorBox.hidden = false;
    confirmButton.disabled = false;
  };

  const submit = async () => {
    if (pending === null) return;
    const token = tokenInput.value.trim();
    if (token === "") return fail("enter the API token (HEAN_API_TOKEN)");
    /** @type {Record<string, unknown>} */
    const body = { type: pending.type, commandId: pending.commandId };
    if (pending.type === "set-stoploss") {
      body["symbol"] = symbolInput.value.trim();
      body["pct"] = Number(pctInput.value);
    }
    if (pending.type === "close-position") body["symbol"] = symbolInput.value.trim();
    const { commandId: _, ...payload } = body;
    const what = JSON.stringify(payload);
    if (pending.sent !== null && pending.sent !== what) {
      pending.commandId = newCommandId();
      body["commandId"] = pending.commandId;
    }
    pending.sent = what;
    if (remember.checked) sessionStorage.setItem(TOKEN_KEY, token);
    else sessionStorage.removeItem(TOKEN_KEY);
    confirmButton.disabled = true;
    let res;
    try {
      res = await fetch("/api/commands", {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
        body: JSON.stringify(body),
        cache: "no-store",
        credentials: "omit",
      });
    } catch {
      return fail("no answer from hean: check the connection and retry (the same command id is reused)");
    }
    const answer = await res.json().catch(() => ({}));
    if (res.status === 401) {
      sessionStorage.removeItem(TOKEN_KEY);
      return fail("the token was refused");
    }
    if (res.status !== 200) return fail(answer?.error?.message ?? `failed with HTTP ${res.status}`);
    dialog.close();
    const type = pending.type;
    pending = null;
    const again = answer.duplicate ? " (already applied)" : "";
    ui.toast(`${type}: ${answer.ok ? "done" : "REFUSED"}${again} · ${answer.message}`, answer.ok ? "ok" : "bad");
  };

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    void submit();
  });
  byId("cmd-cancel").addEventListener("click", () => {
    pending = null;
    dialog.close();
  });
  for (const button of document.querySelectorAll("[data-command]")) {
    const type = /** @type {HTMLElement} */ (button).dataset["command"] ?? "";
    button.addEventListener("click", () => open(type));
  }
  return { openStopLoss: (symbol) => open("set-stoploss", symbol), openClose: (symbol) => open("close-position", symbol) };
}

/** @param {string} text @param {"ok" | "bad" | "info"} tone */
export function toast(text, tone) {
  const node = el("div", { class: `toast ${tone}` }, text);
  byId("toasts").append(node);
  setTimeout(() => node.remove(), tone === "bad" ? 12_000 : 6_000);
}
