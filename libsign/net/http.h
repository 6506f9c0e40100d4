/*
 * HTTP(S) for TSA, OCSP, CRL and AIA requests, on OpenSSL's HTTP client
 * (OSSL_HTTP_transfer): the context's timeout, response size limit and
 * retries with exponential backoff; proxies from http_proxy / https_proxy /
 * no_proxy unless the context sets one; no network at all in offline mode.
 */
#ifndef LSI_NET_HTTP_H
#define LSI_NET_HTTP_H

#include <stddef.h>

#include "libsign/context.h"

typedef struct lsi_http_request {
    const char *url;           /* http:// or https:// */
    const unsigned char *body; /* POST this when not NULL, else GET */
    size_t body_len;
    const char *content_type;    /* of the body, e.g. "application/timestamp-query" */
    const char *expected_type;   /* the reply's Content-Type must start with it; NULL: any */
    const char *user, *password; /* HTTP basic authentication, or NULL */
} lsi_http_request;

/*
 * Performs `req`. On success *out (malloc'd, free()) holds the body of a
 * 200 reply. Errors are LSIGN_E_NETWORK with a message naming the URL and
 * the cause (offline mode, refused, timeout, HTTP status, wrong content
 * type), LSIGN_E_LIMIT when the reply exceeds max_response_bytes,
 * LSIGN_E_INVALID_ARG for a URL that is not http(s).
 */
int lsi_http_fetch(const lsign_ctx *ctx, const lsi_http_request *req, unsigned char **out,
                   size_t *out_len);

#endif
