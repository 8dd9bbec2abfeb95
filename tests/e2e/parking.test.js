// The residents' parking permit (bewohnerparkausweis@1) through Musterstadt's site, against
// `formfabrik serve` (the site and the real function with a folder store). The catalog form
// leaves three things to the municipality: the parking zones (Musterstadt's overlay gives
// them), the area the home must lie in (its postcodes, in municipality.yaml) and the window
// the permit may start in (today to today+3m). The page offers Musterstadt's zones, the
// overlay's note stands first in the first step, and an address outside the town is refused —
// by the page's script in the wizard, and by the function for a post without JavaScript —
// with form-model's words; corrected, the permit is applied for and stored. Its fee is by
// choice (one year 30 €, two years 60 €): check-your-answers shows the amount due for the
// period chosen (computed by assets/fees.js, loaded when that step opens) and follows a change
// of period, the function's page without JavaScript shows it too, and the record carries the
// amount the function computed.
"use strict";

const { test } = require("node:test");
const assert = require("node:assert/strict");
const fs = require("node:fs");

const { assertConfirmedWithoutScript, fill, fixture, formData, journeyHooks, plan, storedRecord, storedRecords, uiStrings } = require("./lib/journey");

let server;
let browser;
let files;
journeyHooks((e) => ({ server, browser, files } = e));

const M = "musterstadt";
const FORM = "bewohnerparkausweis";
const OUTSIDE_DE = "„Anschrift Ihrer Wohnung – Postleitzahl“ liegt nicht in unserem Gebiet. Diesen Antrag stellen Sie bei der Kommune, in der die Anschrift liegt.";

/** The amount due on check-your-answers: its lines [label, amount] and the total. */
function amountDue(page) {
  return page.evaluate(() => ({
    shown: !document.querySelector("#amount-due").hidden,
    lines: [...document.querySelectorAll("#amount-due-lines tr")].map((tr) => [...tr.cells].map((c) => c.textContent.trim())),
    total: document.querySelector("#amount-due-total").textContent.trim(),
  }));
}

/** The amount due the function computed, as the record keeps it. */
const DUE_TWO_YEARS = { items: [{ id: "ausweis", choice: "2-jahre", unit_cents: 6000, cents: 6000 }], total_cents: 6000 };

/** The plan for the fixture, with the home moved to `postcode`. */
function planned(data, name, postcode) {
  const p = plan(data, fixture(FORM, data.version, name).data, files);
  p.answers.anschrift = { ...p.answers.anschrift, postcode };
  return p;
}

async function openFromServices(page, lang) {
  const root = `${server.base}/${M}/${lang === "de" ? "" : `${lang}/`}`;
  await page.goto(root);
  await page.click(`#services a[href="${FORM}/"]`);
  await page.waitForURL(`${root}${FORM}/`);
}

