// "Save and come back" with a list (issue 13), on a form made for this (fixtures/sign-in-lists:
// Teststadt's „Ferienbetreuung“ offers sign-in with BundID and asks for a list of children),
// served by `formfabrik serve` with the real function and the test OpenID provider: a draft
// with two entries of the list, saved with or without JavaScript in one browser context (one
// device), comes back with both entries shown, filled in, in another context, with and
// without JavaScript. And the draft kept in this browser only (no sign-in) brings a list's
// entries back the same way.
"use strict";

const { test } = require("node:test");
const assert = require("node:assert/strict");
const path = require("node:path");

const { E2E } = require("./lib/harness");
const { journeyHooks, signInAtProvider } = require("./lib/journey");

const FORMS = path.join(E2E, "fixtures", "sign-in-lists", "forms");

let server, browser;
journeyHooks((e) => ({ server, browser } = e), FORMS);

const url = () => `${server.base}/teststadt/ferienbetreuung/`;
const MODES = [true, false];
const how = (js) => (js ? "with" : "without");
// Two children, the second one's entry not shown until asked for (the list's minimum is one);
// each test its own names, so a draft an earlier test saved cannot pass for this one's.
const entries = (tag) => [
  { vorname: `Mia ${tag}`, hinweise: "Nussallergie" },
  { vorname: `Leon ${tag}`, hinweise: "Darf allein nach Hause gehen" },
];

/** A new browser context (one device) with or without JavaScript, signed in as Erika at the form. */
async function signedIn(js) {
  const context = await browser.newContext({ javaScriptEnabled: js });
  context.setDefaultTimeout(15000);
  const page = await context.newPage();
  const errors = [];
  page.on("pageerror", (e) => errors.push(e.message));
  await page.goto(url());
  await page.getByRole("link", { name: /BundID/ }).click();
  // With JavaScript back to the form page; without, the function's prefilled page.
  const res = await signInAtProvider(page, "erika", js ? url() : /\/auth\/callback\?/);
  assert.equal(res.status(), 200, server.log().slice(-1500));
  if (js) await page.locator("#signed-in").waitFor({ state: "visible", timeout: 10000 });
  return { context, page, errors };
}

/** Fills both entries of the list: with JavaScript after „Weiteren Eintrag hinzufügen“, without by opening the section of more entries. */
async function fillTwo(page, js, two) {
  for (const [i, e] of two.entries()) {
    if (i === 1) {
      const more = page.locator('[data-field="kinder"] details.group__more');
      if (js) await page.locator('[data-field="kinder"] .group__buttons button', { hasText: "hinzufügen" }).click();
      // (Open already when a draft saved earlier had a second entry.)
      else if ((await more.getAttribute("open")) === null) await more.locator("> summary").click();
    }
    for (const [k, v] of Object.entries(e)) await page.fill(`#f-kinder-${i}-${k}`, v);
  }
}

/** Both entries shown with their answers, the third (unused) one not asked for with JavaScript. */
async function assertBothBack(page, js, two) {
  if (js) {
    // The draft arrives with the prefill answer, after the page is ready.
    await page.waitForFunction(() => (want) => document.getElementById("f-kinder-1-vorname").value === want, two[1].vorname, { timeout: 10000 }).catch(() => {});
  }
  for (const [i, e] of two.entries()) {
    assert.ok(await page.locator(`#f-kinder-${i}-vorname`).isVisible(), `entry ${i + 1} of the list is not shown`);
    for (const [k, v] of Object.entries(e)) assert.equal(await page.locator(`#f-kinder-${i}-${k}`).inputValue(), v, `entry ${i + 1}: ${k} not back`);
  }
  if (js) {
    assert.ok(await page.locator('[data-entry="2"]').isHidden(), "the unused third entry is shown");
    // The list's buttons follow the entries shown: one more can be added, the last removed.
    const buttons = page.locator('[data-field="kinder"] .group__buttons button');
    assert.ok(await buttons.filter({ hasText: "hinzufügen" }).isVisible(), "no button to add a third entry");
    assert.ok(await buttons.filter({ hasText: "entfernen" }).isVisible(), "no button to remove the second entry");
  }
}

for (const savedJs of MODES) {
  for (const backJs of MODES) {
    test(`a list's two entries saved ${how(savedJs)} JavaScript come back on another device ${how(backJs)} JavaScript`, async () => {
      const two = entries(`${how(savedJs)}-${how(backJs)}`);
      const first = await signedIn(savedJs);
      try {
        await fillTwo(first.page, savedJs, two);
        if (savedJs) {
          await first.page.click("#save-draft-button");
          await first.page.waitForFunction(() => /gespeichert/.test(document.querySelector("#save-draft-status").textContent), null, { timeout: 10000 });
        } else {
          const [saved] = await Promise.all([first.page.waitForNavigation({ timeout: 20000 }), first.page.click("#save-draft-button")]);
          assert.equal(saved.status(), 200, (await first.page.locator("body").innerText()).slice(0, 1500));
          assert.equal((await first.page.locator("h1").textContent()).trim(), "Entwurf gespeichert");
        }
        assert.deepEqual(first.errors, []);
      } finally {
        await first.context.close();
      }
      const second = await signedIn(backJs);
      try {
        await assertBothBack(second.page, backJs, two);
        assert.deepEqual(second.errors, []);
      } finally {
        await second.context.close();
      }
    });
  }
}

test("the draft kept in this browser brings a list's two entries back after a reload, both shown", async () => {
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    await page.goto(url());
    await page.check("#draft-input");
    const two = entries("anonym");
    await fillTwo(page, true, two);
    await page.reload();
    await assertBothBack(page, true, two);
  } finally {
    await context.close();
  }
});
