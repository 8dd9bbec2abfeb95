// Files beyond the function's body limit (issue 17), on a form made for this
// (fixtures/uploads: three PDF questions of up to 5 MB each), served by `formfabrik serve` with
// the real function and a folder store:
// - with JavaScript, three files of 3 MB each (9 MB, more than one request to the function may
//   carry) go straight to the store's upload endpoint, each with a policy the function signed;
//   the answers refer to them, the function checks and stores them with the submission, and
//   `inbox pull` imports them with the hashes of the files the citizen chose;
// - a file larger than its question allows, or of another type, is refused by the function
//   (no policy) and by the upload endpoint (the policy's size and type), and nothing of it is
//   stored.
"use strict";

const { test } = require("node:test");
const assert = require("node:assert/strict");
const crypto = require("node:crypto");
const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");
const { spawnSync } = require("node:child_process");

const { E2E, formfabrik } = require("./lib/harness");
const { REFERENCE, journeyHooks, storedRecord, storedRecords, uiStrings } = require("./lib/journey");

const FORMS = path.join(E2E, "fixtures", "uploads", "forms");
const FILES = ["ausweis", "meldebescheinigung", "gutachten"];

let server;
let browser;
journeyHooks((e) => ({ server, browser } = e), FORMS);

const url = () => `${server.base}/teststadt/nachweise/`;
const sha256 = (b) => crypto.createHash("sha256").update(b).digest("hex");

/** A PDF of `size` bytes (a real header, padded with a comment). */
function pdfOf(size, marker) {
  const head = Buffer.from(`%PDF-1.4\n% ${marker}\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n%`);
  const b = Buffer.alloc(size, "x".charCodeAt(0));
  head.copy(b);
  return b;
}

/** Every file below `dir`. */
function filesBelow(dir) {
  const out = [];
  const walk = (d) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else out.push(p);
    }
  };
  if (fs.existsSync(dir)) walk(dir);
  return out;
}

