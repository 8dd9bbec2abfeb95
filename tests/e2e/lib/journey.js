// Realistic answers for a form as a page shows it, and filling them in in the browser.
// Answers come from tests/fixtures/submissions/<form>@<version>/*.json (valid catalog
// submissions); what a municipality's overlay changed (a field hidden, one added, one made
// required) is completed from the form's own data on the page (#form-data). Conditions are
// evaluated here independently of the page's script, so a page whose script shows the wrong
// questions fails.
"use strict";

const assert = require("node:assert/strict");
const fs = require("node:fs");
const path = require("node:path");
const zlib = require("node:zlib");

const { REPO, hasServe, launchBrowser, serve, tempDir } = require("./harness");

const FIXTURES = path.join(REPO, "tests", "fixtures", "submissions");

function fixture(form, version, name) {
  const dir = path.join(FIXTURES, `${form}@${version}`);
  const file = name ? `${name}.json` : fs.readdirSync(dir).filter((f) => f.endsWith(".json")).sort()[0];
  return { name: file.replace(/\.json$/, ""), ...JSON.parse(fs.readFileSync(path.join(dir, file), "utf8")) };
}

// ---- Conditions: equals, in, all, any, not (DESIGN §2), seen only for shown answers --------
function holds(cond, answers) {
  if (!cond) return true;
  const match = (field, test) => {
    const a = answers[field];
    if (typeof a === "string") return test(a);
    if (Array.isArray(a)) return a.some((x) => test(String(x)));
    if (typeof a === "number") return test(String(a));
    return false;
  };
  if (cond.all) return cond.all.every((c) => holds(c, answers));
  if (cond.any) return cond.any.some((c) => holds(c, answers));
  if (cond.not) return !holds(cond.not, answers);
  if (cond.equals !== undefined && cond.equals !== null) return match(cond.field, (v) => v === String(cond.equals));
  if (cond.in) return match(cond.field, (v) => cond.in.map(String).includes(v));
  throw new Error(`unknown condition ${JSON.stringify(cond)}`);
}

// ---- Dates: fixed YYYY-MM-DD or today, today±N(d|w|m|y) ------------------------------------
const iso = (d) => d.toISOString().slice(0, 10);
// Today on the German calendar (the harness sets TZ=Europe/Berlin), as a UTC midnight.
function todayUtc() {
  const n = new Date();
  return new Date(Date.UTC(n.getFullYear(), n.getMonth(), n.getDate()));
}
function dateBound(expr) {
  if (expr === null || expr === undefined) return null;
  if (/^\d{4}-\d{2}-\d{2}$/.test(expr)) return new Date(`${expr}T00:00:00Z`);
  const m = /^today(?:([+-])(\d+)([dwmy]))?$/.exec(String(expr));
  if (!m) throw new Error(`unknown date bound ${expr}`);
  const d = todayUtc();
  if (!m[1]) return d;
  const n = Number(m[2]) * (m[1] === "-" ? -1 : 1);
  if (m[3] === "d") d.setUTCDate(d.getUTCDate() + n);
  if (m[3] === "w") d.setUTCDate(d.getUTCDate() + 7 * n);
  if (m[3] === "m") d.setUTCMonth(d.getUTCMonth() + n);
  if (m[3] === "y") d.setUTCFullYear(d.getUTCFullYear() + n);
  return d;
}
/** The fixture's date if today's bounds allow it, else the nearest day inside them. */
function dateWithin(value, rules) {
  const lo = dateBound(rules.min);
  const hi = dateBound(rules.max);
  let d = value ? new Date(`${value}T00:00:00Z`) : null;
  if (!d) {
    d = hi ? new Date(hi) : todayUtc();
    if (lo && hi) d = new Date((lo.getTime() + hi.getTime()) / 2);
  }
  if (lo && d < lo) d = new Date(lo.getTime() + 86400000);
  if (hi && d > hi) d = new Date(hi.getTime() - 86400000);
  return iso(new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate())));
}

