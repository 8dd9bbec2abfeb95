// Keyboard only, with JavaScript: through Musterstadt's dog registration wizard using Tab,
// Shift+Tab, Space, Enter and arrow keys. Every Tab stop is visible and shows a focus
// indicator; focus goes to the error summary when a required answer is missing, from there to
// the question, and to the step's heading on every new step; the citizen reaches the
// confirmation page with a reference.
"use strict";

const { test } = require("node:test");
const assert = require("node:assert/strict");

const { formatViolations, runAxe } = require("./lib/harness");
const { REFERENCE, fixture, formData, journeyHooks, plan, storedRecords, uiStrings } = require("./lib/journey");

let server;
let browser;
let files;
journeyHooks((e) => ({ server, browser, files } = e));

/** What has focus: id, tag, type, text, visible, and whether a focus indicator shows. */
const focusInfo = (page) =>
  page.evaluate(() => {
    const el = document.activeElement;
    if (!el || el === document.body) return { id: null, tag: "body" };
    const cs = getComputedStyle(el);
    const r = el.getBoundingClientRect();
    const indicator = (cs.outlineStyle !== "none" && parseFloat(cs.outlineWidth) > 0) || cs.boxShadow !== "none";
    return {
      id: el.id || null,
      tag: el.tagName.toLowerCase(),
      type: el.type || null,
      name: el.getAttribute("name"),
      text: (el.textContent || "").trim().slice(0, 80),
      visible: r.width > 0 && r.height > 0 && !el.closest("[hidden]"),
      indicator,
      innerFocus: !el.matches(":focus"),
      style: { outline: `${cs.outlineStyle} ${cs.outlineWidth}`, boxShadow: cs.boxShadow, focusVisible: el.matches(":focus-visible") },
      describe: `${el.tagName.toLowerCase()}${el.id ? "#" + el.id : ""}${el.getAttribute("name") ? `[name=${el.getAttribute("name")}]` : ""} ${JSON.stringify((el.textContent || "").trim().slice(0, 40))}`,
    };
  });

/**
 * Presses Tab until focus is on an element for which `match(info)` holds. Every stop on the
 * way must be visible and show a focus indicator. A stop inside a browser-made part of a
 * control (the calendar button of a date field: the field itself then does not match :focus)
 * has no style to read; there the control must look different focused and after focus left.
 */
async function tabTo(page, what, match, max = 40) {
  const seen = [];
  let f = null;
  let pressed = 0;
  const next = async () => {
    await page.keyboard.press("Tab");
    pressed++;
    return focusInfo(page);
  };
  f = await next();
  while (pressed <= max) {
    seen.push(f.describe);
    assert.ok(f.visible, `Tab moved focus to an invisible element: ${f.describe}`);
    if (f.innerFocus) {
      const el = page.locator(`[id="${f.id}"]`);
      const focused = await el.screenshot({ caret: "hide" });
      const after = await next();
      const left = await el.screenshot({ caret: "hide" });
      assert.ok(!focused.equals(left), `no visible focus indicator on the browser-made part of ${f.describe}`);
      f = after;
      continue;
    }
    assert.ok(f.indicator, `no visible focus indicator on ${f.describe}: ${JSON.stringify(f.style)}`);
    if (match(f)) return f;
    f = await next();
  }
  assert.fail(`${what} not reached with ${max} Tabs; focus went: ${seen.join(" → ")}`);
}
const byId = (id) => (f) => f.id === id;

async function expectFocus(page, id, what) {
  await page
    .waitForFunction((x) => document.activeElement && document.activeElement.id === x, id, { timeout: 5000 })
    .catch(async () => assert.fail(`${what}: focus should be on #${id}, is on ${(await focusInfo(page)).describe}`));
}

/** The order in which this browser's date field takes day, month and year (its UI locale). */
let dateOrder;
async function probeDateOrder(context) {
  const page = await context.newPage();
  try {
    await page.setContent('<input type="date" id="d" aria-label="d">');
    await page.focus("#d");
    await page.keyboard.type("01022003");
    const v = await page.inputValue("#d");
    return { "2003-01-02": "mdy", "2003-02-01": "dmy" }[v] || "ymd";
  } finally {
    await page.close();
  }
}

