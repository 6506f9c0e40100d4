#!/usr/bin/env bash
# Makes a throwaway test PKI with the openssl CLI:  make-pki.sh OUTDIR
#   root CA -> issuing CA -> signers (RSA-2048, RSA-3072, ECDSA P-256, revoked,
#   expired, wrong keyUsage), an OCSP responder and a TSA; CRLs; PKCS#12 files.
# Subjects are Vietnamese UTF-8. Built in a temporary folder and moved into
# place at the end, so a half-made PKI is never seen. See README.md.
set -euo pipefail
out=$1
[ -f "$out/.complete" ] && exit 0
tmp="$out.tmp.$$"
rm -rf "$tmp"
mkdir -p "$tmp/ca-db/root" "$tmp/ca-db/inter"
trap 'rm -rf "$tmp"' EXIT
cd "$tmp"

O="Ban Cơ yếu Chính phủ (thử nghiệm)"
SIGNER_O="/C=VN/ST=Đà Nẵng/L=Đà Nẵng/O=Ủy ban nhân dân xã Chí Minh/OU=Văn phòng"

# One openssl config for everything: a CA section per issuer, one extension section per profile.
ca_section() { # name dir
  cat <<CNF
[ca_$1]
dir = $tmp/ca-db/$1
database = \$dir/index.txt
serial = \$dir/serial
crlnumber = \$dir/crlnumber
new_certs_dir = \$dir
certificate = $tmp/$2.crt
private_key = $tmp/$2.key
default_md = sha256
default_days = 1825
default_crl_days = 30
policy = policy_any
unique_subject = no
copy_extensions = none
utf8 = yes
string_mask = utf8only
CNF
}
cat > openssl.cnf <<CNF
[req]
distinguished_name = dn
utf8 = yes
string_mask = utf8only
prompt = no
[dn]
CN = unused
[policy_any]
countryName = optional
stateOrProvinceName = optional
localityName = optional
organizationName = optional
organizationalUnitName = optional
commonName = supplied
userId = optional
$(ca_section root root-ca)
$(ca_section inter inter-ca)
[ext_root]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
[ext_inter]
basicConstraints = critical, CA:TRUE, pathlen:0
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
[ext_signer]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, nonRepudiation
extendedKeyUsage = emailProtection, 1.3.6.1.4.1.311.10.3.12
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
[ext_wrongku]
basicConstraints = critical, CA:FALSE
keyUsage = critical, keyEncipherment
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
[ext_ocsp]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = OCSPSigning
noCheck = ignored
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
[ext_tsa]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = critical, timeStamping
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
CNF
export OPENSSL_CONF="$tmp/openssl.cnf"
for d in root inter; do
  : > "ca-db/$d/index.txt"; echo 1000 > "ca-db/$d/serial"; echo 01 > "ca-db/$d/crlnumber"
done

newkey() { # name rsa:BITS|ec
  case $2 in
    ec) openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1.key" 2>/dev/null ;;
    *) openssl genpkey -algorithm RSA -pkeyopt "rsa_keygen_bits:${2#rsa:}" -out "$1.key" 2>/dev/null ;;
  esac
}
issue() { # name ca ext subject [extra openssl ca args...]
  local name=$1 ca=$2 ext=$3 subj=$4; shift 4
  openssl req -new -utf8 -key "$name.key" -subj "$subj" -out "$name.csr"
  openssl ca -batch -notext -utf8 -name "ca_$ca" -extensions "$ext" -in "$name.csr" -out "$name.crt" "$@" 2>/dev/null
  rm -f "$name.csr"
}
p12() { # name: key + cert + chain, AES so OpenSSL 3 reads it without the legacy provider
  openssl pkcs12 -export -inkey "$1.key" -in "$1.crt" -certfile chain.pem -name "$1" \
    -passout pass:test -keypbe AES-256-CBC -certpbe AES-256-CBC -macalg sha256 -out "$1.p12"
}

newkey root-ca rsa:3072
openssl req -new -x509 -utf8 -key root-ca.key -subj "/C=VN/O=$O/CN=libsign Test Root CA" \
  -days 7300 -extensions ext_root -out root-ca.crt
