// Runs the page script's rules (site.js, and the amount due of fees.js, which a form page loads
// on its check-your-answers step) over the cases the Rust test generated and writes the
// verdicts: node differential.cjs <site.js> <fees.js> <cases.json> <out.json>
"use strict";
const fs = require("fs");
const Rules = require(process.argv[2]);
const Fees = require(process.argv[3]);
const input = JSON.parse(fs.readFileSync(process.argv[4], "utf8"));
const out = input.cases.map((c) => {
  const r = Rules.validateAll(input.data, c.data, c.today);
  const out = { errors: r.errors.map((e) => [e.field, e.code, Rules.message(input.data, e)]), clean: r.clean, blocks: r.blocks };
  if (r.errors.length === 0) {
    out.due = Fees.amountDue(input.data, r.clean, Rules.holds);
    out.total = Fees.money(out.due.total_cents, input.data.money);
  }
  return out;
});
fs.writeFileSync(process.argv[5], JSON.stringify(out));
