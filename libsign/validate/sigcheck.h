/*
 * The cryptographic and structural checks of one PDF signature: where its
 * signed bytes are (the /ByteRange and its gap), that they hash to what the
 * CMS (or the document timestamp token) claims, and that the signature over
 * them verifies with the certificate it names. No chain, no revocation, no
 * trust: those are judged elsewhere from what this leaves in lsi_sigcheck.
 */
#ifndef LSI_VALIDATE_SIGCHECK_H
#define LSI_VALIDATE_SIGCHECK_H

#include <stddef.h>
#include <stdint.h>

#include <openssl/x509.h>

#include "pdf/document.h"
#include "pdf/signatures.h"

typedef enum {
    LSI_SC_OK,
    LSI_SC_FORMAT_FAILURE,
    LSI_SC_HASH_FAILURE,
    LSI_SC_SIG_CRYPTO_FAILURE
} lsi_sc_verdict;

/* Bits of lsi_sigcheck.warnings. */
#define LSI_SC_WARN_EMPTY_ECONTENT 0x01 /* the CMS carries an empty eContent (tolerated) */

typedef struct lsi_sigcheck {
    lsi_sc_verdict verdict;
    char reason[256]; /* why, when not OK (English; the report translates later) */
    int64_t range[4];
    int covers_whole_document; /* the range ends at the end of the file (but <= 2 EOL bytes) */
    size_t revision;           /* index of the revision whose end the range reaches */
    int doc_timestamp;         /* /Type /DocTimeStamp or /SubFilter /ETSI.RFC3161 */
    const char *subfilter;     /* the dictionary's (lives as long as the document), or NULL */
    int digest_nid;            /* the SignerInfo's digest algorithm */
    X509 *signer;              /* the certificate that verified the signature (up-ref'd), or NULL */
    STACK_OF(X509) * cms_certs; /* the CMS's certificates (owned), or NULL */
    int64_t claimed_time;       /* signingTime, else /M, else 0; doc timestamp: genTime */
    unsigned char *token;       /* the signature timestamp token (DER), or a doc timestamp's own */
    size_t token_len;
    int warnings; /* LSI_SC_WARN_* */
} lsi_sigcheck;

/*
 * Checks one signature of the file in `data` (the whole file as read, the
 * data `doc` was opened on). The first failed check sets the verdict and
 * the reason; that is a result: the return is still LSIGN_OK. Errors are
 * LSIGN_E_NOMEM and LSIGN_E_INVALID_ARG only. Clear `out` afterwards.
 */
int lsi_sigcheck_run(lsi_pdf_doc *doc, const unsigned char *data, size_t len,
                     const lsi_pdf_sig *sig, lsi_sigcheck *out);
void lsi_sigcheck_clear(lsi_sigcheck *c);

/* Shared by sigcheck.c and byterange.c. */

/* Sets the verdict (when still OK) and the formatted reason; returns 0. */
int lsi_sc_fail(lsi_sigcheck *c, lsi_sc_verdict v, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/*
 * The /ByteRange checks (FORMAT_FAILURE): four non-negative integers
 * [0 b c d], b <= c, c + d <= len; the gap [b, c) is exactly this
 * dictionary's hex /Contents (it starts at b, '<' at b, '>' at c-1, hex
 * digits and white space between; the dictionary is not in an object
 * stream); c + d is the end of a revision (after its %%EOF, plus at most
 * two end-of-line bytes the writer signed). Fills range, revision and
 * covers_whole_document. Returns 1 when all hold.
 */
int lsi_sc_check_byterange(lsi_pdf_doc *doc, const unsigned char *data, size_t len,
                           const lsi_pdf_sig *sig, lsi_sigcheck *c);

#endif
