// End-to-end check of the web console in headless Chromium, from GET / on a
// gateway with an empty store. Usage:
//   CASEBRIDGE_BIN=./casebridge CASEBRIDGE_DATA_DIR=DIR node .ci/page-e2e.js http://127.0.0.1:PORT
// (NODE_PATH must hold playwright-core; CASEBRIDGE_BIN and CASEBRIDGE_DATA_DIR
// are the served binary and its data directory, used last to create an API
// key and check the console's key mode; without them that part is skipped).
//
// 1. the page: headers, landmarks, a label on every control, keyboard focus;
// 2. the developer tools on the stateless routes (as before the console);
// 3. the denial-to-payment loop through the console's own controls: store a
//    record, store an 835 that denies it, the worklist row (amount, category,
//    deadlines), the claim's timeline opened by keyboard, the analytics row
//    and its bar chart, the appeal (letter preview and PDF download), the
//    corrected claim — asserting the numbers the page shows;
// 4. key mode: a 401 named on the page, then the key sent as Bearer.
// Screenshots (and the downloaded PDF) go to a new temp dir whose path is
// printed, or to CASEBRIDGE_E2E_SHOTS: CI artifacts, never committed.
const { chromium } = require('playwright-core');
const fs = require('fs');
const os = require('os');
const path = require('path');
const { execFileSync } = require('child_process');

