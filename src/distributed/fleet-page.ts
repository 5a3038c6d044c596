/** The fleet dashboard: one self-contained page (no external assets), polling /api/fleet. */
export const FLEET_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>hean fleet</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="data:,">
<style>
body{font:14px system-ui,sans-serif;margin:1.5rem;background:#0f1115;color:#e6e6e6}
table{border-collapse:collapse;width:100%;margin:.5rem 0}td,th{padding:.35rem .6rem;border-bottom:1px solid #2a2e36;text-align:left}
.down,.disabled{color:#f77}.halted{color:#fb4}.active{color:#7d7}button{margin:0 .15rem;background:#2a2e36;color:#eee;border:1px solid #444;border-radius:3px;cursor:pointer}
#risk{padding:.5rem;border:1px solid #2a2e36}#risk.tripped{border-color:#f55;color:#f99}pre:empty{display:none}pre{max-height:20rem;overflow:auto;background:#151820;padding:.5rem}
</style></head><body>
<h1>hean fleet</h1>
<div id="risk">loading…</div>
<p>Token (if the fleet needs one): <input id="token" type="password" size="30"> <button onclick="sendAll('stop')">stop all</button> <button onclick="sendAll('flatten')">flatten all</button></p>
<pre id="outcome"></pre>
<table><thead><tr><th>engine</th><th>state</th><th>venue</th><th>strategies</th><th>equity</th><th>positions</th><th>journal / published</th><th>commands</th></tr></thead><tbody id="engines"></tbody></table>
<p>Events of <select id="engine" onchange="loadEvents()"></select></p><pre id="events"></pre>
<script>
const $ = (id) => document.getElementById(id);
const esc = (s) => String(s).replace(/[&<>"']/g, (c) => ({"&":"&amp;","<":"&lt;",">":"&gt;",'"':"&quot;","'":"&#39;"}[c]));
const headers = () => { const t = $("token").value; return t ? { authorization: "Bearer " + t, "content-type": "application/json" } : { "content-type": "application/json" }; };
// Every command is confirmed first: one stray click must not flatten an engine. The answer (or
// why there is none) replaces the last one above the table.
async function post(what, path, body, answer) {
  $("outcome").textContent = what + ": sending…";
  try {
    const r = await fetch(path, { method: "POST", headers: headers(), body: JSON.stringify(body) });
    const j = await r.json();
    $("outcome").textContent = r.ok ? answer(j) : what + " refused: HTTP " + r.status + " " + (j.error ? j.error.code + ": " + j.error.message : "");
  } catch (e) {
    $("outcome").textContent = what + " failed: " + e.message + " (it may or may not have been applied: see the engines' events)";
  }
  refresh();
}
function send(what, body) {
  if (!confirm(body.type + " " + what + "?")) return;
  post(body.type + " " + what, "/api/fleet/commands", body, (j) =>
    j.engines.map((e) => e.engineId + ": " + body.type + " " + e.state + (e.message ? ": " + e.message : "")).join("\\n") + " [" + j.commandId + "]");
}
function resetRisk() {
  if (!confirm("reset the fleet risk? Its drawdown is measured from the equity of now; engines it stopped stay stopped until resumed")) return;
  post("reset fleet risk", "/api/fleet/risk/reset", {}, (j) => j.message);
}
const sendTo = (engine, type) => send(engine, { engine, type, reason: "fleet dashboard" });
const sendAll = (type) => send("every engine", { all: true, type, reason: "fleet dashboard" });
// The fleet process gone or restarting: say so and keep polling, without piling up errors.
async function getJson(path) {
  try {
    const r = await fetch(path, { headers: headers() });
    return r.ok ? { ok: true, body: await r.json() } : { ok: false, problem: "HTTP " + r.status };
  } catch (e) {
    return { ok: false, problem: "unreachable (" + e.message + ")" };
  }
}
async function refresh() {
  const got = await getJson("/api/fleet");
  if (!got.ok) { $("risk").textContent = "fleet API: " + got.problem; return; }
  const f = got.body;
  const t = f.totals, risk = f.risk;
  $("risk").className = risk && risk.tripped ? "tripped" : "";
  $("risk").innerHTML = "engines up " + t.enginesUp + ", down " + t.enginesDown + " | equity " + t.equity.toFixed(2) + (t.equityOfDown > 0 ? " (down engines at their last: " + t.equityOfDown.toFixed(2) + ")" : "") + " | gross exposure " + t.grossExposure.toFixed(2) +
    " | drawdown " + (t.drawdown * 100).toFixed(2) + "%" + (risk ? (risk.tripped ? " | FLEET RISK TRIPPED: " + esc(risk.tripped.reason) + " <button onclick=\\"resetRisk()\\">reset fleet risk</button>" : " | fleet risk armed") : "");
  const sel = $("engine"), chosen = sel.value;
  sel.innerHTML = f.engines.map((e) => "<option" + (e.engineId === chosen ? " selected" : "") + ">" + esc(e.engineId) + "</option>").join("");
  $("engines").innerHTML = f.engines.map((e) => {
    const b = e.beat;
    // A down engine's commands wait in its stream and apply when it returns.
    const cmds = ["stop", "flatten", "resume", "cancel-all"].map((c) => "<button onclick=\\"sendTo('" + esc(e.engineId) + "','" + c + "')\\">" + c + "</button>").join("");
    if (!b) return "<tr><td>" + esc(e.engineId) + "</td><td class=down>down</td><td colspan=5>last seen " + new Date(e.lastSeen).toISOString() + "</td><td>" + cmds + "</td></tr>";
    const pos = b.positions.filter((p) => p.qty !== "0").map((p) => esc(p.symbol + " " + p.qty)).join(", ") || "flat";
    // Engines from before the status carried the list name their strategies in one string.
    const strategies = (b.status.strategies || String(b.status.strategy || "").split(",").filter(Boolean).map((id) => ({ id, disabled: false })))
      .map((s) => s.disabled ? "<span class=disabled>" + esc(s.id) + " DISABLED</span>" : esc(s.id)).join(", ");
    return "<tr><td>" + esc(e.engineId) + "</td><td class=" + esc(b.status.tradingState) + ">" + esc(b.status.tradingState + " / " + b.status.riskState) + "</td><td>" + esc(b.status.mode + "/" + b.status.venue) +
      "</td><td>" + strategies + "</td><td>" + esc(b.status.equity) + "</td><td>" + pos + "</td><td>" + b.journalSeq + " / " + b.publishedSeq + "</td><td>" + cmds + "</td></tr>";
  }).join("");
  // The chosen engine's events stay current; the first engine's show without choosing it.
  loadEvents();
}
async function loadEvents() {
  const engine = $("engine").value; if (!engine) return;
  const got = await getJson("/api/fleet/events?engine=" + encodeURIComponent(engine) + "&limit=200");
  // Another engine was chosen meanwhile: its own answer is coming.
  if ($("engine").value !== engine) return;
  $("events").textContent = got.ok ? got.body.map((e) => e.seq + " " + e.type + " " + JSON.stringify(e.event)).join("\\n") : "events: " + got.problem;
}
refresh(); setInterval(refresh, 2000);
</script></body></html>
`;
