// The console's script, served as /app.js: the page has no inline script or
// style, so its Content-Security-Policy can be script-src 'self' and
// style-src 'self'. It calls the public /v1 routes, the same as curl would:
// it decides nothing the application layer does not answer.
//
// Text from the gateway goes into the page as text (textContent), never as
// markup; the one exception, the appeal letter's HTML, is parsed inertly
// (DOMParser runs no script) and copied through an allow-list of elements
// and attributes (see sanitizeInto).
"use strict";

const $ = (id) => document.getElementById(id);
const KEY = "casebridge.apiKey";

// ---- small helpers ---------------------------------------------------------

// el builds an element: el("td", {class: "num"}, "120.00", otherNode).
function el(tag, attrs, ...kids) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k === "class") e.className = v;
    else if (k === "text") e.textContent = v;
    else e.setAttribute(k, v === true ? "" : String(v));
  }
  for (const k of kids) if (k !== undefined && k !== null) e.append(k instanceof Node ? k : String(k));
  return e;
}

// pick returns the first of obj's named members that is present.
function pick(obj, ...names) {
  if (!obj) return undefined;
  for (const n of names) {
    const v = n.split(".").reduce((o, p) => (o == null ? undefined : o[p]), obj);
    if (v !== undefined && v !== null) return v;
  }
  return undefined;
}

// cents reads a decimal amount (a JSON string such as "120.00" or a number)
// as integer cents, so sums never drift.
function cents(v) {
  if (v === undefined || v === null || v === "") return null;
  const m = /^(-?)(\d*)(?:\.(\d*))?$/.exec(String(v).trim());
  if (!m) return null;
  const frac = ((m[3] || "") + "00").slice(0, 2);
  const c = Number(m[2] || "0") * 100 + Number(frac);
  return m[1] ? -c : c;
}

// money formats an amount as $1,234.50 ("—" when absent).
function money(v) {
  const c = typeof v === "number" && !Number.isInteger(v * 100) ? Math.round(v * 100) : cents(v);
  if (c === null) return "—";
  const neg = c < 0, a = Math.abs(c);
  const whole = Math.floor(a / 100).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  return (neg ? "-$" : "$") + whole + "." + String(a % 100).padStart(2, "0");
}

// pct formats a ratio (0.5) as 50.0%.
function pct(v) {
  if (v === undefined || v === null || v === "") return "—";
  const n = Number(v);
  return Number.isFinite(n) ? (n * 100).toFixed(1) + "%" : "—";
}

function day(v) { return v ? String(v).slice(0, 10) : "—"; }
function when(v) { return v ? String(v).replace("T", " ").replace(/(\.\d+)?Z$/, " UTC") : "—"; }
function label(s) { return s ? String(s).replace(/_/g, " ") : "—"; }

function say(id, text, ok) {
  const m = $(id);
  m.textContent = text;
  m.className = "msg" + (ok === true ? " ok" : ok === false ? " bad" : "");
}

// clickable makes a table row act as a button: focusable, Enter or Space.
function clickable(tr, name, fn) {
  tr.tabIndex = 0;
  tr.classList.add("clickable");
  tr.setAttribute("aria-label", name);
  tr.addEventListener("click", fn);
  tr.addEventListener("keydown", (ev) => {
    if (ev.key === "Enter" || ev.key === " ") { ev.preventDefault(); fn(); }
  });
}

// ---- the API ---------------------------------------------------------------

function apiKey() { try { return sessionStorage.getItem(KEY) || ""; } catch (e) { return ""; } }

// api calls a route with the key (if any) and returns {res, body}: body is
// the parsed JSON, or the text when the answer is not JSON.
async function api(path, opts) {
  opts = opts || {};
  const headers = Object.assign({}, opts.headers || {});
  const k = apiKey();
  if (k) headers["Authorization"] = "Bearer " + k;
  const res = await fetch(path, {method: opts.method || "GET", headers, body: opts.body, cache: "no-store"});
  if (opts.raw) return {res, body: null};
  const text = await res.text();
  let body = text;
  try { body = JSON.parse(text); } catch (e) { /* not JSON */ }
  return {res, body};
}

