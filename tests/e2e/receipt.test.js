// The receipt (Antragsbestätigung) right after sending, both ways of sending, against
// `formfabrik serve` (the sites and the real submission function): with JavaScript the page
// script keeps the PDF the function's JSON answer carried and the site's confirmation page
// offers it; without, the function answers the form post with its confirmation page and the
// PDF as a `data:` download. The downloaded file is a PDF in the page's language whose text
// (poppler's pdftotext, installed by scripts/test) holds the reference and the answers.
"use strict";

const { test } = require("node:test");
const assert = require("node:assert/strict");
const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");
const { spawnSync } = require("node:child_process");

const { REFERENCE, fill, fixture, formData, journeyHooks, plan, storedRecords, throughWizard, uiStrings } = require("./lib/journey");

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
        // The function's JSON answer carries the receipt; the page keeps it for its tab.
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
      } else {
        for (const f of data.fields) {
          if (p.answers[f.id] !== undefined) await fill(page, f, p.answers[f.id]);
        }
        await page.check("#confirm");
        const [res] = await Promise.all([page.waitForNavigation({ timeout: 20000 }), page.click("#submit")]);
        // The form post is answered with the confirmation page itself (no redirect: the
        // receipt exists only in this answer).
        assert.equal(res.request().method(), "POST");
        assert.equal(res.status(), 200, (await page.locator("body").innerText()).slice(0, 2000));
        assert.equal(res.headers()["cache-control"], "no-store");
      }
      const reference = (await page.locator("#reference").textContent()).trim();
      assert.match(reference, REFERENCE);
      if (answer) assert.equal(answer.reference, reference);
      assert.equal(storedRecords(server.data).length, before + 1, "exactly one new submission");

      const link = page.locator("#receipt a");
      assert.ok(await link.isVisible(), "no receipt to download on the confirmation page");
      const [download] = await Promise.all([page.waitForEvent("download"), link.click()]);
      assert.match(download.suggestedFilename(), c.file);
      assert.ok(download.suggestedFilename().includes(reference), download.suggestedFilename());
      const file = path.join(dir, download.suggestedFilename());
      await download.saveAs(file);
      const bytes = fs.readFileSync(file);
      assert.equal(bytes.subarray(0, 5).toString(), "%PDF-");
      assert.ok(bytes.toString("latin1").includes(`/Lang(${c.lang})`), `the receipt is not in the page's language ${c.lang}`);
      if (answer) assert.deepEqual(bytes, Buffer.from(answer.base64, "base64"), "the page offers what the function sent");
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
