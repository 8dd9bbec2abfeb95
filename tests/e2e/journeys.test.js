// Browser journeys against `formfabrik serve` (the sites and the real submission function
// with a folder store): a citizen opens the municipality's services list, picks a form, fills
// it in with realistic answers (real PDF/PNG/JPEG files for uploads), sends it and reaches
// the confirmation page with the reference; the submission is then in the store as a
// submission.json, and the back office's `inbox pull` imports it with that same reference.
// With JavaScript: the wizard (Continue, Back, check your answers), ending on the site's
// confirmation page. Without: one page, and the function's own confirmation page (the site's
// cannot show the reference without JavaScript), checked with axe and the Nu Html Checker.
// A form that requires sign-in is signed in to first at the test OpenID provider, as a citizen
// does (with JavaScript back to the form page, without to the function's prefilled page).
"use strict";

const { test } = require("node:test");
const assert = require("node:assert/strict");
const crypto = require("node:crypto");
const fs = require("node:fs");
const path = require("node:path");

const { spawnSync } = require("node:child_process");
const { ARTIFACTS, formatViolations, formfabrik, gotoWithoutScript, runAxe, vnuErrorsOf } = require("./lib/harness");
const { REFERENCE, accountAnswers, assertPaid, assertPrefilled, atPayPage, expectedReview, fill, fixture, formData, journeyHooks, plan, shownReview, signInAtProvider, storedRecord, storedRecords, uiStrings } = require("./lib/journey");

// Every catalog form of Musterstadt with JavaScript (German) and without (English), each
// with a different fixture so conditional branches differ; the Arabic site's form both ways.
// `pays`: the form requires payment (docs/payment.md), so sending leads to the local payment
// platform's pay page, and the function's confirmation follows paying there
// (tests/e2e/payment.test.js: the other ways a payment goes).
const CASES = [
  { m: "musterstadt", lang: "de", form: "hundesteuer-anmeldung", fixture: "gefaehrlich-ja-lastschrift-ohne-chip", js: true },
  { m: "musterstadt", lang: "de", form: "sperrmuell-anmeldung", fixture: "moebel-mit-abstellort", js: true },
  { m: "musterstadt", lang: "de", form: "waffenbesitzkarte", fixture: "sportschuetze", js: true, signIn: "max", pays: true },
  { m: "musterstadt", lang: "de", form: "fahrerlaubnis-ersterteilung", fixture: "b-begleitetes-fahren", js: true, pays: true },
  { m: "musterstadt", lang: "en", form: "hundesteuer-anmeldung", fixture: "gefaehrlich-ja-ueberweisung", js: false },
  { m: "musterstadt", lang: "en", form: "sperrmuell-anmeldung", fixture: "elektrogeraete-ohne-abstellort", js: false },
  { m: "musterstadt", lang: "en", form: "waffenbesitzkarte", fixture: "jaeger-mit-verfahren", js: false, signIn: "max", pays: true },
  { m: "musterstadt", lang: "en", form: "fahrerlaubnis-ersterteilung", fixture: "b-be-ohne-begleitung-auslandsfuehrerschein", js: false, pays: true },
  { m: "neustadt-am-see", lang: "ar", form: "sperrmuell-anmeldung", fixture: "maximale-menge", js: true },
  // The current dog tax form lists several dogs (a repeatable group), and two forms imported
  // from FIM Stammdatenschemas.
  { m: "gruenwiesen", lang: "de", form: "hundesteuer-anmeldung", fixture: "gefaehrlich-ja-lastschrift-ohne-chip-zwei-hunde", js: true },
  { m: "gruenwiesen", lang: "de", form: "hundesteuer-anmeldung", fixture: "gefaehrlich-ja-lastschrift-ohne-chip-zwei-hunde", js: false },
  { m: "gruenwiesen", lang: "de", form: "mutterschutz-benachrichtigung", fixture: "nur-pflichtangaben", js: false },
  { m: "gruenwiesen", lang: "de", form: "asbest-anzeige", fixture: "nur-pflichtangaben", js: true },
  { m: "neustadt-am-see", lang: "ar", form: "sperrmuell-anmeldung", fixture: "moebel-mit-abstellort", js: false },
  // So that every catalog form is sent both ways: the FIM forms the other way round and with
  // all their answers (files inside groups and list entries), and the archived dog tax version
  // Beispieldorf still pins.
  { m: "gruenwiesen", lang: "de", form: "mutterschutz-benachrichtigung", fixture: "alle-angaben", js: true },
  { m: "gruenwiesen", lang: "de", form: "asbest-anzeige", fixture: "alle-angaben", js: false },
  { m: "gruenwiesen", lang: "de", form: "asbest-anzeige", fixture: "alle-angaben", js: true },
  { m: "beispieldorf", lang: "de", form: "hundesteuer-anmeldung", fixture: "gefaehrlich-nein-lastschrift", js: true },
];
// The weapons permit requires sign-in at level substantial (`identity: { required: substantial }`):
// its rows sign in first as test person Max Mustermann (ELSTER certificate, STORK-QAA-Level-3)
// at the test OpenID provider that `formfabrik serve` starts, find name, birth date, address
// and e-mail filled in from the account, answer the rest and send.