// problemText is a problem answer for people: its title and each error's
// code and where (the gateway's messages never quote the input).
function problemText(res, body) {
  if (res.status === 401) return "401: this gateway needs an API key (enter it at the top).";
  if (!body || typeof body !== "object") return res.status + " " + res.statusText;
  let s = res.status + " " + (body.title || res.statusText);
  if (body.detail) s += ": " + body.detail;
  const errs = body.errors || body.problems || [];
  const list = errs.filter((e) => !e.severity || e.severity === "error").slice(0, 6)
    .map((e) => [e.code, e.pointer, e.message].filter(Boolean).join(" "));
  if (list.length) s += " — " + list.join("; ");
  return s;
}

function query(params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && String(v).trim() !== "") q.set(k, String(v).trim());
  const s = q.toString();
  return s ? "?" + s : "";
}

// ---- the key -----------------------------------------------------------------

function showAuth() {
  say("auth-state", apiKey() ? "A key is in use (kept in this tab only)." : "No key: local mode.");
}
$("auth").addEventListener("submit", (ev) => {
  ev.preventDefault();
  const v = $("apikey").value.trim();
  try { if (v) sessionStorage.setItem(KEY, v); else sessionStorage.removeItem(KEY); } catch (e) { /* storage off */ }
  $("apikey").value = "";
  showAuth();
  refreshAll();
});
$("apikey-forget").addEventListener("click", () => {
  try { sessionStorage.removeItem(KEY); } catch (e) { /* storage off */ }
  $("apikey").value = "";
  showAuth();
});

// ---- claims ------------------------------------------------------------------

// Each list keeps a sequence number: only the answer to the latest request
// is shown, so loads started close together (a filter change while a store
// refreshes the list) never mix their rows.
const seq = {claims: 0, claim: 0, worklist: 0, analytics: 0};

let claimsCursor = null;

async function loadClaims(more) {
  const my = ++seq.claims;
  const tbody = $("claims-table").tBodies[0];
  say("claims-msg", "Loading claims…");
  const {res, body} = await api("/v1/claims" + query({status: $("claims-status").value, record_id: $("claims-record").value, limit: 50, cursor: more ? claimsCursor : ""}));
  if (my !== seq.claims) return;
  if (!more) { tbody.replaceChildren(); claimsCursor = null; }
  if (!res.ok) { say("claims-msg", problemText(res, body), false); return; }
  for (const c of body.items || []) {
    const tr = el("tr", {"data-claim": c.id},
      el("td", {}, c.record_id || "—"),
      el("td", {}, el("span", {class: "status s-" + c.status}, label(c.status))),
      el("td", {}, c.payer_claim_number || "—"),
      el("td", {}, pick(c, "control_numbers.interchange") || "—"),
      el("td", {}, when(c.created_at)),
      el("td", {class: "mono"}, c.id));
    clickable(tr, "Open claim " + (c.record_id || c.id), () => { $("appeal-finding").value = ""; openClaim(c.id); });
    tbody.append(tr);
  }
  claimsCursor = body.next_cursor || null;
  $("claims-more").hidden = !claimsCursor;
  const n = tbody.rows.length;
  say("claims-msg", n === 0 ? "No claims match." : n + (n === 1 ? " claim" : " claims") + " shown" + (claimsCursor ? " (more available)." : "."), true);
}
$("claims-form").addEventListener("submit", (ev) => { ev.preventDefault(); loadClaims(false); });
$("claims-status").addEventListener("change", () => loadClaims(false));
$("claims-more").addEventListener("click", () => loadClaims(true));

// ---- one claim: summary and timeline -------------------------------------------

let current = null; // the claim shown: {id, record_id, status, payer_claim_number}

function recordTotal(rec) {
  let c = 0;
  for (const s of (rec && rec.services) || []) c += cents(s.charge) || 0;
  return c / 100;
}

function summaryInto(dl, pairs) {
  dl.replaceChildren();
  for (const [k, v, cls] of pairs) dl.append(el("dt", {}, k), el("dd", {class: cls}, v === undefined || v === null || v === "" ? "—" : v));
}

