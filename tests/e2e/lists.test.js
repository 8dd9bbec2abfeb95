// Long lists (more than 15 options), on a form made for this (fixtures/long-lists: Destatis'
// 197 states for one answer and for several, the 16 Länder as radios, 0 to 20 children in
// the author's order), served by `formfabrik serve` with the real function:
// - options sorted by label as German collation sorts them (checked against Node's own ICU
//   collator, an independent implementation), short and `as-written` lists untouched;
// - without JavaScript one select per answer, sent as a form post: unused selects count for
//   nothing;
// - with JavaScript the search box (combobox and listbox after GOV.UK's accessible-autocomplete):
//   matches as you type, counts announced, arrows, Enter, Escape, mouse, leaving the box; and
//   "choose one, add another" for several answers, kept in a draft;
// - the page with the list open passes axe and the Nu Html Checker, breaks no CSP rule and
//   does not scroll sideways at 320 px.
"use strict";

const { test } = require("node:test");
const assert = require("node:assert/strict");
const fs = require("node:fs");
const path = require("node:path");

const { E2E, formatViolations, gotoWithoutScript, runAxe, vnuErrors } = require("./lib/harness");
const { assertConfirmedWithoutScript, expectedReview, fill, formData, journeyHooks, shownReview, storedRecord, storedRecords, uiStrings } = require("./lib/journey");

const FORMS = path.join(E2E, "fixtures", "long-lists", "forms");
const FORM_YAML = fs.readFileSync(path.join(FORMS, "catalog", "lange-listen.yaml"), "utf8");

let server;
let browser;
journeyHooks((e) => ({ server, browser } = e), FORMS);

const url = () => `${server.base}/teststadt/lange-listen/`;
const fold = (s) => s.normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
// The states as the code list orders them (the fixture's first list of options).
const STATES_IN_LIST_ORDER = [...FORM_YAML.split("id: staatsangehoerigkeiten")[0].matchAll(/value: "(\d{3})", label: \{ de: "([^"]+)" \}/g)].map((m) => [m[1], m[2]]);
const code = (label) => STATES_IN_LIST_ORDER.find(([, l]) => l === label)[0];

/** The option texts of a select (without the empty first one). */
const optionTexts = (page, selector) => page.locator(`${selector} option`).evaluateAll((os) => os.filter((o) => o.value !== "").map((o) => o.textContent.trim()));

/** A page with JavaScript that records CSP violations, console errors and script errors. */
async function watchedPage(context) {
  await context.addInitScript(() => {
    window.__violations = [];
    document.addEventListener("securitypolicyviolation", (e) => window.__violations.push(`${e.violatedDirective} blocked ${e.blockedURI || "inline"}`));
  });
  const page = await context.newPage();
  const problems = [];
  page.on("console", (m) => m.type() === "error" && problems.push(`console: ${m.text()}`));
  page.on("pageerror", (e) => problems.push(`script error: ${e.message}`));
  page.problems = async () => [...(await page.evaluate(() => window.__violations)), ...problems];
  return page;
}

test("long lists are sorted by label as German collation sorts them; short and as-written lists keep their order", async () => {
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    const cdp = await context.newCDPSession(page);
    await gotoWithoutScript(page, cdp, url());
    const german = new Intl.Collator("de").compare;
    const states = await optionTexts(page, "#f-geburtsstaat");
    assert.equal(states.length, 197);
    assert.deepEqual(states, STATES_IN_LIST_ORDER.map(([, l]) => l).sort(german));
    assert.notDeepEqual(states, STATES_IN_LIST_ORDER.map(([, l]) => l), "the code list's own order");
    assert.ok(states.indexOf("Ägypten") === states.indexOf("Afghanistan") + 1, "Ä sorts with A");
    // 16 radio buttons are a select too, sorted; 0 to 20 children stay in the author's order.
    assert.equal(await page.locator("#f-bundesland").evaluate((e) => e.tagName), "SELECT");
    const laender = await optionTexts(page, "#f-bundesland");
    assert.deepEqual(laender, [...laender].sort(german));
    assert.deepEqual(await optionTexts(page, "#f-kinder"), Array.from({ length: 21 }, (_, i) => String(i)));
    // Several answers: one select per answer (max-selected 3), in the question's fieldset.
    const w = page.locator('[data-field="staatsangehoerigkeiten"]');
    assert.equal(await w.locator("fieldset legend").first().textContent(), "Staatsangehörigkeiten");
    assert.deepEqual(await w.locator("label").allTextContents(), ["1. Auswahl", "2. Auswahl", "3. Auswahl"]);
    assert.deepEqual(await w.locator("select").evaluateAll((s) => s.map((x) => [x.id, x.name])), [
      ["f-staatsangehoerigkeiten", "staatsangehoerigkeiten"],
      ["f-staatsangehoerigkeiten-2", "staatsangehoerigkeiten"],
      ["f-staatsangehoerigkeiten-3", "staatsangehoerigkeiten"],
    ]);
    assert.equal(await page.locator("main input[type=checkbox]:not(#confirm):not(#draft-input), main input[type=radio]").count(), 0);
  } finally {
    await context.close();
  }
});