// The first language of each municipality is at its root.
const DEFAULT_LANG = { musterstadt: "de", "neustadt-am-see": "de", beispieldorf: "de", gruenwiesen: "de" };

let server;
let browser;
let files;
journeyHooks((e) => ({ server, browser, files } = e));

const sha256 = (p) => crypto.createHash("sha256").update(fs.readFileSync(p)).digest("hex");

/**
 * The stored record with this reference, checked against what was sent (and, after sign-in,
 * carrying the identity the provider verified for `account`).
 */
function checkStored(c, data, p, reference, account) {
  const records = storedRecords(server.data)
    .map((file) => ({ file, record: storedRecord(file) }))
    .filter((r) => r.record.reference === reference);
  assert.equal(records.length, 1, `expected one submission.json with reference ${reference} in ${server.data}, found ${records.length}`);
  const { file, record } = records[0];
  assert.ok(
    file.includes(`/${c.m}/${c.form}/v${data.version}/`),
    `stored at ${file}, not under <prefix>/${c.m}/${c.form}/v${data.version}/<yyyy>/<mm>/<dd>/<id>/`,
  );
  assert.equal(record.municipality.id, c.m);
  assert.equal(record.form.id, c.form);
  assert.equal(record.form.version, data.version);
  assert.equal(record.language, c.lang);
  if (account) {
    const id = record.identity || {};
    assert.equal(id["family-name"], account.familyName, `stored identity: ${JSON.stringify(record.identity)}`);
    assert.equal(id.bpk2, account.bpk2, "stored identity: bPK2");
    assert.equal(id["trust-level"], "substantial", "stored identity: trust level");
    assert.equal(id["trust-level-claim"], account.acr, "stored identity: the level as the provider sent it");
  } else assert.equal(record.identity, undefined, "an identity stored without sign-in");
  // What was typed, as the function stores it: numbers as numbers, IBANs without spaces,
  // files as their description (checked with the attachments below).
  const stored = (want, got, where) => {
    if (want && want.path) return;
    if (Array.isArray(want)) {
      assert.ok(Array.isArray(got) && got.length === want.length, `stored ${where}: ${JSON.stringify(got)}`);
      want.forEach((w, i) => stored(w, got[i], `${where}[${i}]`));
    } else if (want && typeof want === "object") {
      for (const [k, w] of Object.entries(want)) stored(w, got && got[k], `${where}.${k}`);
    } else if (typeof want === "string" && typeof got === "number") assert.equal(got, Number(want), `stored ${where}`);
    else if (/iban$/.test(where)) assert.equal(String(got).replace(/\s/g, ""), want.replace(/\s/g, "").toUpperCase(), `stored ${where}`);
    else assert.deepEqual(got, want, `stored ${where}`);
  };
  for (const [id, v] of Object.entries(p.answers)) stored(v, record.data[id], id);
  // Uploaded files, also inside groups and list entries, by their input name (zulassung.nachweis,
  // personen.0.nachweis): the record's attachments name them the same way.
  const sent = [];
  const collect = (v, name) => {
    if (v && v.path) sent.push([name, v]);
    else if (Array.isArray(v)) v.forEach((x, i) => collect(x, `${name}.${i}`));
    else if (v && typeof v === "object") for (const [k, x] of Object.entries(v)) collect(x, `${name}.${k}`);
  };
  for (const [id, v] of Object.entries(p.answers)) collect(v, id);
  assert.equal((record.attachments || []).length, sent.length, `attachments: ${JSON.stringify(record.attachments)}`);
  for (const [id, v] of sent) {
    const a = record.attachments.find((x) => x.field === id);
    assert.ok(a, `no attachment for ${id}`);
    assert.equal(a.sha256, sha256(v.path), `sha256 of ${id}`);
    assert.equal(a.size, v.size, `size of ${id}`);
    assert.equal(a.type, v.type, `type of ${id}`);
  }
  // The back office's import job takes it over: `formfabrik inbox pull` verifies the hashes
  // and validates the data against the published JSON Schema, and fails loudly otherwise.
  const out = fs.mkdtempSync(path.join(require("node:os").tmpdir(), "formfabrik-e2e-pull-"));
  const pull = spawnSync(
    formfabrik(),
    ["inbox", "pull", "--store", `file:${server.data}`, "--municipality", c.m, "--form", c.form, "--schemas", path.join(server.out, "schemas"), "--out", out],
    { encoding: "utf8" },
  );
  assert.equal(pull.status, 0, `inbox pull failed:\n${pull.stdout}\n${pull.stderr}`);
  assert.ok(`${pull.stdout}${pull.stderr}`.includes(record.id), `inbox pull did not import ${record.id}:\n${pull.stdout}\n${pull.stderr}`);
  // The reference the citizen was shown is the one the back office works with.
  // Pulled folders are named by the reference (docs/backoffice.md, "Pulled folders").
  const imported = JSON.parse(fs.readFileSync(path.join(out, c.m, c.form, `v${data.version}`, reference, "submission.json"), "utf8"));
  assert.equal(imported.reference, reference, "the back office sees another reference than the citizen");
  fs.rmSync(out, { recursive: true, force: true });
  console.log(`${c.m}/${c.lang}/${c.form} (${c.js ? "JS" : "no JS"}): ${reference}, ${Object.keys(record.data).length} answers, ${sent.length} attachments, imported by inbox pull`);
}

