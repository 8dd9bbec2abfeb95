#!/usr/bin/env python3
"""A synthetic Germany for the build benchmark: N municipality configs (default 10,800, about
as many as Germany has Gemeinden), deterministic (seeded), written as a forms/ tree:

    <out>/catalog/...                 copied from the repository's forms/catalog (with archive/)
    <out>/municipalities/<slug>/      municipality.yaml, logo.svg, pages/*.md, forms/*.yaml

Municipalities are spread over the 16 Länder roughly as the real ones are; each has an
8-digit AGS (Land, Regierungsbezirk, Kreis, Gemeinde), a German name, German only or German
and English, its own brand colour (>= 4.5:1 on white) and logo, legal pages made from the
sample city's, and a mix of catalog forms: bulky waste always, dog tax for most (some still on
version 1, some with Musterstadt's overlay or their own tax rate), weapons permit and driving
licence for some.

Usage: bench/gen-germany.py OUT_DIR [--count N] [--seed S]
"""

import argparse
import random
import shutil
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SAMPLE = REPO / "forms" / "municipalities" / "musterstadt"
# The sample's test creditor id (valid check digits); the synthetic municipalities that take a
# SEPA mandate share it.
SAMPLE_CREDITOR = "DE98ZZZ09999999999"

# (AGS Land code, Land, real number of Gemeinden (approx.), Regierungsbezirk digits,
#  supervisory authority, its city)
LAENDER = [
    ("01", "Schleswig-Holstein", 1104, "0", "Unabhängiges Landeszentrum für Datenschutz Schleswig-Holstein", "24103 Kiel"),
    ("02", "Hamburg", 1, "0", "Der Hamburgische Beauftragte für Datenschutz und Informationsfreiheit", "20459 Hamburg"),
    ("03", "Niedersachsen", 941, "1234", "Die Landesbeauftragte für den Datenschutz Niedersachsen", "30159 Hannover"),
    ("04", "Bremen", 2, "0", "Die Landesbeauftragte für Datenschutz und Informationsfreiheit Bremen", "28195 Bremen"),
    ("05", "Nordrhein-Westfalen", 396, "12345", "Landesbeauftragte für Datenschutz und Informationsfreiheit Nordrhein-Westfalen", "40213 Düsseldorf"),
    ("06", "Hessen", 421, "456", "Der Hessische Beauftragte für Datenschutz und Informationsfreiheit", "65189 Wiesbaden"),
    ("07", "Rheinland-Pfalz", 2301, "123", "Der Landesbeauftragte für den Datenschutz und die Informationsfreiheit Rheinland-Pfalz", "55116 Mainz"),
    ("08", "Baden-Württemberg", 1101, "1234", "Der Landesbeauftragte für den Datenschutz und die Informationsfreiheit Baden-Württemberg", "70173 Stuttgart"),
    ("09", "Bayern", 2056, "1234567", "Der Bayerische Landesbeauftragte für den Datenschutz", "80538 München"),
    ("10", "Saarland", 52, "0", "Unabhängiges Datenschutzzentrum Saarland", "66111 Saarbrücken"),
    ("11", "Berlin", 1, "0", "Berliner Beauftragte für Datenschutz und Informationsfreiheit", "10969 Berlin"),
    ("12", "Brandenburg", 413, "0", "Die Landesbeauftragte für den Datenschutz und für das Recht auf Akteneinsicht Brandenburg", "14532 Kleinmachnow"),
    ("13", "Mecklenburg-Vorpommern", 726, "0", "Der Landesbeauftragte für Datenschutz und Informationsfreiheit Mecklenburg-Vorpommern", "19059 Schwerin"),
    ("14", "Sachsen", 418, "5", "Die Sächsische Datenschutz- und Transparenzbeauftragte", "01097 Dresden"),
    ("15", "Sachsen-Anhalt", 218, "0", "Der Landesbeauftragte für den Datenschutz Sachsen-Anhalt", "39104 Magdeburg"),
    ("16", "Thüringen", 605, "0", "Der Thüringer Landesbeauftragte für den Datenschutz und die Informationsfreiheit", "99096 Erfurt"),
]

