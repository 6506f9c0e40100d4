#!/usr/bin/env bash
# Regenerate the PDF test corpus of libsign (issue 4).
#
#   testvectors/pdf/make-corpus.sh            # rebuilds corpus/, encrypted/, damaged/, MANIFEST.tsv
#
# The producers below are Debian (bookworm) packages. They are needed ONLY to
# regenerate the corpus; CI and the tests use the committed files.
# Outputs are not byte-for-byte reproducible (most producers stamp dates and
# random /ID values); the committed files are the reference.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
PY=/usr/bin/python3            # Debian's python: python3-reportlab / python3-pil live there
CRAFT="$HERE/craft.py"
OUT="$HERE/corpus"
ENC="$HERE/encrypted"
DMG="$HERE/damaged"
MAXSIZE=$((200 * 1024))
MAXTOTAL=$((3 * 1024 * 1024))

die() { echo "make-corpus: ERROR: $*" >&2; exit 1; }
log() { echo "make-corpus: $*" >&2; }

# ---------------------------------------------------------------- tools
need() { # need BINARY DEBIAN-PACKAGE
    command -v "$1" >/dev/null 2>&1 || die "'$1' not found: apt-get install --no-install-recommends $2"
}
need gs ghostscript
need qpdf qpdf
need pdftocairo poppler-utils
need pdftoppm poppler-utils
need mutool mupdf-tools
need groff groff
need img2pdf img2pdf
need podofouncompress libpodofo-utils
need podofobox libpodofo-utils
need podofomerge libpodofo-utils
need podofotxt2pdf libpodofo-utils
need podofoincrementalupdates libpodofo-utils
need pdflatex texlive-latex-base
kpsewhich pzdr.tfm >/dev/null || die "pzdr.tfm (ZapfDingbats for hyperref forms) missing: apt-get install --no-install-recommends texlive-fonts-recommended"
need soffice libreoffice-writer-nogui
[ -x "$PY" ] || die "$PY not found: apt-get install python3"
"$PY" -c 'import reportlab' 2>/dev/null || die "reportlab missing for $PY: apt-get install python3-reportlab"
"$PY" -c 'import PIL' 2>/dev/null || die "PIL missing for $PY: apt-get install python3-pil"
DEJAVU=/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf
DEJAVUB=/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf
[ -f "$DEJAVU" ] || die "$DEJAVU missing: apt-get install fonts-dejavu-core"

export SOURCE_DATE_EPOCH=1704067200   # 2024-01-01, honoured by some producers
export TZ=UTC LC_ALL=C.UTF-8

W="$(mktemp -d /tmp/libsign-corpus.XXXXXX)"
trap 'rm -rf "$W"' EXIT
S="$W/src"; B="$W/build"; mkdir -p "$S" "$B" "$W/home"
export HOME="$W/home"   # LibreOffice wants a writable profile

# ---------------------------------------------------------------- sources
cat > "$S/viet.txt" <<'EOF'
CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM
Độc lập - Tự do - Hạnh phúc

Ủy ban nhân dân xã Chí Minh
GIẤY KHAI SINH

Họ, chữ đệm, tên: Nguyễn Thị Ngọc Ánh
Ngày, tháng, năm sinh: 01/01/2024
Nơi sinh: Bệnh viện Đà Nẵng, thành phố Đà Nẵng
Dân tộc: Kinh    Quốc tịch: Việt Nam
Họ tên cha: Trần Văn Đức
Họ tên mẹ: Lê Thị Hường
Người đi khai sinh: Phạm Quỳnh Hương
Số định danh cá nhân: 048324000001
EOF

# a small raster image (PNG + JPEG), made with PIL
"$PY" - "$S" <<'EOF'
import sys
from PIL import Image, ImageDraw
d = sys.argv[1]
im = Image.new("RGB", (160, 100), (255, 255, 255))
dr = ImageDraw.Draw(im)
for x in range(160):
    dr.line([(x, 0), (x, 30)], fill=(200 - x, 40 + x, 120))
