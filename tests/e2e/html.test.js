// Every generated page of every sample municipality in every language passes the Nu Html
// Checker (npm vnu-jar) with 0 errors. One JVM checks all files at once.
"use strict";

const { test } = require("node:test");
const assert = require("node:assert/strict");
const fs = require("node:fs");
const path = require("node:path");

const { buildSite, listPages, vnuErrors } = require("./lib/harness");

test("Nu Html Checker: 0 errors on every generated page", () => {
  // The base only shapes the action/CSP URLs; nothing is served here.
  const dist = buildSite("http://127.0.0.1:8999");
  try {
    const site = path.join(dist, "site");
    const pages = listPages(site);
    assert.ok(pages.length > 0, "the build produced no pages");
    const municipalities = new Set(pages.map((p) => p.municipality));
    assert.ok(municipalities.size >= 3, `expected the 3 sample municipalities, got ${[...municipalities]}`);
    const r = vnuErrors(pages.map((p) => p.file), site);
    console.log(`vnu checked ${pages.length} pages of ${municipalities.size} municipalities: ${r.errors.length} errors`);
    assert.equal(r.errors.length, 0, `Nu Html Checker errors:\n${r.errors.join("\n")}`);
    assert.ok([0, 1].includes(r.status), `vnu exited with ${r.status}: ${r.stderr.slice(0, 2000)}`);
    // Browsers compile a pattern attribute as ^(?:pattern)$ with the flag v (HTML standard);
    // one that does not compile is silently ignored, so visitors without JavaScript would get
    // no check at all. form-model's lint refuses such patterns; this proves it on the output.
    const broken = [];
    let patterns = 0;
    for (const p of pages) {
      const html = fs.readFileSync(p.file, "utf8");
      for (const m of html.matchAll(/\spattern="([^"]*)"/g)) {
        patterns += 1;
        const pattern = m[1]
          .replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, "<")
          .replace(/&gt;/g, ">").replace(/&amp;/g, "&");
        try { new RegExp(`^(?:${pattern})$`, "v"); } catch (e) { broken.push(`${p.file}: ${pattern}: ${e.message}`); }
      }
    }
    assert.ok(patterns > 0, "no page has a pattern attribute");
    assert.deepEqual(broken, [], "pattern attributes the browser cannot compile with flag v");
  } finally {
    fs.rmSync(dist, { recursive: true, force: true });
  }
});
