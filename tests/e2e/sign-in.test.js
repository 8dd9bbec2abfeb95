// Sign-in with BundID when it does not go as planned, in a real browser against the test
// OpenID provider that `formfabrik serve` starts (tests/oidc-provider), with and without
// JavaScript: a citizen who cancels at the provider, one whose sign-in is below the form's
// level (the weapons permit requires "substantial"; Jonas signed in with user name and
// password), and one whose session ended before sending (the browser drops the session cookie
// after 30 minutes: removed here). Each gets a clear page or message, and nothing is stored.
// And save and come back: a draft saved with JavaScript in one browser context, continued
// without JavaScript in another (another device), sent, the draft gone, and `inbox pull`
// showing the verified identity. The journeys that succeed at once are in journeys.test.js.
"use strict";

const { test } = require("node:test");
const assert = require("node:assert/strict");
const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");
const { spawnSync } = require("node:child_process");

const { formfabrik } = require("./lib/harness");
const { accountAnswers, assertPrefilled, fill, fixture, formData, journeyHooks, plan, signInAtProvider, storedRecords, throughWizard, uiStrings } = require("./lib/journey");

let server, browser, files;
journeyHooks((env) => ({ server, browser, files } = env));

const M = "musterstadt";
const formUrl = (form) => `${server.base}/${M}/${form}/`;
const MODES = [true, false];

/** The function's cookies of this context whose name says `what` (ff-flow, ff-session). */
async function cookies(context, what) {
  return (await context.cookies()).filter((c) => c.name.includes(what));
}

/** Opens `form`'s page and follows its "Mit BundID anmelden" link to the provider. */
async function toProvider(page, form) {
  await page.goto(formUrl(form));
  await page.getByRole("link", { name: /BundID/ }).click();
  await page.waitForURL(/\/interaction\/[^/]+$/, { timeout: 15000 });
}

for (const js of MODES) {
  test(`cancel at the provider ${js ? "with" : "without"} JavaScript: a page says so, back at the form not signed in, nothing stored`, async () => {
    const context = await browser.newContext({ javaScriptEnabled: js });
    const page = await context.newPage();
    try {
      const before = storedRecords(server.data).length;
      await toProvider(page, "meldebescheinigung");
      const [res] = await Promise.all([
        page.waitForNavigation({ url: /\/auth\/callback\?/, timeout: 20000 }),
        page.locator('button[name="action"][value="cancel"]').click(),
      ]);
      assert.equal(res.status(), 200, server.log().slice(-1500));
      assert.equal((await page.locator("h1").textContent()).trim(), "Anmeldung abgebrochen");
      const text = await page.locator("body").innerText();
      assert.match(text, /abgebrochen und sind nicht angemeldet/);
      assert.match(text, /nur nach einer Anmeldung gesendet/);
      assert.deepEqual(await cookies(context, "ff-session"), [], "a session after cancelling");
      // The link back to the form: the page offers sign-in again, nobody is signed in.
      // (With JavaScript the page asks the function for the prefill once, and is told 401.)
      const asked = js ? page.waitForResponse((r) => r.url().includes("/auth/prefill")) : null;
      await page.locator(`a[href="${formUrl("meldebescheinigung")}"]`).first().click();
      await page.waitForURL(formUrl("meldebescheinigung"));
      if (js) assert.equal((await asked).status(), 401);
      assert.ok(await page.locator("#sign-in-link").isVisible(), "no sign-in link after cancelling");
      assert.ok(!(await page.locator("#signed-in").isVisible()), "the page says someone is signed in");
      assert.equal(await page.locator("[data-locked]").count(), 0, "locked answers without sign-in");
      assert.equal(storedRecords(server.data).length, before, "something was stored");
    } finally {
      await context.close();
    }
  });

  test(`a level too low for the weapons permit ${js ? "with" : "without"} JavaScript: a refusal page naming the level, no session, nothing stored`, async () => {
    const context = await browser.newContext({ javaScriptEnabled: js });
    const page = await context.newPage();
    try {
      const before = storedRecords(server.data).length;
      await toProvider(page, "waffenbesitzkarte");
      const res = await signInAtProvider(page, "jonas", /\/auth\/callback\?/);
      assert.equal(res.status(), 403, server.log().slice(-1500));
      const text = await page.locator("body").innerText();
      assert.match(text, /verlangt eine Anmeldung mit ELSTER-Zertifikat oder Online-Ausweis/);
      assert.ok(await page.locator(`a[href="${formUrl("waffenbesitzkarte")}"]`).count(), "no way back to the form");
      assert.deepEqual(await cookies(context, "ff-session"), [], "a session below the form's level");
      assert.equal(storedRecords(server.data).length, before, "something was stored");
    } finally {
      await context.close();
    }
  });

  test(`a session ended before sending ${js ? "with" : "without"} JavaScript: a clear 401, the answers kept, nothing stored`, async () => {
    const context = await browser.newContext({ javaScriptEnabled: js });
    context.setDefaultTimeout(15000);
    const page = await context.newPage();
    try {
      const account = accountAnswers("waffenbesitzkarte", "max");
      await toProvider(page, "waffenbesitzkarte");
      if (js) {
        await signInAtProvider(page, "max", formUrl("waffenbesitzkarte"));
        await page.locator("#signed-in").waitFor({ state: "visible", timeout: 10000 });
      } else {
        const res = await signInAtProvider(page, "max", /\/auth\/callback\?/);
        assert.equal(res.status(), 200);
      }
      await assertPrefilled(page, account.answers, { readOnly: true, unlocked: account.unlocked });
      const data = await formData(page);
      const p = plan(data, fixture("waffenbesitzkarte", data.version, "sportschuetze").data, files);
      for (const id of Object.keys(account.answers)) delete p.answers[id];
      if (js) await throughWizard(page, data, p, await uiStrings(page));
      else for (const f of data.fields) if (p.answers[f.id] !== undefined) await fill(page, f, p.answers[f.id]);
      // Thirty minutes later the browser no longer has the session cookie.
      const kept = (await context.cookies()).filter((c) => !c.name.includes("ff-session"));
      assert.ok((await cookies(context, "ff-session")).length, "no session cookie after sign-in");
      await context.clearCookies();
      await context.addCookies(kept);
      const before = storedRecords(server.data).length;
      await page.check("#confirm");
      if (js) {
        const [res] = await Promise.all([page.waitForResponse((r) => r.request().method() === "POST" && new URL(r.url()).pathname === `/v1/${M}/waffenbesitzkarte`), page.click("#submit")]);
        assert.equal(res.status(), 401);
        await page.waitForFunction(() => /Anmeldung mit BundID/.test(document.querySelector("#send-status").textContent), null, { timeout: 10000 });
        assert.match(await page.locator("#send-status").textContent(), /Ihre Angaben bleiben erhalten/);
        // Still the form page, every answer in place.
        assert.equal(new URL(page.url()).pathname, `/${M}/waffenbesitzkarte/`);
      } else {
        const [res] = await Promise.all([page.waitForNavigation({ timeout: 20000 }), page.click("#submit")]);
        // The form page again, the message on top, every answer in place.
        assert.equal(res.status(), 401, (await page.locator("body").innerText()).slice(0, 1500));
        assert.match(await page.locator("#error-summary").innerText(), /nur nach einer Anmeldung mit BundID gesendet werden/);
        assert.ok(await page.locator("#sign-in-link").isVisible(), "no way to sign in again");
      }
      for (const f of data.fields.filter((x) => typeof p.answers[x.id] === "string" && ["text", "email", "tel"].includes(x.type))) {
        assert.equal(await page.locator(`[id="f-${f.id}"]`).inputValue(), p.answers[f.id], `answer ${f.id} lost`);
      }
      assert.equal(storedRecords(server.data).length, before, "something was stored");
    } finally {
      await context.close();
    }
  });
}

