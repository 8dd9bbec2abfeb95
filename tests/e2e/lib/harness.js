// Shared helpers of the end-to-end tests: build the sites with the real generator, list their
// pages, serve them (a tiny static server for page checks, `formfabrik serve` for journeys that
// submit) and drive Debian's chromium through playwright-core (never a downloaded browser).
"use strict";

const { spawn, spawnSync } = require("node:child_process");
const fs = require("node:fs");
const http = require("node:http");
const net = require("node:net");
const os = require("node:os");
const path = require("node:path");

// The tests' calendar is Germany's, the one the function judges date rules by
// (submit-fn/src/clock.rs, `german_date`): fixtures moved to "today" in UTC were a day behind
// between midnight in Berlin and midnight UTC, and the function refused them. Node reads TZ
// again when it is set; chromium is launched with it below, so the page's "today" is the same.
process.env.TZ = "Europe/Berlin";

const E2E = path.resolve(__dirname, "..");
const REPO = path.resolve(E2E, "..", "..");
const CHROMIUM = process.env.CHROMIUM || "/usr/bin/chromium";
// Gitignored; the 320 px screenshots and failure screenshots land here.
const ARTIFACTS = process.env.E2E_ARTIFACTS || path.join(E2E, "artifacts");

// Required here: the network is closed, so nothing may phone home. playwright adds
// --headless (headless: true), --no-sandbox (chromiumSandbox: false is its default) and a
// fresh --user-data-dir in a new temp folder for every launch.
const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

const WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"];

let binary;
/** The `formfabrik` binary: $FORMFABRIK_BIN, or target/debug/formfabrik built now. */
function formfabrik() {
  if (binary) return binary;
  if (process.env.FORMFABRIK_BIN) {
    binary = process.env.FORMFABRIK_BIN;
    return binary;
  }
  const r = spawnSync("cargo", ["build", "-q", "--locked", "-p", "generator"], {
    cwd: REPO,
    stdio: ["ignore", "inherit", "inherit"],
  });
  if (r.status !== 0) throw new Error("cargo build -p generator failed");
  binary = path.join(process.env.CARGO_TARGET_DIR ? path.resolve(REPO, process.env.CARGO_TARGET_DIR) : path.join(REPO, "target"), "debug", "formfabrik");
  return binary;
}

function tempDir(prefix) {
  return fs.mkdtempSync(path.join(os.tmpdir(), `formfabrik-e2e-${prefix}-`));
}

/** `formfabrik build` of the repository's forms (or the forms folder `forms`) into a new temp folder. */
function buildSite(localBase, forms) {
  const out = tempDir("dist");
  const r = spawnSync(
    formfabrik(),
    ["build", "--out", out, "--local-base", localBase, ...(forms ? ["--forms", forms] : [])],
    { cwd: REPO, encoding: "utf8" },
  );
  if (r.status !== 0) {
    fs.rmSync(out, { recursive: true, force: true });
    throw new Error(`formfabrik build failed (${r.status}):\n${r.stdout}\n${r.stderr}`);
  }
  return out;
}

/** Every page of the built site: one entry per index.html below site/. */
function listPages(siteDir) {
  const pages = [];
  const walk = (dir) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name === "index.html") {
        const rel = path.relative(siteDir, path.dirname(p)).split(path.sep).join("/") + "/";
        const html = fs.readFileSync(p, "utf8");
        const lang = (html.match(/<html[^>]*\slang="([^"]+)"/) || [])[1];
        const municipality = rel.split("/")[0];
        const kind = html.includes('id="form-data"')
          ? "form"
          : html.includes('id="reference-box"')
            ? "confirmation"
            : html.includes('id="services"')
              ? "index"
              : "other";
        const script = /<script[^>]*\ssrc=/.test(html);
        pages.push({ file: p, rel, url: rel, lang, municipality, kind, script });
      }
    }
  };
  walk(siteDir);
  pages.sort((a, b) => a.rel.localeCompare(b.rel));
  return pages;
}

const TYPES = {
  ".html": "text/html; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".json": "application/json",
  ".txt": "text/plain; charset=utf-8",
  ".xml": "application/xml",
  ".csv": "text/csv; charset=utf-8",
};

/**
 * A static file server on 127.0.0.1 (port chosen by the system), root set later. `aliases`
 * answers a path with another file below the root (`{"/robots.txt": "/musterstadt/robots.txt"}`:
 * a municipality's robots.txt where a crawler looks for it, at the origin's root).
 */
