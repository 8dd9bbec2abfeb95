// The registry look-up from the form page (docs/identity.md, *Registry look-up*), in a real
// browser against `formfabrik serve`, which starts the test OpenID provider and Musterstadt's
// local registry (tests/melderegister/musterstadt.yaml) and prints every look-up the registry
// answers. The Meldebescheinigung's address is `registry-address`. With and without
// JavaScript: Erika signs in, agrees, and finds her registered address (newer than her
// account's) filled in and locked; sent, `inbox pull` shows the registry as its source. Without
// the tick nothing is asked; Ayşe, not registered in Musterstadt, is told so and types her
// address; a registry address changed in the page is refused at submission, nothing stored.
"use strict";

const { test } = require("node:test");
const assert = require("node:assert/strict");
const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");
const { spawnSync } = require("node:child_process");

const { formfabrik } = require("./lib/harness");
const { fill, fixture, formData, journeyHooks, plan, signInAtProvider, storedRecords, throughWizard, uiStrings } = require("./lib/journey");

let server, browser, files;
journeyHooks((env) => ({ server, browser, files } = env));

const M = "musterstadt";
const FORM = "meldebescheinigung";
const pageUrl = () => `${server.base}/${M}/${FORM}/`;
const REGISTERED = { street: "Am Rathausplatz", "house-number": "3", postcode: "35399", city: "Musterstadt" };

/** How many look-ups the local registry has answered (serve prints each). */
const lookUps = () => (server.log().match(/melderegister musterstadt: look-up answered/g) || []).length;

/** Opens the form, signs in as `person`; with JavaScript back at the page with the prefill
 * done, without at the function's prefilled page. */
async function signedIn(page, js, person) {
  await page.goto(pageUrl());
  await page.getByRole("link", { name: /BundID/ }).click();
  if (js) {
    await signInAtProvider(page, person, pageUrl());
    await page.locator("#signed-in").waitFor({ state: "visible", timeout: 10000 });
  } else {
    const res = await signInAtProvider(page, person, /\/auth\/callback\?/);
    assert.equal(res.status(), 200, server.log().slice(-1500));
  }
  assert.ok(await page.locator("#registry").isVisible(), "no registry look-up box after sign-in");
  const consent = (await page.locator('label[for="registry-consent"]').textContent()).trim();
  assert.equal(consent, "Meine aktuelle Meldeadresse aus dem Melderegister von Stadt Musterstadt abrufen");
}

/** Ticks the consent and presses the button; resolves when the page shows the answer. */
async function lookUp(page, js) {
  await page.check("#registry-consent");
  if (js) {
    await page.click("#registry-button");
    await page.waitForFunction(() => document.querySelector("#registry-status").textContent.length > 12, null, { timeout: 10000 });
  } else {
    await Promise.all([page.waitForNavigation({ url: /\/auth\/registry\?/, timeout: 15000 }), page.click("#registry-button")]);
  }
  return (await page.locator("#registry-status").textContent()).trim();
}

/** The rest of the form (not the prefilled questions), confirmed and sent; the answer page. */
async function sendRest(page, js) {
  const data = await formData(page);
  const p = plan(data, fixture(FORM, data.version).data, files);
  for (const id of ["vorname", "nachname", "geburtsdatum", "anschrift", "email"]) delete p.answers[id];
  if (js) {
    await throughWizard(page, data, p, await uiStrings(page));
    await page.check("#confirm");
    await page.click("#submit-notice");
  } else {
    for (const f of data.fields) if (p.answers[f.id] !== undefined) await fill(page, f, p.answers[f.id]);
    await page.check("#confirm");
    await Promise.all([page.waitForNavigation({ timeout: 20000 }), page.click("#submit-notice")]);
  }
  return data;
}

function pulled(version, reference) {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), "formfabrik-e2e-registry-"));
  try {
    const pull = spawnSync(formfabrik(), ["inbox", "pull", "--store", `file:${server.data}`, "--municipality", M, "--form", FORM, "--schemas", path.join(server.out, "schemas"), "--out", out], { encoding: "utf8" });
    assert.equal(pull.status, 0, `inbox pull failed:\n${pull.stdout}\n${pull.stderr}`);
    return JSON.parse(fs.readFileSync(path.join(out, M, FORM, `v${version}`, reference, "submission.json"), "utf8"));
  } finally {
    fs.rmSync(out, { recursive: true, force: true });
  }
}

