// Independent cross-check of our 837D golden files with node-x12 (npm):
// it parses each file in strict mode (delimiters, ISA13/IEA02) and we check
// the counts and control-number pairs on its tree, not ours.
const { X12Parser } = require('node-x12');
const fs = require('fs');
let bad = 0;
const el = (seg, i) => seg.elements[i - 1].value;
for (const f of process.argv.slice(2)) {
  try {
    const ic = new X12Parser(true).parse(fs.readFileSync(f, 'utf8'));
    const problems = [];
    if (Number(el(ic.trailer, 1)) !== ic.functionalGroups.length) problems.push('IEA01');
    for (const g of ic.functionalGroups) {
      if (Number(el(g.trailer, 1)) !== g.transactions.length) problems.push('GE01');
      if (el(g.header, 6) !== el(g.trailer, 2)) problems.push('GS06/GE02');
      for (const ts of g.transactions) {
        if (Number(el(ts.trailer, 1)) !== ts.segments.length + 2) problems.push('SE01');
        if (el(ts.header, 2) !== el(ts.trailer, 2)) problems.push('ST02/SE02');
        if (el(ts.header, 1) !== '837' || el(ts.header, 3) !== '005010X224A2') problems.push('ST01/ST03');
      }
    }
    if (problems.length) { bad++; console.log(`FAIL ${f}: ${problems.join(', ')}`); }
    else console.log(`ok   ${f}`);
  } catch (e) { bad++; console.log(`FAIL ${f}: ${e.message}`); }
}
console.log(`${process.argv.length - 2 - bad} passed, ${bad} failed`);
process.exit(bad ? 1 : 0);