/** Answers one question with the keyboard. */
async function answer(page, data, f, v) {
  switch (f.type) {
    case "address":
      for (const part of data["address-parts"]) {
        if (v[part.key] === undefined) continue;
        await tabTo(page, `${f.id}.${part.key}`, byId(`f-${f.id}-${part.key}`));
        await page.keyboard.type(v[part.key]);
      }
      break;
    case "radios": {
      const first = await tabTo(page, `radios ${f.id}`, (x) => x.name === f.id && x.type === "radio");
      assert.equal(first.id, `f-${f.id}`, `Tab should land on the first radio of ${f.id}`);
      const k = f.rules.options.indexOf(v);
      if (k === 0) await page.keyboard.press("Space");
      for (let i = 0; i < k; i++) await page.keyboard.press("ArrowDown");
      break;
    }
    case "checkboxes":
      for (const [i, o] of f.rules.options.entries()) {
        if (!v.includes(o)) continue;
        await tabTo(page, `checkbox ${f.id}=${o}`, byId(i === 0 ? `f-${f.id}` : `f-${f.id}-${o}`));
        await page.keyboard.press("Space");
      }
      break;
    case "select": {
      await tabTo(page, `select ${f.id}`, byId(`f-${f.id}`));
      for (let i = 0; i <= f.rules.options.indexOf(v); i++) await page.keyboard.press("ArrowDown");
      break;
    }
    case "date": {
      // Typed as digits in the browser's own field order; the field moves on by itself.
      await tabTo(page, `date ${f.id}`, byId(`f-${f.id}`));
      const [y, m, d] = v.split("-");
      await page.keyboard.type(dateOrder === "mdy" ? `${m}${d}${y}` : dateOrder === "dmy" ? `${d}${m}${y}` : `${y}${m}${d}`);
      break;
    }
    case "file":
      throw new Error("the keyboard pass uses answers without uploads");
    default:
      await tabTo(page, f.id, byId(`f-${f.id}`));
      await page.keyboard.type(v);
  }
  const value = await page.evaluate((id) => {
    const el = document.getElementById(id);
    return el ? el.value : null;
  }, f.type === "address" ? `f-${f.id}-street` : `f-${f.id}`);
  if (f.type === "date") assert.equal(value, v, `date ${f.id} typed with the keyboard`);
}

