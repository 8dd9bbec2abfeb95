// Paying the fees before the application reaches the authority (docs/payment.md), through
// Musterstadt's site against `formfabrik serve`, whose local XBezahldienste platform stands in
// for the town's: the first driving licence (fahrerlaubnis-ersterteilung@1, payment required)
// is sent, paid on the pay page and confirmed with the reference and the payment reference;
// `inbox pull` imports it with the payment. A cancelled payment can be tried again, a failed
// one withdrawn (then nothing is stored for the back office), a citizen who closes the tab
// after paying is released by `formfabrik payments reconcile`, and an amount changed in the
// browser changes nothing: the pay page asks for the server's amount. Before sending, the form
// page says that paying follows (with and without JavaScript, and so does the function's page
// for a post it cannot accept); a form paid by notice does not.
"use strict";

const { test } = require("node:test");
const assert = require("node:assert/strict");
const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");
const { spawnSync } = require("node:child_process");

const { formfabrik } = require("./lib/harness");
const { assertPaid, atPayPage, fill, fixture, formData, journeyHooks, plan, storedRecords, throughWizard, uiStrings } = require("./lib/journey");

let server;
let browser;
let files;
journeyHooks((e) => ({ server, browser, files } = e));

const M = "musterstadt";
const FORM = "fahrerlaubnis-ersterteilung";
// The catalog's fee (43.40 €), as the pay page writes it in German.
const AMOUNT_DE = /43,40\s€/;

// What the form page says before sending (view::fees::pay_notice, form-model/messages/site.yaml):
// at the start and beside the send button, whose label says it too.
const NOTICE = {
  de: /^Nach dem Senden kommen Sie zur Bezahlseite von Stadt Musterstadt, um 43,40\s€ zu bezahlen\. Die Verwaltung erhält Ihren Antrag erst nach der Zahlung\. Danach kommen Sie auf diese Website zurück\.$/,
  en: /^After sending, you will be taken to the payment page of Stadt Musterstadt to pay €43\.40\. The authority receives your application only once it is paid\. You then come back to this website\.$/,
};
const SEND_AND_PAY = { de: "Senden und bezahlen", en: "Send and pay" };

/** The notice at the start of the page is shown; the one beside the button when `atButton`. */
async function assertNotice(page, lang, atButton) {
  const start = page.locator("p.pay-notice").first();
  assert.ok(await start.isVisible(), "the notice at the start of the page is shown");
  assert.match((await start.innerText()).trim(), NOTICE[lang]);
  const beside = page.locator("#pay-notice");
  assert.equal(await beside.isVisible(), atButton, `the notice beside the send button is ${atButton ? "" : "not yet "}shown`);
  assert.match((await beside.textContent()).trim(), NOTICE[lang]);
  const button = page.locator("#submit");
  assert.equal((await button.textContent()).trim(), SEND_AND_PAY[lang]);
  assert.equal(await button.getAttribute("aria-describedby"), "pay-notice");
}

async function open(page, lang = "de") {
  const root = `${server.base}/${M}/${lang === "de" ? "" : `${lang}/`}`;
  await page.goto(`${root}${FORM}/`);
  const data = await formData(page);
  return { data, p: plan(data, fixture(FORM, data.version, "b-begleitetes-fahren").data, files) };
}

/** With JavaScript: through the wizard, then send. */
async function sendWithScript(page) {
  const { data, p } = await open(page);
  const ui = await uiStrings(page);
  await throughWizard(page, data, p, ui);
  await page.check("#confirm");
  await page.click("#submit");
  return data;
}

/** Without JavaScript: every question on one page, then send. */
async function sendWithoutScript(page, lang) {
  const { data, p } = await open(page, lang);
  // The whole form on one page: both notices are in the HTML as sent.
  await assertNotice(page, lang, true);
  for (const f of data.fields) {
    if (p.answers[f.id] !== undefined) await fill(page, f, p.answers[f.id]);
  }
  await page.check("#confirm");
  await page.click("#submit");
  return data;
}