async function openClaim(id, focus) {
  const my = ++seq.claim;
  say("claim-msg", "Loading the claim…");
  const [c, t] = await Promise.all([api("/v1/claims/" + encodeURIComponent(id)), api("/v1/claims/" + encodeURIComponent(id) + "/timeline")]);
  if (my !== seq.claim) return;
  if (!c.res.ok) { say("claim-msg", problemText(c.res, c.body), false); return; }
  const claim = c.body, rec = claim.record || {};
  current = {id: claim.id, record_id: claim.record_id, status: claim.status, payer_claim_number: claim.payer_claim_number};
  const dates = [...new Set((rec.services || []).map((s) => s.date).filter(Boolean))].join(", ");
  summaryInto($("claim-summary"), [
    ["Record id", claim.record_id],
    ["Status", label(claim.status)],
    ["Frequency", rec.frequency || "original"],
    ["Payer", [pick(rec, "payer.name"), pick(rec, "payer.id")].filter(Boolean).join(" · ")],
    ["Service dates", dates],
    ["Billed", money(recordTotal(rec).toFixed(2)), "num"],
    ["Payer claim number", claim.payer_claim_number],
    ["Interchange", pick(claim, "control_numbers.interchange")],
    ["Claim id", claim.id, "mono"],
  ]);
  const ol = $("timeline");
  ol.replaceChildren();
  if (t.res.ok) for (const e of t.body.events || []) ol.append(eventItem(e));
  else ol.append(el("li", {}, problemText(t.res, t.body)));
  for (const b of ["appeal-create", "correction-send", "correction-void"]) $(b).disabled = false;
  const n = ol.children.length;
  say("claim-msg", "Claim " + claim.record_id + ": " + label(claim.status) + ", " + n + (n === 1 ? " event." : " events."), true);
  if (focus !== false) $("claim-h").scrollIntoView({block: "start"});
}

// eventItem renders one timeline event for people.
function eventItem(e) {
  const d = e.data || {};
  const li = el("li", {class: "ev ev-" + e.kind, "data-kind": e.kind},
    el("span", {class: "ev-kind"}, label(e.kind)), " ", el("time", {datetime: e.at}, when(e.at)));
  const p = el("div", {class: "ev-data"});
  switch (e.kind) {
  case "stored":
    p.append(label(d.status) + " (" + (d.errors || 0) + " errors, " + (d.warnings || 0) + " warnings)");
    if (d.replaces) p.append(" · replaces ", claimButton(d.replaces));
    break;
  case "837d_generated":
    p.append("837D interchange " + (pick(d, "control_numbers.interchange") || "—") + ", usage " + (d.usage || "—"));
    break;
  case "remittance": {
    p.append(label(d.outcome) + ": paid " + money(d.paid) + " of " + money(d.charge) +
      (d.payer_claim_number ? " · payer claim number " + d.payer_claim_number : "") +
      (d.payment_date ? " · " + day(d.payment_date) : ""));
    const fs = d.findings || [];
    if (fs.length) {
      const ul = el("ul", {class: "findings"});
      fs.forEach((f, i) => ul.append(el("li", {},
        el("strong", {}, (i + 1) + ". " + label(f.category) + " " + money(f.amount)),
        (f.codes && f.codes.length ? " (" + f.codes.join(", ") + ")" : ""),
        f.next_step ? " — " + f.next_step : "")));
      p.append(ul);
    }
    break;
  }
  case "correction":
    p.append(label(d.frequency) + " stored as ", claimButton(d.claim_id));
    break;
  case "appeal": {
    p.append("appeal " + (d.appeal || "?") + (d.category ? " · " + label(d.category) : "") +
      (d.codes && d.codes.length ? " (" + d.codes.map((c) => (typeof c === "string" ? c : c.code)).join(", ") + ")" : "") + " ");
    if (d.html) {
      const b = el("button", {type: "button", class: "link"}, "Preview letter " + (d.appeal || ""));
      b.addEventListener("click", () => showAppeal({claim_id: current && current.id, appeal: d.appeal, category: d.category, codes: d.codes, html: d.html, pdf: d.pdf}));
      p.append(b);
    }
    break;
  }
  case "acknowledgment":
    p.append((d.type || "") + " " + label(d.outcome) + (d.control_number ? " · control number " + d.control_number : ""));
    break;
  default:
    p.append(JSON.stringify(d));
  }
  li.append(p);
  return li;
}

function claimButton(id) {
  const b = el("button", {type: "button", class: "link mono"}, String(id));
  b.addEventListener("click", () => openClaim(id));
  return b;
}

// ---- appeals -------------------------------------------------------------------

