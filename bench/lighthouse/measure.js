// Lighthouse on one services index and one form page (German, the first form of its
// onlinedienste.json) per sample municipality, in Debian's chromium, with Lighthouse's default
// (mobile) settings. Each municipality is served on an origin of its own, as published: the
// sites are built with that origin as local base and the server answers /robots.txt with the
// municipality's robots.txt, where crawlers (and Lighthouse) look for it.
//
// Prints a JSON report on stdout: per page the four category scores and every SEO or best
// practices audit that did not pass. Run by bench/lighthouse/run, which writes the Markdown.
"use strict";

const fs = require("node:fs");
const path = require("node:path");

const { buildSite, staticServer, CHROMIUM_ARGS } = require("../../tests/e2e/lib/harness");

const CHROMIUM = process.env.CHROMIUM || "/usr/bin/chromium";
const CATEGORIES = ["performance", "accessibility", "best-practices", "seo"];

async function main() {
  const { default: lighthouse } = await import("lighthouse");
  const chromeLauncher = await import("chrome-launcher");
  // The sample municipalities, from a first build.
  const probe = buildSite("http://127.0.0.1:9");
  const municipalities = fs
    .readdirSync(path.join(probe, "site"), { withFileTypes: true })
    .filter((e) => e.isDirectory())
    .map((e) => e.name)
    .sort();
  fs.rmSync(probe, { recursive: true, force: true });

  const chrome = await chromeLauncher.launch({
    chromePath: CHROMIUM,
    // Lighthouse starts every run from a clean profile; these keep chromium off the network.
    chromeFlags: CHROMIUM_ARGS.filter((f) => f !== "--headless").concat(["--headless=new"]),
  });
  const results = [];
  try {
    for (const m of municipalities) {
      const server = await staticServer({ "/robots.txt": `/${m}/robots.txt` });
      const dist = buildSite(server.base);
      try {
        const site = path.join(dist, "site");
        server.setRoot(site);
        const list = JSON.parse(fs.readFileSync(path.join(site, m, "onlinedienste.json"), "utf8"));
        const form = list.services[0];
        const pages = [
          { municipality: m, kind: "index", url: `${server.base}/${m}/` },
          { municipality: m, kind: `form ${form.form}`, url: form.url },
        ];
        for (const page of pages) {
          const run = await lighthouse(page.url, {
            port: chrome.port,
            output: "json",
            logLevel: "error",
            onlyCategories: CATEGORIES,
          });
          const lhr = run.lhr;
          if (lhr.runtimeError) throw new Error(`${page.url}: ${lhr.runtimeError.message}`);
          const scores = Object.fromEntries(CATEGORIES.map((c) => [c, lhr.categories[c].score]));
          const failed = [];
          for (const c of ["seo", "best-practices"]) {
            for (const ref of lhr.categories[c].auditRefs) {
              const a = lhr.audits[ref.id];
              if (ref.weight > 0 && a.score !== null && a.score < 1) failed.push(`${c}: ${a.id} (${a.title})`);
            }
          }
          const seo = lhr.categories.seo.auditRefs
            .filter((r) => r.weight > 0)
            .map((r) => `${r.id}: ${lhr.audits[r.id].score === null ? "n/a" : lhr.audits[r.id].score}`);
          results.push({
            ...page,
            path: page.url.slice(server.base.length),
            scores,
            failed,
            seoAudits: seo,
            lighthouse: lhr.lighthouseVersion,
            userAgent: lhr.environment.hostUserAgent,
          });
          process.stderr.write(`${page.url}: ${JSON.stringify(scores)}${failed.length ? ` failed: ${failed.join("; ")}` : ""}\n`);
        }
      } finally {
        await server.close();
        fs.rmSync(dist, { recursive: true, force: true });
      }
    }
  } finally {
    await chrome.kill();
  }
  process.stdout.write(JSON.stringify(results, null, 2) + "\n");
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