test("with JavaScript three files of 3 MB go straight to the store, and inbox pull imports them with matching hashes", async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "formfabrik-e2e-uploads-"));
  const context = await browser.newContext();
  context.setDefaultTimeout(30000);
  try {
    const files = FILES.map((id, i) => {
      const p = path.join(dir, `${id}.pdf`);
      fs.writeFileSync(p, pdfOf(3_000_000 + i, id));
      return { id, path: p, sha256: sha256(fs.readFileSync(p)) };
    });
    const page = await context.newPage();
    const requests = [];
    page.on("request", (r) => r.method() === "POST" && requests.push({ url: new URL(r.url()).pathname, type: r.headers()["content-type"] || "" }));
    await page.goto(url());
    await page.fill("#f-name", "Erika Mustermann");
    for (const f of files) await page.setInputFiles(`[id="f-${f.id}"]`, f.path);
    const ui = await uiStrings(page);
    await page.locator('section.step[data-step="nachweise"] .step-buttons button', { hasText: ui.continue }).click();
    await page.locator("#review").waitFor({ state: "visible" });
    await page.check("#confirm");
    await page.click("#submit");
    await page.waitForURL(/\/danke\/\?ref=/);
    const reference = new URL(page.url()).searchParams.get("ref");
    assert.match(reference, REFERENCE);

    // Three signed uploads, three files to the upload endpoint, then the answers as JSON: no
    // request to the function carried the files' 9 MB.
    assert.deepEqual(requests.filter((r) => r.url.endsWith("/upload")).length, 3, JSON.stringify(requests));
    assert.deepEqual(requests.filter((r) => r.url === "/v1/_upload").length, 3, JSON.stringify(requests));
    const submit = requests.filter((r) => r.url === "/v1/teststadt/nachweise");
    assert.equal(submit.length, 1);
    assert.match(submit[0].type, /^application\/json/);

    const [recordFile] = storedRecords(server.data);
    const record = storedRecord(recordFile);
    assert.equal(record.reference, reference);
    for (const f of files) {
      assert.equal(record.data[f.id].sha256, f.sha256, `sha256 of ${f.id}`);
      assert.equal(record.attachments.find((a) => a.field === f.id).sha256, f.sha256);
    }
    assert.deepEqual(filesBelow(path.join(server.data, "_staging")), [], "no staging copy stays");

    // The back office imports it: `inbox pull` checks each attachment against its sha256.
    const out = fs.mkdtempSync(path.join(os.tmpdir(), "formfabrik-e2e-pull-"));
    const pull = spawnSync(
      formfabrik(),
      ["inbox", "pull", "--store", `file:${server.data}`, "--municipality", "teststadt", "--form", "nachweise", "--schemas", path.join(server.out, "schemas"), "--out", out],
      { encoding: "utf8" },
    );
    assert.equal(pull.status, 0, `inbox pull failed:\n${pull.stdout}\n${pull.stderr}`);
    const folder = path.join(out, "teststadt", "nachweise", "v1", reference);
    const imported = filesBelow(folder).filter((p) => FILES.some((id) => path.basename(p).startsWith(`${id}-`)));
    assert.equal(imported.length, 3, `imported: ${filesBelow(folder).join(", ")}`);
    for (const f of files) {
      const got = imported.find((p) => path.basename(p).startsWith(`${f.id}-`));
      assert.ok(got, `${f.id} imported`);
      assert.equal(sha256(fs.readFileSync(got)), f.sha256, `imported ${f.id} is the file chosen`);
    }
    fs.rmSync(out, { recursive: true, force: true });
  } finally {
    await context.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test("a file over its limit or of another type is refused by the function and by the upload endpoint's policy", async () => {
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    await page.goto(url());
    const before = filesBelow(server.data).length;
    const results = await page.evaluate(async () => {
      const action = document.querySelector("#form").getAttribute("action");
      const id = crypto.randomUUID();
      const sign = (field, type, size) =>
        fetch(`${action}/upload`, { method: "POST", headers: { "Content-Type": "application/json", Accept: "application/json" }, body: JSON.stringify({ id, field, type, size }) })
          .then(async (r) => ({ status: r.status, body: await r.json() }));
      const post = async (signed, fields, blob) => {
        const body = new FormData();
        for (const [k, v] of Object.entries(fields)) body.append(k, v);
        body.append("file", blob);
        const r = await fetch(new URL(signed.url, new URL(`${action}/upload`, location.href)).href, { method: "POST", body });
        return { status: r.status, body: await r.json().catch(() => null) };
      };
      const pdf = (n) => new Blob([new Uint8Array(n).fill(37)], { type: "application/pdf" });
      const tooLargeAsked = await sign("ausweis", "application/pdf", 5_000_001);
      const wrongTypeAsked = await sign("ausweis", "image/png", 1000);
      const signed = (await sign("ausweis", "application/pdf", 1000)).body;
      const tooLargeSent = await post(signed, signed.fields, pdf(5_000_001));
      const wrongTypeSent = await post(signed, { ...signed.fields, "Content-Type": "text/html" }, new Blob(["<!DOCTYPE html>"], { type: "text/html" }));
      return { tooLargeAsked, wrongTypeAsked, tooLargeSent, wrongTypeSent };
    });
    assert.equal(results.tooLargeAsked.status, 422);
    assert.equal(results.tooLargeAsked.body.errors[0].code, "file-too-large");
    assert.equal(results.wrongTypeAsked.status, 422);
    assert.equal(results.wrongTypeAsked.body.errors[0].code, "file-type");
    assert.equal(results.tooLargeSent.status, 403);
    assert.equal(results.tooLargeSent.body.error.code, "EntityTooLarge");
    assert.equal(results.wrongTypeSent.status, 403);
    assert.equal(results.wrongTypeSent.body.error.code, "AccessDenied");
    assert.equal(filesBelow(server.data).length, before, "nothing of the refused files was stored");
  } finally {
    await context.close();
  }
});
