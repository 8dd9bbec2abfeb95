// Conditions of the form language (issue 18), on a form made for this (fixtures/conditions),
// served by `formfabrik serve` with the real function:
// - with JavaScript: a group's own show-if hides it; inside a list's entries a question's
//   show-if is judged per entry; required-if (naming a later question, and inside an entry)
//   is asked for when it holds and not otherwise; a text-block shows while its show-if holds,
//   at the top and per entry;
// - without JavaScript: the conditions are said in words, and the function enforces them.
"use strict";

const { test } = require("node:test");
const assert = require("node:assert/strict");
const fs = require("node:fs");
const path = require("node:path");

const { E2E } = require("./lib/harness");
const { assertConfirmedWithoutScript, journeyHooks, storedRecord, storedRecords } = require("./lib/journey");

const FORMS = path.join(E2E, "fixtures", "conditions", "forms");

let server;
let browser;
journeyHooks((e) => ({ server, browser } = e), FORMS);

const url = () => `${server.base}/teststadt/bedingungen/`;
const summary = (page) => page.locator("#error-summary li").allTextContents();

test("with JavaScript a group's condition and the conditions of each entry show, hide and require as form-model does", async () => {
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    const errors = [];
    page.on("pageerror", (e) => errors.push(e.message));
    await page.goto(url());
    const group = page.locator('[data-field="vertretung"]');
    const vollmacht = page.locator('[data-field="hinweis-vollmacht"]');
    assert.equal(await group.isHidden(), true, "the group is hidden until „Ja“");
    assert.equal(await vollmacht.isHidden(), true, "the text-block is hidden until „Ja“");
    await page.check('[data-field="vertreten"] input[value="nein"]');
    assert.equal(await group.isHidden(), true);
    assert.equal(await vollmacht.isHidden(), true);
    await page.check('[data-field="vertreten"] input[value="ja"]');
    assert.equal(await group.isVisible(), true);
    assert.equal(await vollmacht.isVisible(), true);
    assert.equal(await vollmacht.locator("strong").innerText(), "Vollmacht");
    const entry = group.locator("[data-entry]").first();
    const name = entry.locator('[data-field$="-name"]');
    const firma = entry.locator('[data-field$="-firma"]');
    const firmaHint = entry.locator('[data-field$="-firmenhinweis"]');
    assert.equal(await firmaHint.isHidden(), true, "the entry's text-block waits for „Firma“");
    await entry.locator('input[value="firma"]').check();
    assert.equal(await name.isHidden(), true, "the name is asked only of a person");
    assert.equal(await firma.isVisible(), true);
    assert.equal(await firmaHint.isVisible(), true);
    // Neither phone nor e-mail, and a firm without its name: both are asked for.
    await page.locator(".step:not([hidden]) .step-buttons .button:not(.button--secondary)").first().click();
    const asked = await summary(page);
    assert.ok(asked.some((t) => t.includes("„Telefon“")), asked.join("\n"));
    assert.ok(asked.some((t) => t.includes("„Vertretung 1: Firma“")), asked.join("\n"));
    assert.ok(!asked.some((t) => t.includes("Name")), asked.join("\n"));
    // An e-mail address makes the phone optional; a person needs a name, not a firm.
    await page.fill("#f-email", "erika@example.org");
    await entry.locator('input[value="person"]').check();
    assert.equal(await name.isVisible(), true);
    assert.equal(await firmaHint.isHidden(), true);
    await page.locator(".step:not([hidden]) .step-buttons .button:not(.button--secondary)").first().click();
    const now = await summary(page);
    assert.ok(!now.some((t) => t.includes("„Telefon“") || t.includes("Firma")), now.join("\n"));
    assert.ok(now.some((t) => t.includes("„Vertretung 1: Name“")), now.join("\n"));
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});

test("without JavaScript the conditions are said in words and the function enforces them", async () => {
  const context = await browser.newContext({ javaScriptEnabled: false });
  try {
    const page = await context.newPage();
    await page.goto(url());
    const text = await page.locator("main").innerText();
    assert.ok(text.includes("Pflichtangabe, wenn Sie „E-Mail“ nicht beantwortet haben."), text);
    assert.ok(text.includes("Nur beantworten, wenn Sie bei „Art“ „Person“ gewählt haben."), text);
    assert.ok(text.includes("Pflichtangabe, wenn Sie bei „Art“ „Firma“ gewählt haben."), text);
    // Text-blocks stay on the page, with their condition in words.
    assert.ok(text.includes("Gilt nur, wenn Sie bei „Werden Sie vertreten?“ „Ja“ gewählt haben."), text);
    assert.ok(text.includes("Legen Sie bitte eine Vollmacht bei."), text);
    assert.ok(text.includes("Gilt nur, wenn Sie bei „Art“ „Firma“ gewählt haben."), text);
    await page.check('[data-field="vertreten"] input[value="nein"]');
    await page.check("#confirm");
    await Promise.all([page.waitForNavigation(), page.click("#submit")]);
    const refused = await page.locator("body").innerText();
    assert.ok(refused.includes("„Telefon“ ist ein Pflichtfeld"), refused);
    await page.goto(url());
    const before = new Set(storedRecords(server.data));
    await page.fill("#f-email", "erika@example.org");
    await page.check('[data-field="vertreten"] input[value="nein"]');
    await page.check("#confirm");
    await Promise.all([page.waitForNavigation(), page.click("#submit")]);
    await assertConfirmedWithoutScript(page);
    const added = storedRecords(server.data).filter((r) => !before.has(r));
    assert.equal(added.length, 1);
    assert.deepEqual(storedRecord(added[0]).data, { email: "erika@example.org", vertreten: "nein" });
  } finally {
    await context.close();
  }
});