// ---- Small real files: a one-page PDF, a PNG and a JPEG -----------------------------------
function tinyPdf(text) {
  const content = `BT /F1 18 Tf 20 50 Td (${text}) Tj ET`;
  const objects = [
    "<< /Type /Catalog /Pages 2 0 R >>",
    "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
    "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 300 100] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>",
    `<< /Length ${content.length} >>\nstream\n${content}\nendstream`,
    "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
  ];
  let out = "%PDF-1.4\n";
  const offsets = [];
  objects.forEach((o, i) => {
    offsets.push(out.length);
    out += `${i + 1} 0 obj\n${o}\nendobj\n`;
  });
  const xref = out.length;
  out += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`;
  out += offsets.map((o) => `${String(o).padStart(10, "0")} 00000 n \n`).join("");
  out += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(out, "latin1");
}

function crc32(buf) {
  let c = ~0;
  for (const b of buf) {
    c ^= b;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0xedb88320 : c >>> 1;
  }
  return ~c >>> 0;
}
function tinyPng(width = 48, height = 64) {
  const chunk = (type, data) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const td = Buffer.concat([Buffer.from(type, "ascii"), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(td));
    return Buffer.concat([len, td, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 2; // RGB
  const raw = Buffer.alloc((width * 3 + 1) * height);
  for (let y = 0; y < height; y++) {
    raw[y * (width * 3 + 1)] = 0;
    for (let x = 0; x < width; x++) {
      const o = y * (width * 3 + 1) + 1 + x * 3;
      raw[o] = 200;
      raw[o + 1] = 180 + (y % 40);
      raw[o + 2] = 150 + (x % 60);
    }
  }
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk("IHDR", ihdr),
    chunk("IDAT", zlib.deflateSync(raw)),
    chunk("IEND", Buffer.alloc(0)),
  ]);
}
/** A JPEG made by the browser itself (canvas), so it is a real one. */
async function tinyJpeg(browser) {
  const page = await browser.newPage();
  try {
    const url = await page.evaluate(() => {
      const c = document.createElement("canvas");
      c.width = 48;
      c.height = 64;
      const g = c.getContext("2d");
      g.fillStyle = "#c8d8e8";
      g.fillRect(0, 0, 48, 64);
      g.fillStyle = "#604020";
      g.beginPath();
      g.arc(24, 24, 12, 0, 2 * Math.PI);
      g.fill();
      return c.toDataURL("image/jpeg", 0.9);
    });
    return Buffer.from(url.split(",")[1], "base64");
  } finally {
    await page.close();
  }
}

/** Writes a PDF, a PNG and a JPEG into a temp folder; `file(name, type)` returns a path. */
async function makeFiles(browser) {
  const dir = tempDir("files");
  const bytes = {
    "application/pdf": tinyPdf("Formfabrik Testnachweis"),
    "image/png": tinyPng(),
    "image/jpeg": await tinyJpeg(browser),
  };
  const ext = { "application/pdf": ".pdf", "image/png": ".png", "image/jpeg": ".jpg" };
  return {
    dir,
    file(name, type) {
      const base = (name || "nachweis").replace(/\.[^.]*$/, "").replace(/[^A-Za-z0-9._-]/g, "_");
      const p = path.join(dir, base + ext[type]);
      fs.writeFileSync(p, bytes[type]);
      return { path: p, name: path.basename(p), type, size: bytes[type].length };
    },
    remove: () => fs.rmSync(dir, { recursive: true, force: true }),
  };
}

// ---- Answers -------------------------------------------------------------------------------
const DEFAULTS = {
  text: "Beispiel",
  number: "1",
  textarea: "Keine weiteren Angaben.",
  email: "erika.mustermann@example.org",
  tel: "06409 8810-123",
  iban: "DE89370400440532013000",
  postcode: "35390",
  "tax-id": "86095742719",
};
const ADDRESS = { street: "Lindenweg", "house-number": "7", postcode: "35390", city: "Gießen" };

/**
 * The answers to give on this page: per shown field (in form order) the fixture's value,
 * or a realistic default for a required question the fixture does not answer. Returns
 * { answers, shown, steps } with files as {path, name, type, size}.
 */
function plan(formData, fixtureData, files) {
  const answers = {};
  const shown = {};
  const steps = {};
  for (const s of formData.steps) steps[s.id] = null;
  for (const f of formData.fields) {
    if (steps[f.step] === null) {
      const st = formData.steps.find((s) => s.id === f.step);
      steps[f.step] = holds(st["show-if"], answers);
    }
    const on = steps[f.step] && holds(f["show-if"], answers);
    shown[f.id] = on;
    if (!on) continue;
    const v = planValue(f, fixtureData[f.id], files);
    if (v === undefined) continue;
    answers[f.id] = v;
  }
  return { answers, shown, steps };
}

/** The answer to give to question `f` given the fixture's value `v` (undefined: leave empty). */
function planValue(f, v, files) {
  const r = f.rules || {};
  if (v === undefined && !f.required && !(f.repeat && f.repeat.min > 0)) return undefined;
    switch (f.type) {
      case "radios":
      case "select":
        if (!r.options.includes(v)) v = r.options[0];
        break;
      case "checkboxes":
        v = (Array.isArray(v) ? v : []).filter((x) => r.options.includes(x));
        if (v.length < Math.max(1, r["min-selected"] || 0)) v = r.options.slice(0, Math.max(1, r["min-selected"] || 1));
        break;
      case "date":
        v = dateWithin(v, r);
        break;
      case "number":
        if (v === undefined) v = r.min ?? 1;
        v = String(v);
        break;
      case "address":
        v = { ...ADDRESS, ...(v || {}) };
        break;
      case "file": {
        const accept = r.accept || ["application/pdf"];
        const type = v && accept.includes(v.type) ? v.type : accept[0];
        v = files.file(v ? v.name : `${f.id}.pdf`, type);
        break;
      }
      case "group": {
        // Every entry is planned like the questions at the top; a list gets at least its minimum.
        const entries = f.repeat ? (Array.isArray(v) ? v : []) : [v || {}];
        while (f.repeat && entries.length < Math.max(1, f.repeat.min || 0)) entries.push({});
        const planned = entries.map((e) => {
          const out = {};
          for (const c of f.fields) {
            const x = planValue(c, (e || {})[c.id], files);
            if (x !== undefined) out[c.id] = x;
          }
          return out;
        });
        v = f.repeat ? planned : planned[0];
        break;
      }
      default:
        if (!(f.type in DEFAULTS)) {
          // A new question type (e.g. a repeatable group): teach plan() and fill() about it.
          throw new Error(`journey filler does not know question type "${f.type}" (field ${f.id})`);
        }
        if (v === undefined) v = DEFAULTS[f.type];
        v = String(v);
    }
  return v;
}

/**
 * Chooses `values` for question `f` as the page offers it: radio buttons or checkboxes to
 * tick, or (a long list) selects, one per answer; with JavaScript each select is a search box
 * (type the label, pick the match) and more are added with the list's button.
 */
async function choose(page, f, values, prefix = "") {
  const w = page.locator(`[data-field="${prefix}${f.id}"]`);
  if (await w.locator("input[type=radio], input[type=checkbox]").count()) {
    for (const x of values) await w.locator(`input[value="${x}"]`).check();
    return;
  }
  const selects = w.locator("select");
  for (const [i, x] of values.entries()) {
    const select = selects.nth(i);
    const item = select.locator("xpath=ancestor::*[contains(@class, 'select-list__item')][1]");
    if ((await item.count()) && !(await item.isVisible())) await w.locator(".select-list > button").click();
    if (await select.isVisible()) {
      await select.selectOption(x);
      continue;
    }
    // The search box the script made of the select (it took the select's id).
    const id = (await select.getAttribute("id")).replace(/-select$/, "");
    const label = (await select.locator(`option[value="${x}"]`).textContent()).trim();
    await page.fill(`[id="${id}"]`, label);
    await page.locator(`[id="${id}-list"]`).getByRole("option", { name: label, exact: true }).click();
  }
}

/**
 * Fills one answer with playwright's actions (mouse-free enough for both modes). `prefix`
 * addresses a question inside a group entry (`hunde-1-`).
 */
async function fill(page, f, v, prefix = "") {
  const sel = (id) => `[id="${id}"]`;
  const id = `f-${prefix}${f.id}`;
  switch (f.type) {
    case "radios":
    case "checkboxes":
    case "select":
      await choose(page, f, Array.isArray(v) ? v : [v], prefix);
      break;
    case "address":
      for (const [k, x] of Object.entries(v)) await page.fill(sel(`${id}-${k}`), x);
      break;
    case "file":
      await page.setInputFiles(sel(id), v.path);
      break;
    case "group": {
      const entries = f.repeat ? v : [v];
      const wrapper = page.locator(`[data-field="${prefix}${f.id}"]`);
      for (const [i, entry] of entries.entries()) {
        const inner = f.repeat ? `${prefix}${f.id}-${i}-` : `${prefix}${f.id}-`;
        if (f.repeat) {
          const box = wrapper.locator(`[data-entry="${i}"]`);
          if (!(await box.isVisible())) {
            // With JavaScript: the add button; without: the section with more entries.
            const more = wrapper.locator("details.group__more summary");
            if (await more.count()) await more.click();
            else await wrapper.locator(".group__buttons button").first().click();
          }
        }
        for (const c of f.fields) {
          if (entry[c.id] !== undefined) await fill(page, c, entry[c.id], inner);
        }
      }
      break;
    }
    default:
      await page.fill(sel(id), v);
  }
}

/**
 * Starts what browser journeys need before a test file's tests and stops it after them:
 * `formfabrik serve` (the sites and the real function with a folder store; of the forms
 * folder `forms` when given), the browser, and
 * real files to upload. `started` receives `{ server, browser, files }`.
 */
function journeyHooks(started, forms) {
  const { before, after } = require("node:test");
  const env = {};
  before(async () => {
    if (!hasServe()) throw new Error("browser journeys need `formfabrik serve` (the real submission function)");
    env.server = await serve(forms);
    env.browser = await launchBrowser();
    env.files = await makeFiles(env.browser);
    started(env);
  });
  after(async () => {
    if (env.browser) await env.browser.close();
    if (env.server) await env.server.close();
    if (env.files) env.files.remove();
  });
}

/** With JavaScript: answers each step the plan asks and continues, up to check-your-answers. */
async function throughWizard(page, data, p, ui) {
  for (const step of data.steps.filter((s) => p.steps[s.id])) {
    for (const f of data.fields.filter((x) => x.step === step.id)) {
      if (p.answers[f.id] !== undefined) await fill(page, f, p.answers[f.id]);
    }
    await page.locator(`section.step[data-step="${step.id}"] .step-buttons button`, { hasText: ui.continue }).click();
  }
  await page.locator("#review").waitFor({ state: "visible", timeout: 5000 }).catch(async () => {
    const errs = await page.locator("#error-summary:visible li").allTextContents();
    throw new Error(`check-your-answers not reached; errors shown: ${JSON.stringify(errs)}`);
  });
}

// ---- Sign-in with BundID (forms with `identity:`) ------------------------------------------
// The test persons of the test OpenID provider that `formfabrik serve` starts
// (tests/oidc-provider/persons.json), and a form's `prefill:` (question → account claim) as its
// catalog YAML writes it: what a signed-in citizen must find filled in, worked out here from
// the account's claims, not from the function's answer.
const PERSONS = path.join(REPO, "tests", "oidc-provider", "persons.json");
const CATALOG = path.join(REPO, "forms", "catalog");

/** The catalog form's `prefill:` block: { question id: claim key }. */
function prefillOf(form) {
  const yaml = fs.readFileSync(path.join(CATALOG, `${form}.yaml`), "utf8");
  const block = /^prefill:\n((?:[ ]{2}\S[^\n]*\n)+)/m.exec(yaml);
  if (!block) throw new Error(`forms/catalog/${form}.yaml has no prefill: block`);
  const out = {};
  for (const line of block[1].split("\n").filter(Boolean)) {
    const m = /^ {2}([a-z0-9-]+): ([a-z-]+)\s*$/.exec(line);
    if (!m) throw new Error(`forms/catalog/${form}.yaml: cannot read prefill line ${JSON.stringify(line)}`);
    out[m[1]] = m[2];
  }
  return out;
}

/**
 * What test person `id` brings to `form`: { label, acr, familyName, bpk2, answers } with the answers per
 * prefilled question (an address split into street and house number as a German street line
 * is: `Lindenweg 4a`).
 */
function accountAnswers(form, id) {
  const person = JSON.parse(fs.readFileSync(PERSONS, "utf8")).persons.find((p) => p.id === id);
  if (!person) throw new Error(`no test person ${id} in ${PERSONS}`);
  const c = person.claims;
  const claim = (key) => {
    switch (key) {
      case "given-name":
        return c.given_name;
      case "family-name":
        return c.family_name;
      case "birth-date":
        return c.birthdate;
      case "email":
        return c.email;
      // Until the registry is asked (with consent), a registry address question has the
      // account's address, not locked.
      case "registry-address":
      case "address": {
        const m = /^(.*\S)\s+(\d+\s*[a-zA-Z]?(?:\s*[-/]\s*\d+\s*[a-zA-Z]?)?)$/.exec(c.address.street_address);
        return { street: m ? m[1] : c.address.street_address, "house-number": m ? m[2] : "", postcode: c.address.postal_code, city: c.address.locality };
      }
      default:
        throw new Error(`the journey does not know the account claim ${key}: teach accountAnswers()`);
    }
  };
  const answers = {};
  const unlocked = [];
  for (const [q, key] of Object.entries(prefillOf(form))) {
    answers[q] = claim(key);
    if (key === "registry-address") unlocked.push(q);
  }
  return { label: person.label, acr: person.acr, familyName: c.family_name, bpk2: c.bpk2, answers, unlocked };
}

/**
 * At the test provider's sign-in page (login and consent in one step, as BundID asks once):
 * picks test person `id` and signs in; resolves when the browser is back at a URL matching
 * `back` (the form page, or the function's callback without JavaScript). Returns the answer
 * of the last navigation.
 */
async function signInAtProvider(page, id, back) {
  await page.waitForURL(/\/interaction\/[^/]+$/, { timeout: 15000 });
  assert.match(await page.locator("h1").textContent(), /^Anmelden bei /);
  await page.locator(`input[name="person"][value="${id}"]`).check();
  const [res] = await Promise.all([
    page.waitForNavigation({ url: back, timeout: 20000 }).catch(async (e) => {
      const body = (await page.locator("body").innerText().catch(() => "")).slice(0, 1500);
      throw new Error(`after signing in as ${id}, the browser did not come back to ${back} but is at ${page.url()}:\n${body}\n(${e.message})`);
    }),
    page.locator('button[name="action"][value="login"]').click(),
  ]);
  return res;
}

/**
 * The prefilled answers as the page shows them: every prefilled question holds the account's
 * value; with `readOnly`, also read-only (locked: the form requires a level), but those in
 * `unlocked` (the account's address in a registry address question).
 */
async function assertPrefilled(page, answers, { readOnly, unlocked = [] }) {
  for (const [id, v] of Object.entries(answers)) {
    const parts = v && typeof v === "object" ? Object.entries(v).map(([k, x]) => [`f-${id}-${k}`, x]) : [[`f-${id}`, v]];
    for (const [el, want] of parts) {
      const input = page.locator(`[id="${el}"]`);
      assert.equal(await input.inputValue(), want, `prefilled ${el}`);
    }
    if (!readOnly || unlocked.includes(id)) continue;
    // Locked: the label and the answer as text (a term and its definition, which screen
    // readers read), no input that could be changed; the answer travels in hidden inputs.
    const w = page.locator(`[data-field="${id}"]`);
    assert.equal(await w.getAttribute("data-locked"), "true", `${id} is prefilled but not locked`);
    assert.equal(await w.locator("input:not([type=hidden]), textarea, select").count(), 0, `${id} is locked but still has an input to change`);
    assert.ok((await w.getByRole("term").textContent()).trim() !== "", `${id}: locked answer without its label`);
    const shown = (await w.getByRole("definition").textContent()).trim();
    const words = v && typeof v === "object" ? Object.values(v).filter(Boolean) : /^\d{4}-\d{2}-\d{2}$/.test(v) ? [v.slice(0, 4)] : [v];
    for (const word of words) assert.ok(shown.includes(word), `${id}: the locked answer shows ${JSON.stringify(shown)}, not ${word}`);
  }
}

// ---- Check your answers ----------------------------------------------------------------------
const MONTHS_EN = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"];
/** A YYYY-MM-DD answer as a page in `lang` writes it. */
function dateText(v, lang) {
  const [y, m, d] = v.split("-").map(Number);
  const two = (n) => String(n).padStart(2, "0");
  if (lang === "de") return `${two(d)}.${two(m)}.${y}`;
  if (lang === "en") return `${d} ${MONTHS_EN[m - 1]} ${y}`;
  return v;
}
const given = (v) =>
  v !== undefined && v !== null && (typeof v === "string" ? v.trim() !== "" : Array.isArray(v) ? v.some(given) : typeof v === "object" && !v.path ? Object.values(v).some(given) : true);

/**
 * What check-your-answers must show for plan `p`: per step asked its title and one row per
 * question asked, [question, answer]; a question inside a group is named "Group: Question"
 * ("Hund 2: Name" in a list). Worked out from the plan and the page's own words (step titles,
 * the labels of choices), not from the page's script.
 */
async function expectedReview(page, data, p, ui) {
  const plain = (html) => html.replace(/<[^>]*>/g, "");
  const text = async (f, v, prefix) => {
    if (!given(v)) return ui["not-answered"];
    // The words of a choice: the label of its radio button or checkbox, or its option's text.
    const w = page.locator(`[data-field="${prefix}${f.id}"]`);
    const choice = async (x) => {
      const box = w.locator(`input[value="${x}"]`);
      if (await box.count()) return (await page.locator(`label[for="${await box.getAttribute("id")}"]`).textContent()).trim();
      return (await w.locator(`option[value="${x}"]`).first().textContent()).trim();
    };
    switch (f.type) {
      case "radios":
      case "select":
        return choice(v);
      case "checkboxes":
        return (await Promise.all(v.map(choice))).join(", ");
      case "date":
        return dateText(v, data.language);
      case "address":
        return `${v.street} ${v["house-number"]}, ${v.postcode} ${v.city}`;
      case "file":
        return v.name;
      default:
        return String(v).trim();
    }
  };
  const sections = [];
  for (const step of data.steps.filter((s) => p.steps[s.id])) {
    const rows = [];
    for (const f of data.fields.filter((x) => x.step === step.id && p.shown[x.id])) {
      const v = p.answers[f.id];
      if (f.type === "group" && given(v)) {
        for (const [i, entry] of (f.repeat ? v : [v]).entries()) {
          if (!given(entry)) continue;
          const group = f.repeat ? `${plain(f.label)} ${i + 1}` : plain(f.label);
          for (const c of f.fields) {
            rows.push([`${group}: ${plain(c.label)}`, await text(c, entry[c.id], f.repeat ? `${f.id}-${i}-` : `${f.id}-`)]);
          }
        }
      } else rows.push([plain(f.label), await text(f, v, "")]);
    }
    if (rows.length) sections.push({ title: (await page.locator(`#s-${step.id}-heading`).textContent()).trim(), rows });
  }
  return sections;
}