/** The submission.json files of this form, and whether one is for `id`. */
function records(id) {
  const all = storedRecords(server.data).filter((f) => f.includes(`/${M}/${FORM}/`));
  return { all, mine: all.filter((f) => f.includes(`/${id}/`)) };
}

/** `formfabrik inbox pull` of this form; the pulled folder of `reference`. */
function pull(reference, version) {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), "formfabrik-e2e-pay-pull-"));
  const r = spawnSync(
    formfabrik(),
    ["inbox", "pull", "--store", `file:${server.data}`, "--municipality", M, "--form", FORM, "--schemas", path.join(server.out, "schemas"), "--out", out],
    { encoding: "utf8" },
  );
  assert.equal(r.status, 0, `inbox pull failed:\n${r.stdout}\n${r.stderr}`);
  return { out, folder: path.join(out, M, FORM, `v${version}`, reference) };
}

test("with JavaScript: the page says that paying follows sending; pay, the confirmation shows the reference and the payment reference, and inbox pull imports the payment; an amount changed in the page is not what is paid", async () => {
  const context = await browser.newContext();
  context.setDefaultTimeout(15000);
  const page = await context.newPage();
  try {
    const { data, p } = await open(page);
    await assertNotice(page, "de", false);
    const ui = await uiStrings(page);
    await throughWizard(page, data, p, ui);
    // On the check-your-answers step, beside the send button.
    await assertNotice(page, "de", true);
    // Someone changes the amount the page shows and the fees the script reads.
    await page.evaluate(() => {
      const total = document.querySelector("#amount-due-total");
      if (total) total.textContent = "0,01 €";
      for (const a of document.querySelectorAll(".amount")) a.textContent = "0,01 €";
    });
    await page.check("#confirm");
    await page.click("#submit");
    await page.waitForURL(/\/pay\//, { timeout: 20000 });
    const payPage = await page.locator("body").innerText();
    assert.match(payPage, AMOUNT_DE, `the pay page asks for the server's amount:\n${payPage}`);
    assert.doesNotMatch(payPage, /0,01/);
    const id = await atPayPage(page, "pay");
    const { reference, paymentReference } = await assertPaid(page);
    assert.equal(records(id).mine.length, 1, "handed on once");

    const { out, folder } = pull(reference, data.version);
    try {
      const meta = JSON.parse(fs.readFileSync(path.join(folder, "metadata.json"), "utf8"));
      assert.equal(meta.paymentInformation.status, "PAYED");
      assert.equal(meta.paymentInformation.transactionReference, paymentReference);
      assert.equal(meta.paymentInformation.grossAmount, 43.4);
    } finally {
      fs.rmSync(out, { recursive: true, force: true });
    }
  } finally {
    await context.close();
  }
});

test("without JavaScript: the page says that paying follows sending; cancel on the pay page, pay again from the function's page, confirmed once", async () => {
  const context = await browser.newContext({ javaScriptEnabled: false });
  context.setDefaultTimeout(15000);
  const page = await context.newPage();
  try {
    await sendWithoutScript(page, "de");
    const id = await atPayPage(page, "cancel");
    assert.match(await page.locator("h1").innerText(), /Zahlung abgebrochen/);
    assert.equal(records(id).mine.length, 0, "nothing for the back office before payment");
    await Promise.all([page.waitForNavigation(), page.click('form[action^="./retry"] button')]);
    assert.equal(await atPayPage(page, "pay"), id);
    await assertPaid(page);
    assert.equal(records(id).mine.length, 1, "handed on once");
  } finally {
    await context.close();
  }
});

test("a failed payment, then withdrawn: nothing reaches the back office", async () => {
  const context = await browser.newContext({ javaScriptEnabled: false });
  context.setDefaultTimeout(15000);
  const page = await context.newPage();
  try {
    await sendWithoutScript(page, "en");
    const id = await atPayPage(page, "fail");
    assert.match(await page.locator("h1").innerText(), /Payment failed/);
    await Promise.all([page.waitForNavigation(), page.click('form[action^="./cancel"] button')]);
    assert.match(await page.locator("h1").innerText(), /Application withdrawn/);
    assert.equal(records(id).mine.length, 0);
  } finally {
    await context.close();
  }
});

test("with JavaScript: paid, then the tab closed before coming back: payments reconcile hands it on", async () => {
  const context = await browser.newContext();
  context.setDefaultTimeout(15000);
  const page = await context.newPage();
  try {
    await sendWithScript(page);
    await page.waitForURL(/\/pay\//, { timeout: 20000 });
    // Paid, and the tab closed before the platform's redirect back was followed: the pay
    // page's button pressed as the browser would, without following the 303.
    const payUrl = page.url();
    const html = await page.content();
    const action = /<form method="post" action="([^"]+)"/.exec(html)[1];
    const paid = await fetch(new URL(action, payUrl), {
      method: "POST",
      body: new URLSearchParams({ lang: "de", method: "GIROPAY", action: "pay" }),
      redirect: "manual",
    });
    assert.equal(paid.status, 303);
    await context.close();
    const before = records("").all.length;
    const platform = /payment: local XBezahldienste platform at (http:\/\/127\.0\.0\.1:\d+\/)/.exec(server.log());
    assert.ok(platform, `serve did not start the local payment platform:\n${server.log().slice(0, 3000)}`);
    const r = spawnSync(
      formfabrik(),
      ["payments", "reconcile", "--store", `file:${server.data}`, "--registry", path.join(server.out, "function", "registry.json"), "--min-age-minutes", "0", "--platform-url", platform[1]],
      { encoding: "utf8", env: { ...process.env, FORMFABRIK_PAYMENT_MUSTERSTADT_CLIENT_SECRET: "local-only" } },
    );
    assert.equal(r.status, 0, `payments reconcile failed:\n${r.stdout}\n${r.stderr}`);
    assert.match(r.stdout, /[1-9]\d* released/, r.stdout);
    assert.equal(records("").all.length, before + 1, "reconcile handed one submission on");
  } finally {
    await context.close().catch(() => {});
  }
});

