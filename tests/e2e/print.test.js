// Printing (the print stylesheet): a citizen prints the confirmation to keep the reference.
// Every confirmation page, in every language, prints on one A4 page with the reference and the
// office's contact, without the site's header, footer, language switch or print hint. Form
// pages print their questions without buttons and navigation. PDFs go to
// tests/e2e/artifacts/print/ (gitignored).
"use strict";

const { test } = require("node:test");
const assert = require("node:assert/strict");
const fs = require("node:fs");
const path = require("node:path");

const { ARTIFACTS, gotoWithoutScript, pool, siteHooks } = require("./lib/harness");

let site;
let browser;
siteHooks((e) => ({ site, browser } = e));

const dir = path.join(ARTIFACTS, "print");
const fileFor = (rel) => path.join(dir, `${rel.replace(/\/$/, "").replace(/\//g, "__")}.pdf`);

/** Elements that print: not display:none and not inside something that is. */
function shownInPrint(selectors) {
  const shown = (el) => el.getClientRects().length > 0;
  return Object.fromEntries(selectors.map((s) => [s, [...document.querySelectorAll(s)].some(shown)]));
}

/** Pages of a PDF, counted from its page objects. */
function pdfPages(pdf) {
  return (pdf.toString("latin1").match(/\/Type\s*\/Page(?![s\w])/g) || []).length;
}

test("print: every confirmation page fits one A4 page with the reference and without the site's frame", async (t) => {
  const pages = site.pages.filter((p) => p.kind === "confirmation");
  assert.ok(pages.length >= 10, `${pages.length} confirmation pages`);
  fs.mkdirSync(dir, { recursive: true });
  const context = await browser.newContext();
  try {
    await pool(pages, 2, async (p) => {
      const page = await context.newPage();
      try {
        await t.test(p.rel, async () => {
          await page.goto(`${site.base}/${p.url}`, { waitUntil: "load" });
          // A reference of the shape form-model gives this municipality (the page's own pattern).
          const pattern = await page.getAttribute("#reference-box", "data-pattern");
          const prefix = pattern.slice(1, pattern.indexOf("-"));
          const reference = `${prefix}-2026-7K2M9Q`;
          assert.match(reference, new RegExp(pattern));
          await page.goto(`${site.base}/${p.url}?ref=${reference}`, { waitUntil: "load" });
          await page.emulateMedia({ media: "print" });
          const shown = await page.evaluate(shownInPrint, [".header", ".footer", ".lang-nav", ".skip-link", ".no-print", "#reference", "main h1"]);
          for (const s of [".header", ".footer", ".lang-nav", ".skip-link", ".no-print"]) assert.equal(shown[s], false, `${s} prints`);
          assert.ok(shown["#reference"] && shown["main h1"], `reference and title print: ${JSON.stringify(shown)}`);
          assert.equal((await page.textContent("#reference")).trim(), reference);
          const pdf = await page.pdf({ format: "A4", printBackground: false });
          fs.writeFileSync(fileFor(p.rel), pdf);
          assert.ok(pdf.length > 1000, `an empty PDF (${pdf.length} bytes)`);
          assert.equal(pdfPages(pdf), 1, `${p.rel} prints on ${pdfPages(pdf)} pages (${fileFor(p.rel)})`);
        });
      } finally {
        await page.close();
      }
    });
  } finally {
    await context.close();
  }
});

test("print: a form page prints its questions without buttons, step list or site frame (JavaScript off)", async () => {
  const p = site.pages.find((x) => x.kind === "form" && x.rel === "musterstadt/hundesteuer-anmeldung/");
  assert.ok(p, "the Musterstadt dog tax form");
  fs.mkdirSync(dir, { recursive: true });
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    const cdp = await context.newCDPSession(page);
    await gotoWithoutScript(page, cdp, `${site.base}/${p.url}`);
    await page.emulateMedia({ media: "print" });
    const shown = await page.evaluate(shownInPrint, [".header", ".footer", ".step-nav", ".button", "#f-vorname", "#s-hund-heading"]);
    for (const s of [".header", ".footer", ".step-nav", ".button"]) assert.equal(shown[s], false, `${s} prints`);
    assert.ok(shown["#f-vorname"] && shown["#s-hund-heading"], `questions print: ${JSON.stringify(shown)}`);
    const pdf = await page.pdf({ format: "A4" });
    fs.writeFileSync(fileFor(p.rel), pdf);
    assert.ok(pdfPages(pdf) >= 2, "all steps print, not only the first screen");
  } finally {
    await context.close();
  }
});
