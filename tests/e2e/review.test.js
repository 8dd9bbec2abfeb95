// Check your answers and the messages around it, with JavaScript (without it the form is one
// page with no separate check): "Ändern" opens the question and leads straight back to the
// check; questions inside a group carry the group's name, on the check and in the error
// summary; the two kinds of boxes to tick (the final confirmation and a form's declaration)
// are asked for with an instruction, not with their own text, in German, English and Arabic.
"use strict";

const { after, test } = require("node:test");
const assert = require("node:assert/strict");

const { siteHooks } = require("./lib/harness");
const { expectedReview, fill, fixture, formData, makeFiles, plan, shownReview, uiStrings } = require("./lib/journey");

let site;
let browser;
let files;
// Real files for the uploads a plan may hold (made by the browser, once it runs).
siteHooks(async (e) => {
  ({ site, browser } = e);
});
after(() => files && files.remove());

async function open(path) {
  if (!files) files = await makeFiles(browser);
  const context = await browser.newContext();
  context.setDefaultTimeout(10000);
  const page = await context.newPage();
  await page.goto(`${site.base}/${path}`, { waitUntil: "load" });
  const data = await formData(page);
  return { context, page, data, ui: await uiStrings(page) };
}

async function focusOn(page, id, what) {
  await page
    .waitForFunction((x) => document.activeElement && document.activeElement.id === x, id, { timeout: 5000 })
    .catch(async () => assert.fail(`${what}: focus is on ${await page.evaluate(() => document.activeElement && document.activeElement.outerHTML.slice(0, 120))}, not on #${id}`));
}

/** From the step on screen, answers the steps of plan `p` and continues, up to the step `until` (or the check). */
async function answerSteps(page, data, p, ui, until) {
  const here = await page.locator("section.step:visible").getAttribute("data-step");
  const steps = data.steps.filter((s) => p.steps[s.id]);
  for (const step of steps.slice(steps.findIndex((s) => s.id === here))) {
    if (step.id === until) return;
    for (const f of data.fields.filter((x) => x.step === step.id)) {
      if (p.answers[f.id] !== undefined) await fill(page, f, p.answers[f.id]);
    }
    await page.locator(`section.step[data-step="${step.id}"] .step-buttons button`).first().click();
  }
  await focusOn(page, "review-heading", "after the last step");
}

const summaryTexts = (page) => page.locator("#error-summary li").allTextContents();

test("after Ändern a question, Continue leads straight back to Angaben prüfen, with the new answer", async () => {
  const { context, page, data, ui } = await open("musterstadt/hundesteuer-anmeldung/");
  try {
    const p = plan(data, fixture("hundesteuer-anmeldung", data.version, "gefaehrlich-nein-lastschrift").data, files);
    await answerSteps(page, data, p, ui);
    const steps = data.steps.filter((s) => p.steps[s.id]).length + 1;

    // Change the first name (first step): the step opens with the focus on the question.
    await page.click('#review-list a[href="#f-vorname"]');
    await focusOn(page, "f-vorname", "after Ändern");
    assert.ok(await page.locator('section.step[data-step="halter"]').isVisible());
    const next = page.locator('section.step[data-step="halter"] .step-buttons button').first();
    assert.equal(await next.textContent(), ui["review-return"]);

    // A problem keeps the citizen on the step, as Continue always does.
    await page.fill("#f-vorname", "");
    await next.click();
    assert.equal((await summaryTexts(page)).length, 1);
    await focusOn(page, "error-summary", "a missing answer");

    await page.fill("#f-vorname", "Erika-Marie");
    p.answers.vorname = "Erika-Marie";
    await next.click();
    // Past every step already done, straight to the check, which shows the new answer.
    await focusOn(page, "review-heading", "after changing from the check");
    assert.equal((await page.locator("#step-progress").textContent()).trim(), ui["step-of"].replace("{n}", steps).replace("{m}", steps));
    assert.deepEqual(await shownReview(page), await expectedReview(page, data, p, ui));

    // Once back on the check, the steps' buttons say Continue again.
    await page.locator("#finish .step-buttons button", { hasText: ui.back }).click();
    assert.equal(await page.locator("section.step:visible .step-buttons button").first().textContent(), ui.continue);
  } finally {
    await context.close();
  }
});

