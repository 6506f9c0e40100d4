#!/usr/bin/env bash
# make-fixed-pki.sh [--force] -- makes the FIXED test PKI of the verifier's test
# vectors, in this folder, once. Its output is committed: the signed files in
# ../ and ../../attacks/ were made with these keys, so regenerating the PKI
# makes every committed vector useless (their signatures would no longer chain
# to the new root). Refuses to overwrite unless --force.
#
#   root-ca (RSA-3072) -> inter-ca (RSA-2048, pathlen:0)
#     -> signer-rsa2048, signer-ecp256 (keyUsage digitalSignature+nonRepudiation)
#   every certificate valid 2025-01-01 00:00:00Z .. 2045-01-01 00:00:00Z
#   .key: unencrypted PEM (PKCS#8); .p12: key + cert + inter + root, password "test"
#
# TEST-ONLY KEYS: the private keys are committed on purpose; nothing they sign
# means anything. Never trust root-ca.crt outside tests.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
if [ -f "$here/root-ca.crt" ] && [ "${1:-}" != "--force" ]; then
    echo "make-fixed-pki: $here already holds the fixed PKI (use --force to replace it," \
         "then regenerate every vector)" >&2
    exit 1
fi

org="Ban Cơ yếu Chính phủ (thử nghiệm)"
signer_dn="/C=VN/ST=Đà Nẵng/L=Đà Nẵng/O=Ủy ban nhân dân xã Chí Minh/OU=Văn phòng"
start=20250101000000Z
end=20450101000000Z
pass=test

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp"
mkdir -p db/certs
: > db/index.txt
echo 2025000001 > db/serial
export OPENSSL_CONF="$tmp/openssl.cnf"
cat > openssl.cnf <<EOF
[req]
distinguished_name = req_dn
prompt = no
utf8 = yes
string_mask = utf8only
[req_dn]
CN = unused

[policy_any]
countryName = optional
stateOrProvinceName = optional
localityName = optional
organizationName = optional
organizationalUnitName = optional
commonName = supplied
userId = optional

[ca_any]
database = $tmp/db/index.txt
serial = $tmp/db/serial
new_certs_dir = $tmp/db/certs
default_md = sha256
policy = policy_any
preserve = yes
unique_subject = no
copy_extensions = none
utf8 = yes
string_mask = utf8only

[ext_root]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always

[ext_inter]
basicConstraints = critical, CA:TRUE, pathlen:0
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always

[ext_signer]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, nonRepudiation
# 1.3.6.1.4.1.311.10.3.12: Microsoft Document Signing
extendedKeyUsage = emailProtection, 1.3.6.1.4.1.311.10.3.12
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
EOF

openssl genpkey -quiet -algorithm RSA -pkeyopt rsa_keygen_bits:3072 -out root-ca.key
openssl genpkey -quiet -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out inter-ca.key
openssl genpkey -quiet -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out signer-rsa2048.key
openssl genpkey -quiet -algorithm EC -pkeyopt ec_paramgen_curve:P-256 \
    -pkeyopt ec_param_enc:named_curve -out signer-ecp256.key

# issue NAME CAKEY CACERT PROFILE SUBJECT [more openssl ca options]
issue() {
    local name=$1 cakey=$2 cacert=$3 profile=$4 subject=$5
    shift 5
    openssl req -new -utf8 -key "$name.key" -subj "$subject" -out "$name.csr"
    openssl ca -batch -notext -name ca_any -extensions "$profile" -keyfile "$cakey" \
        -startdate $start -enddate $end -in "$name.csr" -out "$name.crt" "$@" 2>/dev/null
}

issue root-ca root-ca.key unused ext_root "/C=VN/O=$org/CN=libsign Test Vectors Root CA" -selfsign
issue inter-ca root-ca.key root-ca.crt ext_inter "/C=VN/O=$org/CN=libsign Test Vectors Issuing CA" \
    -cert root-ca.crt
issue signer-rsa2048 inter-ca.key inter-ca.crt ext_signer \
    "$signer_dn/CN=Nguyễn Văn Ánh/UID=CCCD:001080012345" -cert inter-ca.crt
issue signer-ecp256 inter-ca.key inter-ca.crt ext_signer \
    "$signer_dn/CN=Lê Đức Cường/UID=CCCD:001080012347" -cert inter-ca.crt
cat inter-ca.crt root-ca.crt > chain.pem
for s in signer-rsa2048 signer-ecp256; do
    openssl pkcs12 -export -inkey "$s.key" -in "$s.crt" -certfile chain.pem -name "$s" \
        -keypbe AES-256-CBC -certpbe AES-256-CBC -macalg sha256 -passout "pass:$pass" -out "$s.p12"
    openssl verify -CAfile root-ca.crt -untrusted inter-ca.crt "$s.crt" >/dev/null
done

cp root-ca.crt root-ca.key inter-ca.crt inter-ca.key chain.pem \
   signer-rsa2048.crt signer-rsa2048.key signer-rsa2048.p12 \
   signer-ecp256.crt signer-ecp256.key signer-ecp256.p12 "$here/"
# Readable by everyone: test-only keys (see README.md).
chmod 644 "$here"/*.key "$here"/*.p12
echo "make-fixed-pki: fixed PKI written to $here"