/** The draft files in the store folder. */
function draftFiles() {
  const found = [];
  const walk = (d) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith(".draft")) found.push(p);
    }
  };
  if (fs.existsSync(server.data)) walk(server.data);
  return found;
}

test("save and come back: a draft saved on one device, continued signed in on another, sent; the draft is gone and inbox pull shows the verified identity", async () => {
  const form = "meldebescheinigung";
  const account = accountAnswers(form, "erika");
  const first = await browser.newContext({ javaScriptEnabled: true });
  first.setDefaultTimeout(15000);
  let p, data;
  try {
    const page = await first.newPage();
    await toProvider(page, form);
    await signInAtProvider(page, "erika", formUrl(form));
    await page.locator("#signed-in").waitFor({ state: "visible", timeout: 10000 });
    assert.ok(await page.locator("#save-draft-button").isVisible(), "no button to save a draft after sign-in");
    data = await formData(page);
    p = plan(data, fixture(form, data.version).data, files);
    for (const id of Object.keys(account.answers)) delete p.answers[id];
    await throughWizard(page, data, p, await uiStrings(page));
    await page.click("#save-draft-button");
    await page.waitForFunction(() => /gespeichert/.test(document.querySelector("#save-draft-status").textContent), null, { timeout: 10000 }).catch(async () => {
      assert.fail(`the page does not say the draft is saved: ${JSON.stringify(await page.locator("#save-draft-status").textContent())}\n${server.log().slice(-1500)}`);
    });
  } finally {
    await first.close();
  }
  // Stored encrypted under a keyed hash: neither the bPK2 nor an answer readable.
  const saved = draftFiles();
  assert.equal(saved.length, 1, `draft files: ${saved}`);
  assert.match(path.basename(saved[0]), /^[0-9a-f]{64}\.draft$/);
  assert.ok(saved[0].includes(`_drafts/${M}/${form}/`), saved[0]);
  const sealed = fs.readFileSync(saved[0], "utf8");
  assert.ok(!sealed.includes(account.bpk2) && !saved[0].includes(account.bpk2), "the bPK2 is readable in the store");
  for (const v of Object.values(p.answers)) if (typeof v === "string" && v.length > 3) assert.ok(!sealed.includes(v), `answer ${v} readable in the draft`);

  // Another device, without JavaScript: sign in, the page comes back with the draft.
  const second = await browser.newContext({ javaScriptEnabled: false });
  second.setDefaultTimeout(15000);
  try {
    const page = await second.newPage();
    await toProvider(page, form);
    const res = await signInAtProvider(page, "erika", /\/auth\/callback\?/);
    assert.equal(res.status(), 200, server.log().slice(-1500));
    await assertPrefilled(page, account.answers, { readOnly: true, unlocked: account.unlocked });
    const typed = data.fields.filter((f) => typeof p.answers[f.id] === "string" && ["text", "email", "tel", "textarea"].includes(f.type));
    assert.ok(typed.length, "the plan has no typed answer to find again");
    for (const f of typed) assert.equal(await page.locator(`[id="f-${f.id}"]`).inputValue(), p.answers[f.id], `draft answer ${f.id} not back`);
    for (const f of data.fields) if (p.answers[f.id] !== undefined && !typed.includes(f)) await fill(page, f, p.answers[f.id]);
    await page.check("#confirm");
    const [sent] = await Promise.all([page.waitForNavigation({ timeout: 20000 }), page.click("#submit-notice")]);
    assert.equal(sent.status(), 200, (await page.locator("body").innerText()).slice(0, 1500));
    const reference = (await page.locator("#reference").textContent()).trim();
    assert.deepEqual(draftFiles(), [], "the draft is still stored after sending");
    // The back office imports it with the verified identity.
    const out = fs.mkdtempSync(path.join(os.tmpdir(), "formfabrik-e2e-draft-"));
    try {
      const pull = spawnSync(formfabrik(), ["inbox", "pull", "--store", `file:${server.data}`, "--municipality", M, "--form", form, "--schemas", path.join(server.out, "schemas"), "--out", out], { encoding: "utf8" });
      assert.equal(pull.status, 0, `inbox pull failed:\n${pull.stdout}\n${pull.stderr}`);
      const imported = JSON.parse(fs.readFileSync(path.join(out, M, form, `v${data.version}`, reference, "submission.json"), "utf8"));
      assert.equal(imported.identity["family-name"], account.familyName);
      assert.equal(imported.identity.bpk2, account.bpk2);
      assert.equal(imported.identity["trust-level"], "high");
      for (const f of typed) assert.equal(imported.data[f.id], p.answers[f.id], `sent ${f.id}`);
    } finally {
      fs.rmSync(out, { recursive: true, force: true });
    }
  } finally {
    await second.close();
  }
});