newkey inter-ca rsa:2048
issue inter-ca root ext_inter "/C=VN/O=$O/CN=libsign Test Issuing CA" -days 3650
cat inter-ca.crt root-ca.crt > chain.pem
cp root-ca.crt trust.pem

start=$(date -u -d '1 day ago' +%Y%m%d%H%M%SZ)
valid=(-startdate "$start" -days 1825)
newkey signer-rsa2048 rsa:2048
issue signer-rsa2048 inter ext_signer "$SIGNER_O/CN=Nguyễn Văn Ánh/UID=CCCD:001080012345" "${valid[@]}"
newkey signer-rsa3072 rsa:3072
issue signer-rsa3072 inter ext_signer "$SIGNER_O/CN=Trần Thị Bình/UID=CCCD:001080012346" "${valid[@]}"
newkey signer-ecp256 ec
issue signer-ecp256 inter ext_signer "$SIGNER_O/CN=Lê Đức Cường/UID=CCCD:001080012347" "${valid[@]}"
newkey signer-revoked rsa:2048
issue signer-revoked inter ext_signer "$SIGNER_O/CN=Phạm Văn Thu Hồi" "${valid[@]}"
newkey signer-expired rsa:2048
issue signer-expired inter ext_signer "$SIGNER_O/CN=Hoàng Thị Hết Hạn" \
  -startdate 20200101000000Z -enddate 20210101000000Z
newkey signer-wrongku rsa:2048
issue signer-wrongku inter ext_wrongku "$SIGNER_O/CN=Vũ Văn Sai Mục Đích" "${valid[@]}"
newkey ocsp rsa:2048
issue ocsp inter ext_ocsp "/C=VN/O=$O/CN=libsign Test OCSP Responder" "${valid[@]}"
newkey tsa rsa:2048
issue tsa inter ext_tsa "/C=VN/O=$O/CN=libsign Test TSA" "${valid[@]}"
for s in signer-rsa2048 signer-rsa3072 signer-ecp256 signer-revoked signer-expired signer-wrongku; do
  p12 "$s"
done

openssl ca -batch -name ca_inter -revoke signer-revoked.crt -crl_reason keyCompromise 2>/dev/null
openssl ca -batch -name ca_inter -gencrl -out inter-ca.crl.pem 2>/dev/null
openssl ca -batch -name ca_root -gencrl -out root-ca.crl.pem 2>/dev/null

# openssl ts -reply -config OUTDIR/tsa.cnf answers timestamp requests with this TSA.
cat > tsa.cnf <<CNF
[tsa]
default_tsa = tsa_config
[tsa_config]
dir = $out
serial = \$dir/tsa-serial
crypto_device = builtin
signer_cert = \$dir/tsa.crt
signer_key = \$dir/tsa.key
certs = \$dir/chain.pem
signer_digest = sha256
default_policy = 1.2.3.4.1
digests = sha256, sha384, sha512
accuracy = secs:1
ordering = no
tsa_name = yes
ess_cert_id_chain = no
ess_cert_id_alg = sha256
CNF
echo 01 > tsa-serial

# The configs name $tmp: point them at the final folder.
sed -i "s|$tmp|$out|g" openssl.cnf

# Self-check: good signers chain, the revoked one is revoked, the expired one expired.
for s in signer-rsa2048 signer-rsa3072 signer-ecp256 ocsp tsa; do
  openssl verify -CAfile root-ca.crt -untrusted inter-ca.crt "$s.crt" > /dev/null
done
cat root-ca.crt inter-ca.crt root-ca.crl.pem inter-ca.crl.pem > crl-check.pem
if openssl verify -crl_check_all -CAfile crl-check.pem signer-revoked.crt > /dev/null 2>&1; then
  echo "make-pki: signer-revoked is not revoked" >&2; exit 1
fi
if openssl verify -CAfile root-ca.crt -untrusted inter-ca.crt signer-expired.crt > /dev/null 2>&1; then
  echo "make-pki: signer-expired is not expired" >&2; exit 1
fi
rm -f crl-check.pem
openssl x509 -in signer-rsa2048.crt -noout -subject -nameopt utf8,sep_comma_plus | grep -q "CN=Nguyễn Văn Ánh"

touch .complete
cd /
rm -rf "$out"
mv "$tmp" "$out"
trap - EXIT
