// Sign-in with BundID when it does not go as planned, in a real browser against the test
// OpenID provider that `formfabrik serve` starts (tests/oidc-provider), with and without
// JavaScript: a citizen who cancels at the provider, one whose sign-in is below the form's
// level (the weapons permit requires "substantial"; Jonas signed in with user name and
// password), and one whose session ended before sending (the browser drops the session cookie
// after 30 minutes: removed here). Each gets a clear page or message, and nothing is stored.
// The journeys that succeed are in journeys.test.js.
"use strict";

const { test } = require("node:test");
const assert = require("node:assert/strict");

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
      await assertPrefilled(page, account.answers, { readOnly: true });
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
        const [res] = await Promise.all([page.waitForResponse((r) => r.request().method() === "POST" && r.url().includes(`/v1/${M}/waffenbesitzkarte`)), page.click("#submit")]);
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
