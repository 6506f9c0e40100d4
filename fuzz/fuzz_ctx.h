/* The context fuzz targets share: limits small enough that one input stays fast. */
#ifndef LSIGN_FUZZ_CTX_H
#define LSIGN_FUZZ_CTX_H

#include <stdint.h>
#include <stdlib.h>

#include "libsign/libsign.h"

/*
 * One context per process, made on first use, with `max_stream_bytes` per
 * stream: offline (a fuzzer never touches the network), trusting the fixed
 * test root of testvectors/signed-by-others, so that verification of the
 * seeds goes through chain building as a real verifier's would.
 */
static inline lsign_ctx *fuzz_ctx(uint64_t max_stream_bytes)
{
    static lsign_ctx *ctx;

    if (ctx == NULL) {
        lsign_ctx_options o = LSIGN_CTX_OPTIONS_INIT;
        o.max_objects = 20000;
        o.max_stream_bytes = max_stream_bytes;
        o.offline = 1;
        if (lsign_ctx_new(&ctx, &o) != LSIGN_OK ||
            lsign_ctx_add_trust_file(ctx, LSIGN_FUZZ_TESTVECTORS
                                     "/signed-by-others/pki/root-ca.crt") != LSIGN_OK)
            abort();
    }
    return ctx;
}

#endif