async function openForm(page, c) {
  const root = `${server.base}/${c.m}/${c.lang === DEFAULT_LANG[c.m] ? "" : `${c.lang}/`}`;
  const res = await page.goto(root);
  assert.equal(res.status(), 200, `${root}: HTTP ${res.status()}`);
  await page.click(`#services a[href="${c.form}/"]`);
  await page.waitForURL(`${root}${c.form}/`);
  assert.equal(await page.getAttribute("html", "lang"), c.lang);
  if (c.lang === "ar") assert.equal(await page.getAttribute("html", "dir"), "rtl");
  return `${root}${c.form}/`;
}

async function axeClean(page, where) {
  const v = await runAxe(page);
  assert.equal(v.length, 0, `axe violations (${where}):\n${formatViolations(where, v)}`);
}

/**
 * At 320 px: a screenshot into the artifacts, and whether the page scrolls sideways (returned
 * as a problem, asserted at the end, so one layout defect does not hide whether sending works).
 */
async function reflow(page, name) {
  const dir = path.join(ARTIFACTS, "screens-320", "journeys");
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  const { scrollWidth, wide } = await page.evaluate(() => ({
    scrollWidth: document.scrollingElement.scrollWidth,
    wide: [...document.querySelectorAll("body *")]
      .filter((el) => el.getBoundingClientRect().right > window.innerWidth + 0.5 && !el.closest(".visually-hidden, .hp"))
      .slice(0, 4)
      .map((el) => `${el.tagName.toLowerCase()}${el.id ? "#" + el.id : ""}.${String(el.className).split(" ").join(".")}`),
  }));
  return scrollWidth <= 320 ? [] : [`${name}: scrolls horizontally at 320 px (scrollWidth ${scrollWidth}; wide: ${wide.join(", ")}); screenshot ${file}`];
}