test("keyboard only: Musterstadt dog registration wizard to the confirmation", async () => {
  const context = await browser.newContext({ locale: "de-DE", viewport: { width: 1024, height: 800 } });
  context.setDefaultTimeout(15000);
  dateOrder = await probeDateOrder(context);
  const page = await context.newPage();
  try {
    await page.goto(`${server.base}/musterstadt/hundesteuer-anmeldung/`);
    const data = await formData(page);
    const ui = await uiStrings(page);
    const p = plan(data, fixture("hundesteuer-anmeldung", data.version, "gefaehrlich-nein-lastschrift").data, files);
    assert.ok(!Object.values(p.answers).some((v) => v && v.path), "this pass needs answers without uploads");

    // The first Tab stop is the skip link; Enter moves focus to the main content.
    await page.keyboard.press("Tab");
    const skip = await focusInfo(page);
    assert.equal(skip.tag, "a", `the first Tab stop should be the skip link, is ${skip.describe}`);
    assert.ok(skip.visible && skip.indicator, "the skip link shows when focused");
    await page.keyboard.press("Enter");
    await expectFocus(page, "main", "after the skip link");

    const steps = data.steps.filter((s) => p.steps[s.id]);
    for (const [i, step] of steps.entries()) {
      const fields = data.fields.filter((f) => f.step === step.id && p.answers[f.id] !== undefined);
      if (i === 0) {
        // Continue with nothing answered: focus goes to the error summary, whose first link
        // leads to the first question.
        await tabTo(page, "Continue (empty step)", (f) => f.tag === "button" && f.text === ui.continue, 80);
        await page.keyboard.press("Enter");
        await expectFocus(page, "error-summary", "Continue with required answers missing");
        const links = await page.locator("#error-summary a").count();
        assert.ok(links >= fields.filter((f) => data.fields.find((x) => x.id === f.id).required).length - 1, `error summary lists ${links} problems`);
        // Each problem also shows at its question: the error line after the label and hint,
        // its id in aria-describedby after the hint's, its text the summary link's.
        const inline = await page.evaluate(() => [...document.querySelectorAll("#error-summary a")].map((a) => {
          const id = a.getAttribute("href").slice(1);
          const control = document.getElementById(id);
          const described = control.type === "radio" || control.type === "checkbox" ? control.closest("fieldset") : control;
          const ids = (described.getAttribute("aria-describedby") || "").split(" ").filter(Boolean);
          const err = document.getElementById(`${id}-error`);
          const hint = ids.length > 1 ? document.getElementById(ids[0]) : null;
          return {
            id,
            ids,
            link: a.textContent,
            text: err && err.querySelector(".error-text").textContent,
            visible: !!err && err.getClientRects().length > 0,
            afterHint: !hint || !!(hint.compareDocumentPosition(err) & Node.DOCUMENT_POSITION_FOLLOWING),
            // In a fieldset (an address) the line comes before its first input.
            beforeControl: !!err && !!(err.compareDocumentPosition(control.tagName === "FIELDSET" ? control.querySelector("input, select, textarea") : control) & Node.DOCUMENT_POSITION_FOLLOWING),
            invalid: control.getAttribute("aria-invalid"),
            fieldset: control.tagName === "FIELDSET",
          };
        }));
        assert.ok(inline.some((e) => e.ids.length === 2), `at least one problem on a question with a hint: ${JSON.stringify(inline)}`);
        for (const e of inline) {
          assert.equal(e.text, e.link, `${e.id}: the error line says what the summary says`);
          assert.ok(e.visible && e.afterHint && e.beforeControl, `${e.id}: error line visible, after the hint, before the control: ${JSON.stringify(e)}`);
          assert.equal(e.ids[e.ids.length - 1], `${e.id}-error`, `${e.id}: aria-describedby ends with the error: ${e.ids}`);
          if (!e.fieldset) assert.equal(e.invalid, "true", `${e.id}: aria-invalid`);
        }
        const v = await runAxe(page);
        assert.equal(v.length, 0, `axe violations with the error summary showing:\n${formatViolations("error summary", v)}`);
        await page.keyboard.press("Tab");
        const link = await focusInfo(page);
        assert.equal(link.tag, "a", `Tab from the error summary should reach its first link, is ${link.describe}`);
        await page.keyboard.press("Enter");
        const first = fields[0];
        await expectFocus(page, first.type === "address" ? `f-${first.id}-street` : `f-${first.id}`, "following the first error link");
        // Back to just before the first question, so answering tabs forward from there.
        await page.keyboard.press("Shift+Tab");
      }
      for (const f of fields) await answer(page, data, f, p.answers[f.id]);
      await tabTo(page, `Continue on step ${step.id}`, (f) => f.tag === "button" && f.text === ui.continue);
      await page.keyboard.press("Enter");
      const next = i + 1 < steps.length ? `s-${steps[i + 1].id}-heading` : "review-heading";
      await expectFocus(page, next, `Continue on step ${step.id}`);
      assert.equal(await page.locator("#form .error-message").count(), 0, `no error lines left after step ${step.id} is answered`);
      const heading = (await page.locator(`#${next}`).textContent()).trim();
      // The heading says the step the step list (rendered from the same form) names.
      const expected = (await page.locator(`.step-nav__item[data-step="${i + 1 < steps.length ? steps[i + 1].id : "review"}"] a`).textContent()).trim();
      assert.equal(heading, expected);
    }

    // Check your answers, confirm with Space, send with Enter.
    await tabTo(page, "the confirmation checkbox", byId("confirm"), 80);
    await page.keyboard.press("Space");
    assert.ok(await page.isChecked("#confirm"));
    await tabTo(page, "the submit button", byId("submit"), 10);
    await page.keyboard.press("Enter");
    await page.waitForURL(/\/danke\/\?ref=/, { timeout: 20000 }).catch(async () => {
      const errs = await page.locator("#error-summary:visible li").allTextContents();
      assert.fail(`no confirmation page after Enter on submit; errors: ${JSON.stringify(errs)}; status: ${await page.locator("#send-status").textContent()}`);
    });
    const reference = (await page.locator("#reference").textContent()).trim();
    assert.match(reference, REFERENCE);
    const stored = storedRecords(server.data);
    assert.equal(stored.length, 1, "one submission stored");
    console.log(`keyboard pass: ${steps.length} steps, reference ${reference}`);
  } finally {
    await context.close();
  }
});