test("without JavaScript several answers from a long list are sent from the selects; unused ones count for nothing", async () => {
  const context = await browser.newContext({ javaScriptEnabled: false });
  try {
    const page = await context.newPage();
    await page.goto(url());
    const before = new Set(storedRecords(server.data));
    await page.fill("#f-name", "Priya Sharma");
    await page.selectOption("#f-geburtsstaat", code("Indien"));
    // The second choice first, the first once more: the set counts, in the list's order.
    await page.selectOption("#f-staatsangehoerigkeiten", code("Indien"));
    await page.selectOption("#f-staatsangehoerigkeiten-2", code("Deutschland"));
    await page.selectOption("#f-staatsangehoerigkeiten-3", code("Indien"));
    await page.selectOption("#f-bundesland", "hessen");
    await page.check("#confirm");
    await Promise.all([page.waitForNavigation(), page.click("#submit")]);
    await assertConfirmedWithoutScript(page);
    const added = storedRecords(server.data).filter((r) => !before.has(r));
    assert.equal(added.length, 1, "one new submission.json");
    const record = storedRecord(added[0]);
    assert.deepEqual(record.data.staatsangehoerigkeiten, [code("Deutschland"), code("Indien")]);
    assert.equal(record.data.geburtsstaat, code("Indien"));
    assert.equal(record.data.kinder, undefined, "an unanswered select is no answer");
  } finally {
    await context.close();
  }
});

test("the search box: matches as you type with their number announced; arrows, Enter, Escape, mouse and leaving the box choose", async () => {
  const context = await browser.newContext();
  try {
    const page = await watchedPage(context);
    await page.goto(url());
    const box = page.locator("#f-geburtsstaat");
    const list = page.locator("#f-geburtsstaat-list");
    const select = page.locator("#f-geburtsstaat-select");
    assert.equal(await box.getAttribute("role"), "combobox");
    assert.equal(await box.getAttribute("aria-expanded"), "false");
    assert.equal(await box.getAttribute("aria-controls"), "f-geburtsstaat-list");
    assert.equal(await page.locator('label[for="f-geburtsstaat"]').textContent(), "Geburtsstaat");
    assert.ok(!(await select.isVisible()), "the select is replaced by the search box");
    assert.equal(await list.getAttribute("role"), "listbox");

    // Typing: those that start with it first, then those that contain it; accents and case do not matter.
    await box.focus();
    await page.keyboard.type("ind");
    const names = STATES_IN_LIST_ORDER.map(([, l]) => l).sort(new Intl.Collator("de").compare);
    const want = [...names.filter((l) => fold(l).startsWith("ind")), ...names.filter((l) => !fold(l).startsWith("ind") && fold(l).includes("ind"))];
    assert.ok(want.length >= 2);
    assert.ok(await list.isVisible());
    assert.equal(await box.getAttribute("aria-expanded"), "true");
    assert.deepEqual(await list.getByRole("option").allTextContents(), want);
    await page.waitForFunction((n) => document.querySelector("#f-geburtsstaat").parentNode.querySelector("[role=status]").textContent === `${n} Treffer`, want.length);

    // Arrows move the active option (announced through aria-activedescendant), Enter chooses.
    await page.keyboard.press("ArrowDown");
    await page.keyboard.press("ArrowDown");
    await page.keyboard.press("ArrowUp");
    const active = await box.getAttribute("aria-activedescendant");
    assert.equal(await page.locator(`[id="${active}"]`).textContent(), want[0]);
    assert.equal(await page.locator(`[id="${active}"]`).getAttribute("aria-selected"), "true");
    await page.keyboard.press("Enter");
    assert.equal(await box.inputValue(), want[0]);
    assert.equal(await select.inputValue(), code(want[0]));
    assert.ok(!(await list.isVisible()));
    assert.equal(await box.getAttribute("aria-expanded"), "false");
    assert.equal(await page.evaluate(() => document.activeElement.id), "f-geburtsstaat");

    // Without accents, and Escape closes the list.
    await box.fill("");
    await page.keyboard.type("osterr");
    assert.deepEqual(await list.getByRole("option").allTextContents(), ["Österreich"]);
    await page.waitForFunction(() => document.querySelector("#f-geburtsstaat").parentNode.querySelector("[role=status]").textContent === "1 Treffer");
    await page.keyboard.press("Escape");
    assert.ok(!(await list.isVisible()));

    // Nothing matches.
    await box.fill("");
    await page.keyboard.type("xyz");
    assert.equal(await list.getByRole("option").count(), 0);
    await page.waitForFunction(() => document.querySelector("#f-geburtsstaat").parentNode.querySelector("[role=status]").textContent === "Kein Treffer");

    // The mouse.
    await box.fill("");
    await page.keyboard.type("Fra");
    await list.getByRole("option", { name: "Frankreich", exact: true }).click();
    assert.equal(await select.inputValue(), code("Frankreich"));
    assert.equal(await box.inputValue(), "Frankreich");

    // Leaving the box: a label typed in full counts; anything else is no answer.
    await box.fill("deutschland");
    await page.keyboard.press("Tab");
    assert.equal(await select.inputValue(), code("Deutschland"));
    assert.equal(await box.inputValue(), "Deutschland");
    await box.fill("Deutsch");
    await page.keyboard.press("Tab");
    assert.equal(await select.inputValue(), "");
    assert.deepEqual(await page.problems(), []);
  } finally {
    await context.close();
  }
});

