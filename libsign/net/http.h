/*
 * HTTP(S) for TSA, OCSP, CRL and AIA requests, on OpenSSL's HTTP client
 * (OSSL_HTTP_transfer): the context's timeout, response size limit and
 * retries with exponential backoff; proxies from http_proxy / https_proxy /
 * no_proxy unless the context sets one; no network at all in offline mode.
 */
#ifndef LSI_NET_HTTP_H
#define LSI_NET_HTTP_H

#include <stddef.h>
#include <stdint.h>

#include "libsign/context.h"

typedef struct lsi_http_request {
    const char *url;           /* http:// or https:// */
    const unsigned char *body; /* POST this when not NULL, else GET */
    size_t body_len;
    const char *content_type;    /* of the body, e.g. "application/timestamp-query" */
    const char *expected_type;   /* the reply's Content-Type; NULL: any (see lsi_http_fetch) */
    const char *user, *password; /* HTTP basic authentication, or NULL */
} lsi_http_request;

/*
 * Performs `req`. On success *out (malloc'd, free()) holds the body of a
 * 200 reply. Errors are LSIGN_E_NETWORK with a message naming the URL and
 * the cause (offline mode, refused, timeout, HTTP status, wrong content
 * type), LSIGN_E_LIMIT when the reply exceeds max_response_bytes,
 * LSIGN_E_INVALID_ARG for a URL that is not http(s) or holds credentials.
 *
 * The context's timeout_ms bounds each attempt (connect, TLS, request and
 * reply); connection failures, timeouts and 5xx replies are retried
 * `retries` times, after 200 ms, 400 ms, ... (at most 2 s); 4xx replies, a
 * wrong content type, TLS failures and oversized replies are not.
 * OpenSSL 3.0 compares the whole Content-Type with expected_type, ignoring
 * case: a reply typed "application/pkix-crl; charset=binary" does not match
 * "application/pkix-crl". HTTP redirects are not followed. https:// checks
 * the server's certificate against the system's CA store and its host name
 * or address, TLS 1.2 or later.
 */
int lsi_http_fetch(const lsign_ctx *ctx, const lsi_http_request *req, unsigned char **out,
                   size_t *out_len);

/* Number of HTTP attempts (connections tried) by this process so far; for tests. */
uint64_t lsi_http_request_count(void);

#endif
