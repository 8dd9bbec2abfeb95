// A process designer edits a form while `formfabrik serve` shows it in the browser. A mistake
// must appear on the open page — the same text as `check`, with file, line and column — and go
// away with the next good build; a page opened while the build is broken shows it too.
"use strict";

const { test, before, after } = require("node:test");
const assert = require("node:assert/strict");
const fs = require("node:fs");
const path = require("node:path");

const { REPO, launchBrowser, serve, tempDir } = require("./lib/harness");

const FORM = "musterstadt/sperrmuell-anmeldung/";
let work;
let server;
let browser;

before(async () => {
  work = tempDir("serve-problems");
  fs.cpSync(path.join(REPO, "forms"), path.join(work, "forms"), { recursive: true });
  server = await serve(path.join(work, "forms"), { watch: true });
  browser = await launchBrowser();
});

after(async () => {
  if (browser) await browser.close();
  if (server) await server.close();
  if (work) fs.rmSync(work, { recursive: true, force: true });
});

test("serve: a mistake shows on the open page with file, line and column, and goes with the next good build", async () => {
  const catalog = path.join(work, "forms/catalog/sperrmuell-anmeldung.yaml");
  const good = fs.readFileSync(catalog, "utf8");
  const line = good.split("\n").findIndex((l) => l.startsWith("retention-days:")) + 1;
  assert.ok(line > 0, "the catalog form has retention-days");
  const page = await browser.newPage();
  page.setDefaultTimeout(30000);
  try {
    await page.goto(`${server.base}/${FORM}`);
    assert.equal(await page.locator("#formfabrik-problems").count(), 0, "no banner on a good build");

    fs.writeFileSync(catalog, good.replace(/^retention-days:.*$/m, "retention-days: 0"));
    const banner = page.locator("#formfabrik-problems");
    await banner.waitFor({ state: "visible" });
    const text = await banner.innerText();
    // German, as check writes it by default.
    assert.match(text, /Nicht neu gebaut/);
    assert.match(text, new RegExp(`sperrmuell-anmeldung\\.yaml:${line}:\\d+: retention-days muss zwischen 1 und 36500 liegen, nicht bei 0`));
    assert.match(text, /retention-days: 0/, "the source line is shown, as check shows it");
    assert.doesNotMatch(text, /Abweichungen vom Katalog/);
    assert.equal(await banner.getAttribute("role"), "alert", "screen readers announce it");

    // Opened while the build is broken: the banner is there as well.
    const second = await browser.newPage();
    await second.goto(`${server.base}/${FORM}`);
    await second.locator("#formfabrik-problems").waitFor({ state: "visible", timeout: 30000 });
    await second.close();

    // Fixed: the page reloads and the banner is gone.
    const reloaded = page.waitForEvent("load");
    fs.writeFileSync(catalog, good);
    await reloaded;
    await page.waitForLoadState("load");
    assert.equal(await page.locator("#formfabrik-problems").count(), 0, "the banner is gone after a good build");
  } finally {
    await page.close();
  }
});