test("several answers with JavaScript: one search box, one more on each „Weitere Auswahl hinzufügen“, shown on the check and kept in a draft", async () => {
  const context = await browser.newContext();
  try {
    const page = await watchedPage(context);
    await page.goto(url());
    const data = await formData(page);
    const ui = await uiStrings(page);
    const w = page.locator('[data-field="staatsangehoerigkeiten"]');
    const items = w.locator(".select-list__item");
    const add = w.getByRole("button", { name: "Weitere Auswahl hinzufügen" });
    assert.equal(await items.locator("visible=true").count(), 1);
    await page.check("#draft-input");
    await fill(page, data.fields.find((f) => f.id === "name"), "Priya Sharma");
    await fill(page, data.fields.find((f) => f.id === "geburtsstaat"), code("Indien"));
    const field = data.fields.find((f) => f.id === "staatsangehoerigkeiten");
    await fill(page, field, [code("Indien")]);
    await add.click();
    assert.equal(await page.evaluate(() => document.activeElement.id), "f-staatsangehoerigkeiten-2");
    await page.keyboard.type("Deutschl");
    await page.keyboard.press("ArrowDown");
    await page.keyboard.press("Enter");
    assert.equal(await items.locator("visible=true").count(), 2);
    await add.click();
    assert.ok(!(await add.isVisible()), "no more than max-selected boxes");

    // The draft brings back both answers, each in its box.
    await page.reload();
    assert.equal(await items.locator("visible=true").count(), 2);
    assert.equal(await page.inputValue("#f-staatsangehoerigkeiten"), "Indien");
    assert.equal(await page.inputValue("#f-staatsangehoerigkeiten-2"), "Deutschland");
    assert.equal(await page.inputValue("#f-geburtsstaat"), "Indien");

    // The check shows them as chosen.
    await page.locator('section.step[data-step="person"] .step-buttons button').first().click();
    await fill(page, data.fields.find((f) => f.id === "bundesland"), "hessen");
    await page.locator('section.step[data-step="wohnort"] .step-buttons button').first().click();
    await page.locator("#review-heading").waitFor({ state: "visible" });
    const p = {
      steps: { person: true, wohnort: true },
      shown: Object.fromEntries(data.fields.map((f) => [f.id, true])),
      answers: { name: "Priya Sharma", geburtsstaat: code("Indien"), staatsangehoerigkeiten: [code("Indien"), code("Deutschland")], bundesland: "hessen" },
    };
    assert.deepEqual(await shownReview(page), await expectedReview(page, data, p, ui));
    assert.ok((await shownReview(page))[0].rows.some(([q, a]) => q === "Staatsangehörigkeiten" && a === "Indien, Deutschland"));
    assert.deepEqual(await page.problems(), []);
  } finally {
    await context.close();
  }
});

test("with a long list open the page passes axe, the Nu Html Checker and does not scroll sideways at 320 px", async () => {
  const context = await browser.newContext({ viewport: { width: 320, height: 640 } });
  try {
    const page = await watchedPage(context);
    await page.goto(url());
    await page.locator("#f-geburtsstaat").focus();
    await page.keyboard.type("a");
    await page.keyboard.press("ArrowDown");
    assert.ok(await page.locator("#f-geburtsstaat-list").isVisible());
    const violations = await runAxe(page);
    assert.equal(violations.length, 0, formatViolations("long list open", violations));
    const { scrollWidth } = await page.evaluate(() => ({ scrollWidth: document.scrollingElement.scrollWidth }));
    assert.ok(scrollWidth <= 320, `scrollWidth ${scrollWidth} at 320 px`);
    assert.deepEqual(await page.problems(), []);

    const nojs = await context.newPage();
    const cdp = await context.newCDPSession(nojs);
    await gotoWithoutScript(nojs, cdp, url());
    await cdp.send("Emulation.setScriptExecutionDisabled", { value: false });
    const off = await runAxe(nojs, cdp);
    assert.equal(off.length, 0, formatViolations("long lists without JavaScript", off));

    const file = path.join(server.site, "teststadt", "lange-listen", "index.html");
    const v = vnuErrors([file], server.site);
    assert.deepEqual(v.errors, []);
  } finally {
    await context.close();
  }
});
