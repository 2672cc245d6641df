// node-x12's stream parse of one X12 file, the way its README shows it
// (X12Parser as a transform stream fed by fs.createReadStream), counting
// segments and CLPs instead of keeping them: the reference scripts/bench
// compares casebridge with. Usage: node scripts/node-x12-stream.js FILE
const { X12Parser } = require('node-x12')
const fs = require('fs')
const parser = new X12Parser() // strict mode throws at the end of every stream (its _flush)
let segments = 0
let claims = 0
fs.createReadStream(process.argv[2])
  .pipe(parser)
  .on('data', seg => {
    segments++
    if (seg.tag === 'CLP') claims++
  })
  .on('error', e => { console.error(e.message); process.exit(1) })
  .on('end', () => { console.log(JSON.stringify({ segments, claims })) })
