/* Placeholder until the OpenSSL HTTP client lands: every request fails. */
#include "net/http.h"

#include "core/error.h"

int lsi_http_fetch(const lsign_ctx *ctx, const lsi_http_request *req, unsigned char **out,
                   size_t *out_len)
{
    (void)ctx;
    *out = NULL;
    *out_len = 0;
    return lsi_error(LSIGN_E_NETWORK, "%s: no HTTP client yet", req->url);
}