test("questions inside a list carry the entry's name on the check and in the error summary", async () => {
  const { context, page, data, ui } = await open("gruenwiesen/hundesteuer-anmeldung/");
  try {
    const p = plan(data, fixture("hundesteuer-anmeldung", data.version, "gefaehrlich-ja-lastschrift-ohne-chip-zwei-hunde").data, files);
    const hunde = data.fields.find((f) => f.id === "hunde");
    const name = hunde.fields.find((c) => c.id === "name");
    await answerSteps(page, data, p, ui, "hund");
    // The second dog without a name: the summary names it "Hund 2: Name des Hundes".
    const second = { ...p.answers.hunde[1] };
    delete second.name;
    await fill(page, hunde, [p.answers.hunde[0], second]);
    for (const f of data.fields.filter((x) => x.step === "hund" && x.id !== "hunde")) {
      if (p.answers[f.id] !== undefined) await fill(page, f, p.answers[f.id]);
    }
    await page.locator('section.step[data-step="hund"] .step-buttons button').first().click();
    assert.deepEqual(await summaryTexts(page), [`„${hunde.label} 2: ${name.label}“ ist ein Pflichtfeld. Bitte füllen Sie es aus.`]);

    await page.fill("#f-hunde-1-name", p.answers.hunde[1].name);
    await page.locator('section.step[data-step="hund"] .step-buttons button').first().click();
    await answerSteps(page, data, p, ui, null);
    const rows = (await shownReview(page)).flatMap((s) => s.rows);
    assert.ok(rows.some(([q, a]) => q === `${hunde.label} 2: ${name.label}` && a === p.answers.hunde[1].name), JSON.stringify(rows));
    assert.deepEqual(await shownReview(page), await expectedReview(page, data, p, ui));
  } finally {
    await context.close();
  }
});

// The final box, in each site language: an instruction, not the box's own words.
const CONFIRM = [
  ["musterstadt/hundesteuer-anmeldung/", "hundesteuer-anmeldung", "gefaehrlich-nein-lastschrift", "Bestätigen Sie, dass Ihre Angaben vollständig und richtig sind."],
  ["musterstadt/en/hundesteuer-anmeldung/", "hundesteuer-anmeldung", "gefaehrlich-nein-lastschrift", "Confirm that your answers are complete and correct."],
  ["neustadt-am-see/ar/sperrmuell-anmeldung/", "sperrmuell-anmeldung", "moebel-mit-abstellort", "أكّد أن إجاباتك كاملة وصحيحة."],
];
for (const [path, form, fx, message] of CONFIRM) {
  test(`sending without the final confirmation asks for it with an instruction (${path})`, async () => {
    const { context, page, data, ui } = await open(path);
    try {
      const p = plan(data, fixture(form, data.version, fx).data, files);
      await answerSteps(page, data, p, ui);
      await page.click("#submit");
      await focusOn(page, "error-summary", "sending unconfirmed");
      assert.deepEqual(await summaryTexts(page), [message]);
      assert.equal((await page.locator("#confirm-error .error-text").textContent()).trim(), message);
      assert.notEqual(message, (await page.locator('label[for="confirm"]').textContent()).trim());
    } finally {
      await context.close();
    }
  });
}

test("a form's declaration left unticked is asked for with an instruction", async () => {
  for (const [path, message] of [
    ["musterstadt/hundesteuer-anmeldung/", "Bestätigen Sie „Richtigkeit der Angaben“, indem Sie das Kästchen ankreuzen."],
    ["musterstadt/en/hundesteuer-anmeldung/", "Confirm “Accuracy of the information” by ticking the box."],
  ]) {
    const { context, page, data, ui } = await open(path);
    try {
      const p = plan(data, fixture("hundesteuer-anmeldung", data.version, "gefaehrlich-nein-lastschrift").data, files);
      await answerSteps(page, data, p, ui, "erklaerung");
      await page.locator('section.step[data-step="erklaerung"] .step-buttons button').first().click();
      assert.deepEqual(await summaryTexts(page), [message], path);
    } finally {
      await context.close();
    }
  }
});
