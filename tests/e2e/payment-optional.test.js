// Paying online offered, not required (docs/payment.md, *Payment offered*): Musterstadt's
// Meldebescheinigung (payment `optional`, 10 €; sign-in with BundID required) against
// `formfabrik serve` and its local XBezahldienste platform. With and without JavaScript: the page
// offers two send buttons under one notice; "Senden, Gebührenbescheid abwarten" hands the
// application on at once and `inbox pull` shows the declined online payment; "Senden und
// bezahlen" goes to the pay page, paid is handed on with the payment; a cancelled payment can be
// sent without paying after all, exactly once.
"use strict";

const { test } = require("node:test");
const assert = require("node:assert/strict");
const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");
const { spawnSync } = require("node:child_process");

const { formfabrik } = require("./lib/harness");
const { assertPaid, atPayPage, fill, fixture, formData, journeyHooks, plan, signInAtProvider, storedRecords, throughWizard, uiStrings } = require("./lib/journey");

let server, browser, files;
journeyHooks((env) => ({ server, browser, files } = env));

const M = "musterstadt";
const FORM = "meldebescheinigung";
const pageUrl = () => `${server.base}/${M}/${FORM}/`;
// view::fees::pay_choice, form-model/messages/site.yaml `pay-choice`.
const NOTICE = /^Sie können nach dem Senden 10,00\s€ auf der Bezahlseite von Stadt Musterstadt online bezahlen; die Verwaltung erhält Ihren Antrag dann nach der Zahlung\. Oder Sie senden ohne Online-Zahlung und erhalten einen Gebührenbescheid\.$/;

/** Opens the form and signs in as Erika (the form asks for BundID); with JavaScript back at the
 * page, without at the function's prefilled page. */
async function signedIn(page, js) {
  await page.goto(pageUrl());
  await page.getByRole("link", { name: /BundID/ }).click();
  if (js) {
    await signInAtProvider(page, "erika", pageUrl());
    await page.locator("#signed-in").waitFor({ state: "visible", timeout: 10000 });
  } else {
    const res = await signInAtProvider(page, "erika", /\/auth\/callback\?/);
    assert.equal(res.status(), 200, server.log().slice(-1500));
  }
}

/** The two send buttons under the notice, in their order: [value, label]. */
async function assertChoice(page) {
  const notice = page.locator("#pay-notice");
  assert.match((await notice.textContent()).trim(), NOTICE);
  const buttons = page.locator('#finish button[name="_payment"]');
  const shown = await buttons.evaluateAll((bs) => bs.map((b) => [b.value, b.textContent.trim(), b.getAttribute("aria-describedby")]));
  assert.deepEqual(shown, [
    ["notice", "Senden, Gebührenbescheid abwarten", "pay-notice"],
    ["online", "Senden und bezahlen", "pay-notice"],
  ]);
}

/** The rest of the form (what the account does not give) filled in, confirmed, and sent with
 * the button `choice` ("notice" or "online"). */
async function send(page, js, choice) {
  const data = await formData(page);
  const p = plan(data, fixture(FORM, data.version).data, files);
  for (const id of ["vorname", "nachname", "geburtsdatum", "email"]) delete p.answers[id];
  if (js) await throughWizard(page, data, p, await uiStrings(page));
  else for (const f of data.fields) if (p.answers[f.id] !== undefined) await fill(page, f, p.answers[f.id]);
  await assertChoice(page);
  await page.check("#confirm");
  const button = page.locator(`#finish button[value="${choice}"]`);
  if (js || choice === "online") await button.click();
  else await Promise.all([page.waitForNavigation({ timeout: 20000 }), button.click()]);
  return data;
}

/** The records stored of this form for the back office; those of submission `id`. */
function records(id) {
  const all = storedRecords(server.data).filter((f) => f.includes(`/${M}/${FORM}/`));
  return { all, mine: all.filter((f) => f.includes(`/${id}/`)) };
}

