// Entering values as people do, with JavaScript and without, against `formfabrik serve` (the
// sites and the real function): a postcode pasted with a space is not cut and is stored
// trimmed; digits from an Arabic keyboard count; an e-mail address with an internationalised
// domain is accepted and stored as written; a date given as day, month and year must be a real
// date and, for a birth date, not lie in the future.
"use strict";

const { test } = require("node:test");
const assert = require("node:assert/strict");
const fs = require("node:fs");

const { assertConfirmedWithoutScript, fill, fixture, formData, journeyHooks, plan, storedRecord, storedRecords, uiStrings } = require("./lib/journey");

let server;
let browser;
let files;
journeyHooks((e) => ({ server, browser, files } = e));

/** The one submission.json stored since `before` (a set of paths). */
function newRecord(before) {
  const added = storedRecords(server.data).filter((r) => !before.has(r));
  assert.equal(added.length, 1, "one new submission.json");
  return storedRecord(added[0]);
}

/** Fills the whole form of plan `p` on one page (no JavaScript) and sends it. */
async function sendWithoutScript(page, data, p) {
  for (const f of data.fields) {
    if (p.answers[f.id] !== undefined) await fill(page, f, p.answers[f.id]);
  }
  await page.check("#confirm");
  await Promise.all([page.waitForNavigation(), page.click("#submit")]);
}

/** With JavaScript: the steps of plan `p`, the check, and sending. */
async function sendWithScript(page, data, p, ui) {
  for (const step of data.steps.filter((s) => p.steps[s.id])) {
    for (const f of data.fields.filter((x) => x.step === step.id)) {
      if (p.answers[f.id] !== undefined) await fill(page, f, p.answers[f.id]);
    }
    await page.locator(`section.step[data-step="${step.id}"] .step-buttons button`).first().click();
  }
  await page.locator("#review-heading").waitFor({ state: "visible", timeout: 5000 }).catch(async () => {
    assert.fail(`check-your-answers not reached: ${JSON.stringify(await page.locator("#error-summary li").allTextContents())}`);
  });
  await page.check("#confirm");
  await page.click("#submit");
  await page.waitForURL(/\/danke\/\?ref=/, { timeout: 20000 });
}

for (const js of [false, true]) {
  test(`a postcode pasted with a space and an internationalised e-mail address are taken as meant (${js ? "JavaScript on" : "JavaScript off"})`, async () => {
    const context = await browser.newContext({ javaScriptEnabled: js });
    try {
      const page = await context.newPage();
      await page.goto(`${server.base}/musterstadt/sperrmuell-anmeldung/`);
      const data = await formData(page);
      const p = plan(data, fixture("sperrmuell-anmeldung", data.version, "moebel-mit-abstellort").data, files);
      p.answers.anschrift = { ...p.answers.anschrift, postcode: " 86899" };
      p.answers.email = "priya@müller.de";
      // Typed on an Arabic keyboard.
      p.answers.telefon = "٠٦٤١ ٩٨٧٦٥٤";
      await fill(page, data.fields.find((f) => f.id === "anschrift"), p.answers.anschrift);
      assert.equal(await page.inputValue("#f-anschrift-postcode"), " 86899", "the pasted postcode is not cut");
      const before = new Set(storedRecords(server.data));
      if (js) {
        await sendWithScript(page, data, p, await uiStrings(page));
      } else {
        await sendWithoutScript(page, data, p);
        await assertConfirmedWithoutScript(page);
      }
      const record = newRecord(before);
      assert.equal(record.data.anschrift.postcode, "86899");
      assert.equal(record.data.email, "priya@müller.de", "stored as written, not as punycode");
      assert.equal(record.data.telefon, "0641 987654");
    } finally {
      await context.close();
    }
  });
}

test("a birth date given as day, month and year must be a real date, not in the future (JavaScript on)", async () => {
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    await page.goto(`${server.base}/gruenwiesen/mutterschutz-benachrichtigung/`);
    const data = await formData(page);
    const p = plan(data, fixture("mutterschutz-benachrichtigung", data.version, "nur-pflichtangaben").data, files);
    const step = data.fields.find((f) => f.id === "geburtsdatum").step;
    for (const s of data.steps.filter((x) => p.steps[x.id])) {
      if (s.id === step) break;
      for (const f of data.fields.filter((x) => x.step === s.id)) if (p.answers[f.id] !== undefined) await fill(page, f, p.answers[f.id]);
      await page.locator(`section.step[data-step="${s.id}"] .step-buttons button`).first().click();
    }
    for (const f of data.fields.filter((x) => x.step === step && x.id !== "geburtsdatum")) {
      if (p.answers[f.id] !== undefined) await fill(page, f, p.answers[f.id]);
    }
    const next = page.locator(`section.step[data-step="${step}"] .step-buttons button`).first();
    const date = async (d, m, y) => {
      await page.fill("#f-geburtsdatum-tag", d);
      await page.fill("#f-geburtsdatum-monat", m);
      await page.fill("#f-geburtsdatum-jahr", y);
      await next.click();
      return page.locator("#error-summary:not([hidden]) li").allTextContents();
    };
    assert.deepEqual(await date("31", "2", "1990"), ["„Geburtsdatum“ muss ein gültiges Datum sein."]);
    assert.equal((await page.locator("#f-geburtsdatum-error .error-text").textContent()).trim(), "„Geburtsdatum“ muss ein gültiges Datum sein.");
    const now = new Date();
    const today = `${String(now.getDate()).padStart(2, "0")}.${String(now.getMonth() + 1).padStart(2, "0")}.${now.getFullYear()}`;
    const late = [`„Geburtsdatum“ darf nicht nach dem ${today} liegen.`];
    assert.deepEqual(await date("31", "1", String(now.getFullYear() + 1)), late);
    assert.deepEqual(await date("", "", String(now.getFullYear() + 1)), late);
    assert.deepEqual(await date("", "", String(now.getFullYear())), []);
    assert.ok(!(await page.locator(`section.step[data-step="${step}"]`).isVisible()), "a known year of birth is enough");
  } finally {
    await context.close();
  }
});

test("a birth date that is no date is refused by the function too (JavaScript off)", async () => {
  const context = await browser.newContext({ javaScriptEnabled: false });
  try {
    const page = await context.newPage();
    await page.goto(`${server.base}/gruenwiesen/mutterschutz-benachrichtigung/`);
    const data = await formData(page);
    const p = plan(data, fixture("mutterschutz-benachrichtigung", data.version, "nur-pflichtangaben").data, files);
    p.answers.geburtsdatum = { tag: "31", monat: "2", jahr: "2030" };
    const before = storedRecords(server.data).length;
    await sendWithoutScript(page, data, p);
    const body = await page.locator("body").innerText();
    assert.ok(body.includes("„Geburtsdatum“ muss ein gültiges Datum sein."), body.slice(0, 2000));
    assert.equal(storedRecords(server.data).length, before, "nothing stored");
  } finally {
    await context.close();
  }
});
