#!/usr/bin/env python3
"""A minimal Hugo site for the build comparison: one template (layouts/_default/single.html)
and N content files (Markdown with a title, a few paragraphs and a list, about the text size of
a Formfabrik legal page), in folders of 1,000 like municipalities' pages. Only single pages are
rendered: list pages, taxonomies, RSS, sitemap, robots.txt and 404 are disabled, so Hugo writes
exactly N pages.

Usage: bench/gen-hugo.py OUT_DIR --pages N
"""

import argparse
import shutil
import sys
from pathlib import Path

CONFIG = """baseURL = "https://formulare.example/"
languageCode = "de"
title = "Benchmark"
disableKinds = ["home", "section", "taxonomy", "term", "RSS", "sitemap", "robotsTXT", "404"]
[markup.goldmark.renderer]
unsafe = false
"""

TEMPLATE = """<!doctype html>
<html lang="de">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ .Title }} – {{ .Site.Title }}</title>
<link rel="stylesheet" href="/assets/site.css">
</head>
<body>
<a class="skip-link" href="#main">Zum Inhalt springen</a>
<header class="header"><div class="container"><a class="brand" href="/">{{ .Params.municipality }}</a></div></header>
<main id="main" class="container main" tabindex="-1">
<h1>{{ .Title }}</h1>
{{ .Content }}
</main>
<footer class="footer"><div class="container"><ul class="footer__links">
<li><a href="../impressum/">Impressum</a></li><li><a href="../datenschutz/">Datenschutz</a></li>
<li><a href="../barrierefreiheit/">Barrierefreiheit</a></li><li><a href="../feedback/">Feedback</a></li>
</ul></div></footer>
</body>
</html>
"""

BODY = """Angaben gemäß § 5 Digitale-Dienste-Gesetz (DDG) für die Seite {i}.

## Anbieterin

Gemeinde Nummer {i}\\
Rathausplatz 1\\
12345 Beispielort

Die Gemeinde ist eine Gebietskörperschaft des öffentlichen Rechts. Sie wird vertreten durch
die Bürgermeisterin. Zuständige Aufsichtsbehörde ist der Landkreis.

## Kontakt

- Telefon: 0123 4567-0
- E-Mail: buergerbuero@beispielort.example
- Öffnungszeiten: Montag bis Freitag 8 bis 12 Uhr, Donnerstag auch 14 bis 18 Uhr

## Haftung für Inhalte

Die Inhalte dieser Seiten wurden mit größter Sorgfalt erstellt. Für die Richtigkeit,
Vollständigkeit und Aktualität der Inhalte übernehmen wir jedoch keine Gewähr.
"""


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--pages", type=int, required=True)
    args = ap.parse_args()
    out = Path(args.out)
    if out.exists():
        shutil.rmtree(out)
    (out / "layouts" / "_default").mkdir(parents=True)
    (out / "config.toml").write_text(CONFIG, encoding="utf-8")
    (out / "layouts" / "_default" / "single.html").write_text(TEMPLATE, encoding="utf-8")
    for i in range(args.pages):
        d = out / "content" / f"m{i // 1000:04d}"
        if i % 1000 == 0:
            d.mkdir(parents=True)
        (d / f"seite-{i:06d}.md").write_text(
            f'---\ntitle: "Impressum {i}"\nmunicipality: "Gemeinde {i // 12}"\n---\n\n' + BODY.format(i=i),
            encoding="utf-8",
        )
    print(f"{args.pages} content files in {out}")


if __name__ == "__main__":
    sys.exit(main())