async function staticServer(aliases = {}) {
  const state = { root: null };
  const server = http.createServer((req, res) => {
    const url = new URL(req.url, "http://x");
    let p = path.normalize(decodeURIComponent(aliases[url.pathname] || url.pathname));
    if (!state.root || p.includes("\0")) {
      res.writeHead(500).end();
      return;
    }
    let file = path.join(state.root, p);
    if (!file.startsWith(state.root)) {
      res.writeHead(403).end();
      return;
    }
    try {
      let st = fs.statSync(file);
      if (st.isDirectory()) {
        if (!url.pathname.endsWith("/")) {
          res.writeHead(301, { Location: url.pathname + "/" + url.search }).end();
          return;
        }
        file = path.join(file, "index.html");
        st = fs.statSync(file);
      }
      res.writeHead(200, {
        "Content-Type": TYPES[path.extname(file)] || "application/octet-stream",
        "Content-Length": st.size,
      });
      fs.createReadStream(file).pipe(res);
    } catch {
      res.writeHead(404, { "Content-Type": "text/plain" }).end("not found");
    }
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  const base = `http://127.0.0.1:${server.address().port}`;
  return {
    base,
    setRoot(root) {
      state.root = path.resolve(root);
    },
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}

/** Builds the sites for a static server and serves them: { base, dist, site, pages, close }. */
async function servedSite(forms) {
  const server = await staticServer();
  const dist = buildSite(server.base, forms);
  const site = path.join(dist, "site");
  server.setRoot(site);
  return {
    base: server.base,
    dist,
    site,
    pages: listPages(site),
    async close() {
      await server.close();
      fs.rmSync(dist, { recursive: true, force: true });
    },
  };
}

/**
 * Builds and serves the sites (of the repository's forms, or of the forms folder `forms`) and
 * starts the browser before a test file's tests, and stops both after them. `started`
 * receives `{ site, browser }`.
 */
function siteHooks(started, forms) {
  const { before, after } = require("node:test");
  const env = {};
  before(async () => {
    env.site = await servedSite(forms);
    env.browser = await launchBrowser();
    started(env);
  });
  after(async () => {
    if (env.browser) await env.browser.close();
    if (env.site) await env.site.close();
  });
}

function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.on("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

/** Whether this formfabrik has the `serve` subcommand. */
function hasServe() {
  const r = spawnSync(formfabrik(), ["serve", "--help"], { encoding: "utf8" });
  return r.status === 0;
}

/**
 * `formfabrik serve`: the sites (of the repository's forms, or of the forms folder `forms`)
 * at / and the submission function at /v1/, storing into a folder; with `watch`, rebuilding
 * when `forms` changes. Resolves when it printed
 * `serving http://...`.
 */
async function serve(forms, { watch = false } = {}) {
  const port = await freePort();
  const out = tempDir("serve-out");
  const data = tempDir("serve-data");
  const child = spawn(
    formfabrik(),
    ["serve", "--addr", `127.0.0.1:${port}`, "--out", out, "--data", data, ...(watch ? [] : ["--no-watch"]), ...(forms ? ["--forms", forms] : [])],
    { cwd: REPO, stdio: ["ignore", "pipe", "pipe"] },
  );
  let log = "";
  const removeDirs = () => {
    fs.rmSync(out, { recursive: true, force: true });
    fs.rmSync(data, { recursive: true, force: true });
  };
  const base = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`formfabrik serve did not start:\n${log}`)), 120000);
    const onData = (chunk) => {
      log += chunk;
      const m = log.match(/serving (http:\/\/127\.0\.0\.1:\d+)\/?/);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    };
    child.stdout.on("data", onData);
    child.stderr.on("data", onData);
    child.on("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`formfabrik serve exited with ${code}:\n${log}`));
    });
  }).catch((e) => {
    if (child.exitCode === null) child.kill("SIGKILL");
    removeDirs();
    throw e;
  });
  // `onData` keeps collecting the log after the start (listening twice would write every line
  // twice).
  return {
    base,
    out,
    data,
    site: path.join(out, "site"),
    log: () => log,
    async close() {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once("exit", r));
        child.kill("SIGTERM");
        await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
        if (child.exitCode === null) child.kill("SIGKILL");
      }
      removeDirs();
    },
  };
}

// The fonts the browser may use: only Debian's fonts-noto-core (the version scripts/test
// installs), through a fontconfig configuration of our own, so a page lays out the same on
// every machine whatever fonts it has installed.
const FONTCONFIG_FILE = path.join(E2E, "fonts.conf");
const FONT_DIR = "/usr/share/fonts/truetype/noto";
const FONTS = ["NotoSans-Regular.ttf", "NotoSans-Bold.ttf", "NotoSansArabic-Regular.ttf", "NotoSansArabic-Bold.ttf"];

