// Without JavaScript an error must not cost the answers (GOV.UK's pattern): the function
// answers an invalid form post with the form page itself, rendered from the same templates and
// the same view of the form as the site's page, in the municipality's design (stylesheet from
// the site's origin, allowed by the function's CSP), with the error summary on top, each error
// at its question and every answer filled in; a file question that had a file says it must be
// chosen again. Against `formfabrik serve` (the sites and the real function); the page passes
// the Nu Html Checker and axe, and sending it again after the correction stores the answers
// that were filled in by the function.
"use strict";

const { test } = require("node:test");
const assert = require("node:assert/strict");
const fs = require("node:fs");

const { formatViolations, gotoWithoutScript, runAxe, vnuErrorsOf } = require("./lib/harness");
const { assertConfirmedWithoutScript, fill, fixture, formData, journeyHooks, plan, storedRecord, storedRecords } = require("./lib/journey");

let server;
let browser;
let files;
journeyHooks((e) => ({ server, browser, files } = e));

const M = "gruenwiesen";
const FORM = "hundesteuer-anmeldung";

test("without JavaScript a post with errors comes back as the form page with the answers filled in and each error at its question", async () => {
  const context = await browser.newContext({ javaScriptEnabled: false });
  try {
    const page = await context.newPage();
    const formUrl = `${server.base}/${M}/${FORM}/`;
    await page.goto(formUrl);
    const action = await page.getAttribute("#form", "action");
    const data = await formData(page);
    const p = plan(data, fixture(FORM, data.version, "gefaehrlich-ja-ueberweisung").data, files);
    // The permit is asked only for a dangerous dog, so the browser cannot require it: the
    // function finds it missing. The other file is chosen, and must be chosen again after.
    assert.equal(p.answers.gefaehrlich, "ja");
    const permit = p.answers.erlaubnis;
    assert.ok(permit && p.answers.sachkunde, "the plan has both files");
    delete p.answers.erlaubnis;
    for (const f of data.fields) {
      if (p.answers[f.id] !== undefined) await fill(page, f, p.answers[f.id]);
    }
    await page.check("#confirm");
    const before = new Set(storedRecords(server.data));
    const loaded = [];
    const failed = [];
    page.on("response", (r) => loaded.push([r.url(), r.status()]));
    page.on("requestfailed", (r) => failed.push(`${r.url()}: ${r.failure() && r.failure().errorText}`));
    const [res] = await Promise.all([page.waitForNavigation(), page.click("#submit")]);

    // The function's answer, at the address posted to.
    assert.equal(res.status(), 422);
    assert.equal(page.url(), action);
    const headers = res.headers();
    assert.equal(headers["content-type"], "text/html; charset=utf-8");
    assert.equal(headers["cache-control"], "no-store");
    const site = new URL(server.base).origin;
    assert.match(headers["content-security-policy"], new RegExp(`style-src ${site}[;\\s]`));
    assert.match(headers["content-security-policy"], /frame-ancestors 'none'/);
    assert.equal(storedRecords(server.data).length, before.size, "nothing stored");

    // The form page itself, in the municipality's design: its form, its stylesheet loaded.
    assert.equal(await page.getAttribute("html", "lang"), "de");
    assert.match(await page.title(), /^Fehler: /);
    assert.equal(await page.getAttribute("#form", "action"), action);
    assert.ok(await page.locator("#submit").isVisible(), "the form can be sent again");
    const css = loaded.filter(([u]) => u.startsWith(`${site}/${M}/assets/`) && u.endsWith(".css"));
    assert.ok(css.length > 0 && css.every(([, s]) => s === 200), `the site's stylesheet: ${JSON.stringify(loaded)}`);
    assert.deepEqual(failed, [], "nothing the page loads is refused");

    // The error summary on top, linking to the question, which shows the same error.
    const summary = page.locator("#error-summary");
    assert.ok(await summary.isVisible(), "no error summary");
    const links = await summary.locator("a").evaluateAll((as) => as.map((a) => [a.getAttribute("href"), a.textContent.trim()]));
    assert.equal(links.length, 1, JSON.stringify(links));
    const [[href, message]] = links;
    assert.equal(href, "#f-erlaubnis");
    assert.equal(await page.locator("#f-erlaubnis").count(), 1);
    assert.equal((await page.locator("#f-erlaubnis-error .error-text").textContent()).trim(), message);
    assert.match(await page.getAttribute("#f-erlaubnis", "aria-describedby"), /f-erlaubnis-error/);

    // Every answer in its place; the file that was sent must be chosen again, and it says so.
    const answers = p.answers;
    assert.equal(await page.inputValue("#f-vorname"), answers.vorname);
    assert.equal(await page.inputValue("#f-nachname"), answers.nachname);
    assert.equal(await page.inputValue("#f-email"), answers.email);
    for (const [part, value] of Object.entries(answers.anschrift)) {
      assert.equal(await page.inputValue(`#f-anschrift-${part}`), value, `anschrift.${part}`);
    }
    const dog = answers.hunde[0];
    assert.equal(await page.inputValue("#f-hunde-0-name"), dog.name);
    assert.equal(await page.inputValue("#f-hunde-0-rasse"), dog.rasse);
    assert.ok(await page.isChecked('[data-field="gefaehrlich"] input[value="ja"]'));
    assert.ok(await page.isChecked('[data-field="zahlungsart"] input[value="ueberweisung"]'));
    const again = (await page.locator("#f-sachkunde-note").textContent()).trim();
    assert.match(again, /noch einmal/);
    assert.match(await page.getAttribute("#f-sachkunde", "aria-describedby"), /f-sachkunde-note/);
    assert.equal(await page.locator("#f-erlaubnis-note").count(), 0, "no file was sent for the permit");

    // The page exactly as the function sent it passes the Nu Html Checker and axe.
    const html = await res.text();
    const vnu = vnuErrorsOf(html, `${M}-${FORM}-422.html`);
    assert.equal(vnu.length, 0, `Nu Html Checker errors:\n${vnu.join("\n")}`);
    // axe needs scripting for itself only: the same bytes and headers are served again (a
    // post cannot be repeated by opening its address) and loaded with the page's scripts off.
    const axeContext = await browser.newContext({ javaScriptEnabled: true });
    try {
      const shown = await axeContext.newPage();
      await shown.route(action, (route) => route.fulfill({ status: 422, headers, body: html }));
      const cdp = await axeContext.newCDPSession(shown);
      await gotoWithoutScript(shown, cdp, action);
      assert.equal(await shown.locator("#error-summary a").count(), 1);
      await cdp.send("Emulation.setScriptExecutionDisabled", { value: false });
      const violations = await runAxe(shown, cdp);
      assert.equal(violations.length, 0, `axe violations:\n${formatViolations(`${M}/${FORM} 422`, violations)}`);
    } finally {
      await axeContext.close();
    }

    // Corrected and sent again from the page the function gave: the answers it filled in are
    // the ones stored.
    await page.setInputFiles("#f-erlaubnis", permit.path);
    await page.setInputFiles("#f-sachkunde", answers.sachkunde.path);
    await page.check("#confirm");
    await Promise.all([page.waitForNavigation(), page.click("#submit")]);
    await assertConfirmedWithoutScript(page);
    const added = storedRecords(server.data).filter((r) => !before.has(r));
    assert.equal(added.length, 1, "one submission stored");
    const record = storedRecord(added[0]);
    assert.equal(record.data.vorname, answers.vorname);
    assert.equal(record.data.email, answers.email);
    assert.equal(record.data.hunde[0].name, dog.name);
    assert.equal(record.data.erlaubnis.name, permit.name);
    assert.equal(record.data.sachkunde.name, answers.sachkunde.name);
  } finally {
    await context.close();
  }
});
