#!/usr/bin/env bash
# Makes a throwaway SoftHSM2 token store:  make-token.sh OUTDIR PKIDIR
#   token "libsign-test" (SO PIN 12345678, user PIN 1234) holding the keys and
#   certificates of signer-rsa2048 (id 01), signer-rsa3072 (id 02) and
#   signer-ecp256 (id 03), plus the CA certificates (ids 10, 11); and an empty
#   token "libsign-empty". Tokens are always selected by label: SoftHSM gives
#   slots new numbers. Writes OUTDIR/softhsm2.conf and OUTDIR/env.sh.
set -euo pipefail
out=$1 pki=$2
[ -f "$out/.complete" ] && exit 0
module=""
for m in /usr/lib/softhsm/libsofthsm2.so /usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so; do
  [ -f "$m" ] && module=$m && break
done
[ -n "$module" ] || { echo "make-token: libsofthsm2.so not found (install softhsm2)" >&2; exit 1; }

tmp="$out.tmp.$$"
rm -rf "$tmp"
mkdir -p "$tmp/tokens"
trap 'rm -rf "$tmp"' EXIT
conf() { printf 'directories.tokendir = %s/tokens\nobjectstore.backend = file\nlog.level = ERROR\n' "$1"; }
conf "$tmp" > "$tmp/softhsm2.conf"
export SOFTHSM2_CONF="$tmp/softhsm2.conf"

softhsm2-util --init-token --free --label libsign-test --so-pin 12345678 --pin 1234 > /dev/null
softhsm2-util --init-token --free --label libsign-empty --so-pin 12345678 --pin 1234 > /dev/null

p11() { pkcs11-tool --module "$module" --token-label libsign-test --login --pin 1234 "$@" > /dev/null 2>&1; }
put() { # file type id label
  local der="$tmp/obj.der"
  case $2 in
    privkey) openssl pkcs8 -topk8 -nocrypt -in "$1" -outform DER -out "$der" ;;
    cert) openssl x509 -in "$1" -outform DER -out "$der" ;;
  esac
  p11 --write-object "$der" --type "$2" --id "$3" --label "$4" \
    || { echo "make-token: cannot import $1 as $2" >&2; exit 1; }
  rm -f "$der"
}
for k in "rsa2048 01" "rsa3072 02" "ecp256 03"; do
  set -- $k
  put "$pki/signer-$1.key" privkey "$2" "$1"
  put "$pki/signer-$1.crt" cert "$2" "$1"
done
put "$pki/inter-ca.crt" cert 10 inter-ca
put "$pki/root-ca.crt" cert 11 root-ca

# Self-check: the token signs, and OpenSSL verifies with the certificate's key.
printf 'libsign token check' > "$tmp/data"
openssl x509 -in "$pki/signer-rsa2048.crt" -pubkey -noout > "$tmp/pub.pem"
p11 --sign --mechanism SHA256-RSA-PKCS --id 01 -i "$tmp/data" -o "$tmp/sig"
openssl dgst -sha256 -verify "$tmp/pub.pem" -signature "$tmp/sig" "$tmp/data" > /dev/null
openssl x509 -in "$pki/signer-ecp256.crt" -pubkey -noout > "$tmp/pub.pem"
# SoftHSM offers only raw CKM_ECDSA (no ECDSA-SHA256): sign the digest.
openssl dgst -sha256 -binary "$tmp/data" > "$tmp/hash"
p11 --sign --mechanism ECDSA --signature-format openssl --id 03 -i "$tmp/hash" -o "$tmp/sig"
openssl pkeyutl -verify -pubin -inkey "$tmp/pub.pem" -in "$tmp/hash" -sigfile "$tmp/sig" > /dev/null
rm -f "$tmp/data" "$tmp/hash" "$tmp/sig" "$tmp/pub.pem"

conf "$out" > "$tmp/softhsm2.conf"
printf 'export SOFTHSM2_CONF=%s/softhsm2.conf\nexport LIBSIGN_TEST_PKCS11_MODULE=%s\n' "$out" "$module" > "$tmp/env.sh"
touch "$tmp/.complete"
rm -rf "$out"
mv "$tmp" "$out"
trap - EXIT
echo "make-token: token 'libsign-test' with 3 keys and 5 certificates in $out"
