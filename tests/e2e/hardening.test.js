// Hardening as the browser enforces it: every page of every municipality, loaded with
// JavaScript, breaks no rule of its Content-Security-Policy, asks nothing from another origin,
// loads every asset it names and logs no error. On form pages the wizard is exercised too
// (Continue with nothing answered shows the error summary and the error lines), since that is
// where the script changes the page.
"use strict";

const { test } = require("node:test");
const assert = require("node:assert/strict");

const { pool, siteHooks } = require("./lib/harness");

let site;
let browser;
siteHooks((e) => ({ site, browser } = e));

test("every page keeps to its CSP, stays on its own origin, loads all it names and logs no error", async (t) => {
  const origin = new URL(site.base).origin;
  const context = await browser.newContext();
  // Collected in the page, before any of its own scripts run.
  await context.addInitScript(() => {
    window.__violations = [];
    document.addEventListener("securitypolicyviolation", (e) => {
      window.__violations.push(`${e.violatedDirective} blocked ${e.blockedURI || "inline"} (${e.sourceFile || ""}:${e.lineNumber || ""})`);
    });
  });
  try {
    await pool(site.pages, 2, async (p) => {
      const page = await context.newPage();
      const problems = [];
      page.on("console", (m) => m.type() === "error" && problems.push(`console: ${m.text()}`));
      page.on("pageerror", (e) => problems.push(`script error: ${e.message}`));
      page.on("request", (r) => new URL(r.url()).origin !== origin && !r.url().startsWith("data:") && problems.push(`request to another origin: ${r.url()}`));
      page.on("requestfailed", (r) => problems.push(`failed: ${r.url()} (${r.failure() && r.failure().errorText})`));
      page.on("response", (r) => r.status() >= 400 && problems.push(`HTTP ${r.status()}: ${r.url()}`));
      try {
        await t.test(p.rel, async () => {
          await page.goto(`${site.base}/${p.url}`, { waitUntil: "load" });
          if (p.kind === "form") {
            // Continue on the first step with nothing answered: the script builds the error
            // summary and the error lines.
            await page.locator("section.step:visible .step-buttons button").first().click();
            await page.locator("#error-summary").waitFor({ state: "visible", timeout: 5000 });
          }
          const violations = await page.evaluate(() => window.__violations);
          assert.deepEqual([...violations, ...problems], [], `${p.rel}`);
        });
      } finally {
        await page.close();
      }
    });
  } finally {
    await context.close();
  }
});
