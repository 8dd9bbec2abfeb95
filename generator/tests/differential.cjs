// Runs the page script's rules (site.js) over the cases the Rust test generated and writes the
// verdicts: node differential.cjs <site.js> <cases.json> <out.json>
"use strict";
const fs = require("fs");
const Rules = require(process.argv[2]);
const input = JSON.parse(fs.readFileSync(process.argv[3], "utf8"));
const out = input.cases.map((c) => {
  const r = Rules.validateAll(input.data, c.data, c.today);
  const out = { errors: r.errors.map((e) => [e.field, e.code, Rules.message(input.data, e)]), clean: r.clean, blocks: r.blocks };
  if (r.errors.length === 0) {
    out.due = Rules.amountDue(input.data, r.clean, c.today);
    out.total = Rules.money(out.due.total_cents, input.data.money);
  }
  return out;
});
fs.writeFileSync(process.argv[4], JSON.stringify(out));