const base = process.argv[2];
const shots = process.env.CASEBRIDGE_E2E_SHOTS || fs.mkdtempSync(path.join(os.tmpdir(), 'casebridge-console-'));
fs.mkdirSync(shots, { recursive: true });
let failed = 0, passed = 0;
function check(name, ok, detail) {
  if (ok) passed++; else failed++;
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${name}${!ok && detail !== undefined ? ': ' + JSON.stringify(detail) : ''}`);
}

// The 835 that denies the sample record CM000123 (testdata/records/self.json,
// one D9997 line of 120.00 on 2026-11-02), the appeals tests' fixture: CLP02
// 4 with CO-16 and remark M127 (documentation), payer claim number
// ICN0201CM123, 835 dated 2026-11-20 (BPR16) and produced 2026-11-19
// (DTM*405), payer EXDP1.
const denial835 = fs.readFileSync('testdata/appeals/denial_cm000123.x12', 'utf8');
const PCN = 'ICN0201CM123';

// the stateless developer tools, as the page had them
const devCases = [
  ['837d', 'testdata/records/dependent.json', /^200/],
  ['check', 'testdata/records-invalid/scrub-errors.json', /^200/],
  ['fhir', 'testdata/records/self.json', /^200/],
  ['835', 'testdata/835/d9997_dental.x12', /^200/],
  ['835fhir', 'testdata/835/d9997_dental.x12', /^200/],
  ['fhir837', 'testdata/fhir/Claim-100155.json', /^422/],
  ['837d', 'testdata/records-invalid/scrub-errors.json', /^422/],
];

const text = (page, sel) => page.textContent(sel).then((t) => (t || '').replace(/\s+/g, ' ').trim());
const rows = (page, sel) => page.$$eval(sel + ' tbody tr', (trs) => trs.map((tr) => [...tr.cells].map((c) => c.textContent.replace(/\s+/g, ' ').trim())));
async function waitText(page, sel, re, timeout) {
  try {
    await page.waitForFunction(([s, src, flags]) => {
      const e = document.querySelector(s);
      return e && new RegExp(src, flags).test(e.textContent.replace(/\s+/g, ' '));
    }, [sel, re.source, re.flags], { timeout: timeout || 10000 });
    return true;
  } catch (e) { return false; }
}
// stage runs a part of the loop; an exception (a control that never
// appeared) is one failure, and the later parts still run and report.
async function stage(name, fn) {
  try { await fn(); } catch (e) { check(`${name}: ${e.message.split('\n')[0]}`, false); }
}
let shot = 0;
async function snap(page, name) {
  const file = path.join(shots, `${String(++shot).padStart(2, '0')}-${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
}

async function devTool(page, action, body) {
  await page.evaluate(() => { document.getElementById('status').textContent = ''; });
  await page.selectOption('#action', action);
  await page.fill('#input', body);
  await page.click('#go');
  await page.waitForFunction(() => /^\d{3} /.test(document.getElementById('status').textContent), null, { timeout: 10000 });
  return text(page, '#status');
}

(async () => {
  console.log(`screenshots: ${shots}`);
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
           '--disable-background-networking', '--disable-component-update', '--disable-sync'] });
  const context = await browser.newContext({ acceptDownloads: true, viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  page.setDefaultTimeout(10000);
  // the page must run under its own Content-Security-Policy: a blocked
  // script, style or fetch is a failure, and so is any script error
  page.on('console', (m) => {
    if (m.type() === 'error' && /Content Security Policy/i.test(m.text())) check(`no CSP violation (${m.text()})`, false);
  });
  page.on('pageerror', (e) => check(`no script error (${e.message})`, false));

  // ---- 1. the page ----
  const res = await page.goto(base + '/');
  const h = res.headers();
  check('CSP frame-ancestors none and no-referrer on /',
    /frame-ancestors 'none'/.test(h['content-security-policy'] || '') && h['referrer-policy'] === 'no-referrer', h);
  check('landmarks: header, nav, main, one h1', await page.evaluate(() =>
    !!document.querySelector('header') && !!document.querySelector('nav[aria-label]') && !!document.querySelector('main') &&
    document.querySelectorAll('h1').length === 1));
  const unlabelled = await page.evaluate(() => [...document.querySelectorAll('input, select, textarea, button')]
    .filter((e) => e.type !== 'hidden' && !(e.labels && e.labels.length) && !e.getAttribute('aria-label') && !(e.textContent || '').trim())
    .map((e) => e.id || e.outerHTML.slice(0, 60)));
  check('every control has a label', unlabelled.length === 0, unlabelled);
  await page.keyboard.press('Tab');
  check('Tab first reaches the skip link', await page.evaluate(() => document.activeElement && document.activeElement.classList.contains('skip')));
  check('claims list loads empty', await waitText(page, '#claims-msg', /No claims match/));
  check('worklist loads empty', await waitText(page, '#worklist-msg', /Nothing open/), await text(page, '#worklist-msg'));
  await snap(page, 'empty');

  // ---- 2. developer tools ----
  for (const [action, file, want] of devCases) {
    const status = await devTool(page, action, fs.readFileSync(file, 'utf8'));
    check(`dev ${action} ${file}: ${status}`, want.test(status) && (await page.textContent('#output')).length > 0);
  }
  for (const [file, wantAction, want] of [['testdata/835/loop_dependent.x12', '835', /^200/], ['testdata/fhir/ehr/claim-contained.json', 'fhir837', /^200/]]) {
    await page.evaluate(() => { document.getElementById('status').textContent = ''; });
    await page.selectOption('#action', 'check');
    await page.setInputFiles('#file', file);
    await page.waitForFunction((a) => document.getElementById('action').value === a, wantAction, { timeout: 5000 }).catch(() => {});
    const action = await page.inputValue('#action');
    await page.click('#go');
    await page.waitForFunction(() => /^\d{3} /.test(document.getElementById('status').textContent), null, { timeout: 10000 });
    const status = await text(page, '#status');
    check(`dev open ${file} → ${action}: ${status}`, action === wantAction && want.test(status));
  }

  // ---- 3. the loop ----
  // a record stored through the console
  let status = await devTool(page, 'store', fs.readFileSync('testdata/records/self.json', 'utf8'));
  check(`store the record: ${status}`, /^201 .*claim CM000123 submitted/.test(status), status);
  check('claims list shows 1 claim', await waitText(page, '#claims-msg', /^1 claim shown/), await text(page, '#claims-msg'));
  let claims = await rows(page, '#claims-table');
  check('the claim row: CM000123 submitted, a 9-digit interchange number', claims.length === 1 && claims[0][0] === 'CM000123' &&
    claims[0][1] === 'submitted' && /^\d{9}$/.test(claims[0][3]), claims);
  const originalId = claims[0] && claims[0][5];

  // the 835 that denies it
  status = await devTool(page, 'remit', denial835);
  check(`store the 835: ${status}`, /^201 .*1 claim\(s\), 1 matched/.test(status), status);
  check('claims filter "denied" shows it', await (async () => {
    await page.selectOption('#claims-status', 'denied');
    return waitText(page, '#claims-msg', /^1 claim shown/);
  })(), await text(page, '#claims-msg'));
  claims = await rows(page, '#claims-table');
  check('the denied claim carries the payer claim number', claims.length === 1 && claims[0][1] === 'denied' && claims[0][2] === PCN, claims);
  await page.selectOption('#claims-status', 'submitted');
  check('claims filter "submitted" shows none', await waitText(page, '#claims-msg', /No claims match/));
  await page.selectOption('#claims-status', '');

  // the worklist
  check('worklist: 1 open item, $120.00 open', await waitText(page, '#worklist-msg', /^1 open item, \$120\.00 open/), await text(page, '#worklist-msg'));
  const wl = await rows(page, '#worklist-table');
  const w = wl[0] || [];
  check('worklist row: CM000123, Example Dental Plan, 2026-11-02, $120.00, documentation, CO-16',
    wl.length === 1 && w[0] === 'CM000123' && /EXDP1|Example Dental Plan/i.test(w[1]) && w[2] === '2026-11-02' && w[3] === '$120.00' &&
    w[4] === 'documentation' && /CO-16/.test(w[5]) && /M127/.test(w[5]) && w[6].length > 20, w);
  // deadlines from the default profile: appeal = the 835's date + 180 days,
  // timely filing = the service date + 365 days
  // (README "From denial to payment": the appeal deadline counts from the
  // 835's payment date, BPR16 2026-11-20)
  check('worklist deadlines: appeal 2027-05-19 (2026-11-20 + 180 days), filing 2027-11-02 (2026-11-02 + 365 days)',
    w[7] === '2027-05-19' && w[8] === '2027-11-02', [w[7], w[8]]);
  await snap(page, 'worklist');

  // the claim opened from the worklist by keyboard
  // (without a worklist row the claim is opened from the claims list, so the
  // rest of the loop still runs and reports)
  // (keyboard only: from the list's last button, Tab reaches the first row)
  const fromWorklist = !!(await page.$('#worklist-table tbody tr'));
  await page.focus(fromWorklist ? '#worklist-load' : '#claims-load');
  await page.keyboard.press('Tab');
  check('Tab from the list\'s button reaches its first row', await page.evaluate((t) =>
    document.activeElement === document.querySelector(t + ' tbody tr'), fromWorklist ? '#worklist-table' : '#claims-table'));
  check('a worklist row shows a visible focus', await page.evaluate(() => getComputedStyle(document.activeElement).outlineStyle !== 'none'));
  await page.keyboard.press('Enter');
  check('Enter on the row opens the claim: denied, 3 events', await waitText(page, '#claim-msg', /Claim CM000123: denied, 3 events/), await text(page, '#claim-msg'));
  if (fromWorklist) check('the worklist item picks its finding for the appeal (1)', (await page.inputValue('#appeal-finding')) === '1', await page.inputValue('#appeal-finding'));
  const kinds = await page.$$eval('#timeline > li', (lis) => lis.map((li) => li.dataset.kind));
  check('timeline: stored, 837d_generated, remittance', kinds.join() === 'stored,837d_generated,remittance', kinds);
  const remit = await text(page, '#timeline > li[data-kind="remittance"]');
  check('remittance event: denied, paid $0.00 of $120.00, documentation $120.00',
    /denied: paid \$0\.00 of \$120\.00/.test(remit) && remit.includes('payer claim number ' + PCN) && /documentation \$120\.00 \(CO-16, M127\)/.test(remit), remit);
  const summary = await text(page, '#claim-summary');
  check('claim summary: billed $120.00, payer EXDP1', /Billed\s*\$120\.00/.test(summary) && /EXDP1/.test(summary), summary);
  await snap(page, 'claim');

  // analytics and its chart
  await page.click('#analytics-load');
  check('analytics: 1 row', await waitText(page, '#analytics-msg', /^1 row/), await text(page, '#analytics-msg'));
  const an = (await rows(page, '#analytics-table'))[0] || [];
  // Payer, Code, Claims, Billed, Allowed, Paid, Paid/billed, Denial rate, Denied, by category
  check('analytics row: D9997, 1 claim, billed $120.00, paid $0.00, 0.0%, denial rate 100.0%, denied $120.00',
    /EXDP1|Example Dental Plan/i.test(an[0]) && an[1] === 'D9997' && an[2] === '1' && an[3] === '$120.00' && an[5] === '$0.00' &&
    an[6] === '0.0%' && an[7] === '100.0%' && an[8] === '$120.00' && /documentation \$120\.00/.test(an[9]) &&
    /(^|CO-)16 \$120\.00/.test(an[10]) && an[12] === '0 / 0', an);
  const payers = (await rows(page, '#payers-table'))[0] || [];
  check('payer row: D9997 billed $120.00, paid $0.00, 0.0% against 50.0%, flagged below the threshold',
    payers[1] === '$120.00' && payers[2] === '$0.00' && payers[3] === '0.0%' && payers[4] === '50.0%' && /below 50\.0%/.test(payers[6]), payers);
  check('the analytics row carries the payer flag', /renegotiate/.test(an[13] || ''), an[13]);
  const bars = await page.$$eval('#chart svg .bar-row', (gs) => gs.map((g) => [...g.querySelectorAll('text')].map((t) => t.textContent)));
  check('bar chart: one bar, documentation $120.00', bars.length === 1 && bars[0][0] === 'documentation' && bars[0][1] === '$120.00', bars);
  const barWidth = await page.$eval('#chart svg rect.bar', (r) => Number(r.getAttribute('width'))).catch(() => 0);
  check('the largest bar spans the plot width', barWidth > 300, barWidth);
  await page.locator('#analytics').screenshot({ path: path.join(shots, `${String(++shot).padStart(2, '0')}-analytics.png`) });

  // the appeal: letter preview and PDF
  await page.fill('#appeal-notes', 'Records enclosed.');
  await page.click('#appeal-create');
  check('appeal 1 created', await waitText(page, '#appeal-msg', /^Appeal 1 \(documentation\)/, 15000), [await text(page, '#appeal-msg'), await text(page, '#claim-msg')]);
  const letter = await text(page, '#appeal-letter');
  check('the letter names the claim, the payer claim number, the denial code and the amount',
    /CM000123/.test(letter) && letter.includes(PCN) && /16/.test(letter) && /120\.00/.test(letter), letter.slice(0, 300));
  check('the letter preview runs no script and keeps no style or link', await page.evaluate(() =>
    !document.querySelector('#appeal-letter script, #appeal-letter style, #appeal-letter link, #appeal-letter iframe, #appeal-letter [style]')));
  const checklist = await page.$$eval('#appeal-checklist li', (lis) => lis.map((li) => li.textContent));
  check('the checklist: 6 items, all present', checklist.length === 6 && checklist.every((c) => /: present$/.test(c)), checklist);
  const appealSummary = await text(page, '#appeal-summary');
  check('the appeal: $120.00 appealed, CO-16 and M127, attachment ATT000123',
    /Amount appealed\s*\$120\.00/.test(appealSummary) && /CO-16 /.test(appealSummary) && /M127 /.test(appealSummary) && /ATT000123/.test(appealSummary), appealSummary);
  check('the timeline now has the appeal event', await waitText(page, '#claim-msg', /CM000123: denied, 4 events/), await text(page, '#claim-msg'));
  await snap(page, 'appeal');
  await page.click('#analytics-load');
  await waitText(page, '#analytics-msg', /^1 row/);
  const an2 = (await rows(page, '#analytics-table'))[0] || [];
  check('analytics after the appeal: appeals filed / won 1 / 0', an2[12] === '1 / 0', an2);
  await stage('the PDF download', async () => {
    const [download] = await Promise.all([page.waitForEvent('download', { timeout: 15000 }), page.click('#appeal-pdf')]);
    const pdfPath = path.join(shots, download.suggestedFilename());
    await download.saveAs(pdfPath);
    const pdf = fs.readFileSync(pdfPath);
    check(`PDF downloaded as ${download.suggestedFilename()}: ${pdf.length} bytes, %PDF-`, pdf.subarray(0, 5).toString() === '%PDF-' && pdf.length > 500);
    check('the page says the PDF size', await waitText(page, '#appeal-msg', new RegExp(`PDF downloaded \\(${pdf.length} bytes\\)`)), await text(page, '#appeal-msg'));
  });

  await stage('the corrected claim', async () => {
    // the corrected claim
    await page.fill('#correction-patch', JSON.stringify({ narrative: 'Case management for a patient with autism spectrum disorder: the case log and the desensitization plan are enclosed.' }));
    await page.click('#correction-send');
    check('corrected claim stored: CM000123 submitted', await waitText(page, '#claim-msg', /^Corrected claim stored: claim CM000123 submitted, interchange \d{9}/, 15000), await text(page, '#claim-msg'));
    const corrected = await text(page, '#claim-summary');
    check('the replacement: frequency replacement, billed $120.00',
      /Frequency\s*replacement/.test(corrected) && /Billed\s*\$120\.00/.test(corrected), corrected);
    const stored = await text(page, '#timeline > li[data-kind="stored"]');
    check('the replacement\'s stored event names the original', originalId && stored.includes(originalId), stored);
    check('claims list: 2 claims', await waitText(page, '#claims-msg', /^2 claims shown/), await text(page, '#claims-msg'));
    check('the worklist is empty once the correction is filed', await waitText(page, '#worklist-msg', /^Nothing open/), await text(page, '#worklist-msg'));
    await snap(page, 'corrected');
    // the original now shows the correction
    await page.focus('#claims-load');
    for (let i = 0; i < 3 && !(await page.evaluate((id) => document.activeElement.dataset.claim === id, originalId)); i++) await page.keyboard.press('Tab');
    await page.keyboard.press(' ');
    check('Space on the original row: its timeline has the correction',
      await waitText(page, '#timeline', /correction.*replacement stored as/), await text(page, '#timeline'));
  });

  // ---- 4. key mode ----
  if (process.env.CASEBRIDGE_BIN && process.env.CASEBRIDGE_DATA_DIR) {
    const key = execFileSync(process.env.CASEBRIDGE_BIN, ['keys', 'create', '--tenant', 'console-e2e', '--label', 'e2e'],
      { env: process.env, encoding: 'utf8' }).trim().split('\n').pop().trim();
    // A key made by another process takes effect within the gateway's
    // --auth-recheck bound (default 1 s, README "Service of record"): wait it out.
    await new Promise((r) => setTimeout(r, 1500));
    await page.reload();
    check('with keys and none given, the page names the 401', await waitText(page, '#claims-msg', /^401: this gateway needs an API key/), await text(page, '#claims-msg'));
    await page.fill('#apikey', key);
    await page.press('#apikey', 'Enter');
    check('with the key (Bearer), the new tenant\'s empty list', await waitText(page, '#claims-msg', /No claims match/), await text(page, '#claims-msg'));
    check('the key is kept in sessionStorage, not in the field', await page.evaluate((k) => sessionStorage.getItem('casebridge.apiKey') === k && document.getElementById('apikey').value === '', key));
    await page.reload();
    check('after a reload the key is still used', await waitText(page, '#claims-msg', /No claims match/) && /key is in use/.test(await text(page, '#auth-state')));
    await snap(page, 'key-mode');
  } else console.log('skip key mode (CASEBRIDGE_BIN, CASEBRIDGE_DATA_DIR unset)');

  await browser.close();
  console.log(`${passed} passed, ${failed} failed; screenshots in ${shots}`);
  process.exit(failed ? 1 : 0);
})().catch((e) => { console.error(e); console.log(`screenshots in ${shots}`); process.exit(1); });
