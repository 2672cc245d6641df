// End-to-end check of the developer page in headless Chromium: it starts
// from GET /, sends a case record, an 835 and a FHIR Claim through the page's
// own form, and checks the status the page shows. Usage:
//   node .ci/page-e2e.js http://127.0.0.1:PORT   (NODE_PATH must hold playwright-core)
const { chromium } = require('playwright-core');
const fs = require('fs');
const base = process.argv[2];
const cases = [
  ['837d', 'testdata/records/dependent.json', /^200/],
  ['check', 'testdata/records-invalid/scrub-errors.json', /^200/],
  ['fhir', 'testdata/records/self.json', /^200/],
  ['835', 'testdata/835/d9997_dental.x12', /^200/],
  ['835fhir', 'testdata/835/d9997_dental.x12', /^200/],
  ['fhir837', 'testdata/fhir/Claim-100155.json', /^422/],
  ['837d', 'testdata/records-invalid/scrub-errors.json', /^422/],
];
(async () => {
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
           '--disable-background-networking', '--disable-component-update', '--disable-sync'] });
  const page = await browser.newPage();
  let failed = 0;
  // the page must run under its own Content-Security-Policy: a blocked
  // script, style or fetch is a failure
  page.on('console', (m) => {
    if (m.type() === 'error' && /Content Security Policy/i.test(m.text())) { failed++; console.log(`FAIL CSP: ${m.text()}`); }
  });
  const res = await page.goto(base + '/');
  const h = res.headers();
  if (!/frame-ancestors 'none'/.test(h['content-security-policy'] || '') || h['referrer-policy'] !== 'no-referrer') {
    failed++;
    console.log(`FAIL headers of /: ${h['content-security-policy']} / ${h['referrer-policy']}`);
  }
  for (const [action, file, want] of cases) {
    await page.evaluate(() => { document.getElementById('status').textContent = ''; });
    await page.selectOption('#action', action);
    await page.fill('#input', fs.readFileSync(file, 'utf8'));
    await page.click('#go');
    await page.waitForFunction(() => /^\d{3} /.test(document.getElementById('status').textContent), null, { timeout: 10000 });
    const status = await page.textContent('#status');
    const ok = want.test(status) && (await page.textContent('#output')).length > 0;
    if (!ok) failed++;
    console.log(`${ok ? 'ok  ' : 'FAIL'} ${action} ${file}: ${status}`);
  }
  // a file opened from disk fills the input and picks the action
  for (const [file, wantAction, want] of [['testdata/835/loop_dependent.x12', '835', /^200/], ['testdata/fhir/ehr/claim-contained.json', 'fhir837', /^200/]]) {
    await page.evaluate(() => { document.getElementById('status').textContent = ''; });
    await page.setInputFiles('#file', file);
    await page.waitForFunction((a) => document.getElementById('action').value === a, wantAction, { timeout: 5000 }).catch(() => {});
    const action = await page.inputValue('#action');
    await page.click('#go');
    await page.waitForFunction(() => /^\d{3} /.test(document.getElementById('status').textContent), null, { timeout: 10000 });
    const status = await page.textContent('#status');
    const ok = action === wantAction && want.test(status);
    if (!ok) failed++;
    console.log(`${ok ? 'ok  ' : 'FAIL'} open ${file} → ${action}: ${status}`);
  }
  await browser.close();
  console.log(`${cases.length + 2 - failed} passed, ${failed} failed`);
  process.exit(failed ? 1 : 0);
})().catch(e => { console.error(e); process.exit(1); });
