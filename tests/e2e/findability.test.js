// What search engines read, as chromium sees it on every page of every sample municipality:
// a description, a canonical address that is the page's own, hreflang alternates that agree
// with the municipality's sitemap.xml (read with the browser's XML parser) and are the same on
// every language version; confirmation pages say noindex and are not in the sitemap. Every
// form page carries one JSON-LD GovernmentService with the required properties, agreeing with
// the page and with onlinedienste.json, and the page's Content-Security-Policy lets it be
// without 'unsafe-inline' and without a violation report. (robots.txt through Google's parser,
// the sitemap against the XSD and the portal list against its schema: generator/tests/findability.rs.)
"use strict";

const { test } = require("node:test");
const assert = require("node:assert/strict");

const { pool, siteHooks } = require("./lib/harness");

let site;
let browser;
siteHooks((e) => ({ site, browser } = e));

/** The head of the page loaded in `page`, as search engines read it. */
function readHead(page) {
  return page.evaluate(() => {
    const attr = (sel, name) => {
      const all = [...document.querySelectorAll(sel)];
      return all.length === 1 ? all[0].getAttribute(name) : `${all.length} × ${sel}`;
    };
    return {
      title: document.title,
      h1: document.querySelector("h1") && document.querySelector("h1").textContent.trim(),
      description: attr('meta[name="description"]', "content"),
      canonical: attr('link[rel="canonical"]', "href"),
      robots: (document.querySelector('meta[name="robots"]') || { content: null }).content,
      csp: attr('meta[http-equiv="Content-Security-Policy"]', "content"),
      alternates: [...document.querySelectorAll('link[rel="alternate"][hreflang]')].map((l) => [
        l.getAttribute("hreflang"),
        l.getAttribute("href"),
      ]),
      jsonld: [...document.querySelectorAll('script[type="application/ld+json"]')].map((s) => s.textContent),
      violations: window.__violations,
    };
  });
}

/** Each municipality's sitemap as { loc: [[hreflang, href], ...] }, read by chromium's XML parser. */
async function readSitemaps(page, municipalities) {
  const sitemaps = {};
  for (const m of municipalities) {
    await page.goto(`${site.base}/${m}/`);
    sitemaps[m] = await page.evaluate(async (url) => {
      const text = await (await fetch(url)).text();
      const doc = new DOMParser().parseFromString(text, "application/xml");
      if (doc.querySelector("parsererror")) return { error: doc.querySelector("parsererror").textContent };
      const SM = "http://www.sitemaps.org/schemas/sitemap/0.9";
      const XHTML = "http://www.w3.org/1999/xhtml";
      const out = {};
      for (const u of doc.getElementsByTagNameNS(SM, "url")) {
        const loc = u.getElementsByTagNameNS(SM, "loc")[0].textContent;
        out[loc] = [...u.getElementsByTagNameNS(XHTML, "link")].map((l) => [l.getAttribute("hreflang"), l.getAttribute("href")]);
      }
      return out;
    }, `${site.base}/${m}/sitemap.xml`);
    assert.equal(sitemaps[m].error, undefined, `${m}/sitemap.xml: ${sitemaps[m].error}`);
  }
  return sitemaps;
}

/** Each municipality's onlinedienste.json entries by form page address. */
async function readPortalLists(municipalities) {
  const byUrl = {};
  for (const m of municipalities) {
    const res = await fetch(`${site.base}/${m}/onlinedienste.json`);
    assert.equal(res.status, 200, `${m}/onlinedienste.json`);
    for (const s of (await res.json()).services) byUrl[s.url] = s;
  }
  return byUrl;
}

const sorted = (pairs) => [...pairs].map((p) => p.join(" ")).sort();