dr.ellipse([50, 35, 110, 95], outline=(200, 0, 0), width=4)
dr.text((8, 60), "UBND", fill=(0, 0, 128))
im.save(f"{d}/seal.png", optimize=True)
im.save(f"{d}/seal.jpg", quality=80)
EOF

# --- reportlab: 3 pages, Vietnamese with embedded DejaVu subset, image, AcroForm text field
cat > "$S/rl.py" <<'EOF'
import sys
from reportlab.pdfgen import canvas
from reportlab.lib.pagesizes import A4
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
out, src, compress, form = sys.argv[1], sys.argv[2], sys.argv[3] == "1", sys.argv[4] == "1"
pdfmetrics.registerFont(TTFont("DejaVu", sys.argv[5]))
pdfmetrics.registerFont(TTFont("DejaVuB", sys.argv[6]))
lines = open(f"{src}/viet.txt", encoding="utf-8").read().splitlines()
c = canvas.Canvas(out, pagesize=A4, invariant=1, pageCompression=compress)
c.setTitle("Giấy khai sinh - Ủy ban nhân dân xã Chí Minh")
c.setAuthor("UBND xã Chí Minh, Đà Nẵng")
c.setSubject("libsign test corpus")
for p in range(3):
    c.setFont("DejaVuB", 16)
    c.drawCentredString(297, 800, lines[0])
    c.setFont("DejaVu", 12)
    y = 770
    for ln in lines[1:]:
        c.drawString(60, y, ln); y -= 18
    c.drawString(60, 120, f"Trang {p + 1}/3 - Đà Nẵng, ngày 02 tháng 01 năm 2024")
    if p == 0:
        c.drawImage(f"{src}/seal.png", 400, 560, width=120, height=75)
        if form:
            c.setFont("DejaVu", 10)
            c.drawString(60, 470, "Ghi chú / Note:")
            c.acroForm.textfield(name="ghichu", tooltip="Ghi chu", x=150, y=460,
                                 width=300, height=22, value="Ma so 048324000001",
                                 borderWidth=1, fontName="Helvetica", fontSize=10)
            c.acroForm.checkbox(name="xacnhan", x=150, y=420, size=16, checked=True)
    c.rect(40, 100, 515, 720)
    c.showPage()
c.save()
EOF

# --- LibreOffice: HTML with table, image and a form text field
cat > "$S/lo.html" <<EOF
<!DOCTYPE html><html><head><meta charset="utf-8"><title>Giấy khai sinh</title></head>
<body style="font-family: 'DejaVu Sans'">
<h1>Ủy ban nhân dân xã Chí Minh</h1>
<h2>GIẤY KHAI SINH</h2>
<p>$(sed -n '6,14p' "$S/viet.txt" | sed 's/$/<br>/')</p>
<table border="1"><tr><th>Mục</th><th>Nội dung</th></tr>
<tr><td>Nơi đăng ký</td><td>Đà Nẵng</td></tr><tr><td>Quyển số</td><td>01/2024</td></tr></table>
<p><img src="seal.png" width="160" height="100" alt="con dấu"></p>
<form><p>Ghi chú: <input type="text" name="ghichu" value="Da Nang" size="30"></p></form>
<p style="page-break-before: always">Trang 2 — Hạnh phúc.</p>
</body></html>
EOF

