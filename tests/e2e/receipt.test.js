// The receipt (Antragsbestätigung) right after sending, both ways of sending, against
// `formfabrik serve` (the sites and the real submission function). The receipt is made on
// request (docs/receipt.md): with JavaScript the page script keeps what the function's JSON
// answer says it is made of (the stored record, the attachments' SHA-512) and the site's
// confirmation page fills in a form with it; without, the function answers the form post with
// its confirmation page and the same form. Either way the citizen clicks its button, the form
// posts to the function's `…/receipt`, and the answer is a download: a PDF in the page's
// language whose text (poppler's pdftotext, installed by scripts/test) holds the reference and
// the answers.
"use strict";

const { test } = require("node:test");
const assert = require("node:assert/strict");
const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");
const { spawnSync } = require("node:child_process");

const { REFERENCE, fill, fixture, formData, journeyHooks, plan, storedRecordText, storedRecords, throughWizard, uiStrings } = require("./lib/journey");

const CASES = [
  { m: "musterstadt", lang: "de", form: "sperrmuell-anmeldung", fixture: "moebel-mit-abstellort", js: true, file: /^Antragsbestaetigung-.*\.pdf$/ },
  { m: "musterstadt", lang: "en", form: "sperrmuell-anmeldung", fixture: "elektrogeraete-ohne-abstellort", js: false, file: /^Application-receipt-.*\.pdf$/ },
];

let server;
let browser;
let files;
journeyHooks((e) => ({ server, browser, files } = e));

/** The text poppler extracts, without white space (the PDF wraps lines where it likes). */
function pdfText(file) {
  const out = spawnSync("pdftotext", ["-enc", "UTF-8", file, "-"], { encoding: "utf8" });
  assert.equal(out.status, 0, `pdftotext (Debian's poppler-utils, installed by scripts/test): ${out.error || out.stderr}`);
  return out.stdout;
}
const squeeze = (s) => s.replace(/\s+/g, "");

/** A plain text answer of the plan (a name, a street): what the receipt must show as typed. */
function typedAnswer(data, p) {
  const f = data.fields.find((x) => x.type === "text" && typeof p.answers[x.id] === "string" && p.answers[x.id].trim().length > 2);
  assert.ok(f, "the fixture types no text answer");
  return p.answers[f.id];
}

for (const c of CASES) {
  test(`the receipt downloads right after sending ${c.js ? "with" : "without"} JavaScript (${c.m} ${c.form}, ${c.lang})`, async () => {
    const context = await browser.newContext({ javaScriptEnabled: c.js, acceptDownloads: true });
    context.setDefaultTimeout(15000);
    const page = await context.newPage();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "formfabrik-e2e-receipt-"));
    try {
      const root = `${server.base}/${c.m}/${c.lang === "de" ? "" : `${c.lang}/`}`;
      await page.goto(`${root}${c.form}/`);
      assert.equal(await page.getAttribute("html", "lang"), c.lang);
      const data = await formData(page);
      const p = plan(data, fixture(c.form, data.version, c.fixture).data, files);
      const before = storedRecords(server.data).length;
      let answer;
      if (c.js) {
        await throughWizard(page, data, p, await uiStrings(page));
        await page.check("#confirm");
        // The function's JSON answer carries what the receipt is made of, not the PDF; the page
        // keeps it for its tab.
        const [res] = await Promise.all([
          page.waitForResponse((r) => r.request().method() === "POST"),
          page.click("#submit"),
        ]);
        assert.equal(res.status(), 201);
        await page.waitForURL(/\/danke\/\?ref=/, { timeout: 20000 });
        // The answer's body is gone with the navigation; what the script kept of it is in
        // the tab's sessionStorage.
        const ref = new URL(page.url()).searchParams.get("ref");
        answer = JSON.parse(await page.evaluate((r) => sessionStorage.getItem(`formfabrik-receipt:${r}`), ref));
        answer.reference = ref;
        assert.equal(answer.base64, undefined, "no PDF in the answer");
        assert.equal(typeof answer.record, "string");
      } else {
        for (const f of data.fields) {
          if (p.answers[f.id] !== undefined) await fill(page, f, p.answers[f.id]);
        }
        await page.check("#confirm");
        const [res] = await Promise.all([page.waitForNavigation({ timeout: 20000 }), page.click("#submit")]);
        // The form post is answered with the confirmation page itself (no redirect: what the
        // receipt is made of exists only in this answer).
        assert.equal(res.request().method(), "POST");
        assert.equal(res.status(), 200, (await page.locator("body").innerText()).slice(0, 2000));
        assert.equal(res.headers()["cache-control"], "no-store");
      }
      const reference = (await page.locator("#reference").textContent()).trim();
      assert.match(reference, REFERENCE);
      if (answer) assert.equal(answer.reference, reference);
      const records = storedRecords(server.data);
      assert.equal(records.length, before + 1, "exactly one new submission");
      if (answer) {
        // What the page keeps is the record exactly as stored (its hash is in the claim).
        const stored = records.map(storedRecordText).find((r) => r.includes(reference));
        assert.equal(answer.record, stored);
      }

      // One button, with and without JavaScript: a plain form that posts to the function.
      const button = page.locator("#receipt button");
      assert.ok(await button.isVisible(), "no receipt button on the confirmation page");
      assert.equal((await button.textContent()).trim(), c.lang === "de" ? "Antragsbestätigung herunterladen (PDF)" : "Download the application receipt (PDF)");
      assert.match(await page.locator("#receipt").evaluate((f) => f.action), /\/v1\/musterstadt\/sperrmuell-anmeldung\/receipt$/);
      const [download] = await Promise.all([page.waitForEvent("download"), button.click()]);
      assert.match(download.suggestedFilename(), c.file);
      assert.ok(download.suggestedFilename().includes(reference), download.suggestedFilename());
      const file = path.join(dir, download.suggestedFilename());
      await download.saveAs(file);
      const bytes = fs.readFileSync(file);
      assert.equal(bytes.subarray(0, 5).toString(), "%PDF-");
      assert.ok(bytes.toString("latin1").includes(`/Lang(${c.lang})`), `the receipt is not in the page's language ${c.lang}`);
      const text = squeeze(pdfText(file));
      assert.ok(text.includes(reference), `the receipt does not show the reference ${reference}:\n${text.slice(0, 1500)}`);
      const typed = typedAnswer(data, p);
      assert.ok(text.includes(squeeze(typed)), `the receipt does not show the answer ${JSON.stringify(typed)}:\n${text.slice(0, 1500)}`);
      // Nothing beyond the submission was stored: no receipt in the store.
      const stored = spawnSync("find", [server.data, "(", "-iname", "*receipt*", "-o", "-iname", "*antragsbestaetigung*", ")"], { encoding: "utf8" }).stdout.trim();
      assert.equal(stored, "", `receipts in the store: ${stored}`);
      console.log(`${c.m}/${c.lang}/${c.form} (${c.js ? "JS" : "no JS"}): ${download.suggestedFilename()}, ${bytes.length} bytes, shows ${reference} and ${JSON.stringify(typed)}`);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
      await context.close();
    }
  });
}
