// Every generated page of every sample municipality in every language passes the Nu Html
// Checker (npm vnu-jar) with 0 errors. One JVM checks all files at once.
"use strict";

const { test } = require("node:test");
const assert = require("node:assert/strict");
const { spawnSync } = require("node:child_process");
const fs = require("node:fs");
const path = require("node:path");

const { E2E, buildSite, listPages } = require("./lib/harness");

test("Nu Html Checker: 0 errors on every generated page", () => {
  // The base only shapes the action/CSP URLs; nothing is served here.
  const dist = buildSite("http://127.0.0.1:8999");
  try {
    const site = path.join(dist, "site");
    const pages = listPages(site);
    assert.ok(pages.length > 0, "the build produced no pages");
    const municipalities = new Set(pages.map((p) => p.municipality));
    assert.ok(municipalities.size >= 3, `expected the 3 sample municipalities, got ${[...municipalities]}`);
    const jar = path.join(E2E, "node_modules", "vnu-jar", "build", "dist", "vnu.jar");
    assert.ok(fs.existsSync(jar), `${jar} is missing: run npm ci in tests/e2e`);
    const r = spawnSync(
      "java",
      ["-jar", jar, "--format", "json", "--errors-only", ...pages.map((p) => p.file)],
      { encoding: "utf8", maxBuffer: 64 * 1024 * 1024 },
    );
    if (r.error) throw r.error;
    // vnu writes its JSON report to stderr and exits 1 when it found errors.
    const report = JSON.parse(r.stderr || r.stdout || "{}");
    const errors = (report.messages || []).filter((m) => m.type === "error" || m.subType === "fatal");
    const lines = errors.map((m) => {
      const file = path.relative(site, decodeURIComponent(m.url.replace(/^file:/, "")));
      return `${file}:${m.lastLine}:${m.firstColumn ?? m.lastColumn}: ${m.message}\n    ${JSON.stringify(m.extract || "")}`;
    });
    console.log(`vnu checked ${pages.length} pages of ${municipalities.size} municipalities: ${errors.length} errors`);
    assert.equal(errors.length, 0, `Nu Html Checker errors:\n${lines.join("\n")}`);
    assert.ok([0, 1].includes(r.status), `vnu exited with ${r.status}: ${r.stderr.slice(0, 2000)}`);
  } finally {
    fs.rmSync(dist, { recursive: true, force: true });
  }
});
