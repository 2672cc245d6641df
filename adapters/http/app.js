// The developer page's script, served as /app.js: the page has no inline
// script, so its Content-Security-Policy can be script-src 'self'.
"use strict";
const routes = {
  "check":   ["/v1/records/check", "application/json"],
  "837d":    ["/v1/claims/837d?newlines=true", "application/json"],
  "fhir":    ["/v1/claims/fhir", "application/json"],
  "fhir837": ["/fhir/Claim/$x12?newlines=true", "application/fhir+json"],
  "835":     ["/v1/remittances/findings", "application/edi-x12"],
  "835fhir": ["/v1/remittances/findings?format=fhir", "application/edi-x12"],
};
// a file chosen from disk fills the input and picks the likely action
document.getElementById("file").addEventListener("change", async (ev) => {
  const f = ev.target.files[0];
  if (!f) return;
  const text = await f.text();
  document.getElementById("input").value = text;
  const action = document.getElementById("action");
  const head = text.trimStart();
  if (head.startsWith("ISA")) action.value = "835";
  else if (/"resourceType"\s*:/.test(head)) action.value = "fhir837";
  else if (head.startsWith("{") && !action.value.match(/^(check|837d|fhir)$/)) action.value = "check";
});
document.getElementById("go").addEventListener("click", async () => {
  const [url, type] = routes[document.getElementById("action").value];
  const status = document.getElementById("status"), out = document.getElementById("output");
  status.textContent = "…"; status.className = "";
  try {
    const res = await fetch(url, {method: "POST", headers: {"Content-Type": type}, body: document.getElementById("input").value});
    let text = await res.text();
    try { text = JSON.stringify(JSON.parse(text), null, 2); } catch (e) {}
    const w = res.headers.get("Casebridge-Warnings");
    status.textContent = res.status + " " + res.statusText + (w ? " · " + w + " warning(s)" : "");
    status.className = res.ok ? "ok" : "bad";
    out.textContent = text;
  } catch (e) { status.textContent = "request failed"; status.className = "bad"; }
});
