#!/bin/sh
# Makes NotoSansSC-subset.otf, the font PNG charts use for text with Chinese
# numerals (3万亿, 8000亿) and qualifiers (超, 近, 约), which DejaVu Sans lacks.
#
# Source: Noto Sans CJK SC (SIL Open Font License 1.1, LICENSE-NotoSansCJK.txt
# beside this script), from Debian's package fonts-noto-cjk. The subset keeps
# printable ASCII and Latin-1, general punctuation, the comparison signs the
# tool prints, and the Chinese characters the number formatter and the value
# grammar can emit. A test (chart::tests) checks the font covers every
# character the number formatter can produce.
#
# Needs fonttools (pip install fonttools) and the package's font file:
#   apt-get download fonts-noto-cjk && dpkg-deb -x fonts-noto-cjk_*.deb x
#   sh assets/fonts/make-cjk-subset.sh x/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc
set -eu
source_font=${1:-/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc}
here=$(dirname "$0")
# Face 2 of the collection is Noto Sans CJK SC (simplified Chinese forms).
pyftsubset "$source_font" \
    --font-number=2 \
    --unicodes='U+0020-007E,U+00A0-00FF,U+2010-2027,U+2030-203A,U+2190-2193,U+2212,U+2248,U+2264,U+2265,U+2500,U+2502' \
    --text='万亿超近约多余' \
    --layout-features='kern' \
    --no-hinting \
    --desubroutinize \
    --name-IDs='*' \
    --output-file="$here/NotoSansSC-subset.otf"