test("save and come back the other way: a draft saved without JavaScript, continued with it on another device", async () => {
  const form = "meldebescheinigung";
  const account = accountAnswers(form, "erika");
  const first = await browser.newContext({ javaScriptEnabled: false });
  first.setDefaultTimeout(15000);
  let typed;
  try {
    const page = await first.newPage();
    await toProvider(page, form);
    const res = await signInAtProvider(page, "erika", /\/auth\/callback\?/);
    assert.equal(res.status(), 200);
    const data = await formData(page);
    typed = data.fields.find((f) => ["text", "textarea"].includes(f.type) && !(f.id in account.answers) && !f["show-if"]);
    assert.ok(typed, "the form has no text question to type into");
    await page.fill(`[id="f-${typed.id}"]`, "Für die Rentenversicherung");
    const [saved] = await Promise.all([page.waitForNavigation({ timeout: 20000 }), page.click("#save-draft-button")]);
    assert.equal(saved.status(), 200, (await page.locator("body").innerText()).slice(0, 1500));
    assert.equal((await page.locator("h1").textContent()).trim(), "Entwurf gespeichert");
    assert.equal(draftFiles().length, 1);
  } finally {
    await first.close();
  }
  const second = await browser.newContext({ javaScriptEnabled: true });
  second.setDefaultTimeout(15000);
  try {
    const page = await second.newPage();
    await toProvider(page, form);
    await signInAtProvider(page, "erika", formUrl(form));
    await page.locator("#signed-in").waitFor({ state: "visible", timeout: 10000 });
    await assertPrefilled(page, account.answers, { readOnly: true, unlocked: account.unlocked });
    await page.waitForFunction((id) => document.getElementById(id).value !== "", `f-${typed.id}`, { timeout: 5000 }).catch(() => {});
    assert.equal(await page.locator(`[id="f-${typed.id}"]`).inputValue(), "Für die Rentenversicherung", "the draft saved without JavaScript is not back");
  } finally {
    await second.close();
  }
});
