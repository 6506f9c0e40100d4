/*
 * Reports built from hostile data: every string a report carries (file and
 * field names from a PDF, names from a certificate, messages, XML paths and
 * covered content) is taken from the input, which is also tried as a DER
 * certificate (its names printed as a real signer's would be). The JSON must
 * always be one valid JSON value in UTF-8 (json_check.h), and the text and
 * every accessor must work, in both languages.
 *
 * Input: a control byte, then NUL-separated pieces, then (after the last
 * NUL) DER bytes tried as an X.509 certificate.
 */
#include <openssl/x509.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "json_check.h"
#include "libsign/libsign.h"
#include "validate/report.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_PIECES 24

/* Splits a private copy of the input at NUL bytes; returns how many pieces. */
static size_t pieces_of(char *copy, size_t size, const char *piece[MAX_PIECES], size_t *rest)
{
    size_t n = 0, start = 0;

    for (size_t i = 0; i < size && n < MAX_PIECES; i++)
        if (copy[i] == '\0') {
            piece[n++] = copy + start;
            start = i + 1;
        }
    *rest = start;
    for (size_t k = n; k < MAX_PIECES; k++)
        piece[k] = NULL;
    return n;
}

static void fill_signature(lsi_report_sig *sig, const char *const *p, unsigned control, X509 *cert)
{
    static const char *const subs[] = {LSI_SUB_HASH_FAILURE, LSI_SUB_FORMAT_FAILURE,
                                       LSI_SUB_SIG_CONSTRAINTS_FAILURE, NULL};
    int64_t br[4] = {0, (int64_t)control * 977, (int64_t)control * 1009, -(int64_t)control};

    (void)lsi_report_sig_set_field(sig, p[1]);
    (void)lsi_report_sig_set_level(sig, p[2]);
    (void)lsi_report_sig_set_signing_time(sig, (time_t)control * 86400 * 97 - 4000000000LL);
    if (cert != NULL) {
        (void)lsi_report_sig_set_signer_cert(sig, cert);
        (void)lsi_report_sig_add_chain_cert(sig, cert);
    } else {
        (void)lsi_report_sig_set_signer(sig, p[3], p[4], p[5], p[6]);
    }
    if (control & 1)
        (void)lsi_report_sig_set_timestamp(sig, (time_t)control * 1000003, p[7],
                                           (lsi_status)(control % 3));
    (void)lsi_report_sig_set_digest_algorithm(sig, p[8]);
    if (control & 2)
        (void)lsi_report_sig_set_byte_range(sig, br);
    (void)lsi_report_sig_set_covers_whole_document(sig, (control & 4) != 0);
    (void)lsi_report_sig_set_modifications(sig, (lsi_mods_verdict)(control % 3));
    for (int k = 9; k < 12; k++)
        if (p[k] != NULL)
            (void)lsi_report_sig_add_modification(sig, "%s", p[k]);
    (void)lsi_report_sig_add_chain(sig, p[12], p[13]);
    if (p[14] != NULL)
        (void)lsi_report_sig_add_covered(sig, p[14], p[15] ? p[15] : "element", p[16],
                                         (const unsigned char *)p[14], strlen(p[14]));
    (void)lsi_report_sig_set_revocation(sig, (lsi_revocation)(control % 4), p[17]);
    if (p[18] != NULL)
        (void)lsi_report_sig_fail(sig, (lsi_status)(1 + control % 2), subs[control % 4], "%s",
                                  p[18]);
    if (p[19] != NULL)
        (void)lsi_report_sig_warn(sig, "%s", p[19]);
}

static void read_back(const lsign_report *r)
{
    char *json = NULL;
    size_t len = 0;

    if (lsign_report_json(r, &json, &len) == LSIGN_OK) {
        if (strlen(json) != len)
            abort();
        fuzz_require_json(json, "lsign_report_json");
        lsign_free_string(json);
    }
    (void)lsign_report_text(r);
    for (size_t i = 0; i < lsign_report_signature_count(r); i++) {
        (void)lsign_report_sig_signer_subject(r, i);
        (void)lsign_report_sig_signing_time(r, i);
        for (size_t k = 0; k < lsign_report_sig_covered_count(r, i); k++)
            (void)lsign_report_sig_covered_path(r, i, k);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *p[MAX_PIECES];
    size_t rest = 0;
    char *copy;
    unsigned control;
    lsi_report *r;
    lsign_report *out = NULL;
    X509 *cert = NULL;
    const unsigned char *der;

    if (size < 1 || size > 65536 || (copy = malloc(size + 1)) == NULL)
        return 0;
    memcpy(copy, data + 1, size - 1);
    copy[size - 1] = '\0';
    control = data[0];
    pieces_of(copy, size - 1, p, &rest);
    der = (const unsigned char *)copy + rest;
    if (control & 8)
        cert = d2i_X509(NULL, &der, (long)(size - 1 - rest));
    r = lsi_report_new(p[0], (control & 16) ? "xml" : "pdf",
                       (control & 32) ? LSIGN_LANG_EN : LSIGN_LANG_VI);
    for (unsigned k = 0; r != NULL && k < 1 + (control >> 6); k++) {
        lsi_report_sig *sig = lsi_report_add_signature(r);
        if (sig != NULL)
            fill_signature(sig, p, control + k, cert);
    }
    if (r != NULL) {
        lsi_report_hand_over(&r, &out);
        read_back(out);
        lsign_report_free(out);
    }
    X509_free(cert);
    free(copy);
    return 0;
}
