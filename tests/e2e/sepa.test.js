// The SEPA direct-debit mandate of the dog tax (docs/payment.md, issue 12), through
// Musterstadt's site against `formfabrik serve`: choosing direct debit shows the SEPA Core
// mandate text with the town's name and creditor identifier at the consent; the consent must
// be ticked (the page's check with JavaScript, the function's page without: the same rule);
// once sent, `inbox pull` brings the mandate in the record (reference = the submission's
// reference, creditor, debtor, IBAN, RCUR) and `inbox export --bookings --mandates` lists it.
"use strict";

const { test } = require("node:test");
const assert = require("node:assert/strict");
const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");
const { spawnSync } = require("node:child_process");

const { formfabrik } = require("./lib/harness");
const { assertConfirmedWithoutScript, fill, fixture, formData, journeyHooks, plan, uiStrings } = require("./lib/journey");

let server;
let browser;
let files;
journeyHooks((e) => ({ server, browser, files } = e));

const M = "musterstadt";
const FORM = "hundesteuer-anmeldung";
const CREDITOR_ID = "DE98ZZZ09999999999";
const CONSENT = "sepa-mandat";

/** The mandate text at the consent question, as the page shows it. */
async function assertMandateText(page, lang) {
  const hint = page.locator(`#f-${CONSENT}-hint`);
  assert.ok(await hint.isVisible(), "the mandate text is shown at the consent");
  const text = (await hint.innerText()).replace(/\s+/g, " ");
  assert.ok(text.includes(CREDITOR_ID), text);
  if (lang === "de") {
    assert.match(text, /Zahlungsempfänger: Stadt Musterstadt, Gläubiger-Identifikationsnummer DE98ZZZ09999999999\./);
    assert.match(text, /Ich ermächtige Stadt Musterstadt, wiederkehrende Zahlungen von meinem Konto mittels Lastschrift einzuziehen\./);
    assert.match(text, /innerhalb von acht Wochen, beginnend mit dem Belastungsdatum, die Erstattung des belasteten Betrages verlangen/);
    assert.match(text, /Mandatsreferenz: das Aktenzeichen/);
  } else {
    assert.match(text, /I authorise Stadt Musterstadt to collect recurring payments from my account by direct debit\./);
    assert.match(text, /within eight weeks/);
  }
  // The consent's group is described by the mandate text.
  const describedby = await page.locator(`[data-field="${CONSENT}"] fieldset`).getAttribute("aria-describedby");
  assert.ok((describedby || "").split(" ").includes(`f-${CONSENT}-hint`), `aria-describedby: ${describedby}`);
}

async function open(page, lang) {
  await page.goto(`${server.base}/${M}/${lang === "de" ? "" : `${lang}/`}${FORM}/`);
  const data = await formData(page);
  const p = plan(data, fixture(FORM, data.version, "gefaehrlich-nein-lastschrift").data, files);
  assert.equal(p.answers.zahlungsart, "lastschrift");
  assert.deepEqual(p.answers[CONSENT], ["erteilt"]);
  return { data, p };
}

/** `inbox pull` of the form, the pulled record of `reference` and the mandate file. */
function pullAndExport(reference, version) {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), "formfabrik-e2e-sepa-"));
  try {
    const pull = spawnSync(
      formfabrik(),
      ["inbox", "pull", "--store", `file:${server.data}`, "--municipality", M, "--form", FORM, "--schemas", path.join(server.out, "schemas"), "--out", out],
      { encoding: "utf8" },
    );
    assert.equal(pull.status, 0, `inbox pull failed:\n${pull.stdout}\n${pull.stderr}`);
    const record = JSON.parse(fs.readFileSync(path.join(out, M, FORM, `v${version}`, reference, "submission.json"), "utf8"));
    const exp = spawnSync(
      formfabrik(),
      ["inbox", "export", "--bookings", "--mandates", "--pulled", out, "--municipality", M, "--registry", path.join(server.out, "function", "registry.json")],
      { encoding: "utf8" },
    );
    assert.equal(exp.status, 0, `inbox export --bookings --mandates failed:\n${exp.stderr}`);
    return { record, file: exp.stdout };
  } finally {
    fs.rmSync(out, { recursive: true, force: true });
  }
}

