#!/bin/sh
# Base documents for the visible-signature tests, made by other producers:
# hb-view (HarfBuzz + cairo, Debian package libharfbuzz-bin) sets a Vietnamese
# decision in Liberation Serif on an A4-sized page; qpdf turns a copy by 90 degrees.
# Only needed to regenerate the committed files.
set -eu
cd "$(dirname "$0")"
font=fonts/LiberationSerif-Regular.ttf
[ -f "$font" ] || font=/usr/share/fonts/truetype/liberation2/LiberationSerif-Regular.ttf
cat > /tmp/lsign-decision.txt <<'TXT'
ỦY BAN NHÂN DÂN XÃ CHÍ MINH
Số: 123/QĐ-UBND

QUYẾT ĐỊNH
Về việc cấp bản sao trích lục khai sinh

Căn cứ Luật Hộ tịch ngày 20 tháng 11 năm 2014;
Xét đề nghị của công chức tư pháp - hộ tịch,

Điều 1. Cấp bản sao trích lục khai sinh cho bà Trần Thị Đào.
Điều 2. Quyết định có hiệu lực kể từ ngày ký.

TM. ỦY BAN NHÂN DÂN
CHỦ TỊCH
TXT
# Margins (top right bottom left) make the page about 595 x 842 points; the signer's
# name is left to the signature's appearance, below the title.
hb-view --output-format=pdf --font-size=13 --margin="60 210 574 70" \
  -o decision.pdf "$font" --text-file=/tmp/lsign-decision.txt
qpdf --rotate=+90 decision.pdf decision-rotated.pdf
rm -f /tmp/lsign-decision.txt
pdfinfo decision.pdf | grep 'Page size'