$("appeal-form").addEventListener("submit", async (ev) => {
  ev.preventDefault();
  if (!current) return;
  const body = {};
  // the page numbers findings from 1 (as in the timeline); the route takes
  // a zero-based index or one of the finding's codes
  const f = $("appeal-finding").value.trim();
  if (f) body.finding = /^\d+$/.test(f) ? Math.max(0, Number(f) - 1) : f;
  if ($("appeal-notes").value.trim()) body.additional_notes = $("appeal-notes").value.trim();
  if ($("appeal-contact").value.trim()) body.contact = $("appeal-contact").value.trim();
  $("appeal-create").disabled = true;
  say("claim-msg", "Creating the appeal…");
  try {
    const {res, body: out} = await api("/v1/claims/" + encodeURIComponent(current.id) + "/appeals",
      {method: "POST", headers: {"Content-Type": "application/json"}, body: JSON.stringify(body)});
    if (!res.ok) { say("claim-msg", "Appeal refused: " + problemText(res, out), false); return; }
    say("claim-msg", "Appeal " + out.appeal + " stored for claim " + current.record_id + ".", true);
    await showAppeal(out);
    openClaim(current.id, false);
    loadAnalytics(); // appeals filed
  } finally { $("appeal-create").disabled = false; }
});

async function showAppeal(a) {
  summaryInto($("appeal-summary"), [
    ["Claim", current && current.id === a.claim_id ? current.record_id : a.claim_id],
    ["Appeal", a.appeal],
    ["Category", label(a.category)],
    ["Amount appealed", a.amount !== undefined ? money(a.amount) : undefined, "num"],
    ["Payer claim number", a.payer_claim_number],
    ["Denial codes", codesText(a.codes)],
    ["Attachments", (a.attachments || []).map((x) => (typeof x === "string" ? x : x.id)).join(", ")],
  ]);
  const ul = $("appeal-checklist");
  ul.replaceChildren();
  for (const c of a.checklist || []) {
    const missing = (c.missing_fields && c.missing_fields.length ? c.missing_fields : [c.field]).filter(Boolean);
    ul.append(el("li", {class: c.status === "present" ? "ok" : "bad"},
      el("span", {class: "tick", "aria-hidden": "true"}, c.status === "present" ? "✓" : "✗"), " ",
      (c.title || label(c.item)) + ": " + c.status + (c.status !== "present" && missing.length ? " (fill " + missing.join(", ") + ")" : "")));
  }
  $("appeal-checklist").hidden = !(a.checklist && a.checklist.length);
  const pdf = $("appeal-pdf");
  if (a.pdf) {
    pdf.href = a.pdf;
    pdf.download = "appeal-" + (current && current.record_id ? current.record_id : "claim") + "-" + a.appeal + ".pdf";
    pdf.hidden = false;
  } else pdf.hidden = true;
  const art = $("appeal-letter");
  art.replaceChildren();
  art.hidden = true;
  if (a.html) {
    const {res, body} = await api(a.html);
    if (!res.ok) { say("appeal-msg", "Letter: " + problemText(res, body), false); return; }
    // the letter's own <style> and style attributes are cut before parsing:
    // the parsed document inherits this page's CSP, which would report them
    const html = (typeof body === "string" ? body : "")
      .replace(/<style\b[\s\S]*?<\/style\s*>/gi, "").replace(/\sstyle\s*=\s*("[^"]*"|'[^']*'|[^\s>]+)/gi, "");
    sanitizeInto(new DOMParser().parseFromString(html, "text/html").body, art);
    art.hidden = false;
  }
  say("appeal-msg", "Appeal " + a.appeal + " (" + label(a.category) + "): letter below" + (a.pdf ? ", PDF to download." : "."), true);
  $("appeal-h").scrollIntoView({block: "start"});
}

// The PDF is fetched with the key (a plain link cannot send one) and saved
// from a blob; the link's href stays the route for a new tab in local mode.
$("appeal-pdf").addEventListener("click", async (ev) => {
  ev.preventDefault();
  const a = ev.currentTarget;
  const {res} = await api(a.getAttribute("href"), {raw: true});
  if (!res.ok) { say("appeal-msg", "PDF: " + res.status + " " + res.statusText, false); return; }
  const blob = await res.blob();
  const url = URL.createObjectURL(blob);
  const tmp = el("a", {href: url, download: a.download || "appeal.pdf", hidden: true});
  document.body.append(tmp);
  tmp.click();
  tmp.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
  say("appeal-msg", "PDF downloaded (" + blob.size + " bytes).", true);
});

// sanitizeInto copies the parsed letter into the page through an allow-list:
// text, structural and table elements, and a few harmless attributes.
// Scripts, styles, frames, forms, links and event attributes are dropped;
// headings are moved down under the section's own.
const keepTags = new Set(["P", "DIV", "SPAN", "SECTION", "ARTICLE", "HEADER", "FOOTER", "ADDRESS", "BLOCKQUOTE",
  "UL", "OL", "LI", "DL", "DT", "DD", "TABLE", "CAPTION", "THEAD", "TBODY", "TFOOT", "TR", "TH", "TD",
  "STRONG", "EM", "B", "I", "U", "SMALL", "SUB", "SUP", "CODE", "PRE", "BR", "HR", "ABBR", "TIME",
  "H1", "H2", "H3", "H4", "H5", "H6"]);
const dropTags = new Set(["SCRIPT", "STYLE", "TEMPLATE", "IFRAME", "FRAME", "OBJECT", "EMBED", "LINK", "META",
  "TITLE", "HEAD", "BASE", "FORM", "INPUT", "BUTTON", "SELECT", "TEXTAREA", "SVG", "MATH", "IMG", "VIDEO", "AUDIO", "NOSCRIPT"]);
const keepAttrs = new Set(["colspan", "rowspan", "scope", "datetime", "title", "lang"]);
function sanitizeInto(from, into) {
  for (const n of from.childNodes) {
    if (n.nodeType === Node.TEXT_NODE) { into.append(document.createTextNode(n.nodeValue)); continue; }
    if (n.nodeType !== Node.ELEMENT_NODE) continue;
    const tag = n.tagName.toUpperCase();
    if (dropTags.has(tag)) continue;
    if (!keepTags.has(tag)) { sanitizeInto(n, into); continue; }
    const h = /^H([1-6])$/.exec(tag);
    const out = document.createElement(h ? "h" + Math.min(6, Number(h[1]) + 2) : tag.toLowerCase());
    for (const a of n.attributes) if (keepAttrs.has(a.name.toLowerCase())) out.setAttribute(a.name, a.value);
    sanitizeInto(n, out);
    into.append(out);
  }
}

// ---- corrections ------------------------------------------------------------

async function correct(patchText, what) {
  if (!current) return;
  for (const b of ["correction-send", "correction-void"]) $(b).disabled = true;
  say("claim-msg", "Sending the " + what + "…");
  try {
    const {res, body} = await api("/v1/claims/" + encodeURIComponent(current.id) + "/corrections",
      {method: "POST", headers: {"Content-Type": "application/merge-patch+json"}, body: patchText});
    if (!res.ok || !body || !body.id) { say("claim-msg", what + " refused: " + problemText(res, body), false); return; }
    const warnings = (body.problems || []).filter((p) => p.severity === "warning").length;
    await openClaim(body.id, false);
    say("claim-msg", what + " stored: claim " + body.record_id + " " + label(body.status) +
      (pick(body, "control_numbers.interchange") ? ", interchange " + body.control_numbers.interchange : "") +
      ", " + warnings + (warnings === 1 ? " warning." : " warnings."), true);
    loadClaims(false);
    loadWorklist(false);
    loadAnalytics();
  } finally { for (const b of ["correction-send", "correction-void"]) $(b).disabled = !current; }
}
$("correction-form").addEventListener("submit", (ev) => {
  ev.preventDefault();
  const text = $("correction-patch").value.trim() || "{}";
  try { JSON.parse(text); } catch (e) { say("claim-msg", "The changes are not JSON: " + e.message, false); $("correction-patch").focus(); return; }
  correct(text, "Corrected claim");
});
$("correction-void").addEventListener("click", () => {
  if (window.confirm && !window.confirm("Void this claim with the payer?")) return;
  correct(JSON.stringify({frequency: "void"}), "Void");
});

// ---- worklist -----------------------------------------------------------------

let worklistCursor = null, worklistOpen = 0;

function codesText(codes) {
  return (codes || []).map((c) => (typeof c === "string" ? c : [c.group && c.code && !String(c.code).includes("-") ? c.group + "-" + c.code : c.code, c.text].filter(Boolean).join(" "))).join("; ");
}

function deadlineCell(v, today) {
  const d = day(v);
  if (d === "—") return el("td", {}, d);
  const late = d < today;
  return el("td", {class: late ? "bad" : ""}, el("time", {datetime: d}, d), late ? " (passed)" : "");
}

async function loadWorklist(more) {
  const my = ++seq.worklist;
  const tbody = $("worklist-table").tBodies[0];
  say("worklist-msg", "Loading the worklist…");
  const {res, body} = await api("/v1/worklist" + query({category: $("worklist-category").value, payer: $("worklist-payer").value, limit: 50, cursor: more ? worklistCursor : ""}));
  if (my !== seq.worklist) return;
  if (!more) { tbody.replaceChildren(); worklistCursor = null; worklistOpen = 0; }
  if (!res.ok) { say("worklist-msg", problemText(res, body), false); return; }
  const today = new Date().toISOString().slice(0, 10);
  for (const it of body.items || []) {
    const payer = pick(it, "payer");
    const amount = pick(it, "open_amount", "amount");
    worklistOpen += cents(amount) || 0;
    const tr = el("tr", {"data-claim": pick(it, "claim_id", "id")},
      el("td", {}, pick(it, "record_id") || "—"),
      el("td", {}, typeof payer === "object" ? [payer.name, payer.id].filter(Boolean).join(" · ") : (payer || "—")),
      el("td", {}, day(pick(it, "service_date"))),
      el("td", {class: "num"}, money(amount)),
      el("td", {}, label(pick(it, "category"))),
      el("td", {}, codesText(pick(it, "codes"))),
      el("td", {}, pick(it, "next_step") || "—"),
      deadlineCell(pick(it, "appeal_deadline", "deadlines.appeal"), today),
      deadlineCell(pick(it, "filing_deadline", "timely_filing_deadline", "deadlines.timely_filing", "deadlines.filing"), today));
    // opening an item also picks its finding for an appeal (numbered from 1)
    clickable(tr, "Open claim " + (pick(it, "record_id") || ""), () => {
      $("appeal-finding").value = Number.isInteger(it.finding) ? String(it.finding + 1) : "";
      openClaim(pick(it, "claim_id", "id"));
    });
    tbody.append(tr);
  }
  worklistCursor = body.next_cursor || null;
  $("worklist-more").hidden = !worklistCursor;
  const n = tbody.rows.length;
  say("worklist-msg", n === 0 ? "Nothing open." : n + (n === 1 ? " open item, " : " open items, ") + money((worklistOpen / 100).toFixed(2)) + " open" + (worklistCursor ? " (more available)." : "."), true);
}
$("worklist-form").addEventListener("submit", (ev) => { ev.preventDefault(); loadWorklist(false); });
$("worklist-more").addEventListener("click", () => loadWorklist(true));

// ---- analytics -------------------------------------------------------------------

// byCategory reads a "denied by category" member: an object {category: amount}
// or a list [{category, amount}].
function byCategory(v) {
  if (!v) return [];
  if (Array.isArray(v)) return v.map((x) => [x.category || x.code, pick(x, "amount", "denied", "denied_amount")]);
  return Object.entries(v).map(([k, x]) => [k, typeof x === "object" && x ? pick(x, "amount", "denied") : x]);
}

function payerName(r) {
  const p = pick(r, "payer");
  if (p && typeof p === "object") return [p.name, p.id].filter(Boolean).join(" · ") || "—";
  return p || pick(r, "payer_id") || "—";
}

// flagText names a payer's flags for people (the profile's threshold with
// below_threshold).
function flagText(p) {
  return (p.flags || []).map((f) => f === "below_threshold" ? "D9997 paid/billed below " + pct(p.threshold) + ": renegotiate"
    : f === "falling" ? "D9997 paid/billed falling quarter over quarter" : label(f)).join("; ");
}

async function loadAnalytics() {
  const my = ++seq.analytics;
  say("analytics-msg", "Loading analytics…");
  const tbody = $("analytics-table").tBodies[0], pbody = $("payers-table").tBodies[0];
  const {res, body} = await api("/v1/analytics" + query({from: $("analytics-from").value, to: $("analytics-to").value, payer: $("analytics-payer").value, code: $("analytics-code").value}));
  if (my !== seq.analytics) return;
  tbody.replaceChildren();
  pbody.replaceChildren();
  $("chart").replaceChildren();
  if (!res.ok) { say("analytics-msg", problemText(res, body), false); return; }
  const rows = pick(body, "rows") || [];
  const payers = pick(body, "payers") || [];
  const flags = new Map(payers.map((p) => [String(pick(p, "payer.id")), flagText(p)]));
  const perPayer = new Map();
  for (const r of rows) {
    const cats = byCategory(pick(r, "denied_by_category"));
    const p = payerName(r);
    const m = perPayer.get(p) || new Map();
    for (const [k, v] of cats) m.set(k, (m.get(k) || 0) + (cents(v) || 0));
    perPayer.set(p, m);
    const flag = flags.get(String(pick(r, "payer.id"))) || "";
    const days = pick(r, "median_days_to_payment");
    tbody.append(el("tr", {},
      el("th", {scope: "row"}, p),
      el("td", {}, pick(r, "code") || "—"),
      el("td", {class: "num"}, pick(r, "claims") ?? "—"),
      el("td", {class: "num"}, money(pick(r, "billed"))),
      el("td", {class: "num"}, money(pick(r, "allowed"))),
      el("td", {class: "num"}, money(pick(r, "paid"))),
      el("td", {class: "num"}, pct(pick(r, "paid_ratio"))),
      el("td", {class: "num"}, pct(pick(r, "denial_rate"))),
      el("td", {class: "num"}, money(pick(r, "denied_amount"))),
      el("td", {}, cats.map(([k, v]) => label(k) + " " + money(v)).join("; ") || "—"),
      el("td", {}, byCategory(pick(r, "denied_by_carc")).map(([k, v]) => k + " " + money(v)).join("; ") || "—"),
      el("td", {class: "num"}, days === undefined ? "—" : String(days)),
      el("td", {class: "num"}, (pick(r, "appeals_filed") ?? 0) + " / " + (pick(r, "appeals_won") ?? 0)),
      el("td", {class: flag ? "bad" : ""}, flag)));
  }
  for (const p of payers) {
    const f = flagText(p);
    pbody.append(el("tr", {},
      el("th", {scope: "row"}, payerName(p)),
      el("td", {class: "num"}, money(pick(p, "d9997_billed"))),
      el("td", {class: "num"}, money(pick(p, "d9997_paid"))),
      el("td", {class: "num"}, pct(pick(p, "d9997_paid_ratio"))),
      el("td", {class: "num"}, pct(pick(p, "threshold"))),
      el("td", {}, (p.quarters || []).map((q) => q.quarter + " " + pct(q.paid_ratio)).join("; ") || "—"),
      el("td", {class: f ? "bad" : ""}, f || "none")));
  }
  drawChart(perPayer);
  const nf = payers.filter((p) => (p.flags || []).length).length;
  say("analytics-msg", rows.length === 0 ? "No claims with an 835 in this range." :
    rows.length + (rows.length === 1 ? " row" : " rows") + " (payer and code), " + payers.length + (payers.length === 1 ? " payer, " : " payers, ") + nf + " flagged.", true);
}
$("analytics-form").addEventListener("submit", (ev) => { ev.preventDefault(); loadAnalytics(); });

// drawChart draws denied amount by category per payer as horizontal bars
// in inline SVG: one group per payer, one bar per category, each labelled
// with its amount (so the chart reads without colour).
function drawChart(perPayer) {
  const NS = "http://www.w3.org/2000/svg";
  const svgEl = (tag, attrs, text) => {
    const e = document.createElementNS(NS, tag);
    for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, String(v));
    if (text !== undefined) e.textContent = text;
    return e;
  };
  const payers = [...perPayer.entries()].filter(([, m]) => [...m.values()].some((v) => v > 0));
  const box = $("chart");
  if (payers.length === 0) { box.append(el("p", {class: "muted"}, "No denied amounts to chart.")); return; }
  let max = 0;
  for (const [, m] of payers) for (const v of m.values()) max = Math.max(max, v);
  const W = 720, left = 200, right = 110, rowH = 22, head = 24;
  const H = payers.reduce((h, [, m]) => h + head + [...m.values()].filter((v) => v > 0).length * rowH + 8, 8);
  const svg = svgEl("svg", {viewBox: `0 0 ${W} ${H}`, width: W, height: H, role: "img", "aria-labelledby": "chart-title", class: "chart"});
  const summary = payers.map(([p, m]) => p + ": " + [...m.entries()].filter(([, v]) => v > 0).map(([k, v]) => label(k) + " " + money((v / 100).toFixed(2))).join(", ")).join("; ");
  svg.append(svgEl("title", {id: "chart-title"}, "Denied amount by category per payer. " + summary));
  let y = 8;
  for (const [p, m] of payers) {
    svg.append(svgEl("text", {x: 0, y: y + 16, class: "payer"}, p));
    y += head;
    const cats = [...m.entries()].filter(([, v]) => v > 0).sort((a, b) => b[1] - a[1]);
    for (const [k, v] of cats) {
      const w = Math.max(2, Math.round((W - left - right) * v / max));
      const g = svgEl("g", {class: "bar-row"});
      g.append(svgEl("text", {x: left - 8, y: y + 15, "text-anchor": "end", class: "cat"}, label(k)));
      const rect = svgEl("rect", {x: left, y: y + 3, width: w, height: rowH - 6, rx: 2, class: "bar"});
      rect.append(svgEl("title", {}, p + " · " + label(k) + ": " + money((v / 100).toFixed(2))));
      g.append(rect);
      g.append(svgEl("text", {x: left + w + 6, y: y + 15, class: "amt"}, money((v / 100).toFixed(2))));
      svg.append(g);
      y += rowH;
    }
    y += 8;
  }
  box.append(svg);
}