/** `formfabrik inbox pull` of this form: the pulled metadata.json of `reference`. */
function pulledMetadata(version, reference) {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), "formfabrik-e2e-payopt-"));
  try {
    const r = spawnSync(
      formfabrik(),
      ["inbox", "pull", "--store", `file:${server.data}`, "--municipality", M, "--form", FORM, "--schemas", path.join(server.out, "schemas"), "--out", out],
      { encoding: "utf8" },
    );
    assert.equal(r.status, 0, `inbox pull failed:\n${r.stdout}\n${r.stderr}`);
    return JSON.parse(fs.readFileSync(path.join(out, M, FORM, `v${version}`, reference, "metadata.json"), "utf8"));
  } finally {
    fs.rmSync(out, { recursive: true, force: true });
  }
}

const reference = async (page) => (await page.locator("#reference").textContent()).trim();

for (const js of [true, false]) {
  const mode = js ? "with" : "without";

  test(`${mode} JavaScript: "Senden, Gebührenbescheid abwarten" hands the application on at once; inbox pull shows the online payment declined`, async () => {
    const context = await browser.newContext({ javaScriptEnabled: js });
    context.setDefaultTimeout(15000);
    const page = await context.newPage();
    try {
      await signedIn(page, js);
      const before = records("").all.length;
      const data = await send(page, js, "notice");
      if (js) await page.waitForURL(/\/danke\/\?ref=/, { timeout: 20000 });
      assert.doesNotMatch(page.url(), /\/pay\//);
      assert.equal(records("").all.length, before + 1, "handed on at once");
      const meta = pulledMetadata(data.version, await reference(page));
      assert.equal(meta.paymentInformation.paymentMethod, "INVOICE");
      assert.equal(meta.paymentInformation.paymentMethodDetail, "online-payment-declined");
      assert.equal(meta.paymentInformation.grossAmount, 10);
    } finally {
      await context.close();
    }
  });

  test(`${mode} JavaScript: "Senden und bezahlen" goes to the pay page; paid, it is handed on with the payment`, async () => {
    const context = await browser.newContext({ javaScriptEnabled: js });
    context.setDefaultTimeout(15000);
    const page = await context.newPage();
    try {
      await signedIn(page, js);
      const data = await send(page, js, "online");
      const id = await atPayPage(page, "pay");
      const paid = await assertPaid(page);
      assert.equal(records(id).mine.length, 1, "handed on once");
      const meta = pulledMetadata(data.version, paid.reference);
      assert.equal(meta.paymentInformation.status, "PAYED");
      assert.equal(meta.paymentInformation.transactionReference, paid.paymentReference);
      assert.equal(meta.paymentInformation.grossAmount, 10);
    } finally {
      await context.close();
    }
  });

  test(`${mode} JavaScript: a cancelled payment, then "Ohne Online-Zahlung senden": handed on once, marked declined`, async () => {
    const context = await browser.newContext({ javaScriptEnabled: js });
    context.setDefaultTimeout(15000);
    const page = await context.newPage();
    try {
      await signedIn(page, js);
      const data = await send(page, js, "online");
      const id = await atPayPage(page, "cancel");
      assert.match(await page.locator("h1").innerText(), /Zahlung abgebrochen/);
      assert.equal(records(id).mine.length, 0, "nothing for the back office yet");
      const without = page.locator('form[action^="./without-payment"] button');
      assert.equal((await without.textContent()).trim(), "Ohne Online-Zahlung senden");
      await Promise.all([page.waitForNavigation(), without.click()]);
      assert.match(await page.locator("#payment-declined").innerText(), /ohne Online-Zahlung an die Verwaltung übermittelt/);
      const ref = await reference(page);
      assert.ok(await page.locator("#receipt a[download]").isVisible(), "the receipt as after any submission");
      // Sent again (a second click, a resent post): the same page, still one.
      const again = await page.request.post(page.url(), { headers: { Accept: "text/html" } });
      assert.equal(again.status(), 200);
      assert.match(await again.text(), /id="payment-declined"/);
      assert.equal(records(id).mine.length, 1, "handed on once");
      const meta = pulledMetadata(data.version, ref);
      assert.equal(meta.paymentInformation.paymentMethodDetail, "online-payment-declined");
      assert.equal(meta.paymentInformation.paymentMethod, "INVOICE");
    } finally {
      await context.close();
    }
  });
}