/** What check-your-answers shows: per step its title and rows [question, answer]. */
function shownReview(page) {
  return page.evaluate(() =>
    [...document.querySelectorAll("#review-list h3")].map((h) => ({
      title: h.textContent.trim(),
      rows: [...h.nextElementSibling.querySelectorAll(".summary__row")].map((r) => [
        r.querySelector(".summary__key").textContent,
        r.querySelector(".summary__value").textContent,
      ]),
    })),
  );
}

async function formData(page) {
  return JSON.parse(await page.locator("#form-data").textContent());
}
async function uiStrings(page) {
  return JSON.parse(await page.locator("#ui-strings").textContent());
}

/** Every submission.json below the store folder. */
function storedRecords(dataDir) {
  const found = [];
  const walk = (d) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name === "submission.json") found.push(p);
    }
  };
  if (fs.existsSync(dataDir)) walk(dataDir);
  return found;
}

/** The record's text in a stored submission.json: the envelope's `record` (store::envelope),
 * byte for byte as the function made it (the receipt's hash is over it); a bare record (the
 * layout before the envelope) as it is. */
function storedRecordText(file) {
  const text = fs.readFileSync(file, "utf8");
  const head = '{\n  "format": "formfabrik.envelope/1",\n  "record": ';
  if (!text.startsWith(head)) return text;
  // Neither the record nor the metadata has a top-level member "metadata", and JSON strings
  // hold no line feed: the last such line starts the envelope's metadata.
  const record = text.slice(head.length, text.lastIndexOf(',\n  "metadata": '));
  assert.deepEqual(JSON.parse(record), JSON.parse(text).record);
  return record;
}