for (const c of CASES) {
  test(`journey ${c.js ? "with" : "without"} JavaScript: ${c.m} ${c.form} (${c.lang}, ${c.fixture})`, async () => {
    // With JavaScript on a 320 px phone (the wizard's check-your-answers step with the fee
    // table shows only here), without on a desktop window.
    const context = await browser.newContext({ javaScriptEnabled: c.js, viewport: c.js ? { width: 320, height: 720 } : { width: 1024, height: 900 } });
    context.setDefaultTimeout(15000);
    const page = await context.newPage();
    const layout = [];
    try {
      const formUrl = await openForm(page, c);
      // Sign-in first where the form requires it: the page's link to the function, the
      // provider's sign-in page, and back — with JavaScript to the form page, whose script
      // fills in and locks the account's answers; without, to the function's callback, which
      // answers with the prefilled form page itself (view=page).
      const locked = new Set();
      let account;
      if (c.signIn) {
        account = accountAnswers(c.form, c.signIn);
        const link = page.getByRole("link", { name: /BundID/ });
        assert.ok(await link.isVisible(), "the form requires sign-in, but its page has no sign-in link");
        await link.click();
        if (c.js) {
          await signInAtProvider(page, c.signIn, formUrl);
          await page.locator("#signed-in").waitFor({ state: "visible", timeout: 10000 });
          assert.ok((await page.locator("#signed-in-name").textContent()).includes(account.familyName), "the page does not say who is signed in");
          await assertPrefilled(page, account.answers, { readOnly: true, unlocked: account.unlocked });
        } else {
          const res = await signInAtProvider(page, c.signIn, new RegExp(`/v1/${c.m}/auth/callback\\?`));
          assert.equal(res.status(), 200, `the callback without JavaScript: HTTP ${res.status()}\n${server.log().slice(-2000)}`);
          assert.equal(await page.getAttribute("html", "lang"), c.lang);
          // Locked here too: the function's page shows them as text (and refuses a change at
          // submission in any case).
          await assertPrefilled(page, account.answers, { readOnly: true, unlocked: account.unlocked });
        }
        for (const id of Object.keys(account.answers)) locked.add(id);
      }
      const data = await formData(page);
      const fx = fixture(c.form, data.version, c.fixture);
      const p = plan(data, fx.data, files);
      // What the account gave is the answer, not the fixture's; it is not typed again.
      if (account) Object.assign(p.answers, account.answers);
      const before = storedRecords(server.data).length;

      if (c.js) {
        const ui = await uiStrings(page);
        const steps = data.steps.filter((s) => p.steps[s.id]);
        for (const [i, step] of steps.entries()) {
          const sec = page.locator(`section.step[data-step="${step.id}"]`);
          assert.ok(await sec.isVisible(), `step ${step.id} is not shown`);
          assert.equal(await page.locator("section.step:visible").count(), 1, "more than one step shows");
          const progress = ui["step-of"].replace("{n}", i + 1).replace("{m}", steps.length + 1);
          assert.equal((await page.locator("#step-progress").textContent()).trim(), progress);
          for (const f of data.fields.filter((x) => x.step === step.id)) {
            if (p.answers[f.id] !== undefined && !locked.has(f.id)) await fill(page, f, p.answers[f.id]);
          }
          // The page shows exactly the questions the conditions ask, given these answers.
          for (const f of data.fields.filter((x) => x.step === step.id)) {
            const visible = await page.locator(`[data-field="${f.id}"]`).isVisible();
            assert.equal(visible, p.shown[f.id], `question ${f.id} ${p.shown[f.id] ? "should show" : "should be hidden"}`);
          }
          await sec.locator(".step-buttons button", { hasText: ui.continue }).click();
          const next = i + 1 < steps.length ? `s-${steps[i + 1].id}-heading` : "review-heading";
          await page.waitForFunction((id) => document.activeElement && document.activeElement.id === id, next, { timeout: 5000 }).catch(async () => {
            const errs = await page.locator("#error-summary:visible li").allTextContents();
            assert.fail(`after Continue on step ${step.id}, focus is not on #${next}; errors shown: ${JSON.stringify(errs)}`);
          });
        }
        // Check your answers: per step, every question asked with the answer as given (the
        // words of a choice, dates as the language writes them, group questions with their
        // group's name in front).
        assert.ok(await page.locator("#review").isVisible(), "no check-your-answers step");
        assert.deepEqual(await shownReview(page), await expectedReview(page, data, p, ui), "check-your-answers rows");
        await axeClean(page, `${c.m}/${c.lang}/${c.form} check your answers`);
        layout.push(...(await reflow(page, `${c.m}-${c.lang}-${c.form}-review`)));
        // Back goes to the last step and Continue returns.
        await page.locator("#finish .step-buttons button", { hasText: ui.back }).click();
        assert.ok(await page.locator(`section.step[data-step="${steps[steps.length - 1].id}"]`).isVisible(), "Back did not return to the last step");
        await page.locator("section.step:visible .step-buttons button", { hasText: ui.continue }).click();
        await page.check("#confirm");
        await page.click("#submit");
        if (c.pays) {
          await atPayPage(page, "pay");
          const { reference } = await assertPaid(page);
          checkStored(c, data, p, reference, account);
        } else {
          await page.waitForURL(/\/danke\/\?ref=/, { timeout: 20000 }).catch(async () => {
            const status = await page.locator("#send-status").textContent();
            const errs = await page.locator("#error-summary:visible li").allTextContents();
            assert.fail(`no confirmation page after sending; status: ${JSON.stringify(status)}; errors: ${JSON.stringify(errs)}\nserver log:\n${server.log().slice(-2000)}`);
          });
          const reference = (await page.locator("#reference").textContent()).trim();
          assert.match(reference, REFERENCE);
          assert.ok(await page.locator("#reference").isVisible(), "the reference is not shown");
          assert.ok(!(await page.locator("#reference-missing").isVisible()), "the page says the reference is missing although it shows it");
          await axeClean(page, `${c.m}/${c.lang}/${c.form}/danke with reference`);
          layout.push(...(await reflow(page, `${c.m}-${c.lang}-${c.form}-danke`)));
          checkStored(c, data, p, reference, account);
        }
      } else {
        assert.equal(
          await page.locator("section.step:not(#review):visible").count(),
          data.steps.length,
          "without JavaScript all steps should be on the page",
        );
        for (const f of data.fields) {
          if (p.answers[f.id] !== undefined && !locked.has(f.id)) await fill(page, f, p.answers[f.id]);
        }
        await page.check("#confirm");
        if (c.pays) {
          await page.click("#submit");
          await atPayPage(page, "pay");
          const { reference } = await assertPaid(page);
          checkStored(c, data, p, reference, account);
        } else {
          const [res] = await Promise.all([page.waitForNavigation({ timeout: 20000 }), page.click("#submit")]);
          const url = new URL(page.url());
          const postPath = `/v1/${c.m}/${c.form}`;
          if (url.pathname.replace(/\/$/, "") !== postPath) {
            const body = (await page.locator("body").innerText()).slice(0, 3000);
            assert.fail(`the form post was not answered by the function's confirmation page at ${postPath} but by ${url}:\n${body}\nserver log:\n${server.log().slice(-2000)}`);
          }
          // The post is answered with the confirmation page itself (with the receipt button,
          // whose record exists only in this answer: no redirect, see docs/receipt.md).
          assert.equal(res.request().method(), "POST");
          assert.equal(res.request().redirectedFrom(), null, "the confirmation page was reached by a redirect");
          assert.equal(res.status(), 200, `${url}: HTTP ${res.status()}`);
          const headers = res.headers();
          assert.equal(headers["content-type"], "text/html; charset=utf-8");
          assert.equal(headers["cache-control"], "no-store");
          assert.match(headers["content-security-policy"], /^default-src 'none'/);
          assert.ok(await page.locator("#receipt button").isVisible(), "no receipt button");
          // The page itself shows the reference, in the page's language.
          assert.equal(await page.getAttribute("html", "lang"), c.lang);
          assert.equal(await page.getAttribute("html", "dir"), c.lang === "ar" ? "rtl" : "ltr");
          assert.equal(await page.locator("h1").count(), 1);
          const shown = page.locator("#reference");
          assert.ok(await shown.isVisible(), "the function's confirmation page does not show the reference");
          const reference = (await shown.textContent()).trim();
          assert.match(reference, REFERENCE);
          assert.equal(await page.locator("#reference-missing").count(), 0);
          fs.mkdirSync(path.join(ARTIFACTS, "journeys"), { recursive: true });
          await page.screenshot({ path: path.join(ARTIFACTS, "journeys", `${c.m}-${c.lang}-${c.form}-nojs-danke.png`) });
          // Nu Html Checker on the page exactly as the function sent it.
          const vnu = vnuErrorsOf(await res.text(), `${c.m}-${c.lang}-${c.form}-danke.html`);
          assert.equal(vnu.length, 0, `Nu Html Checker errors on ${url}:\n${vnu.join("\n")}`);
          // axe needs timers, which chromium does not fire in this context (scripting is off for
          // all of it): the function's confirmation route (the same page without the receipt,
          // for links to it) is opened as axe.test.js opens pages without JavaScript. It only
          // shows, it stores nothing.
          const danke = new URL(`${url.pathname.replace(/\/$/, "")}/danke?ref=${encodeURIComponent(reference)}&lang=${c.lang}`, url);
          const axeContext = await browser.newContext({ javaScriptEnabled: true });
          try {
            const again = await axeContext.newPage();
            const cdp = await axeContext.newCDPSession(again);
            const res2 = await gotoWithoutScript(again, cdp, danke.href);
            assert.equal(res2.status(), 200, `${danke} opened: HTTP ${res2.status()}`);
            assert.equal((await again.locator("#reference").textContent()).trim(), reference);
            await cdp.send("Emulation.setScriptExecutionDisabled", { value: false });
            const violations = await runAxe(again, cdp);
            assert.equal(violations.length, 0, `axe violations (${danke}):\n${formatViolations(`${c.m}/${c.lang}/${c.form} function confirmation`, violations)}`);
          } finally {
            await axeContext.close();
          }
          checkStored(c, data, p, reference, account);
        }
      }
      assert.equal(storedRecords(server.data).length, before + 1, "exactly one new submission.json");
      assert.deepEqual(layout, [], "the journey reached the confirmation, but the layout failed at 320 px");
    } catch (e) {
      fs.mkdirSync(path.join(ARTIFACTS, "failures"), { recursive: true });
      await page
        .screenshot({ path: path.join(ARTIFACTS, "failures", `journey-${c.m}-${c.lang}-${c.form}-${c.js ? "js" : "nojs"}.png`), fullPage: true })
        .catch(() => {});
      throw e;
    } finally {
      await context.close();
    }
  });
}
