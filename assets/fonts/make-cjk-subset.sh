#!/bin/sh
# Makes NotoSansSC-subset.otf, the font PNG charts use when they show Chinese:
# Chinese numerals (3万亿, 8000亿), qualifiers (超, 近, 约) and Chinese titles or
# units, none of which DejaVu Sans has.
#
# Source: Noto Sans CJK SC (SIL Open Font License 1.1, LICENSE-NotoSansCJK.txt
# beside this script), from Debian's package fonts-noto-cjk. The subset keeps
# printable ASCII and Latin-1, general punctuation, the comparison signs the
# tool prints, CJK punctuation and full-width forms, and the 3,755 characters
# of GB 2312 level 1 (the common characters of simplified Chinese, which
# include every character the number formatter and the value grammar emit).
# chart::tests checks the font covers every number the formatter prints.
#
# Needs python3 with fonttools (pip install fonttools) and the font file:
#   apt-get download fonts-noto-cjk && dpkg-deb -x fonts-noto-cjk_*.deb x
#   sh assets/fonts/make-cjk-subset.sh x/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc
set -eu
source_font=${1:-/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc}
here=$(dirname "$0")
chars=$(mktemp)
trap 'rm -f "$chars"' EXIT
# GB 2312 level 1: rows 0xB0-0xD7, cells 0xA1-0xFE (0xD7FA-0xD7FE are unassigned).
python3 - "$chars" <<'PY'
import sys
level1 = []
for row in range(0xB0, 0xD8):
    for cell in range(0xA1, 0xFF):
        try:
            level1.append(bytes([row, cell]).decode("gb2312"))
        except UnicodeDecodeError:
            pass
open(sys.argv[1], "w", encoding="utf-8").write("万亿超近约多余" + "".join(level1))
PY
# Face 2 of the collection is Noto Sans CJK SC (simplified Chinese forms).
pyftsubset "$source_font" \
    --font-number=2 \
    --unicodes='U+0020-007E,U+00A0-00FF,U+2010-2027,U+2030-203A,U+2190-2193,U+2212,U+2248,U+2264,U+2265,U+2500,U+2502,U+3000-303F,U+FF01-FF5E' \
    --text-file="$chars" \
    --layout-features='kern' \
    --no-hinting \
    --desubroutinize \
    --name-IDs='*' \
    --output-file="$here/NotoSansSC-subset.otf"