test("with JavaScript: Musterstadt's zones are offered, a home outside the town is refused at its step, and the corrected application is stored", async () => {
  const context = await browser.newContext({ viewport: { width: 320, height: 720 } });
  context.setDefaultTimeout(15000);
  const page = await context.newPage();
  try {
    await openFromServices(page, "de");
    const data = await formData(page);
    const ui = await uiStrings(page);

    // The zones are the municipality's (its overlay), in its words; the note it added is first.
    const zones = await page.locator('[data-field="parkzone"] input[type=radio]').evaluateAll((els) =>
      els.map((el) => [el.value, document.querySelector(`label[for="${el.id}"]`).textContent.trim()]),
    );
    assert.deepEqual(zones, [
      ["a", "Zone A – Altstadt"],
      ["b", "Zone B – Bahnhofsviertel"],
      ["s", "Zone S – Schlossberg"],
    ]);
    const first = page.locator('section.step[data-step="antrag"] [data-field], section.step[data-step="antrag"] .text-block').first();
    assert.match(await first.textContent(), /drei Bewohnerparkzonen/);

    const p = planned(data, "eigenes-fahrzeug-zone-a", "35390");
    assert.ok(p.answers["gueltig-ab"], "the plan gives a start date inside Musterstadt's window");
    const steps = data.steps.filter((s) => p.steps[s.id]);
    for (const step of steps) {
      for (const f of data.fields.filter((x) => x.step === step.id)) {
        if (p.answers[f.id] !== undefined) await fill(page, f, p.answers[f.id]);
      }
      const section = page.locator(`section.step[data-step="${step.id}"]`);
      await section.locator(".step-buttons button", { hasText: ui.continue }).click();
      if (step.id === "person") {
        // Gießen's postcode is not Musterstadt's: the script says so at the postcode, in
        // form-model's words, and the wizard stays on the step.
        const summary = page.locator("#error-summary:visible li");
        await summary.first().waitFor();
        assert.deepEqual(await summary.allTextContents(), [OUTSIDE_DE]);
        assert.equal((await page.locator("#f-anschrift-postcode-error .error-text").textContent()).trim(), OUTSIDE_DE);
        assert.ok(await section.isVisible(), "the wizard left the step with the error");
        await page.fill("#f-anschrift-postcode", "35398");
        await section.locator(".step-buttons button", { hasText: ui.continue }).click();
      }
    }
    await page.locator("#review").waitFor({ state: "visible" });
    // The fee by the period chosen (one year, in the fixture): the amount due, once fees.js
    // has come.
    assert.equal(p.answers.laufzeit, "1-jahr");
    await page.locator("#amount-due").waitFor({ state: "visible" });
    assert.deepEqual(await amountDue(page), {
      shown: true,
      lines: [["Bewohnerparkausweis (Ein Jahr)", "30,00\u00a0€"]],
      total: "30,00\u00a0€",
    });
    // Two years instead: "Change" at the period, the other option, and back on the check step
    // the amount due follows.
    await page.locator('#review-list a[href="#f-laufzeit"]').click();
    const antrag = page.locator('section.step[data-step="antrag"]');
    await antrag.waitFor({ state: "visible" });
    await page.locator('[data-field="laufzeit"] input[value="2-jahre"]').check();
    await antrag.locator(".step-buttons button", { hasText: ui["review-return"] }).click();
    await page.locator("#review").waitFor({ state: "visible" });
    await page.waitForFunction(() => document.querySelector("#amount-due-total").textContent.startsWith("60"));
    assert.deepEqual(await amountDue(page), {
      shown: true,
      lines: [["Bewohnerparkausweis (Zwei Jahre)", "60,00\u00a0€"]],
      total: "60,00\u00a0€",
    });
    const before = storedRecords(server.data).length;
    await page.check("#confirm");
    await page.click("#submit");
    await page.waitForURL(/\/danke\/\?ref=/, { timeout: 20000 });
    const added = storedRecords(server.data);
    assert.equal(added.length, before + 1, "one submission stored");
    const record = storedRecord(added.find((f) => f.includes(`/${M}/${FORM}/`)));
    assert.equal(record.data.parkzone, p.answers.parkzone);
    assert.equal(record.data.anschrift.postcode, "35398");
    assert.equal(record.data["gueltig-ab"], p.answers["gueltig-ab"]);
    assert.equal(record.data.laufzeit, "2-jahre");
    assert.deepEqual(record.amount_due, DUE_TWO_YEARS, "the amount the function computed");
  } finally {
    await context.close();
  }
});

test("without JavaScript: the function refuses a home outside the town with the form page and the same words, and takes the corrected one", async () => {
  const context = await browser.newContext({ javaScriptEnabled: false });
  context.setDefaultTimeout(15000);
  const page = await context.newPage();
  try {
    await openFromServices(page, "en");
    // The page lists the fee by period; what is due depends on the answers, so no amount due
    // stands on the page before they are sent.
    assert.deepEqual(await page.locator(".fees .fee-choice").allTextContents(), ["One year: €30.00", "Two years: €60.00"]);
    assert.equal(await page.locator("#amount-due").isVisible(), false);
    const data = await formData(page);
    const p = planned(data, "firmenwagen-zone-b", "99999");
    assert.equal(p.answers.laufzeit, "2-jahre");
    for (const f of data.fields) {
      if (p.answers[f.id] !== undefined) await fill(page, f, p.answers[f.id]);
    }
    await page.check("#confirm");
    const before = storedRecords(server.data).length;
    const [res] = await Promise.all([page.waitForNavigation(), page.click("#submit")]);
    assert.equal(res.status(), 422);
    const links = await page.locator("#error-summary a").evaluateAll((as) => as.map((a) => [a.getAttribute("href"), a.textContent.trim()]));
    assert.deepEqual(links, [
      ["#f-anschrift-postcode", "“Address of your home – Postcode” is not in our area. Please apply to the municipality the address is in."],
    ]);
    assert.equal(storedRecords(server.data).length, before, "nothing stored");
    // The function's page shows the amount due for the answers sent.
    assert.deepEqual(await amountDue(page), {
      shown: true,
      lines: [["Residents' parking permit (Two years)", "€60.00"]],
      total: "€60.00",
    });

    // Corrected on the page the function gave, every other answer still in place.
    assert.equal(await page.inputValue("#f-kennzeichen"), p.answers.kennzeichen);
    await page.fill("#f-anschrift-postcode", "35396");
    await page.check("#confirm");
    await Promise.all([page.waitForNavigation(), page.click("#submit")]);
    await assertConfirmedWithoutScript(page);
    const added = storedRecords(server.data);
    assert.equal(added.length, before + 1, "one submission stored");
    const newest = added.map((f) => [f, fs.statSync(f).mtimeMs]).sort((a, b) => b[1] - a[1])[0][0];
    const record = storedRecord(newest);
    assert.equal(record.form.id, FORM);
    assert.equal(record.data.parkzone, "b");
    assert.equal(record.data.halter, "andere");
    assert.equal(record.data.anschrift.postcode, "35396");
    assert.deepEqual(record.amount_due, DUE_TWO_YEARS);
  } finally {
    await context.close();
  }
});