test("every page's description, canonical and hreflang agree with the sitemap; form pages carry a complete GovernmentService", async (t) => {
  const municipalities = [...new Set(site.pages.map((p) => p.municipality))];
  assert.equal(municipalities.length, 4);
  const context = await browser.newContext();
  await context.addInitScript(() => {
    window.__violations = [];
    document.addEventListener("securitypolicyviolation", (e) => window.__violations.push(`${e.violatedDirective} blocked ${e.blockedURI || "inline"}`));
  });
  const heads = {};
  try {
    const first = await context.newPage();
    const sitemaps = await readSitemaps(first, municipalities);
    await first.close();
    const services = await readPortalLists(municipalities);

    await pool(site.pages, 2, async (p) => {
      const page = await context.newPage();
      try {
        await t.test(p.rel, async () => {
          const url = `${site.base}/${p.url}`;
          await page.goto(url, { waitUntil: "load" });
          const h = await readHead(page);
          heads[url] = h;
          assert.equal(typeof h.description, "string", h.description);
          assert.ok(h.description.length >= 20 && h.description.length <= 161, `description of ${h.description.length} characters: ${h.description}`);
          assert.equal(h.canonical, url, "canonical is the page's own address");
          assert.match(h.title, / – \S/, "title: <page> – <municipality>");

          const sitemap = sitemaps[p.municipality];
          if (p.kind === "confirmation") {
            assert.equal(h.robots, "noindex");
            assert.equal(sitemap[url], undefined, "a noindex page is not in the sitemap");
            return;
          }
          assert.equal(h.robots, null, "indexed");
          assert.ok(sitemap[url], `${url} is not in ${p.municipality}/sitemap.xml`);
          assert.deepEqual(sorted(h.alternates), sorted(sitemap[url]), "hreflang as in the sitemap");
          const langs = h.alternates.map(([l]) => l);
          assert.ok(langs.includes("x-default") && langs.includes(p.lang), `${langs}`);
          assert.equal(new Set(langs).size, langs.length, `a language twice: ${langs}`);
          assert.deepEqual(h.alternates.find(([l]) => l === p.lang), [p.lang, url], "its own language is itself");

          if (p.kind !== "form") {
            assert.deepEqual(h.jsonld, []);
            return;
          }
          assert.doesNotMatch(h.csp, /unsafe-inline|unsafe-eval/, "the CSP stays strict");
          assert.match(h.csp, /script-src 'self'(;|$)/);
          assert.deepEqual(h.violations, [], "no CSP report");
          assert.equal(h.jsonld.length, 1, "one JSON-LD block");
          const ld = JSON.parse(h.jsonld[0]);
          assert.equal(ld["@context"], "https://schema.org");
          assert.equal(ld["@type"], "GovernmentService");
          assert.equal(ld.name, h.h1, "named as the page's heading");
          assert.equal(ld.description, h.description);
          assert.ok(typeof ld.serviceType === "string" && ld.serviceType.length > 0);
          const provider = ld.provider;
          assert.equal(provider["@type"], "GovernmentOrganization");
          assert.ok(h.title.endsWith(` – ${provider.name}`), `${h.title} / ${provider.name}`);
          assert.equal(provider.address["@type"], "PostalAddress");
          for (const k of ["streetAddress", "postalCode", "addressLocality"]) assert.ok(provider.address[k], `address.${k}`);
          assert.match(provider.address.postalCode, /^\d{5}$/);
          assert.ok(provider.telephone || provider.email, "a way to contact");
          assert.deepEqual(ld.areaServed, { "@type": "AdministrativeArea", name: provider.name });
          assert.equal(ld.availableChannel["@type"], "ServiceChannel");
          assert.equal(ld.availableChannel.serviceUrl, url);
          const service = services[url];
          assert.ok(service, `${url} is not in ${p.municipality}/onlinedienste.json`);
          assert.deepEqual(ld.availableChannel.availableLanguage, service.languages);
          assert.equal(ld.name, service.title);
          if (service.leika) assert.deepEqual(ld.identifier, { "@type": "PropertyValue", propertyID: "LeiKa", value: service.leika });
          else assert.equal(ld.identifier, undefined);
          if (service.payment) {
            assert.ok(Array.isArray(ld.offers) && ld.offers.length > 0, "fees as offers");
            for (const o of ld.offers) {
              assert.equal(o["@type"], "Offer");
              assert.equal(o.priceCurrency, "EUR");
              assert.ok(typeof o.price === "number" && o.price >= 0 && o.name, JSON.stringify(o));
            }
          } else assert.equal(ld.offers, undefined);
        });
      } finally {
        await page.close();
      }
    });
  } finally {
    await context.close();
  }

  // The alternates are mutual: each language version names the same set.
  for (const [url, h] of Object.entries(heads)) {
    if (h.robots) continue;
    for (const [, href] of h.alternates) {
      assert.ok(heads[href], `${url} names ${href}, which is no page`);
      assert.deepEqual(sorted(heads[href].alternates), sorted(h.alternates), `${url} and ${href} name different language versions`);
    }
  }
  // Some form has a LeiKa key and fees, so both branches above ran.
  const lds = Object.values(heads).flatMap((h) => h.jsonld.map((j) => JSON.parse(j)));
  assert.ok(lds.some((ld) => ld.identifier) && lds.some((ld) => ld.offers) && lds.some((ld) => !ld.identifier));
});
