import HTTPKit

/// The dashboard at `GET /`: one self-contained page (HTML, inline CSS and JS, no outside assets) with the live
/// market from `GET /api/market` every 5 s, charts of fees and reputation drawn as inline SVG from its history,
/// and the API console: one card per seed endpoint, in the seed's order, that remembers `worker_id` and `task_id`.
/// `/?autotest=1` clicks through the console and writes what it saw into `#autotest-result` (the browser test).
public enum DashboardPage {
    /// The response: the page, never cached, with a content security policy that forbids any outside fetch.
    public static var response: HTTPResponse {
        HTTPResponse(status: 200, headers: [
            ("Content-Type", "text/html; charset=utf-8"),
            ("Cache-Control", "no-store"),
            ("Content-Security-Policy", "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; connect-src 'self'; frame-src 'self'; img-src data:; base-uri 'none'; form-action 'none'"),
        ], body: bytes)
    }

    static let bytes = Array(html.utf8)

    /// The page's source.
    public static let html = #"""
<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>ProofLayer: live market and API console</title>
<link rel="icon" href="data:,">
<style>
:root {
  --bg: #0f1115; --panel: #171a21; --panel2: #1e222b; --line: #2a2f3a; --text: #e8eaf0; --muted: #9aa3b2;
  --accent: #f7931a; --ok: #3fb950; --warn: #d29922; --bad: #f85149; --blue: #58a6ff; --violet: #bc8cff;
  --mono: ui-monospace, SFMono-Regular, Menlo, Consolas, "Liberation Mono", monospace;
}
* { box-sizing: border-box; }
html, body { margin: 0; background: var(--bg); color: var(--text);
  font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
body { overflow-x: hidden; }
a { color: var(--blue); }
.wrap { max-width: 1200px; margin: 0 auto; padding: 20px 16px 48px; }
header.top { display: flex; flex-wrap: wrap; gap: 12px 24px; align-items: flex-end; justify-content: space-between;
  border-bottom: 1px solid var(--line); padding-bottom: 16px; margin-bottom: 20px; }
.brand { font-size: 28px; font-weight: 700; letter-spacing: -0.5px; }
.brand span { color: var(--accent); }
.tag { color: var(--muted); margin-top: 2px; }
.pills { display: flex; flex-wrap: wrap; gap: 8px; }
.pill { border: 1px solid var(--line); background: var(--panel); border-radius: 999px; padding: 3px 10px;
  font-size: 13px; color: var(--muted); white-space: nowrap; }
.pill b { color: var(--text); font-weight: 600; }
.dot { display: inline-block; width: 8px; height: 8px; border-radius: 50%; background: var(--ok); margin-right: 6px; vertical-align: 1px; }
.dot.stale { background: var(--bad); }
h2 { font-size: 20px; margin: 28px 0 4px; }
.sub { color: var(--muted); margin: 0 0 14px; }
.grid { display: grid; gap: 12px; }
.stats { grid-template-columns: repeat(4, minmax(0, 1fr)); }
@media (max-width: 760px) { .stats { grid-template-columns: repeat(2, minmax(0, 1fr)); } }
.stat { background: var(--panel); border: 1px solid var(--line); border-radius: 10px; padding: 12px 14px; min-width: 0; }
.stat .k { color: var(--muted); font-size: 13px; }
.stat .v { font-size: 24px; font-weight: 650; margin-top: 2px; overflow-wrap: break-word; }
.stat .u { font-size: 13px; color: var(--muted); font-weight: 400; }
.two { grid-template-columns: repeat(auto-fit, minmax(min(100%, 420px), 1fr)); margin-top: 12px; }
.panel { background: var(--panel); border: 1px solid var(--line); border-radius: 10px; padding: 14px; min-width: 0; }
.panel h3 { margin: 0 0 8px; font-size: 15px; }
.legend { display: flex; flex-wrap: wrap; gap: 4px 14px; font-size: 12px; color: var(--muted); margin-bottom: 6px; }
.legend i { display: inline-block; width: 12px; height: 3px; vertical-align: middle; margin-right: 5px; border-radius: 2px; }
.chart { width: 100%; height: 200px; display: block; }
.chart text { fill: var(--muted); font-size: 11px; font-family: var(--mono); }
.empty { color: var(--muted); font-size: 13px; padding: 8px 0; }
ul.events { list-style: none; margin: 0; padding: 0; max-height: 330px; overflow-y: auto; }
ul.events li { display: grid; grid-template-columns: 68px minmax(0, 1fr); gap: 8px; padding: 6px 0; border-top: 1px solid var(--line); font-size: 13px; }
ul.events li:first-child { border-top: 0; }
.ev-time { color: var(--muted); font-family: var(--mono); font-size: 12px; }
.ev-kind { font-weight: 600; }
.ev-detail { color: var(--muted); overflow-wrap: anywhere; }
.ev-amt { color: var(--accent); white-space: nowrap; }
table.workers { width: 100%; border-collapse: collapse; font-size: 13px; table-layout: fixed; }
table.workers th, table.workers td { text-align: left; padding: 6px 4px; border-top: 1px solid var(--line); overflow-wrap: anywhere; }
table.workers th { color: var(--muted); font-weight: 500; border-top: 0; }
table.workers th.n, table.workers td.n { width: 64px; text-align: right; }
table.workers th.t, table.workers td.t { width: 84px; }
.tier { display: inline-block; border-radius: 6px; padding: 1px 7px; font-size: 12px; font-weight: 600; }
.tier.new { background: #2d333b; color: #c9d1d9; }
.tier.trusted { background: #0d2d4f; color: var(--blue); }
.tier.expert { background: #3d2a05; color: var(--accent); }
.console-bar { display: flex; flex-wrap: wrap; gap: 8px; align-items: center; margin-bottom: 12px; }
.saved { font-family: var(--mono); font-size: 13px; background: var(--panel); border: 1px solid var(--line); border-radius: 8px;
  padding: 5px 10px; overflow-wrap: anywhere; min-width: 0; }
.saved b { color: var(--muted); font-weight: 500; }
button { font: inherit; font-size: 14px; border-radius: 8px; border: 1px solid var(--line); background: var(--panel2);
  color: var(--text); padding: 6px 14px; cursor: pointer; }
button:hover { border-color: var(--muted); }
button.run { background: var(--accent); border-color: var(--accent); color: #1b1204; font-weight: 650; }
button:disabled { opacity: 0.6; cursor: wait; }
.cards { grid-template-columns: repeat(auto-fit, minmax(min(100%, 520px), 1fr)); }
.card { background: var(--panel); border: 1px solid var(--line); border-radius: 10px; padding: 14px; min-width: 0;
  display: flex; flex-direction: column; gap: 8px; }
.card-head { display: flex; gap: 10px; align-items: flex-start; justify-content: space-between; }
.card-head h3 { margin: 0; font-size: 16px; }
.num { display: inline-block; min-width: 22px; height: 22px; line-height: 22px; border-radius: 50%; background: var(--panel2);
  border: 1px solid var(--line); color: var(--muted); font-size: 12px; text-align: center; margin-right: 6px; }
.desc { margin: 0; font-size: 14px; }
.note { margin: 0; font-size: 13px; color: var(--muted); }
.reqline { display: grid; grid-template-columns: 84px minmax(0, 1fr); gap: 6px; }
label.fl { font-size: 12px; color: var(--muted); display: block; margin-bottom: 2px; }
input, textarea { width: 100%; min-width: 0; font: 13px/1.4 var(--mono); color: var(--text); background: #0b0d11;
  border: 1px solid var(--line); border-radius: 6px; padding: 6px 8px; }
textarea { resize: vertical; }
input:focus, textarea:focus { outline: 1px solid var(--accent); border-color: var(--accent); }
.sends { font: 12px/1.4 var(--mono); color: var(--muted); overflow-wrap: anywhere; }
.resp { border-top: 1px dashed var(--line); padding-top: 8px; min-width: 0; }
.status { font: 600 13px var(--mono); }
.status.s2 { color: var(--ok); } .status.s4 { color: var(--warn); } .status.s5, .status.s0 { color: var(--bad); }
.hdrs { font: 12px/1.4 var(--mono); color: var(--violet); margin: 4px 0; overflow-wrap: anywhere; }
pre.json { margin: 4px 0 0; font: 12px/1.45 var(--mono); background: #0b0d11; border: 1px solid var(--line); border-radius: 6px;
  padding: 8px; max-height: 320px; overflow: auto; white-space: pre-wrap; overflow-wrap: anywhere; word-break: break-word; }
.subhead { margin: 22px 0 8px; font-size: 16px; }
footer { color: var(--muted); font-size: 13px; margin-top: 32px; border-top: 1px solid var(--line); padding-top: 12px; }
#autotest-result { display: none; }
@media (max-width: 520px) {
  .wrap { padding: 14px 10px 40px; }
  .brand { font-size: 24px; }
  .stat .v { font-size: 20px; }
  .reqline { grid-template-columns: 70px minmax(0, 1fr); }
  table.workers th.t, table.workers td.t { width: 76px; }
  table.workers th.n, table.workers td.n { width: 48px; }
}
</style>
</head>
<body>
<div class="wrap">
<header class="top">
  <div>
    <div class="brand">Proof<span>Layer</span></div>
    <div class="tag">Agent uncertainty = paid task. L402 in. Worker resolves. JSON out.</div>
  </div>
  <div class="pills">
    <span class="pill"><span class="dot" id="live-dot"></span><b id="live-state">connecting</b></span>
    <span class="pill">market time <b id="market-time">-</b></span>
    <span class="pill">fee split <b id="fee-policy">70% / 30%</b></span>
  </div>
</header>

<section id="market">
  <h2>Live market</h2>
  <p class="sub">Agent-to-agent, no human in the loop. Updates every 5 s from <code>GET /api/market</code>.</p>
  <div class="grid stats">
    <div class="stat"><div class="k">Open tasks</div><div class="v" id="m-open">-</div></div>
    <div class="stat"><div class="k">Claimed</div><div class="v" id="m-claimed">-</div></div>
    <div class="stat"><div class="k">Submitted</div><div class="v" id="m-submitted">-</div></div>
    <div class="stat"><div class="k">Completed</div><div class="v" id="m-completed">-</div></div>
    <div class="stat"><div class="k">Volume</div><div class="v"><span id="m-volume">-</span> <span class="u">sats</span></div></div>
    <div class="stat"><div class="k">Platform fees</div><div class="v"><span id="m-fees">-</span> <span class="u">sats</span></div></div>
    <div class="stat"><div class="k">Worker earnings</div><div class="v"><span id="m-earnings">-</span> <span class="u">sats</span></div></div>
    <div class="stat"><div class="k">Workers</div><div class="v"><span id="m-workers">-</span> <span class="u" id="m-experts"></span></div></div>
  </div>
  <div class="grid two">
    <div class="panel">
      <h3>Fees and earnings over time</h3>
      <div class="legend"><span><i style="background:var(--accent)"></i>platform fees</span><span><i style="background:var(--ok)"></i>worker earnings</span></div>
      <svg class="chart" id="chart-fees" role="img" aria-label="platform fees and worker earnings over time"></svg>
    </div>
    <div class="panel">
      <h3>Reputation over time</h3>
      <div class="legend"><span><i style="background:var(--blue)"></i>mean score</span><span><i style="background:var(--violet)"></i>top score</span><span><i style="background:var(--accent)"></i>workers above bonus threshold</span></div>
      <svg class="chart" id="chart-rep" role="img" aria-label="reputation over time"></svg>
    </div>
  </div>
  <div class="grid two">
    <div class="panel">
      <h3>Latest agent-to-agent events</h3>
      <ul class="events" id="events"><li class="empty">No events yet.</li></ul>
    </div>
    <div class="panel">
      <h3>Top workers by reputation</h3>
      <table class="workers"><thead><tr><th>Worker</th><th class="t">Type</th><th class="n">Score</th><th class="t">Tier</th></tr></thead>
      <tbody id="top-workers"><tr><td colspan="4" class="empty">No workers yet.</td></tr></tbody></table>
    </div>
  </div>
</section>

<section id="console">
  <h2>API console</h2>
  <p class="sub">Run each endpoint from here. The demo saves worker_id and task_id automatically so you can walk through the full flow without Postman.</p>
  <div class="console-bar">
    <button class="run" id="run-all">Run the whole flow</button>
    <button id="reset-ids">Forget saved ids</button>
    <span class="saved"><b>worker_id</b> <span id="saved-worker_id">-</span></span>
    <span class="saved"><b>task_id</b> <span id="saved-task_id">-</span></span>
  </div>
  <div class="grid cards" id="cards"></div>
  <h3 class="subhead">Real L402: pay the invoice, then retry with the credential</h3>
  <p class="sub">Run <em>Payment gate</em> first: it saves the invoice and macaroon from the 402. Pay the invoice on the simulated Lightning network (the preimage is saved), then create the task with <code>Authorization: L402 &lt;macaroon&gt;:&lt;preimage&gt;</code>.</p>
  <div class="grid cards" id="l402-cards"></div>
</section>
<footer>ProofLayer simulator. Everything on this page is served by <code>simrun serve</code>; the API is described at <a href="/api/openapi.json">/api/openapi.json</a>.</footer>
<pre id="autotest-result"></pre>
</div>
<script>
"use strict";
const TASK_BODY = {
  task_type: "verify",
  title: "Is this URL still live?",
  input: {
    url: "https://example.com",
    question: "Does it return 200?",
    context: "The agent needs a worker to verify the external page state.",
    instructions: "Open the URL, confirm the response and attach proof if required.",
    image_url: "https://example.com/screenshot.png",
    attachments: [{ type: "image", url: "https://example.com/screenshot.png", label: "Reference screenshot" }]
  },
  budget_sats: 100,
  worker_type: "human",
  trust_mode: "proof_required"
};
const CT = { "Content-Type": "application/json" };
// The seed page's cards, in its order, with its exact requests.
const CARDS = [
  { id: "register", title: "Register worker", desc: "Creates the worker identity used by claim, submit and payout.",
    note: "Run first. Saves worker.id as worker_id.",
    req: { method: "POST", url: "/api/workers", headers: CT, body: { display_name: "Alice Tester", lightning_address: "alice@getalby.com", type: "human" } },
    save: { worker_id: j => j && j.worker && j.worker.id } },
  { id: "profile", title: "Worker profile", desc: "Returns payout address, completed jobs, reputation score and tier.",
    note: "Run before and after completion to show reputation moving.",
    req: { method: "GET", url: "/api/workers/{worker_id}" } },
  { id: "gate", title: "Payment gate", desc: "Without Authorization, the endpoint returns 402 + WWW-Authenticate invoice.",
    note: "Shows the L402 gate before creating the paid task.",
    req: { method: "POST", url: "/api/tasks?budget_sats=100", headers: CT, body: TASK_BODY },
    save: { invoice: j => j && j.error && j.error.invoice, macaroon: j => j && j.error && j.error.macaroon } },
  { id: "create", title: "Create L402 task", desc: "With Authorization: L402 sim_token:sim_valid_preimage, creates status=open task.",
    note: "Saves task_id for feed, claim, submit and release.",
    req: { method: "POST", url: "/api/tasks?budget_sats=100", headers: Object.assign({}, CT, { Authorization: "L402 sim_token:sim_valid_preimage" }), body: TASK_BODY },
    save: { task_id: j => j && j.task && j.task.id } },
  { id: "feed", title: "Open task feed", desc: "Lists open tasks and supports task_type, worker_type and budget_min filters.",
    note: "Shows the task in the market before claim.",
    req: { method: "GET", url: "/api/workers/feed?task_type=verify&worker_type=human&budget_min=100" } },
  { id: "status", title: "Task status", desc: "Returns task metadata, worker, result and payment as the task moves through states.",
    note: "Run before claim, after claim and after release.",
    req: { method: "GET", url: "/api/tasks/{task_id}" } },
  { id: "claim", title: "Claim task", desc: "Assigns worker_id and moves the task from open to claimed.",
    note: "Uses worker_id and task_id saved by previous calls.",
    req: { method: "POST", url: "/api/tasks/{task_id}/claim", headers: CT, body: { worker_id: "{worker_id}" } } },
  { id: "submit", title: "Submit result", desc: "Stores answer_json, confidence and proof_url. Current MVP triggers auto-release.",
    note: "Produces a submission, then auto-release runs in the background.",
    req: { method: "POST", url: "/api/tasks/{task_id}/submit", headers: CT,
           body: { worker_id: "{worker_id}", answer_json: { answer: "yes", notes: "URL returns 200, verified manually" }, confidence: 0.95, proof_url: "https://example.com/proof.png" } } },
  { id: "release", title: "Release payout", desc: "Pays worker 70%, records platform 30%, completes task and increments reputation.",
    note: "After auto-release completes, this proves idempotency with the same payout.",
    req: { method: "POST", url: "/api/tasks/{task_id}/release" } },
  { id: "payouts", title: "Payout history", desc: "Returns payout records and total earned sats for the worker.",
    note: "Final proof of paid payouts; failed/pending payouts are shown separately.",
    req: { method: "GET", url: "/api/workers/{worker_id}/payouts" } }
];
const L402_CARDS = [
  { id: "pay", title: "Pay the invoice", desc: "Pays the 402's BOLT11 invoice from the demo wallet on the simulated Lightning network.",
    note: "Saves the preimage; sha256(preimage) is the invoice's payment hash.",
    req: { method: "POST", url: "/sim/lightning/pay", headers: CT, body: { invoice: "{invoice}" } },
    save: { preimage: j => j && j.preimage } },
  { id: "paid", title: "Create task with the paid credential", desc: "Retries the Payment gate request with Authorization: L402 <macaroon>:<preimage>.",
    note: "Creates the task paid over L402 and saves its task_id; an identical retry returns the same task.",
    req: { method: "POST", url: "/api/tasks?budget_sats=100", headers: Object.assign({}, CT, { Authorization: "L402 {macaroon}:{preimage}" }), body: TASK_BODY },
    save: { task_id: j => j && j.task && j.task.id } }
];
const SHOWN_HEADERS = { "www-authenticate": "WWW-Authenticate", "location": "Location", "idempotent-replay": "Idempotent-Replay", "allow": "Allow", "content-type": "Content-Type" };
const saved = {};
const byId = id => document.getElementById(id);
function el(tag, attrs, children) {
  const e = document.createElement(tag);
  for (const k in attrs || {}) {
    if (k === "text") e.textContent = attrs[k]; else if (k === "cls") e.className = attrs[k]; else e.setAttribute(k, attrs[k]);
  }
  for (const c of children || []) e.appendChild(typeof c === "string" ? document.createTextNode(c) : c);
  return e;
}
function substitute(text) {
  return text.replace(/\{(worker_id|task_id|invoice|macaroon|preimage)\}/g, (m, k) => saved[k] !== undefined ? saved[k] : m);
}
function showSaved() {
  byId("saved-worker_id").textContent = saved.worker_id || "-";
  byId("saved-task_id").textContent = saved.task_id || "-";
  document.querySelectorAll(".card").forEach(c => c._refresh && c._refresh());
}
function rowsFor(text) { return Math.min(14, Math.max(2, text.split("\n").length)); }
function buildCard(def, n, container) {
  const card = el("div", { cls: "card", id: "card-" + def.id });
  const method = el("input", { cls: "method", "aria-label": "method", spellcheck: "false" });
  method.value = def.req.method;
  const url = el("input", { cls: "url", "aria-label": "URL", spellcheck: "false" });
  url.value = def.req.url;
  const headersText = def.req.headers ? JSON.stringify(def.req.headers, null, 2) : "";
  const headers = el("textarea", { cls: "headers", "aria-label": "headers", spellcheck: "false", rows: String(rowsFor(headersText || "{}")) });
  headers.value = headersText;
  const bodyText = def.req.body ? JSON.stringify(def.req.body, null, 2) : "";
  const body = el("textarea", { cls: "body", "aria-label": "body", spellcheck: "false", rows: String(rowsFor(bodyText)) });
  body.value = bodyText;
  const sends = el("div", { cls: "sends" });
  const run = el("button", { cls: "run", text: "Run" });
  const status = el("div", { cls: "status", text: "" });
  const hdrs = el("div", { cls: "hdrs" });
  const out = el("pre", { cls: "json", text: JSON.stringify({ waiting: "Run this endpoint to see live output." }, null, 2) });
  card.append(
    el("div", { cls: "card-head" }, [el("h3", {}, [el("span", { cls: "num", text: String(n) }), def.title]), run]),
    el("p", { cls: "desc", text: def.desc }),
    el("p", { cls: "note", text: def.note }),
    el("div", { cls: "reqline" }, [el("div", {}, [el("label", { cls: "fl", text: "method" }), method]), el("div", {}, [el("label", { cls: "fl", text: "url" }), url])]),
    el("div", {}, [el("label", { cls: "fl", text: "headers (JSON)" }), headers]),
    el("div", {}, [el("label", { cls: "fl", text: "body (JSON, empty for none)" }), body]),
    sends,
    el("div", { cls: "resp" }, [status, hdrs, out])
  );
  card._refresh = () => { sends.textContent = "sends: " + method.value.trim().toUpperCase() + " " + substitute(url.value.trim()); };
  [method, url].forEach(i => i.addEventListener("input", card._refresh));
  card._refresh();
  card.dataset.status = "";
  run.addEventListener("click", () => { card._pending = execute(); });
  async function execute() {
    run.disabled = true;
    status.className = "status"; status.textContent = "running..."; hdrs.textContent = "";
    let result;
    try {
      let hs = {};
      if (headers.value.trim()) {
        hs = JSON.parse(substitute(headers.value));
        if (hs === null || typeof hs !== "object" || Array.isArray(hs)) throw new Error("headers must be a JSON object");
      }
      const m = method.value.trim().toUpperCase() || "GET";
      const opts = { method: m, headers: hs, cache: "no-store" };
      const b = body.value.trim();
      if (b && m !== "GET" && m !== "HEAD") opts.body = substitute(b);
      const target = substitute(url.value.trim());
      if (!target.startsWith("/")) throw new Error("the console only calls this server: the URL must start with /");
      const resp = await fetch(target, opts);
      const text = await resp.text();
      let json = null;
      try { json = JSON.parse(text); } catch (e) { json = null; }
      const shown = [];
      for (const h in SHOWN_HEADERS) { const v = resp.headers.get(h); if (v !== null) shown.push(SHOWN_HEADERS[h] + ": " + v); }
      status.className = "status s" + String(resp.status)[0];
      status.textContent = resp.status + " " + resp.statusText;
      hdrs.textContent = shown.join("\n");
      hdrs.style.whiteSpace = "pre-wrap";
      out.textContent = json !== null ? JSON.stringify(json, null, 2) : text;
      for (const k in def.save || {}) {
        const v = def.save[k](json);
        if (typeof v === "string" && v) saved[k] = v;
      }
      result = { status: resp.status, json: json, headers: Object.fromEntries(resp.headers.entries()) };
    } catch (e) {
      status.className = "status s0"; status.textContent = "request not sent";
      out.textContent = JSON.stringify({ error: String(e && e.message || e) }, null, 2);
      result = { status: 0, json: null, headers: {} };
    }
    card.dataset.status = String(result.status);
    card._last = result;
    run.disabled = false;
    showSaved();
    refreshMarket();
    return result;
  }
  container.appendChild(card);
  return card;
}
CARDS.forEach((c, i) => buildCard(c, i + 1, byId("cards")));
L402_CARDS.forEach((c, i) => buildCard(c, CARDS.length + i + 1, byId("l402-cards")));
byId("reset-ids").addEventListener("click", () => { for (const k in saved) delete saved[k]; showSaved(); });
async function click(id) {
  const card = byId("card-" + id);
  card.querySelector("button.run").click();
  return await card._pending;
}
async function runFlow() {
  const btn = byId("run-all");
  btn.disabled = true;
  const results = [];
  try { for (const c of CARDS) results.push([c.id, await click(c.id)]); } finally { btn.disabled = false; }
  return results;
}
byId("run-all").addEventListener("click", () => { runFlow(); });

// ---- Live market ----
const fmt = n => Number(n).toLocaleString("en-US", { maximumFractionDigits: 3 });
const sats = msat => fmt(msat / 1000);
// Whole sats for the big figures (the exact msat amounts are in the API's JSON).
const wholeSats = msat => Math.round(msat / 1000).toLocaleString("en-US");
function clock(iso) { return typeof iso === "string" ? iso.slice(11, 19) : ""; }
let lastMarket = null;
let refreshing = null;
function refreshMarket() {
  if (refreshing) return refreshing;
  refreshing = (async () => {
    try {
      const r = await fetch("/api/market", { cache: "no-store" });
      if (!r.ok) throw new Error("status " + r.status);
      const m = await r.json();
      lastMarket = m;
      render(m);
      byId("live-dot").className = "dot";
      byId("live-state").textContent = "live";
      return m;
    } catch (e) {
      byId("live-dot").className = "dot stale";
      byId("live-state").textContent = "offline";
      return null;
    } finally { refreshing = null; }
  })();
  return refreshing;
}
function setText(id, v) { byId(id).textContent = v; }
function render(m) {
  const t = m.tasks || {};
  setText("m-open", fmt(t.open || 0));
  setText("m-claimed", fmt(t.claimed || 0));
  setText("m-submitted", fmt(t.submitted || 0));
  setText("m-completed", fmt(t.completed || 0));
  setText("m-volume", wholeSats(m.volume_msat || 0));
  setText("m-fees", wholeSats(m.platform_fees_msat || 0));
  setText("m-earnings", wholeSats(m.worker_earnings_msat || 0));
  setText("m-workers", fmt(m.workers || 0));
  const rep = m.reputation || {};
  setText("m-experts", rep.workers_above_threshold ? rep.workers_above_threshold + " expert" : "");
  setText("market-time", m.now ? m.now.replace("T", " ").slice(0, 19) : "-");
  const fp = m.fee_policy || {};
  if (fp.worker_share !== undefined) setText("fee-policy", Math.round(fp.worker_share * 100) + "% / " + Math.round((1 - fp.worker_share) * 100) + "%, x" + fp.bonus_multiplier + " above " + fp.bonus_threshold);
  const ul = byId("events");
  ul.textContent = "";
  const events = m.latest_events || [];
  if (!events.length) ul.appendChild(el("li", { cls: "empty", text: "No events yet." }));
  for (const e of events) {
    const what = [e.task_id, e.worker_id].filter(Boolean).join(" / ");
    const line = el("div", {}, [el("span", { cls: "ev-kind", text: e.kind.replace(/_/g, " ") })]);
    if (e.amount_msat !== null && e.amount_msat !== undefined) line.append(" ", el("span", { cls: "ev-amt", text: sats(e.amount_msat) + " sats" }));
    const detail = el("div", { cls: "ev-detail", text: [what, e.detail].filter(Boolean).join(" - ") });
    ul.appendChild(el("li", {}, [el("span", { cls: "ev-time", text: clock(e.at) }), el("div", {}, [line, detail])]));
  }
  const tb = byId("top-workers");
  tb.textContent = "";
  const top = m.top_workers || [];
  if (!top.length) tb.appendChild(el("tr", {}, [el("td", { colspan: "4", cls: "empty", text: "No workers yet." })]));
  for (const w of top) {
    tb.appendChild(el("tr", {}, [
      el("td", { text: w.display_name }), el("td", { cls: "t", text: w.type }), el("td", { cls: "n", text: String(w.reputation_score) }),
      el("td", { cls: "t" }, [el("span", { cls: "tier " + w.tier, text: w.tier })])
    ]));
  }
  drawCharts(chartPoints(m));
}
// The history plus the figures right now, so the charts always end at the present.
function chartPoints(m) {
  const h = (m.history || []).slice();
  if (m.now && (!h.length || h[h.length - 1].at !== m.now)) {
    const r = m.reputation || {};
    h.push({ at: m.now, platform_fees_msat: m.platform_fees_msat, worker_earnings_msat: m.worker_earnings_msat,
             mean_reputation: r.mean_score || 0, max_reputation: r.max_score || 0, workers_above_threshold: r.workers_above_threshold || 0 });
  }
  return h;
}
const SVGNS = "http://www.w3.org/2000/svg";
function svgEl(tag, attrs) { const e = document.createElementNS(SVGNS, tag); for (const k in attrs) e.setAttribute(k, attrs[k]); return e; }
function lineChart(svg, points, series, yFormat) {
  const w = Math.max(200, svg.clientWidth || svg.parentNode.clientWidth || 400), h = 200;
  svg.setAttribute("viewBox", "0 0 " + w + " " + h);
  svg.textContent = "";
  if (points.length < 2) {
    const t = svgEl("text", { x: 8, y: h / 2 }); t.textContent = "collecting history (a snapshot every few seconds of market time)...";
    svg.appendChild(t); return;
  }
  const left = 56, right = 10, top = 10, bottom = 24;
  const xs = points.map(p => Date.parse(p.at));
  const x0 = xs[0], x1 = Math.max(xs[xs.length - 1], x0 + 1);
  let top0 = 0;
  for (const s of series) for (const p of points) top0 = Math.max(top0, s.value(p));
  const step = niceStep(top0 > 0 ? top0 / 4 : 0.25);
  const ymax = step * Math.max(1, Math.ceil(top0 / step - 1e-9));
  const ticks = Math.round(ymax / step);
  const X = t => left + (t - x0) / (x1 - x0) * (w - left - right);
  const Y = v => top + (1 - v / ymax) * (h - top - bottom);
  for (let i = 0; i <= ticks; i++) {
    const v = step * i, y = Y(v);
    svg.appendChild(svgEl("line", { x1: left, x2: w - right, y1: y, y2: y, stroke: "#2a2f3a", "stroke-width": 1 }));
    const lbl = svgEl("text", { x: left - 6, y: y + 4, "text-anchor": "end" }); lbl.textContent = yFormat(v); svg.appendChild(lbl);
  }
  const tl = svgEl("text", { x: left, y: h - 6 }); tl.textContent = clock(points[0].at); svg.appendChild(tl);
  const tr = svgEl("text", { x: w - right, y: h - 6, "text-anchor": "end" }); tr.textContent = clock(points[points.length - 1].at); svg.appendChild(tr);
  for (const s of series) {
    const d = points.map((p, i) => (i ? "L" : "M") + X(xs[i]).toFixed(1) + " " + Y(s.value(p)).toFixed(1)).join(" ");
    svg.appendChild(svgEl("path", { d: d, fill: "none", stroke: s.color, "stroke-width": 2, "stroke-linejoin": "round" }));
  }
}
function niceStep(raw) {
  const p = Math.pow(10, Math.floor(Math.log10(raw)));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * p >= raw) return m * p;
  return 10 * p;
}
const compact = v => v >= 1e6 ? (v / 1e6).toFixed(1) + "M" : v >= 1e4 ? (v / 1e3).toFixed(0) + "k" : Number.isInteger(v) ? String(v) : v >= 10 ? v.toFixed(0) : String(Number(v.toFixed(2)));
function drawCharts(history) {
  lineChart(byId("chart-fees"), history, [
    { color: "#f7931a", value: p => p.platform_fees_msat / 1000 },
    { color: "#3fb950", value: p => p.worker_earnings_msat / 1000 }
  ], compact);
  lineChart(byId("chart-rep"), history, [
    { color: "#58a6ff", value: p => p.mean_reputation },
    { color: "#bc8cff", value: p => p.max_reputation },
    { color: "#f7931a", value: p => p.workers_above_threshold }
  ], compact);
}
window.addEventListener("resize", () => { if (lastMarket) drawCharts(chartPoints(lastMarket)); });
refreshMarket();
setInterval(refreshMarket, 5000);

// ---- Test harness (?autotest=1): clicks through the console like a person and writes what it saw ----
async function autotest() {
  const out = byId("autotest-result");
  const report = { done: false, cards: {}, saved: {}, checks: {} };
  try {
    const before = await refreshMarket();
    const flow = await runFlow();
    for (const [id, r] of flow) report.cards[id] = r.status;
    const get = id => byId("card-" + id)._last || {};
    report.saved.worker_id = saved.worker_id || null;
    report.saved.task_id = saved.task_id || null;
    const claim = get("claim").json || {}, feed = get("feed").json || {}, rel = get("release").json || {};
    const hist = get("payouts").json || {};
    report.checks.claimUsedSavedIds = !!(claim.task && claim.task.id === saved.task_id && claim.task.worker && claim.task.worker.id === saved.worker_id);
    report.checks.feedListsTask = !!(feed.tasks && feed.tasks.some(t => t.id === saved.task_id));
    report.checks.gateHasWWWAuthenticate = /^L402 /.test((get("gate").headers || {})["www-authenticate"] || "");
    report.checks.releaseCompleted = !!(rel.task && rel.task.status === "completed" && rel.payout);
    report.payout_id = rel.payout ? rel.payout.id : null;
    report.total_earned_sats = hist.total_earned_sats === undefined ? null : hist.total_earned_sats;
    report.checks.payoutListed = !!(hist.payouts && rel.payout && hist.payouts.some(p => p.id === rel.payout.id));
    const seedTask = saved.task_id;
    const profile = await click("profile");
    report.completed_jobs_after = profile.json && profile.json.worker ? profile.json.worker.completed_jobs : null;
    report.cards.pay = (await click("pay")).status;
    const paid = await click("paid");
    report.cards.paid = paid.status;
    report.paid_task_id = paid.json && paid.json.task ? paid.json.task.id : null;
    report.checks.paidTaskIsL402 = !!(paid.json && paid.json.task && paid.json.task.payment.method === "l402");
    report.seed_task_id = seedTask;
    const after = await refreshMarket();
    if (before && after) {
      report.before = { completed: before.tasks.completed, volume_msat: before.volume_msat, platform_fees_msat: before.platform_fees_msat, worker_earnings_msat: before.worker_earnings_msat };
      report.after = { completed: after.tasks.completed, volume_msat: after.volume_msat, platform_fees_msat: after.platform_fees_msat, worker_earnings_msat: after.worker_earnings_msat };
      report.checks.marketChanged = after.tasks.completed > before.tasks.completed && after.volume_msat > before.volume_msat
        && after.platform_fees_msat > before.platform_fees_msat && after.worker_earnings_msat > before.worker_earnings_msat;
      report.dom = { completed: byId("m-completed").textContent, fees: byId("m-fees").textContent };
    }
    report.layout = layoutProblems();
    report.viewport = document.documentElement.clientWidth;
    report.done = true;
  } catch (e) {
    report.error = String(e && e.stack || e);
  }
  out.textContent = JSON.stringify(report);
  out.setAttribute("data-done", report.done ? "1" : "0");
  document.body.setAttribute("data-autotest", report.done ? "done" : "failed");
}
// What would look broken: the page scrolling sideways, a box sticking out of the viewport, or content spilling
// out of its box (overlapping its neighbours or cut off). Inputs, text areas and scrolling boxes scroll by design.
function layoutProblems() {
  const vw = document.documentElement.clientWidth, problems = [];
  const name = e => e.tagName.toLowerCase() + (e.id ? "#" + e.id : "") + (e.className && typeof e.className === "string" ? "." + e.className.split(" ")[0] : "");
  if (document.documentElement.scrollWidth > vw + 1) problems.push("page is " + document.documentElement.scrollWidth + " px wide in a " + vw + " px viewport");
  for (const e of document.body.querySelectorAll("*")) {
    const cs = getComputedStyle(e);
    if (cs.display === "none" || cs.visibility === "hidden" || e.closest("svg, pre#autotest-result")) continue;
    const r = e.getBoundingClientRect();
    if (!r.width && !r.height) continue;
    if (r.right > vw + 1 || r.left < -1) problems.push(name(e) + " spans " + Math.round(r.left) + ".." + Math.round(r.right) + " px");
    const scrolls = /(auto|scroll)/.test(cs.overflowX) || /^(input|textarea|select)$/i.test(e.tagName);
    if (!scrolls && e.clientWidth > 0 && e.scrollWidth > e.clientWidth + 1) problems.push(name(e) + " content is " + e.scrollWidth + " px in a " + e.clientWidth + " px box");
    if (problems.length >= 20) break;
  }
  return problems;
}
// `&frame=W`: run the harness in a W px wide frame of this page instead, for phone widths narrower than the
// smallest window headless Chromium makes; the frame's media queries see W px, as a phone's would.
async function autotestInFrame(width) {
  const frame = el("iframe", { src: "/?autotest=1", title: "autotest", style: "width:" + width + "px;height:2000px;border:0;display:block" });
  document.body.appendChild(frame);
  for (let i = 0; i < 600; i++) {
    await new Promise(r => setTimeout(r, 100));
    const d = frame.contentDocument;
    const state = d && d.body && d.body.getAttribute("data-autotest");
    if (state) {
      const out = byId("autotest-result");
      out.textContent = d.getElementById("autotest-result").textContent;
      out.setAttribute("data-done", state === "done" ? "1" : "0");
      document.body.setAttribute("data-autotest", state);
      return;
    }
  }
  byId("autotest-result").textContent = JSON.stringify({ done: false, error: "the framed harness did not finish" });
}
const frameWidth = /[?&]frame=(\d+)/.exec(location.search);
if (/[?&]autotest=1\b/.test(location.search)) {
  if (frameWidth && window.top === window) autotestInFrame(Number(frameWidth[1])); else autotest();
}
</script>
</body>
</html>
"""#
}
