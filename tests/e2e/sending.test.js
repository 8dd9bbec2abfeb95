// Sending with JavaScript when the network is unreliable, and the opt-in draft, against
// `formfabrik serve` (the real function with a folder store). The browser's requests to the
// function go through Playwright's router, which can lose them, lose their answers, or answer
// 503 in the function's place; everything else reaches the real function.
"use strict";

const { test } = require("node:test");
const assert = require("node:assert/strict");
const fs = require("node:fs");

const { REFERENCE, fill, fixture, formData, journeyHooks, plan, storedRecord, storedRecords, throughWizard, uiStrings } = require("./lib/journey");

const FORM = "musterstadt/sperrmuell-anmeldung/";
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

let server;
let browser;
let files;
journeyHooks((e) => ({ server, browser, files } = e));

/** The stored records, by submission id. */
const records = () => storedRecords(server.data).map(storedRecord);

async function openForm(context) {
  const page = await context.newPage();
  await page.goto(`${server.base}/${FORM}`);
  const data = await formData(page);
  const ui = await uiStrings(page);
  const p = plan(data, fixture("sperrmuell-anmeldung", data.version, "moebel-mit-abstellort").data, files);
  const endpoint = await page.getAttribute("#form", "action");
  return {
    page,
    data,
    ui,
    p,
    /** Answers every step, confirms and presses Send. */
    async send() {
      await throughWizard(page, data, p, ui);
      await page.check("#confirm");
      await page.click("#submit");
    },
    confirmed: () => page.waitForURL(/\/danke\/\?ref=/, { timeout: 20000 }),
    /** Routes the form's POSTs through `decide(route, n)`; returns each attempt's id, in order. */
    async intercept(decide) {
      const ids = [];
      await page.route(endpoint, (route) => {
        if (route.request().method() !== "POST") return route.continue();
        ids.push(JSON.parse(route.request().postData()).id);
        return decide(route, ids.length);
      });
      return ids;
    },
  };
}

/** Runs `fn` with the form open in a new browser context (its own storage), closed after. */
async function withForm(fn) {
  const context = await browser.newContext();
  context.setDefaultTimeout(15000);
  try {
    await fn(await openForm(context), context);
  } finally {
    await context.close();
  }
}

test("a lost answer and a 503 are retried with the same submission id, and the function stores it once", () =>
  withForm(async (form, context) => {
    const ids = await form.intercept(async (route, n) => {
      if (n === 1) {
        // The function gets and stores the submission, but its answer never arrives.
        const res = await route.fetch();
        assert.equal(res.status(), 201, "the first attempt reached the function");
        return route.abort("connectionreset");
      }
      if (n === 2) {
        return route.fulfill({ status: 503, headers: { "retry-after": "1", "content-type": "application/json" }, body: '{"error":"unavailable"}' });
      }
      return route.continue();
    });
    const before = records().length;
    await form.send();
    await form.confirmed();
    const page = form.page;
    const reference = (await page.locator("#reference").textContent()).trim();
    assert.match(reference, REFERENCE);

    assert.equal(ids.length, 3, `attempts: ${JSON.stringify(ids)}`);
    assert.match(ids[0], UUID);
    assert.deepEqual(ids, [ids[0], ids[0], ids[0]], "every attempt carries the first attempt's id");
    const stored = records();
    assert.equal(stored.length, before + 1, "stored exactly once");
    const record = stored.find((r) => r.id === ids[0]);
    assert.ok(record, `no record with the client's id ${ids[0]}`);
    assert.equal(record.reference, reference, "the citizen sees the stored submission's reference");
  }));

test("after every automatic retry failed, sending again keeps the id; a new form gets a new one", () =>
  withForm(async (form, context) => {
    let offline = true;
    const ids = await form.intercept((route) => (offline ? route.abort("internetdisconnected") : route.continue()));
    await form.send();
    const { page, ui } = form;
    // The first attempt and 3 retries (0.8, 1.6 and 3.2 s apart), then the citizen is told.
    await page.locator("#send-status", { hasText: ui["send-failed"] }).waitFor({ timeout: 15000 });
    assert.equal(ids.length, 4);
    assert.ok(await page.isEnabled("#submit"), "the button works again");
    offline = false;
    await page.click("#submit");
    await form.confirmed();
    assert.equal(ids.length, 5);
    assert.deepEqual(new Set(ids), new Set([ids[0]]), `ids: ${JSON.stringify(ids)}`);
    assert.ok(records().some((r) => r.id === ids[0]));

    // The id is forgotten with the confirmation: the next submission of the form is a new one.
    const next = await openForm(context);
    const nextIds = await next.intercept((route) => route.continue());
    await next.send();
    await next.confirmed();
    assert.equal(nextIds.length, 1);
    assert.notEqual(nextIds[0], ids[0]);
  }));

test("the draft is kept only when the citizen opts in, comes back after a reload and is gone after sending", () =>
  withForm(async (form, context) => {
    const { page, data, p } = form;
    const key = `formfabrik-draft:/${FORM}`;
    const draft = () => page.evaluate((k) => localStorage.getItem(k), key);
    const first = data.steps[0].id;
    const typed = data.fields.filter((f) => f.step === first && ["text", "email", "tel"].includes(f.type) && typeof p.answers[f.id] === "string").slice(0, 2);
    assert.equal(typed.length, 2, "two text answers on the first step");
    const values = () => Promise.all(typed.map((f) => page.inputValue(`#f-${f.id}`)));

    // Not opted in: nothing is stored, a reload starts empty.
    assert.equal(await page.isChecked("#draft-input"), false, "the draft is opt-in");
    for (const f of typed) await fill(page, f, p.answers[f.id]);
    assert.equal(await draft(), null, "stored without opting in");
    await page.reload();
    assert.deepEqual(await values(), ["", ""]);

    // Opted in: the answers are stored as they are typed and come back after a reload.
    await page.check("#draft-input");
    for (const f of typed) await fill(page, f, p.answers[f.id]);
    const saved = JSON.parse(await draft());
    for (const f of typed) assert.equal(saved[f.id], p.answers[f.id], `draft of ${f.id}`);
    await page.reload();
    assert.deepEqual(await values(), typed.map((f) => p.answers[f.id]), "answers restored from the draft");
    assert.ok(await page.isChecked("#draft-input"), "the restored page says the draft is on");

    // Opting out deletes it.
    await page.uncheck("#draft-input");
    assert.equal(await draft(), null, "the draft stays after opting out");

    // Opted in again and sent: the confirmation leaves no draft behind.
    await page.check("#draft-input");
    assert.notEqual(await draft(), null);
    await form.send();
    await form.confirmed();
    assert.equal(await draft(), null, "the draft is still there after sending");
  }));