for (const js of [true, false]) {
  const mode = js ? "with" : "without";
  test(`${mode} JavaScript: sign in, agree, the registered address is filled in and locked, sent; inbox pull shows the registry as its source`, async () => {
    const context = await browser.newContext({ javaScriptEnabled: js });
    context.setDefaultTimeout(15000);
    const page = await context.newPage();
    try {
      await signedIn(page, js, "erika");
      const before = lookUps();
      const said = await lookUp(page, js);
      assert.match(said, /Meldeadresse aus dem Melderegister von Stadt Musterstadt ist eingetragen/);
      assert.equal(lookUps(), before + 1, "the registry was not asked");
      const w = page.locator('[data-field="anschrift"]');
      assert.equal(await w.getAttribute("data-locked"), "true", "the registry's address is not locked");
      assert.equal((await w.getByRole("definition").textContent()).trim(), "Am Rathausplatz 3, 35399 Musterstadt");
      assert.match(await w.innerText(), /Aus dem Melderegister/);
      const data = await sendRest(page, js);
      if (js) await page.waitForURL(/\/danke\/\?ref=/, { timeout: 20000 });
      const reference = (await page.locator("#reference").textContent()).trim();
      const imported = pulled(data.version, reference);
      assert.deepEqual(imported.data.anschrift && { street: imported.data.anschrift.street, "house-number": imported.data.anschrift["house-number"], postcode: imported.data.anschrift.postcode, city: imported.data.anschrift.city }, REGISTERED);
      assert.equal(imported.identity["answer-sources"].anschrift, "registry");
      assert.equal(imported.identity["answer-sources"].nachname, "account");
      assert.equal(imported.identity.registry["registered-since"], "2026-10-01");
      assert.ok(imported.identity.registry["consent-given-at"], "no consent time in the record");
    } finally {
      await context.close();
    }
  });

  test(`${mode} JavaScript: no tick, no look-up; a person the registry does not know is told so and types the address`, async () => {
    const context = await browser.newContext({ javaScriptEnabled: js });
    context.setDefaultTimeout(15000);
    const page = await context.newPage();
    try {
      await signedIn(page, js, "ayse");
      const before = lookUps();
      // The button without the tick: the browser asks for it, nothing is sent.
      await page.click("#registry-button");
      await page.waitForTimeout(500);
      assert.equal(lookUps(), before, "the registry was asked without consent");
      assert.equal(await page.locator("#registry-status").textContent(), "");
      const said = await lookUp(page, js);
      assert.match(said, /keine eindeutige Meldeadresse\. Bitte geben Sie Ihre Anschrift selbst ein/);
      assert.equal(lookUps(), before + 1);
      assert.ok(await page.locator("#f-anschrift-street").isEditable(), "the address cannot be typed");
      assert.equal(await page.locator('[data-field="anschrift"][data-locked]').count(), 0);
    } finally {
      await context.close();
    }
  });

  test(`${mode} JavaScript: a registry address changed in the page is refused at submission, nothing stored`, async () => {
    const context = await browser.newContext({ javaScriptEnabled: js });
    context.setDefaultTimeout(15000);
    const page = await context.newPage();
    try {
      await signedIn(page, js, "erika");
      await lookUp(page, js);
      // The hidden inputs of the locked address, changed (as a tampering citizen could).
      await page.locator("#f-anschrift-house-number").evaluate((el) => {
        el.value = "99";
      });
      const stored = storedRecords(server.data).length;
      if (js) {
        await sendRest(page, js);
        await page.waitForFunction(() => /Melderegister/.test(document.querySelector("#send-status").textContent), null, { timeout: 15000 });
      } else {
        await sendRest(page, js);
        assert.match(await page.locator("body").innerText(), /stammt aus dem Melderegister und kann in diesem Antrag nicht geändert werden/);
      }
      assert.equal(storedRecords(server.data).length, stored, "a tampered submission was stored");
    } finally {
      await context.close();
    }
  });
}