/** The record in a stored submission.json, parsed. */
function storedRecord(file) {
  return JSON.parse(storedRecordText(file));
}

const REFERENCE = /^[A-Z]{3}-\d{4}-[0-9A-Z]{6}$/;

/** Without JavaScript, an accepted post is answered with the confirmation page itself (no
 * redirect: what its receipt is made of exists only in this answer, docs/receipt.md). Asserts
 * what the citizen sees there — the reference and the button that posts for the receipt — and
 * returns the reference. */
async function assertConfirmedWithoutScript(page) {
  const body = (await page.locator("body").innerText()).slice(0, 2000);
  assert.ok(await page.locator('form#receipt[action$="/receipt"] button[type="submit"]').isVisible(), `no receipt to download:\n${body}`);
  const reference = ((await page.locator("#reference").textContent()) || "").trim();
  assert.match(reference, REFERENCE, body);
  return reference;
}

// ---- Payment (forms with `payment: required`, docs/payment.md) -----------------------------
// Under `formfabrik serve` the local payment platform stands in for the municipality's: after
// sending, the browser is on its pay page, with the buttons Pay, Cancel and Fail.

/** On the pay page the function sent the browser to (or linked to): presses `button` ("pay", "cancel" or
 * "fail") and waits until the platform has sent it back to the function
 * (`…/v1/<m>/payment/<id>/return`). Returns the submission id from that address. */