function assertMandate(record, reference, answers, file) {
  const m = record.sepa_mandate;
  assert.ok(m, `no sepa_mandate in ${JSON.stringify(record).slice(0, 500)}`);
  assert.equal(m.reference, reference);
  assert.equal(m.signed_at, record.received_at);
  assert.equal(m.creditor_id, CREDITOR_ID);
  assert.equal(m.creditor_name, "Stadt Musterstadt");
  assert.equal(m.debtor_name, answers.kontoinhaber);
  assert.equal(m.iban, answers.iban.replace(/\s/g, "").toUpperCase());
  assert.equal(m.sequence_type, "RCUR");
  const row = file.split("\r\n").find((l) => l.startsWith(`${reference};`));
  assert.ok(row, `the mandate file lists ${reference}:\n${file}`);
  const cells = row.split(";");
  assert.equal(cells[2], CREDITOR_ID);
  assert.equal(cells[5], m.iban);
  assert.equal(cells[6], "RCUR");
}

test("with JavaScript: direct debit shows the mandate text with the creditor id; the consent must be ticked; the mandate reaches inbox pull and the mandate export", async () => {
  const context = await browser.newContext();
  context.setDefaultTimeout(15000);
  const page = await context.newPage();
  try {
    const { data, p } = await open(page, "de");
    const ui = await uiStrings(page);
    for (const step of data.steps.filter((s) => p.steps[s.id])) {
      const next = page.locator(`section.step[data-step="${step.id}"] .step-buttons button`, { hasText: ui.continue });
      for (const f of data.fields.filter((x) => x.step === step.id)) {
        if (f.id === CONSENT) continue;
        if (p.answers[f.id] !== undefined) await fill(page, f, p.answers[f.id]);
      }
      if (step.id === "sepa") {
        await assertMandateText(page, "de");
        // Not ticked: the step does not go on, the error is at the consent.
        await next.click();
        await page.locator(`#f-${CONSENT}-error`).waitFor({ state: "visible" });
        assert.match(await page.locator("#error-summary").innerText(), /SEPA-Lastschriftmandat/);
        await fill(page, data.fields.find((f) => f.id === CONSENT), p.answers[CONSENT]);
      }
      await next.click();
    }
    await page.locator("#review").waitFor({ state: "visible" });
    await page.check("#confirm");
    await page.click("#submit");
    await page.locator("#reference").waitFor({ state: "visible", timeout: 20000 });
    const reference = (await page.locator("#reference").textContent()).trim();
    const { record, file } = pullAndExport(reference, data.version);
    assertMandate(record, reference, p.answers, file);
  } finally {
    await context.close();
  }
});

test("without JavaScript: the mandate text is on the one-page form; sent without the consent, the function's page asks for it; ticked, the mandate is recorded", async () => {
  const context = await browser.newContext({ javaScriptEnabled: false });
  context.setDefaultTimeout(15000);
  const page = await context.newPage();
  try {
    const { data, p } = await open(page, "en");
    await assertMandateText(page, "en");
    for (const f of data.fields) {
      if (f.id === CONSENT) continue;
      if (p.answers[f.id] !== undefined) await fill(page, f, p.answers[f.id]);
    }
    await page.check("#confirm");
    const [res] = await Promise.all([page.waitForNavigation(), page.click("#submit")]);
    assert.equal(res.status(), 422, "the function refuses a direct debit without the mandate");
    assert.ok(await page.locator(`#f-${CONSENT}-error`).isVisible(), "the error is at the consent");
    // The function's page shows the mandate text too.
    await assertMandateText(page, "en");
    await fill(page, data.fields.find((f) => f.id === CONSENT), p.answers[CONSENT]);
    // A file question would have to be chosen again; this example has none.
    await page.check("#confirm");
    await Promise.all([page.waitForNavigation(), page.click("#submit")]);
    const reference = await assertConfirmedWithoutScript(page);
    const { record, file } = pullAndExport(reference, data.version);
    assertMandate(record, reference, p.answers, file);
  } finally {
    await context.close();
  }
});