# --- pdfTeX (plain OT1 fonts: texlive-latex-base has no Vietnamese T5 fonts, so ASCII + a few accents)
cat > "$S/tex.tex" <<'EOF'
\documentclass[a4paper]{article}
\usepackage{graphicx}
\usepackage{hyperref}
\hypersetup{pdftitle={Giay khai sinh},pdfauthor={UBND xa Chi Minh}}
\begin{document}
\section*{\~U y ban nh\^an d\^an x\~a Ch\'i Minh}
Gi\'ay khai sinh --- \DJ{}a N\~ang. % OT1 has no \DJ; defined below
\par\includegraphics[width=4cm]{seal.png}
\begin{Form}
\TextField[name=ghichu,width=6cm,value={So 048324000001}]{Ghi chu:}\par
\end{Form}
\newpage
Page two. \newpage Page three.
\end{document}
EOF
sed -i 's/\\DJ{}/D/' "$S/tex.tex"

# --- groff (gropdf, standard 14 fonts: Latin-1 only)
cat > "$S/groff.ms" <<'EOF'
.TL
Uy ban nhan dan xa Chi Minh
.AU
Da Nang
.NH
Giay khai sinh
.PP
This document was typeset by groff \-Tpdf (gropdf) for the libsign corpus.
Latin-1 accents: \[^a] \[^e] \[^o] \['a] \[`a] \[~a].
.bp
.NH
Trang 2
.PP
Second page.
EOF

# --- mutool create: two pages, base-14 font, image
cat > "$S/mu1.txt" <<'EOF'
%%MediaBox 0 0 420 595
%%Font F1 Helvetica
%%Image Im1 SEAL
BT /F1 18 Tf 40 540 Td (Uy ban nhan dan xa Chi Minh) Tj ET
BT /F1 12 Tf 40 510 Td (Giay khai sinh - Da Nang) Tj ET
q 160 0 0 100 40 380 cm /Im1 Do Q
0 0 1 RG 4 w 30 30 360 535 re S
EOF
sed -i "s#SEAL#$S/seal.png#" "$S/mu1.txt"
cat > "$S/mu2.txt" <<'EOF'
%%MediaBox 0 0 595 420
%%Rotate 90
%%Font F1 Times-Roman
BT /F1 24 Tf 40 360 Td (Page 2, landscape, /Rotate 90) Tj ET
EOF

# --- PostScript program for Ghostscript
cat > "$S/gs.ps" <<'EOF'
%!PS-Adobe-3.0
%%Pages: 2
%%BoundingBox: 0 0 595 842
%%EndComments
/Helvetica findfont 20 scalefont setfont
72 760 moveto (Uy ban nhan dan xa Chi Minh) show
72 730 moveto (Giay khai sinh - Da Nang) show
0.2 0.4 0.8 setrgbcolor 72 500 200 150 rectfill
1 0 0 setrgbcolor 6 setlinewidth 300 575 80 0 360 arc stroke
showpage
/Times-Roman findfont 30 scalefont setfont 0 setgray
72 700 moveto (Page 2) show
showpage
%%EOF
EOF

# ---------------------------------------------------------------- producers
cd "$B"
cp "$S/seal.png" "$S/seal.jpg" "$B/"

log "reportlab"
"$PY" "$S/rl.py" rl-form.pdf "$S" 1 1 "$DEJAVU" "$DEJAVUB"
"$PY" "$S/rl.py" rl-plain-uncompressed.pdf "$S" 0 0 "$DEJAVU" "$DEJAVUB"

log "LibreOffice"
soffice --headless --norestore --convert-to pdf:writer_web_pdf_Export --outdir lo "$S/lo.html" >/dev/null 2>&1 || true
[ -f lo/lo.pdf ] || die "LibreOffice produced nothing"
mv lo/lo.pdf lo-writer.pdf
soffice --headless --norestore --convert-to 'pdf:writer_web_pdf_Export:{"SelectPdfVersion":{"type":"long","value":"2"},"UseTaggedPDF":{"type":"boolean","value":"true"}}' --outdir lo2 "$S/lo.html" >/dev/null 2>&1 || true
[ -f lo2/lo.pdf ] && mv lo2/lo.pdf lo-pdfa2b.pdf

log "pdfTeX"
cp "$S/tex.tex" .
pdflatex -interaction=batchmode tex.tex >/dev/null 2>&1 || die "pdflatex failed (see $B/tex.log)"
mv tex.pdf pdftex-objstm.pdf
sed 's/^\\documentclass/\\pdfobjcompresslevel=0 \\pdfminorversion=4 \\documentclass/' tex.tex > tex14.tex
pdflatex -interaction=batchmode tex14.tex >/dev/null 2>&1 || die "pdflatex failed"
mv tex14.pdf pdftex-classic.pdf

log "groff"
groff -ms -Tpdf "$S/groff.ms" > groff.pdf

log "mutool create"
mutool create -o mutool-create.pdf -O compress "$S/mu1.txt" "$S/mu2.txt"
mutool create -o mutool-create-pretty.pdf -O pretty,ascii,compress-images "$S/mu1.txt" "$S/mu2.txt"

log "mutool clean"
mutool clean -d rl-form.pdf mutool-clean-d.pdf
mutool clean -gggg -z rl-form.pdf mutool-clean-g4z.pdf
mutool clean -l -z lo-writer.pdf mutool-clean-linear.pdf   # qpdf warns on its hint stream: goes to damaged/
mutool clean -a -d groff.pdf mutool-clean-ascii.pdf

log "cairo"
pdftocairo -pdf rl-form.pdf cairo-from-reportlab.pdf
pdftocairo -pdf lo-writer.pdf cairo-from-lo.pdf

log "ghostscript"
for v in 1.3 1.4 1.5 1.7 2.0; do
    gs -q -dNOPAUSE -dBATCH -dSAFER -sDEVICE=pdfwrite -dCompatibilityLevel=$v \
       -sOutputFile="gs-$v.pdf" rl-form.pdf
done
gs -q -dNOPAUSE -dBATCH -dSAFER -sDEVICE=pdfwrite -sOutputFile=gs-ps.pdf "$S/gs.ps"

log "img2pdf"
img2pdf --producer "img2pdf" -o img2pdf-png.pdf seal.png
img2pdf -o img2pdf-jpeg.pdf --pagesize A5 seal.jpg

log "podofo"
podofouncompress gs-1.4.pdf podofo-uncompress.pdf >/dev/null
podofomerge groff.pdf img2pdf-png.pdf podofo-merge.pdf >/dev/null
podofobox gs-ps.pdf podofo-cropbox.pdf crop 3600 3600 35000 50000 >/dev/null
podofotxt2pdf "$S/viet.txt" podofo-txt2pdf.pdf >/dev/null 2>&1 || log "podofotxt2pdf failed (skipped)"

log "qpdf"
qpdf --qdf --object-streams=disable rl-form.pdf qpdf-qdf.pdf
qpdf --object-streams=generate gs-1.4.pdf qpdf-objstm.pdf
qpdf --object-streams=disable pdftex-objstm.pdf qpdf-objstm-disable.pdf
qpdf --object-streams=preserve --deterministic-id pdftex-objstm.pdf qpdf-objstm-preserve.pdf
qpdf --linearize --deterministic-id rl-form.pdf qpdf-linearized.pdf
qpdf --linearize --object-streams=generate lo-writer.pdf qpdf-linearized-objstm.pdf
qpdf --compress-streams=n --decode-level=generalized gs-ps.pdf qpdf-uncompressed.pdf
qpdf --stream-data=uncompress --newline-before-endstream cairo-from-reportlab.pdf qpdf-newline-endstream.pdf
qpdf --force-version=2.0 --object-streams=generate rl-form.pdf qpdf-pdf20-objstm.pdf
qpdf --force-version=2.0 --object-streams=disable mutool-create.pdf qpdf-pdf20-classic.pdf
qpdf --empty --pages rl-form.pdf 2 lo-writer.pdf groff.pdf 1 gs-ps.pdf -- qpdf-merge.pdf
qpdf --rotate=+90:1 --rotate=180:2 pdftex-classic.pdf qpdf-rotate.pdf
qpdf --generate-appearances --object-streams=generate pdftex-objstm.pdf qpdf-form-appearances.pdf

log "crafted structures (craft.py)"
"$PY" "$CRAFT" handmade handmade-lf.pdf --eol lf
"$PY" "$CRAFT" handmade handmade-crlf.pdf --eol crlf
"$PY" "$CRAFT" handmade handmade-cr.pdf --eol cr
"$PY" "$CRAFT" handmade handmade-pdf20.pdf --eol lf --version 2.0
"$PY" "$CRAFT" handmade handmade-junk-before-header.pdf --eol lf --junk
"$PY" "$CRAFT" hybrid qpdf-qdf.pdf hybrid-xrefstm.pdf
qpdf --qdf --object-streams=disable pdftex-classic.pdf tex-qdf.pdf
"$PY" "$CRAFT" hybrid tex-qdf.pdf hybrid-xrefstm-tex.pdf
"$PY" "$CRAFT" incremental gs-1.4.pdf incr1-classic.pdf 1
"$PY" "$CRAFT" incremental handmade-lf.pdf incr3-classic.pdf 3
"$PY" "$CRAFT" incremental qpdf-objstm.pdf incr2-xrefstm.pdf 2
"$PY" "$CRAFT" incremental qpdf-linearized.pdf incr1-on-linearized.pdf 1
"$PY" "$CRAFT" incremental hybrid-xrefstm.pdf incr1-on-hybrid.pdf 1
"$PY" "$CRAFT" sigfield rl-form.pdf sigfield-incremental.pdf
qpdf --deterministic-id sigfield-incremental.pdf sigfield-rewritten.pdf

# ---------------------------------------------------------------- collect + check
rm -rf "$OUT" "$ENC" "$DMG"; mkdir -p "$OUT" "$ENC" "$DMG"
KEEP=(
  rl-form rl-plain-uncompressed lo-writer lo-pdfa2b pdftex-objstm pdftex-classic groff
  mutool-create mutool-create-pretty mutool-clean-d mutool-clean-g4z mutool-clean-ascii
  cairo-from-reportlab cairo-from-lo gs-1.3 gs-1.4 gs-1.5 gs-1.7 gs-2.0 gs-ps img2pdf-png img2pdf-jpeg
  podofo-uncompress podofo-merge podofo-cropbox podofo-txt2pdf
  qpdf-qdf qpdf-objstm qpdf-objstm-disable qpdf-objstm-preserve qpdf-linearized qpdf-linearized-objstm
  qpdf-uncompressed qpdf-newline-endstream qpdf-pdf20-objstm qpdf-pdf20-classic qpdf-merge qpdf-rotate
  qpdf-form-appearances
  handmade-lf handmade-crlf handmade-cr handmade-pdf20 handmade-junk-before-header
  hybrid-xrefstm hybrid-xrefstm-tex incr1-classic incr3-classic incr2-xrefstm incr1-on-linearized
  incr1-on-hybrid sigfield-incremental sigfield-rewritten
)
for n in "${KEEP[@]}"; do
    [ -f "$B/$n.pdf" ] || { log "missing $n.pdf (producer failed), skipped"; continue; }
    cp "$B/$n.pdf" "$OUT/$n.pdf"
done

check_ok() { # check_ok FILE [qpdf args...]: qpdf --check must exit 0 and pdftoppm must render page 1
    local f="$1"; shift
    qpdf "$@" --check "$f" >"$W/check.log" 2>&1 || { cat "$W/check.log" >&2; die "qpdf --check failed: $f"; }
    rm -f "$W"/r-*.png
    pdftoppm "$@" -r 20 -f 1 -l 1 -png "$f" "$W/r" 2>"$W/ppm.log" || { cat "$W/ppm.log" >&2; die "pdftoppm failed: $f"; }
    ls "$W"/r-*.png >/dev/null 2>&1 || die "pdftoppm rendered nothing: $f"
    [ ! -s "$W/ppm.log" ] || { cat "$W/ppm.log" >&2; die "pdftoppm warned on $f"; }
}
total=0; count=0
for f in "$OUT"/*.pdf; do
    check_ok "$f"
    sz=$(stat -c %s "$f"); total=$((total + sz)); count=$((count + 1))
    [ "$sz" -le "$MAXSIZE" ] || die "$f is $sz bytes (> $MAXSIZE)"
done
[ "$count" -ge 40 ] || die "only $count corpus files (need >= 40)"
[ "$total" -le "$MAXTOTAL" ] || die "corpus is $total bytes (> $MAXTOTAL)"
log "corpus: $count files, $total bytes, all pass qpdf --check and render"

# ---------------------------------------------------------------- encrypted (detect-and-report tests)
log "encrypted"
qpdf --allow-weak-crypto --encrypt "" owner-pw 128 --use-aes=n -- "$OUT/rl-form.pdf" "$ENC/enc-rc4-128-userempty.pdf"
qpdf --allow-weak-crypto --encrypt "user-pw" owner-pw 128 --use-aes=n -- "$OUT/rl-form.pdf" "$ENC/enc-rc4-128-userpw.pdf"
qpdf --encrypt "" owner-pw 128 --use-aes=y -- "$OUT/gs-1.5.pdf" "$ENC/enc-aes-128-userempty.pdf"
qpdf --encrypt "" owner-pw 256 -- "$OUT/rl-form.pdf" "$ENC/enc-aes-256-userempty.pdf"
qpdf --encrypt "user-pw" owner-pw 256 -- "$OUT/rl-form.pdf" "$ENC/enc-aes-256-userpw.pdf"
qpdf --encrypt "user-pw" owner-pw 256 -- --object-streams=generate "$OUT/lo-writer.pdf" "$ENC/enc-aes-256-userpw-objstm.pdf"
qpdf --allow-weak-crypto --encrypt "" owner-pw 40 -- "$OUT/groff.pdf" "$ENC/enc-rc4-40-userempty.pdf"
for f in "$ENC"/*.pdf; do
    pw=(); case "$f" in *userpw*) pw=(--password=user-pw);; esac
    qpdf --is-encrypted "$f" || die "not encrypted: $f"
    qpdf "${pw[@]}" --check "$f" >/dev/null 2>&1 || die "qpdf --check failed: $f"
    if [ ${#pw[@]} -eq 0 ]; then check_ok "$f"; else
        pdftoppm -upw user-pw -r 20 -f 1 -l 1 -png "$f" "$W/r" || die "pdftoppm failed: $f"; fi
done

# ---------------------------------------------------------------- damaged
log "damaged"
"$PY" "$CRAFT" damage "$OUT" "$DMG"
cp "$B/mutool-clean-linear.pdf" "$DMG/dmg-mutool-linearized-bad-hints.pdf"
for f in "$DMG"/*.pdf; do
    [ "$(stat -c %s "$f")" -le "$MAXSIZE" ] || die "$f too large"
done

# ---------------------------------------------------------------- manifest
{
  printf 'gs\t%s\n' "$(gs --version)"
  printf 'qpdf\t%s\n' "$(qpdf --version | head -1 | sed 's/^qpdf version //')"
  printf 'mutool\t%s\n' "$(mutool -v 2>&1 | head -1 | sed 's/^mutool version //')"
  printf 'poppler\t%s\n' "$(pdftocairo -v 2>&1 | head -1 | sed 's/^pdftocairo version //')"
  printf 'cairo\t%s\n' "$(dpkg-query -W -f '${Version}' libcairo2)"
  printf 'libreoffice\t%s\n' "$(soffice --version | head -1 | sed 's/^LibreOffice //')"
  printf 'pdftex\t%s\n' "$(pdftex --version | head -1)"
  printf 'groff\t%s\n' "$(groff --version | head -1 | sed 's/^GNU groff version //')"
  printf 'img2pdf\t%s\n' "$(img2pdf --version | sed 's/^img2pdf //')"
  printf 'podofo\t%s\n' "$(dpkg-query -W -f '${Version}' libpodofo-utils)"
  printf 'reportlab\t%s\n' "$("$PY" -c 'import reportlab; print(reportlab.Version)')"
  printf 'python\t%s\n' "$("$PY" -c 'import platform; print(platform.python_version())')"
} > "$B/producers.tsv"
log "manifest"
"$PY" "$CRAFT" manifest "$HERE" "$B/producers.tsv" > "$HERE/MANIFEST.tsv"
log "done: $(wc -l < "$HERE/MANIFEST.tsv") manifest lines"