async function atPayPage(page, button) {
  // Without JavaScript the function answers with a page linking to the pay page (a redirect
  // to another origin after a form post would break the form page's CSP).
  // With JavaScript the page script goes there itself once the function answered.
  await page.waitForURL((u) => /\/pay\/[0-9a-f-]+/.test(u.href) || /\/v1\//.test(u.href), { timeout: 20000 });
  if (!/\/pay\/[0-9a-f-]+/.test(page.url())) await page.click('a[href*="/pay/"]');
  await page.waitForURL(/\/pay\/[0-9a-f-]+/, { timeout: 20000 });
  await Promise.all([
    page.waitForURL(/\/payment\/[0-9a-f-]{36}\/return/, { timeout: 20000 }),
    page.click(`button[value="${button}"]`),
  ]);
  return /\/payment\/([0-9a-f-]{36})\//.exec(page.url())[1];
}

/** The function's confirmation after a payment: the reference, the payment's reference and
 * the receipt. Returns `{ reference, paymentReference }`. */
async function assertPaid(page) {
  const body = (await page.locator("body").innerText()).slice(0, 2000);
  const reference = ((await page.locator("#reference").textContent().catch(() => "")) || "").trim();
  assert.match(reference, REFERENCE, body);
  const paymentReference = ((await page.locator("#payment-reference").textContent()) || "").trim();
  assert.match(paymentReference, /^KZ-/, body);
  assert.ok(await page.locator("#receipt a[download]").isVisible(), `no receipt to download:\n${body}`);
  return { reference, paymentReference };
}

module.exports = {
  REFERENCE,
  assertPaid,
  atPayPage,
  accountAnswers,
  assertPrefilled,
  signInAtProvider,
  assertConfirmedWithoutScript,
  dateText,
  expectedReview,
  fill,
  fixture,
  formData,
  holds,
  journeyHooks,
  makeFiles,
  plan,
  shownReview,
  storedRecord,
  storedRecordText,
  storedRecords,
  throughWizard,
  uiStrings,
};
