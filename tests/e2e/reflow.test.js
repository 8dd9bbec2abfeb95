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

for (const js of [true, false]) {
  const mode = js ? "js" : "nojs";
  test(`320 px: no horizontal scrolling on form pages and indexes (${js ? "JavaScript on" : "JavaScript off"})`, async (t) => {
    const pages = site.pages.filter((p) => p.kind === "form" || p.kind === "index");
    assert.ok(pages.length > 0);
    const dir = path.join(ARTIFACTS, "screens-320", mode);
    fs.mkdirSync(dir, { recursive: true });
    const context = await browser.newContext({ viewport: { width: WIDTH, height: 640 }, deviceScaleFactor: 1 });
    try {
      await pool(pages, 2, async (p) => {
        const page = await context.newPage();
        const cdp = await context.newCDPSession(page);
        try {
          await t.test(`${p.rel} at ${WIDTH} px (${mode})`, async () => {
            const url = `${site.base}/${p.url}`;
            if (js) await page.goto(url, { waitUntil: "load" });
            else await gotoWithoutScript(page, cdp, url);
            const m = await page.evaluate(() => {
              const s = document.scrollingElement;
              // What sticks out: elements whose right edge passes the viewport.
              const wide = [...document.querySelectorAll("body *")]
                .filter((el) => {
                  const r = el.getBoundingClientRect();
                  return r.width > 0 && (r.right > window.innerWidth + 0.5 || r.left < -0.5) && !el.closest(".visually-hidden, .hp, .skip-link");
                })
                .slice(0, 5)
                .map((el) => `${el.tagName.toLowerCase()}${el.id ? "#" + el.id : ""}${el.className ? "." + String(el.className).split(" ").join(".") : ""} (${Math.round(el.getBoundingClientRect().left)}..${Math.round(el.getBoundingClientRect().right)})`);
              return { scrollWidth: s.scrollWidth, clientWidth: s.clientWidth, wide };
            });
            const file = path.join(dir, `${p.rel.replace(/\/$/, "").replace(/\//g, "__") || "root"}.png`);
            await page.screenshot({ path: file, fullPage: true });
            assert.ok(
              m.scrollWidth <= WIDTH,
              `${url} (${mode}) scrolls horizontally at ${WIDTH} px: scrollWidth ${m.scrollWidth}; wide elements: ${m.wide.join(", ")}; screenshot ${file}`,
            );
          });
        } finally {
          await page.close();
        }
      });
    } finally {
      await context.close();
    }
  });
}