// ---- developer tools (the stateless routes, and storing) --------------------------

const routes = {
  "check":   ["/v1/records/check", "application/json"],
  "837d":    ["/v1/claims/837d?newlines=true", "application/json"],
  "fhir":    ["/v1/claims/fhir", "application/json"],
  "fhir837": ["/fhir/Claim/$x12?newlines=true", "application/fhir+json"],
  "835":     ["/v1/remittances/findings", "application/edi-x12"],
  "835fhir": ["/v1/remittances/findings?format=fhir", "application/edi-x12"],
  "store":   ["/v1/claims", "application/json"],
  "remit":   ["/v1/remittances", "application/edi-x12"],
};
// a file chosen from disk fills the input and picks the likely action
document.getElementById("file").addEventListener("change", async (ev) => {
  const f = ev.target.files[0];
  if (!f) return;
  const text = await f.text();
  document.getElementById("input").value = text;
  const action = document.getElementById("action");
  const head = text.trimStart();
  if (head.startsWith("ISA")) { if (action.value !== "remit") action.value = "835"; }
  else if (/"resourceType"\s*:/.test(head)) action.value = "fhir837";
  else if (head.startsWith("{") && !action.value.match(/^(check|837d|fhir|store)$/)) action.value = "check";
});
document.getElementById("go").addEventListener("click", async () => {
  const which = document.getElementById("action").value;
  const [url, type] = routes[which];
  const status = document.getElementById("status"), out = document.getElementById("output");
  status.textContent = "…"; status.className = "";
  try {
    const {res, body} = await api(url, {method: "POST", headers: {"Content-Type": type}, body: document.getElementById("input").value});
    const text = typeof body === "string" ? body : JSON.stringify(body, null, 2);
    const w = res.headers.get("Casebridge-Warnings");
    status.textContent = res.status + " " + res.statusText + (w ? " · " + w + " warning(s)" : "") +
      (which === "store" && body && body.id ? " · claim " + body.record_id + " " + body.status : "") +
      (which === "remit" && body && body.id ? " · " + body.claims + " claim(s), " + body.matched + " matched" : "");
    status.className = res.ok ? "ok" : "bad";
    out.textContent = text;
    if (res.ok && (which === "store" || which === "remit")) {
      loadClaims(false);
      loadWorklist(false);
      loadAnalytics();
      if (current) openClaim(current.id, false);
    }
  } catch (e) { status.textContent = "request failed"; status.className = "bad"; }
});

// ---- start -----------------------------------------------------------------------

function refreshAll() {
  loadClaims(false);
  loadWorklist(false);
  loadAnalytics();
}
showAuth();
refreshAll();