PREFIXES = ["Ober", "Unter", "Nieder", "Hohen", "Neu", "Alt", "Groß", "Klein", "Mittel", "Hinter", "Vorder", "Bad ", "Sankt "]
STEMS = [
    "Ahorn", "Buchen", "Eichen", "Linden", "Tannen", "Birken", "Erlen", "Eschen", "Wald", "Berg",
    "Tal", "Stein", "Fels", "Brunn", "Mühl", "Kirch", "Roth", "Weiß", "Schwarz", "Grün",
    "Hirsch", "Wolfs", "Fuchs", "Adler", "Rosen", "Marien", "Hein", "Diet", "Ger", "Wil",
    "Her", "Kon", "Lud", "Hild", "Elster", "Lahn", "Ems", "Sieg", "Wester", "Oster",
    "Sonnen", "Helm", "Arns", "Bern", "Frieders", "Gotts", "Hartmann", "Kunners", "Ohl", "Rein",
    "Sal", "Wendel", "Zell", "Ecker", "Lauter", "Kalt", "Warm", "Sand", "Moos", "Wiesen",
]
SUFFIXES = [
    "bach", "dorf", "hausen", "heim", "ingen", "feld", "berg", "burg", "stadt", "hofen",
    "rode", "weiler", "kirchen", "au", "born", "furt", "stedt", "leben", "ow", "itz",
    "walde", "brück", "hagen", "beck", "büttel", "scheid", "wang", "reuth", "zell", "roda",
]
RIVERS = ["Main", "Lahn", "Mosel", "Saale", "Elbe", "Oder", "Donau", "Ilm", "Fulda", "Werra", "Ems", "Aller"]
STREETS = ["Rathausplatz", "Marktplatz", "Hauptstraße", "Kirchplatz", "Schloßstraße", "Bahnhofstraße", "Am Rathaus", "Lindenallee"]


def slugify(name):
    s = name.lower()
    for a, b in [("ä", "ae"), ("ö", "oe"), ("ü", "ue"), ("ß", "ss")]:
        s = s.replace(a, b)
    out, dash = [], False
    for ch in s:
        if "a" <= ch <= "z" or "0" <= ch <= "9":
            out.append(ch)
            dash = False
        elif not dash and out:
            out.append("-")
            dash = True
    return "".join(out).strip("-")


