#!/bin/sh
# Rebuilds the profiles' signed samples (*-signed.xml) with libsign and the fixed test PKI.
# usage: make-libsign-signed.sh LIBSIGN_CLI
set -eu
cli=$1
here=$(cd "$(dirname "$0")" && pwd)
pki=$here/../signed-by-others/pki
export LSIGN_VECTORS_PIN=test
sign() { "$cli" sign --key "$pki/signer-rsa2048.p12" --pin-source env:LSIGN_VECTORS_PIN -q \
  --time 1764651600 "$@"; }
sign "$here/xades-input.xml" -o "$here/xades-signed.xml" --signer-role "Công chức tư pháp - hộ tịch"
sign --xml-profile edxml "$here/edxml-input.xml" -o "$here/edxml-signed.xml"
sign --xml-profile einvoice --xml-parent /HDon/DSCKS/NBan "$here/einvoice-input.xml" \
  -o "$here/einvoice-signed.xml"
