// Reflow at 320 CSS px (WCAG 1.4.10; the same as 400 % zoom of a 1280 px window): every form
// page and every services index, in every language, with JavaScript on and off, scrolls only
// vertically. Full-page screenshots go to tests/e2e/artifacts/screens-320/ (gitignored).
"use strict";

const { test } = require("node:test");
const assert = require("node:assert/strict");
const fs = require("node:fs");
const path = require("node:path");

const { ARTIFACTS, gotoWithoutScript, pool, siteHooks } = require("./lib/harness");

const WIDTH = 320;
let site;
let browser;
siteHooks((e) => ({ site, browser } = e));

/** How wide the page is, and the first elements that stick out of the viewport. */
function overflow(page) {
  return page.evaluate(() => {
    const s = document.scrollingElement;
    const wide = [...document.querySelectorAll("body *")]
      .filter((el) => {
        const r = el.getBoundingClientRect();
        return r.width > 0 && (r.right > window.innerWidth + 0.5 || r.left < -0.5) && !el.closest(".visually-hidden, .hp, .skip-link");
      })
      .slice(0, 5)
      .map((el) => `${el.tagName.toLowerCase()}${el.id ? "#" + el.id : ""}${el.className ? "." + String(el.className).split(" ").join(".") : ""} (${Math.round(el.getBoundingClientRect().left)}..${Math.round(el.getBoundingClientRect().right)})`);
    return { scrollWidth: s.scrollWidth, clientWidth: s.clientWidth, wide };
  });
}

// WCAG 1.4.12 (text spacing): what a reader's own stylesheet may set. Wider text than any
// font gives, so a layout that only fits thanks to a narrow font fails here.
const TEXT_SPACING = `* { line-height: 1.5 !important; letter-spacing: .12em !important; word-spacing: .16em !important; }
p { margin-block-end: 2em !important; }`;

/** Adds `css` as a user stylesheet through the DevTools protocol (the page's CSP does not govern it). */
async function addUserStyles(cdp, css) {
  await cdp.send("DOM.enable");
  await cdp.send("CSS.enable");
  const { frameTree } = await cdp.send("Page.getFrameTree");
  const { styleSheetId } = await cdp.send("CSS.createStyleSheet", { frameId: frameTree.frame.id });
  await cdp.send("CSS.setStyleSheetText", { styleSheetId, text: css });
}

test("the browser lays pages out in the pinned Noto fonts only, whatever else the machine has", async () => {
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    const cdp = await context.newCDPSession(page);
    for (const rel of ["musterstadt/waffenbesitzkarte/", "neustadt-am-see/ar/"]) {
      await page.goto(`${site.base}/${rel}`, { waitUntil: "load" });
      // A family many machines have (DejaVu Sans comes with Debian's fontconfig): not seen.
      await page.evaluate(() => { document.querySelector(".footer").style.fontFamily = '"DejaVu Sans", "Liberation Sans", Arial, sans-serif'; });
      await cdp.send("DOM.enable");
      await cdp.send("CSS.enable");
      const { root } = await cdp.send("DOM.getDocument", { depth: -1 });
      const used = new Set();
      for (const selector of ["h1", "label", "p", ".footer a", ".table th", ".table td"]) {
        const { nodeIds } = await cdp.send("DOM.querySelectorAll", { nodeId: root.nodeId, selector });
        for (const nodeId of nodeIds) {
          const { fonts } = await cdp.send("CSS.getPlatformFontsForNode", { nodeId });
          fonts.forEach((f) => used.add(f.familyName));
        }
      }
      assert.ok(used.size > 0, `${rel}: no text measured`);
      const others = [...used].filter((f) => !f.startsWith("Noto "));
      assert.deepEqual(others, [], `${rel}: fonts from outside fonts-noto-core: ${[...used].join(", ")}`);
      // The stylesheet's own families, for the text it sets.
      for (const f of rel.includes("/ar/") ? ["Noto Sans", "Noto Sans Arabic"] : ["Noto Sans"]) {
        assert.ok(used.has(f), `${rel}: ${f} not used (${[...used].join(", ")})`);
      }
    }
  } finally {
    await context.close();
  }
});

/**
 * Runs `check(page, cdp, url)` as a subtest of `t` for each of `pages` at 320 px, two at a time,
 * each in a page of its own.
 */
async function at320(t, pages, name, check) {
  const context = await browser.newContext({ viewport: { width: WIDTH, height: 640 }, deviceScaleFactor: 1 });
  try {
    await pool(pages, 2, async (p) => {
      const page = await context.newPage();
      const cdp = await context.newCDPSession(page);
      try {
        await t.test(`${p.rel} at ${WIDTH} px (${name})`, () => check(page, cdp, `${site.base}/${p.url}`, p));
      } finally {
        await page.close();
      }
    });
  } finally {
    await context.close();
  }
}

test("320 px with WCAG 1.4.12 text spacing: no form page scrolls sideways (JavaScript off)", async (t) => {
  await at320(t, site.pages.filter((p) => p.kind === "form"), "text spacing", async (page, cdp, url) => {
    await gotoWithoutScript(page, cdp, url);
    await addUserStyles(cdp, TEXT_SPACING);
    const m = await overflow(page);
    assert.ok(m.scrollWidth <= WIDTH, `${url} scrolls horizontally at ${WIDTH} px with text spacing: scrollWidth ${m.scrollWidth}; wide elements: ${m.wide.join(", ")}`);
  });
});

for (const js of [true, false]) {
  const mode = js ? "js" : "nojs";
  test(`320 px: no horizontal scrolling on form pages and indexes (${js ? "JavaScript on" : "JavaScript off"})`, async (t) => {
    const pages = site.pages.filter((p) => p.kind === "form" || p.kind === "index");
    assert.ok(pages.length > 0);
    const dir = path.join(ARTIFACTS, "screens-320", mode);
    fs.mkdirSync(dir, { recursive: true });
    await at320(t, pages, mode, async (page, cdp, url, p) => {
      if (js) await page.goto(url, { waitUntil: "load" });
      else await gotoWithoutScript(page, cdp, url);
      const m = await overflow(page);
      const file = path.join(dir, `${p.rel.replace(/\/$/, "").replace(/\//g, "__") || "root"}.png`);
      await page.screenshot({ path: file, fullPage: true });
      assert.ok(
        m.scrollWidth <= WIDTH,
        `${url} (${mode}) scrolls horizontally at ${WIDTH} px: scrollWidth ${m.scrollWidth}; wide elements: ${m.wide.join(", ")}; screenshot ${file}`,
      );
    });
  });
}
