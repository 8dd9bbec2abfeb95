// FIM rules converted into conditions (issue 18), in the browser: the test imports a FIM schema
// with `formfabrik import-fim` (fixtures/fim-rules/schema: S00000186's „Fristverkürzung“ rules
// R00001344 and R00001345, texts unchanged) into a forms folder, serves it with the real
// function, and shows both branches of each converted rule:
// - R00001345 „Wenn … Fristverkürzung = "wahr", dann muss … Grund … befüllt sein. Wenn … <>
//   "wahr", dann darf … Grund … nicht befüllt sein.“ → show-if + required on the reason;
// - R00001344 „Wenn (aktuelles Datum - Beginn) < 7 Tage muss … Fristverkürzung befüllt sein.
//   Wenn … > 7 Tage oder = 7 Tage darf … nicht befüllt sein.“ → show-if + required-if with
//   dates relative to today (read literally: a beginning within the last seven days or later).
// With JavaScript the page shows, hides and asks as the rules say; without it the conditions
// are said in words and the function enforces them.
"use strict";

const { test } = require("node:test");
const assert = require("node:assert/strict");
const fs = require("node:fs");
const path = require("node:path");
const { spawnSync } = require("node:child_process");

const { E2E, formfabrik, tempDir } = require("./lib/harness");
const { assertConfirmedWithoutScript, journeyHooks, storedRecord, storedRecords } = require("./lib/journey");

const FIXTURE = path.join(E2E, "fixtures", "fim-rules");

/** A forms folder with the municipality of the fixture and the form imported from its schema. */
function importedForms() {
  const dir = tempDir("fim-rules");
  const forms = path.join(dir, "forms");
  fs.cpSync(path.join(FIXTURE, "forms"), forms, { recursive: true });
  fs.mkdirSync(path.join(forms, "catalog"), { recursive: true });
  const r = spawnSync(
    formfabrik(),
    [
      "import-fim",
      path.join(FIXTURE, "schema", "S99001378_xdf2.xml"),
      "--id",
      "fristverkuerzung",
      "--out",
      path.join(forms, "catalog", "fristverkuerzung.yaml"),
    ],
    { encoding: "utf8" },
  );
  if (r.status !== 0) throw new Error(`import-fim failed (${r.status}):\n${r.stdout}\n${r.stderr}`);
  if (!r.stdout.includes("FIM rules converted into conditions: 2 of 2 (100 %)")) {
    throw new Error(`both rules are to be converted:\n${r.stdout}`);
  }
  return forms;
}

let server;
let browser;
journeyHooks((e) => ({ server, browser } = e), importedForms());

const url = () => `${server.base}/teststadt/fristverkuerzung/`;
const summary = (page) => page.locator("#error-summary li").allTextContents();
const FRIST = "Möchten Sie eine Fristverkürzung beantragen?";

/** Today plus `days`, as YYYY-MM-DD in the browser's (and the function's) calendar. */
function day(days) {
  const d = new Date();
  d.setDate(d.getDate() + days);
  const p = (n) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}`;
}

async function next(page) {
  await page.locator(".step:not([hidden]) .step-buttons .button:not(.button--secondary)").first().click();
}

test("with JavaScript both branches of each converted rule show, hide and ask as the rule says", async () => {
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    const errors = [];
    page.on("pageerror", (e) => errors.push(e.message));
    await page.goto(url());
    const frist = page.locator('[data-field="fristverkuerzung"]');
    const grund = page.locator('[data-field="grund-fuer-fristverkuerzung"]');
    assert.equal(await grund.isHidden(), true, "the reason is asked only after „Ja“");

    // R00001344, one branch: begun more than seven days ago → no shortening is asked.
    await page.fill("#f-beginn-der-taetigkeiten", day(-30));
    assert.equal(await frist.isHidden(), true, "begun a month ago: no shortening of the period");
    // The other branch: beginning in three days → asked, and required.
    await page.fill("#f-beginn-der-taetigkeiten", day(3));
    assert.equal(await frist.isVisible(), true);
    await next(page);
    const asked = await summary(page);
    assert.ok(asked.some((t) => t.includes(`„${FRIST}“`)), asked.join("\n"));

    // R00001345: „Ja“ → the reason is shown and required; „Nein“ → hidden, not asked.
    await page.check('[data-field="fristverkuerzung"] input[value="ja"]');
    assert.equal(await grund.isVisible(), true);
    await next(page);
    const reason = await summary(page);
    assert.ok(reason.some((t) => t.includes("„Grund für Fristverkürzung“")), reason.join("\n"));
    await page.check('[data-field="fristverkuerzung"] input[value="nein"]');
    assert.equal(await grund.isHidden(), true);
    await next(page);
    await page.locator("#review").waitFor({ state: "visible", timeout: 5000 });
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});

test("without JavaScript the converted rules are said in words and the function enforces both branches", async () => {
  const context = await browser.newContext({ javaScriptEnabled: false });
  try {
    const page = await context.newPage();
    await page.goto(url());
    const text = await page.locator("main").innerText();
    assert.ok(text.includes(`Nur beantworten, wenn Sie bei „${FRIST}“ „Ja“ gewählt haben.`), text);

    // Required while shown: „Ja“ without a reason is refused.
    await page.fill("#f-beginn-der-taetigkeiten", day(3));
    await page.check('[data-field="fristverkuerzung"] input[value="ja"]');
    await page.check("#confirm");
    await Promise.all([page.waitForNavigation(), page.click("#submit")]);
    const refused = await page.locator("body").innerText();
    assert.ok(refused.includes("„Grund für Fristverkürzung“ ist ein Pflichtfeld"), refused);

    // Forbidden otherwise: a reason with „Nein“ is refused as an answer to a hidden question.
    await page.goto(url());
    await page.fill("#f-beginn-der-taetigkeiten", day(3));
    await page.check('[data-field="fristverkuerzung"] input[value="nein"]');
    await page.fill("#f-grund-fuer-fristverkuerzung", "Dringende Sanierung");
    await page.check("#confirm");
    await Promise.all([page.waitForNavigation(), page.click("#submit")]);
    assert.equal(await page.locator("#receipt").count(), 0); // refused: the form page again
    const hidden = await page.locator("body").innerText();
    assert.ok(hidden.includes("Grund für Fristverkürzung"), hidden);

    // And the branch the rules allow is accepted and stored as answered.
    await page.goto(url());
    const before = new Set(storedRecords(server.data));
    await page.fill("#f-beginn-der-taetigkeiten", day(3));
    await page.check('[data-field="fristverkuerzung"] input[value="ja"]');
    await page.fill("#f-grund-fuer-fristverkuerzung", "Dringende Sanierung");
    await page.check("#confirm");
    await Promise.all([page.waitForNavigation(), page.click("#submit")]);
    await assertConfirmedWithoutScript(page);
    const added = storedRecords(server.data).filter((r) => !before.has(r));
    assert.equal(added.length, 1);
    assert.deepEqual(storedRecord(added[0]).data, {
      "beginn-der-taetigkeiten": day(3),
      fristverkuerzung: "ja",
      "grund-fuer-fristverkuerzung": "Dringende Sanierung",
    });
  } finally {
    await context.close();
  }
});