def luminance(rgb):
    def ch(c):
        c = c / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (ch(c) for c in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def brand_colour(rng):
    while True:
        rgb = [rng.randrange(0, 200) for _ in range(3)]
        if (1.05) / (luminance(rgb) + 0.05) >= 4.6:
            return "#%02x%02x%02x" % tuple(rgb)


def town_name(rng):
    name = rng.choice(STEMS) + rng.choice(SUFFIXES)
    if rng.random() < 0.3:
        p = rng.choice(PREFIXES)
        name = p + (name if p.endswith(" ") else name.lower())
    r = rng.random()
    if r < 0.04:
        name += " am See"
    elif r < 0.08:
        name += " an der " + rng.choice(RIVERS) if rng.random() < 0.5 else " am " + rng.choice(RIVERS)
    return name


def yaml_str(s):
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def booking_for(block, offered):
    """The sample's block with the payment's per-form bookings kept for the forms in `offered`
    only (the check refuses a booking for a form the municipality does not offer)."""
    out, skip, forms_at = [], False, None
    for line in block.split("\n"):
        indent = len(line) - len(line.lstrip(" "))
        if forms_at is not None and line.strip() and indent <= forms_at:
            forms_at = None
        if line.strip() == "forms:" and indent > 0:
            forms_at = indent
            out.append(line)
            continue
        if forms_at is not None and indent == forms_at + 2:
            skip = line.strip().split(":")[0] not in offered
        if forms_at is not None and skip:
            continue
        out.append(line)
    # A booking whose forms all went: no `forms:` left without entries.
    return "\n".join(
        l for i, l in enumerate(out)
        if not (l.strip() == "forms:" and l.startswith(" ")
                and (i + 1 == len(out) or len(out[i + 1]) - len(out[i + 1].lstrip(" ")) <= len(l) - len(l.lstrip(" "))))
    )


def contact_yaml(key, c):
    lines = [f"{key}:", f"  name: {yaml_str(c['name'])}", "  address:"]
    lines += [f"    - {yaml_str(a)}" for a in c["address"]]
    if c.get("phone"):
        lines.append(f"  phone: {yaml_str(c['phone'])}")
    lines.append(f"  email: {c['email']}")
    if c.get("web"):
        lines.append(f"  web: {c['web']}")
    return "\n".join(lines)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--count", type=int, default=10800)
    ap.add_argument("--seed", type=int, default=20261128)
    args = ap.parse_args()
    rng = random.Random(args.seed)
    out = Path(args.out)
    if out.exists():
        shutil.rmtree(out)
    shutil.copytree(REPO / "forms" / "catalog", out / "catalog")
    mdir = out / "municipalities"
    mdir.mkdir(parents=True)

    # Legal pages: the sample city's, with the name and address swapped.
    pages = {}
    for kind, stem in [("imprint", "impressum"), ("privacy", "datenschutz"), ("accessibility", "barrierefreiheit")]:
        pages[(kind, "de")] = (SAMPLE / "pages" / f"{stem}.md").read_text(encoding="utf-8")
        pages[(kind, "en")] = (SAMPLE / "pages" / f"{stem}.en.md").read_text(encoding="utf-8")
    overlay = (SAMPLE / "forms" / "hundesteuer-anmeldung.yaml").read_text(encoding="utf-8")
    # The accessibility statement's fields: the sample city's block of municipality.yaml.
    sample_cfg = (SAMPLE / "municipality.yaml").read_text(encoding="utf-8")
    a11y_block = sample_cfg[sample_cfg.index("\naccessibility:\n") + 1 : sample_cfg.index("\nforms:\n")]
    logo_tpl = (SAMPLE / "logo.svg").read_text(encoding="utf-8")

    total_real = sum(l[2] for l in LAENDER)
    counts = [max(1, round(l[2] * args.count / total_real)) for l in LAENDER]
    # Make the counts add up exactly (adjust the largest Länder).
    order = sorted(range(len(LAENDER)), key=lambda i: -LAENDER[i][2])
    k = 0
    while sum(counts) != args.count:
        i = order[k % 3]
        counts[i] += 1 if sum(counts) < args.count else -1
        k += 1

    seen = set()
    stats = {"de": 0, "de+en": 0, "forms": 0, "overlays": 0, "v1": 0}
    for (code, land, _, rbs, authority, auth_city), n in zip(LAENDER, counts):
        # Kreise of about 40 Gemeinden each, spread over the Regierungsbezirke.
        per_kreis = 40
        for j in range(n):
            kreis_index = j // per_kreis
            rb = rbs[kreis_index % len(rbs)]
            kreis = 1 + kreis_index // len(rbs) + (10 if code in ("03", "05", "09") else 0)
            gemeinde = 1 + j % per_kreis * 3 + rng.randrange(0, 3)
            ags = f"{code}{rb}{kreis:02d}{gemeinde:03d}"
            if code in ("02", "11"):
                name = {"02": "Hamburg", "11": "Berlin"}[code]
                kind = "Freie und Hansestadt" if code == "02" else "Land"
                full = f"{kind} {name}"
            elif code == "04":
                name = ["Bremen", "Bremerhaven"][j]
                full = f"Stadt {name}"
            else:
                name = town_name(rng)
                r = rng.random()
                kind = "Stadt" if r < 0.2 else ("Markt" if code == "09" and r < 0.3 else ("Ortsgemeinde" if code == "07" else "Gemeinde"))
                full = f"{kind} {name}"
            slug = slugify(name)
            if slug in seen or slug[0].isdigit():
                slug = f"{slug}-{ags}"
            seen.add(slug)
            langs = ["de", "en"] if rng.random() < 0.25 else ["de"]
            stats["+".join(langs)] += 1
            street = rng.choice(STREETS)
            plz = f"{rng.randrange(1067, 99999):05d}"
            area = f"0{rng.randrange(30, 9999)}"
            phone_area = area[1:]
            contact = {
                "name": f"{full}, Bürgerbüro",
                "address": [f"{street} {rng.randrange(1, 30)}", f"{plz} {name}"],
                "phone": f"+49 {phone_area} {rng.randrange(100, 9999)}-0",
                "email": f"buergerbuero@{slug}.example",
                "web": f"https://www.{slug}.example",
            }
            dpo = {
                "name": f"Behördlicher Datenschutzbeauftragter, {full}",
                "address": [full, "Der Datenschutzbeauftragte", contact["address"][0], contact["address"][1]],
                "email": f"datenschutz@{slug}.example",
            }
            auth = {
                "name": authority,
                "address": ["Postfach 1234", auth_city],
                "email": f"poststelle@datenschutz-{slugify(land)}.example",
            }
            forms = ["  - use: sperrmuell-anmeldung@1"]
            creditor = False
            files = {}
            r = rng.random()
            if r < 0.9:
                if r < 0.2:
                    forms.append("  - use: hundesteuer-anmeldung@1")
                    stats["v1"] += 1
                else:
                    line = "  - use: hundesteuer-anmeldung@2"
                    if rng.random() < 0.5:
                        line += f"\n    fees: {{ steuer: {{ amount-eur: {rng.choice([48, 60, 72, 75, 84, 90, 96, 100, 108, 120])} }} }}"
                    if langs == ["de", "en"] and rng.random() < 0.3:
                        line += "\n    overlay: forms/hundesteuer-anmeldung.yaml"
                        files["forms/hundesteuer-anmeldung.yaml"] = overlay.replace("Musterstadt", name)
                        stats["overlays"] += 1
                        # Musterstadt's overlay adds the SEPA mandate, which names the creditor.
                        creditor = True
                    forms.append(line)
            if rng.random() < 0.3:
                forms.append("  - use: waffenbesitzkarte@1")
            if rng.random() < 0.2:
                forms.append("  - use: fahrerlaubnis-ersterteilung@1")
            stats["forms"] += len(forms)
            colour = brand_colour(rng)
            page_lines = []
            for kind, stem in [("imprint", "impressum"), ("privacy", "datenschutz"), ("accessibility", "barrierefreiheit")]:
                entries = []
                for lang in langs:
                    fname = f"pages/{stem}.md" if lang == "de" else f"pages/{stem}.{lang}.md"
                    text = pages[(kind, lang)]
                    text = text.replace("Stadt Musterstadt", full).replace("Musterstadt", name)
                    text = text.replace("Rathausplatz 1", contact["address"][0]).replace("35399", plz)
                    files[fname] = text
                    entries.append(f"{lang}: {fname}")
                page_lines.append(f"  {kind}: {{ {', '.join(entries)} }}")
            files["logo.svg"] = logo_tpl.replace("#005ca9", colour).replace("musterstadt", slug).replace("Stadt Musterstadt", full)
            config = "\n".join(
                [
                    f"# {full} (synthetisch), {land}.",
                    f"id: {slug}",
                    f"name: {yaml_str(full)}",
                    f'ags: "{ags}"',
                    f"languages: [{', '.join(langs)}]",
                    "branding:",
                    f'  primary-color: "{colour}"',
                    "  logo: logo.svg",
                    contact_yaml("contact", contact),
                    contact_yaml("data-protection-officer", dpo),
                    contact_yaml("supervisory-authority", auth),
                    f"site-origin: https://formulare.{slug}.example",
                    f"submission-endpoint: https://api.{slug}.example/v1",
                    "pages:",
                    *page_lines,
                    *([f"sepa-creditor: {{ id: {SAMPLE_CREDITOR}, name: {yaml_str(full)} }}"] if creditor else []),
                    booking_for(a11y_block, {f.split("use: ")[1].split("@")[0] for f in forms}).replace("Stadt Musterstadt", full).replace("Musterstadt", name).replace("35399", plz),
                    "forms:",
                    *forms,
                ]
            )
            d = mdir / slug
            (d / "pages").mkdir(parents=True)
            (d / "municipality.yaml").write_text(config + "\n", encoding="utf-8")
            for rel, text in files.items():
                p = d / rel
                p.parent.mkdir(parents=True, exist_ok=True)
                p.write_text(text, encoding="utf-8")
    print(
        f"{args.count} municipalities in {out}: {stats['de']} German only, {stats['de+en']} German and English; "
        f"{stats['forms']} form uses ({stats['v1']} still on hundesteuer-anmeldung@1, {stats['overlays']} with an overlay)"
    )


if __name__ == "__main__":
    sys.exit(main())