test("without JavaScript: a post the function cannot accept comes back with the same notice, and nothing is paid or stored", async () => {
  const context = await browser.newContext({ javaScriptEnabled: false });
  context.setDefaultTimeout(15000);
  const page = await context.newPage();
  try {
    const { data, p } = await open(page);
    // Too young for the online application (max: today-17y): only the function finds it.
    p.answers.geburtsdatum = `${new Date().getFullYear() - 10}-01-01`;
    for (const f of data.fields) {
      if (p.answers[f.id] !== undefined) await fill(page, f, p.answers[f.id]);
    }
    await page.check("#confirm");
    const before = records("").all.length;
    const [res] = await Promise.all([page.waitForNavigation(), page.click("#submit")]);
    assert.equal(res.status(), 422, "the function's form page with the problem");
    assert.ok(await page.locator("#error-summary").isVisible());
    // The function's page, from the same renderer: the amount is the one it computed.
    await assertNotice(page, "de", true);
    assert.doesNotMatch(page.url(), /\/pay\//);
    assert.equal(records("").all.length, before, "nothing stored for the back office");
  } finally {
    await context.close();
  }
});

test("a form whose fees are charged by notice says nothing of paying online, with and without JavaScript", async () => {
  for (const javaScriptEnabled of [true, false]) {
    const context = await browser.newContext({ javaScriptEnabled });
    context.setDefaultTimeout(15000);
    const page = await context.newPage();
    try {
      await page.goto(`${server.base}/${M}/hundesteuer-anmeldung/`);
      assert.equal(await page.locator(".pay-notice").count(), 0, `JavaScript ${javaScriptEnabled ? "on" : "off"}`);
      assert.equal((await page.locator("#submit").textContent()).trim(), "Antrag absenden");
      assert.equal(await page.locator("#submit").getAttribute("aria-describedby"), null);
    } finally {
      await context.close();
    }
  }
});
