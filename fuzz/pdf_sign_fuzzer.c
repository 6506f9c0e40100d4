/*
 * Signs hostile bytes as a PDF with a throwaway software key: the field,
 * permission (DocMDP/FieldMDP) and update code meet every odd structure.
 * The first byte picks the options (field name, certification, lock).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "fuzz_ctx.h"
#include "libsign/libsign.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A P-256 key and a self-signed certificate in one PEM file, made once per process. */
static lsign_signer *fuzz_signer(void)
{
    static lsign_signer *signer;
    char path[] = "/tmp/lsign-fuzz-key-XXXXXX";
    EVP_PKEY *key;
    X509 *cert;
    FILE *f;
    int fd;

    if (signer != NULL)
        return signer;
    key = EVP_EC_gen("P-256");
    cert = X509_new();
    X509_set_version(cert, 2);
    ASN1_INTEGER_set(X509_get_serialNumber(cert), 1);
    X509_gmtime_adj(X509_getm_notBefore(cert), -3600);
    X509_gmtime_adj(X509_getm_notAfter(cert), 3600L * 24 * 365);
    X509_NAME_add_entry_by_txt(X509_get_subject_name(cert), "CN", MBSTRING_ASC,
                               (const unsigned char *)"fuzz", -1, -1, 0);
    X509_set_issuer_name(cert, X509_get_subject_name(cert));
    X509_set_pubkey(cert, key);
    X509_sign(cert, key, EVP_sha256());
    if ((fd = mkstemp(path)) >= 0 && (f = fdopen(fd, "w")) != NULL) {
        PEM_write_PrivateKey(f, key, NULL, NULL, 0, NULL, NULL);
        PEM_write_X509(f, cert);
        fclose(f);
        if (lsign_signer_open(&signer, NULL, path, NULL) != LSIGN_OK)
            fprintf(stderr, "fuzz signer: %s\n", lsign_last_error());
        unlink(path);
    }
    EVP_PKEY_free(key);
    X509_free(cert);
    if (signer == NULL)
        abort();
    return signer;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const names[] = {"Approval", "Second"};
    lsign_pdf_sign_options o = LSIGN_PDF_SIGN_OPTIONS_INIT;
    lsign_input *in = NULL;
    lsign_output *out = NULL;
    unsigned char pick;

    if (size < 2)
        return 0;
    pick = data[0];
    o.field_name = pick & 1 ? "Approval" : NULL;
    o.certify = (pick >> 1) & 3;
    o.lock = (pick >> 3) & 3;
    o.lock_fields = names;
    o.lock_field_count = 2;
    o.signing_time = 1790000000;
    if (lsign_input_from_memory(&in, data + 1, size - 1) == LSIGN_OK &&
        lsign_output_to_memory(&out) == LSIGN_OK)
        (void)lsign_pdf_sign(fuzz_ctx(4u << 20), fuzz_signer(), in, out, &o);
    lsign_input_free(in);
    lsign_output_free(out);
    return 0;
}
