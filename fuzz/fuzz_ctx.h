/* The context fuzz targets share: limits small enough that one input stays fast. */
#ifndef LSIGN_FUZZ_CTX_H
#define LSIGN_FUZZ_CTX_H

#include <stdint.h>

#include "libsign/libsign.h"

/* One context per process, made on first use, with `max_stream_bytes` per stream. */
static inline lsign_ctx *fuzz_ctx(uint64_t max_stream_bytes)
{
    static lsign_ctx *ctx;

    if (ctx == NULL) {
        lsign_ctx_options o = LSIGN_CTX_OPTIONS_INIT;
        o.max_objects = 20000;
        o.max_stream_bytes = max_stream_bytes;
        (void)lsign_ctx_new(&ctx, &o);
    }
    return ctx;
}

#endif