/** Debian's chromium through playwright-core, seeing only the pinned Noto fonts. */
async function launchBrowser() {
  const { chromium } = require("playwright-core");
  if (!fs.existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install chromium`);
  const missing = FONTS.filter((f) => !fs.existsSync(path.join(FONT_DIR, f)));
  if (missing.length) {
    throw new Error(`${missing.join(", ")} missing in ${FONT_DIR}: scripts/test installs them (apt-get install fonts-noto-core=20201225-1)`);
  }
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_ARGS,
    env: { ...process.env, FONTCONFIG_FILE },
    timeout: 60000,
  });
}

const AXE_SOURCE = () => fs.readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");

/**
 * Runs axe-core on the page as it is now and returns its violations. The source goes in
 * through the DevTools protocol (Runtime.evaluate), which the page's CSP (script-src 'self')
 * does not govern, so no CSP bypass is needed. Scripting must be enabled at this point.
 */
async function runAxe(page, cdp) {
  const session = cdp || (await page.context().newCDPSession(page));
  const inject = await session.send("Runtime.evaluate", {
    expression: `if (!window.axe) { ${AXE_SOURCE()} }; typeof window.axe`,
    returnByValue: true,
  });
  if (inject.exceptionDetails || inject.result.value !== "object") {
    throw new Error(`axe-core did not load: ${JSON.stringify(inject.exceptionDetails || inject.result)}`);
  }
  const run = await session.send("Runtime.evaluate", {
    expression: `axe.run(document, { runOnly: { type: "tag", values: ${JSON.stringify(WCAG_TAGS)} }, resultTypes: ["violations"] })
      .then(r => r.violations.map(v => ({ id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
        nodes: v.nodes.map(n => ({ target: n.target.join(" "), summary: n.failureSummary, html: n.html.slice(0, 300) })) })))`,
    awaitPromise: true,
    returnByValue: true,
    timeout: 60000,
  });
  if (run.exceptionDetails) throw new Error(`axe.run failed: ${JSON.stringify(run.exceptionDetails)}`);
  if (!cdp) await session.detach();
  return run.result.value;
}

function formatViolations(where, violations) {
  return violations
    .map(
      (v) =>
        `${where}: [${v.impact}] ${v.id}: ${v.help} (${v.helpUrl})\n` +
        v.nodes.map((n) => `    ${n.target}\n      ${n.html}\n      ${(n.summary || "").replace(/\n/g, "\n      ")}`).join("\n"),
    )
    .join("\n");
}

/** Loads `url` with scripting off (DevTools protocol), as a browser without JavaScript would. */
async function gotoWithoutScript(page, cdp, url) {
  await cdp.send("Emulation.setScriptExecutionDisabled", { value: true });
  const res = await page.goto(url, { waitUntil: "load" });
  return res;
}

const VNU_JAR = path.join(E2E, "node_modules", "vnu-jar", "build", "dist", "vnu.jar");

/**
 * The Nu Html Checker (npm vnu-jar, the system's Java) over `files`, in one JVM: its errors as
 * lines `<file relative to root>:<line>:<column>: <message>`, and its exit status (0 clean,
 * 1 errors found; anything else means it did not run properly).
 */
function vnuErrors(files, root) {
  if (!fs.existsSync(VNU_JAR)) throw new Error(`${VNU_JAR} is missing: run npm ci in tests/e2e`);
  const r = spawnSync("java", ["-jar", VNU_JAR, "--format", "json", "--errors-only", ...files], {
    encoding: "utf8",
    maxBuffer: 64 * 1024 * 1024,
  });
  if (r.error) throw r.error;
  // vnu writes its JSON report to stderr and exits 1 when it found errors.
  const report = JSON.parse(r.stderr || r.stdout || "{}");
  const errors = (report.messages || []).filter((m) => m.type === "error" || m.subType === "fatal");
  const lines = errors.map((m) => {
    const file = path.relative(root, decodeURIComponent(m.url.replace(/^file:/, "")));
    return `${file}:${m.lastLine}:${m.firstColumn ?? m.lastColumn}: ${m.message}\n    ${JSON.stringify(m.extract || "")}`;
  });
  return { errors: lines, status: r.status, stderr: r.stderr };
}

/**
 * The Nu Html Checker over one page's `html` exactly as it was sent (`name` names it): its
 * errors (empty when clean); throws when vnu did not run properly.
 */
function vnuErrorsOf(html, name) {
  const dir = tempDir("vnu");
  try {
    const file = path.join(dir, name);
    fs.writeFileSync(file, html);
    const v = vnuErrors([file], dir);
    if (![0, 1].includes(v.status)) throw new Error(`vnu exited with ${v.status}: ${v.stderr.slice(0, 2000)}`);
    return v.errors;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** Runs `fn(item)` over items with at most `limit` at a time; collects every result. */
async function pool(items, limit, fn) {
  const results = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i], i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

module.exports = {
  siteHooks,
  ARTIFACTS,
  CHROMIUM_ARGS,
  E2E,
  REPO,
  WCAG_TAGS,
  buildSite,
  formatViolations,
  formfabrik,
  gotoWithoutScript,
  hasServe,
  launchBrowser,
  listPages,
  pool,
  runAxe,
  serve,
  servedSite,
  staticServer,
  tempDir,
  vnuErrors,
  vnuErrorsOf,
};
