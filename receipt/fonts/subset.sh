#!/bin/sh
# Subsets the receipt's fonts (README.md): run once from this folder, with fonttools 4.68.0
# (`pip install fonttools==4.68.0`) and the original files of Debian 12's fonts-noto-core
# 20201225-1 in $1 (default /usr/share/fonts/truetype/noto).
set -eu
src=${1:-/usr/share/fonts/truetype/noto}
# Kept: every OpenType layout feature and script (Arabic joining and ligatures, Latin kerning
# and marks), the .notdef outline, the names; dropped: TrueType hinting (PDF viewers do not
# need it) and every character outside these ranges.
opts="--layout-features=* --layout-scripts=* --no-hinting --notdef-outline --name-IDs=* --name-languages=*"
# Noto Sans: Basic Latin, Latin-1, Latin Extended-A and -B (Romanian ș ț), combining
# diacritics, Greek, Cyrillic, general punctuation (dashes, quotes, bidi marks, spaces), €,
# the dotted circle shaping puts under a lone mark, the replacement character.
latin="U+0020-007E,U+00A0-00FF,U+0100-017F,U+0180-024F,U+0300-036F,U+0370-03FF,U+0400-04FF,U+2000-206F,U+20AC,U+25CC,U+FFFD"
# Noto Sans Arabic: the Arabic block and its supplement, presentation forms (text copied from
# other PDFs), and the Latin digits, punctuation and signs that an Arabic run may contain.
arabic="U+0020-007E,U+00A0-00BF,U+00D7,U+00F7,U+0600-06FF,U+0750-077F,U+FB50-FDFF,U+FE70-FEFF,U+2000-206F,U+20AC,U+25CC"
for f in NotoSans-Regular NotoSans-Bold; do
  pyftsubset "$src/$f.ttf" --unicodes="$latin" $opts --output-file="$f.ttf"
done
for f in NotoSansArabic-Regular NotoSansArabic-Bold; do
  pyftsubset "$src/$f.ttf" --unicodes="$arabic" $opts --output-file="$f.ttf"
done
