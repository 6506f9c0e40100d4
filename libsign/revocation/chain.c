/* Evidence for whole chains: the signer's, the TSA's, and delegated OCSP responders'. */
#include <stdio.h>

#include <openssl/err.h>
#include <openssl/x509v3.h>

#include "core/error.h"
#include "revocation/internal.h"

/* Responders of responders: deeper than this only adds certificates, not evidence. */
#define MAX_RESPONDER_DEPTH 2

typedef struct collector {
    const lsign_ctx *ctx;
    X509_STORE *store;
    STACK_OF(X509) * anchors; /* the store's certificates */
    STACK_OF(X509) * pool;    /* untrusted ones: the caller's and every one collected (refs) */
    int64_t at;
    lsi_rev_sources sources;
    lsi_rev_set *set;
} collector;

static int contains(STACK_OF(X509) * certs, X509 *cert)
{
    for (int i = 0; i < sk_X509_num(certs); i++)
        if (X509_cmp(sk_X509_value(certs, i), cert) == 0)
            return 1;
    return 0;
}

/* Into the set's certificates, and into the pool for building later chains. */
static int keep_certs(collector *c, STACK_OF(X509) * chain)
{
    for (int i = 0; i < sk_X509_num(chain); i++) {
        X509 *cert = sk_X509_value(chain, i);

        if (lsi_rev_set_add_cert(c->set, cert) != LSIGN_OK ||
            !X509_add_cert(c->pool, cert, X509_ADD_FLAG_UP_REF | X509_ADD_FLAG_NO_DUP))
            return lsi_error_nomem();
    }
    return LSIGN_OK;
}

/* A delegated responder is checked itself unless it carries id-pkix-ocsp-nocheck (RFC 6960). */
static int responder_needs_evidence(const collector *c, X509 *signer)
{
    return X509_get_ext_by_NID(signer, NID_id_pkix_OCSP_noCheck, -1) < 0 &&
           !contains(c->anchors, signer) && !lsi_rev_set_covers(c->set, signer);
}

static int collect(collector *c, X509 *cert, int with_cert, int depth);

/*
 * The signers of the items from `first` on (not those the recursion adds: it
 * handles them itself, one level deeper): their chains, and evidence for them.
 */
static int collect_signers(collector *c, size_t first, int depth)
{
    size_t end = c->set->count;

    for (size_t i = first; i < end; i++) {
        X509 *signer = c->set->items[i].signer;
        int rc;

        /* The issuer (a CRL, a CA's own OCSP answer) or a responder seen before. */
        if (signer == NULL || contains(c->set->certs, signer))
            continue;
        if (depth >= MAX_RESPONDER_DEPTH)
            rc = lsi_rev_set_add_cert(c->set, signer);
        else
            rc = collect(c, signer, responder_needs_evidence(c, signer), depth + 1);
        if (rc != LSIGN_OK)
            return rc;
    }
    return LSIGN_OK;
}

static int build_chain(collector *c, X509 *cert, STACK_OF(X509) * *chain)
{
    char subject[512];

    /* Builds only (no validity or signature checks): the evidence is checked instead. */
    *chain = X509_build_chain(cert, c->pool, c->store, 1, NULL, NULL);
    if (*chain != NULL)
        return LSIGN_OK;
    lsi_rev_subject(cert, subject, sizeof subject);
    return lsi_error_openssl(LSIGN_E_POLICY, "no chain from %s to a trust anchor", subject);
}

/*
 * Builds the chain of `cert`, keeps its certificates, and fetches evidence
 * for each up to the first anchor (from `cert` itself when with_cert), each
 * checked against the next one as its issuer; then the responders'.
 */
static int collect(collector *c, X509 *cert, int with_cert, int depth)
{
    STACK_OF(X509) * chain;
    size_t first = c->set->count;
    int rc = build_chain(c, cert, &chain);

    if (rc == LSIGN_OK)
        rc = keep_certs(c, chain);
    for (int i = with_cert ? 0 : 1; rc == LSIGN_OK && i + 1 < sk_X509_num(chain); i++) {
        X509 *x = sk_X509_value(chain, i);

        if (contains(c->anchors, x))
            break;
        if (!lsi_rev_set_covers(c->set, x))
            rc = lsi_rev_fetch(c->ctx, x, sk_X509_value(chain, i + 1), c->pool, c->store, c->at,
                               c->sources, c->set);
    }
    sk_X509_pop_free(chain, X509_free);
    if (rc == LSIGN_OK)
        rc = collect_signers(c, first, depth);
    return rc;
}

int lsi_rev_collect_chain(const lsign_ctx *ctx, X509 *leaf, STACK_OF(X509) * untrusted,
                          X509_STORE *store, int64_t at, lsi_rev_sources sources, lsi_rev_set *set)
{
    collector c = {ctx, store, NULL, NULL, at, sources, set};
    int rc;

    if (leaf == NULL || store == NULL || set == NULL)
        return lsi_error(LSIGN_E_INVALID_ARG, "lsi_rev_collect_chain: leaf, store or set is NULL");
    c.anchors = X509_STORE_get1_all_certs(store);
    c.pool = sk_X509_new_null();
    if (c.anchors == NULL || c.pool == NULL ||
        !X509_add_certs(c.pool, untrusted, X509_ADD_FLAG_UP_REF | X509_ADD_FLAG_NO_DUP) ||
        !X509_add_certs(c.pool, set->certs, X509_ADD_FLAG_UP_REF | X509_ADD_FLAG_NO_DUP))
        rc = lsi_error_nomem();
    else
        rc = collect(&c, leaf, 1, 0);
    sk_X509_pop_free(c.anchors, X509_free);
    sk_X509_pop_free(c.pool, X509_free);
    return rc;
}
