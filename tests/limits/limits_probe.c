/*
 * Runs one hostile file through libsign for tests/limits/check-limits:
 *
 *   limits_probe verify|inspect FILE [MAX_OBJECTS]
 *
 * prints "status CODE (NAME): MESSAGE" (the status of lsign_verify() or
 * lsign_inspect(), and lsign_last_error()) and exits 0; any crash or a
 * resource limit of the caller (prlimit) shows as a signal instead. The
 * context has the default limits, except MAX_OBJECTS when given.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "libsign/libsign.h"

static int run(lsign_ctx *ctx, const char *mode, lsign_input *in)
{
    if (strcmp(mode, "verify") == 0) {
        lsign_report *report = NULL;
        int rc = lsign_verify(ctx, in, "hostile", &report);
        lsign_report_free(report);
        return rc;
    }
    lsign_inspection *inspection = NULL;
    int rc = lsign_inspect(ctx, in, &inspection);
    lsign_inspection_free(inspection);
    return rc;
}

int main(int argc, char **argv)
{
    lsign_ctx_options o = LSIGN_CTX_OPTIONS_INIT;
    lsign_ctx *ctx = NULL;
    lsign_input *in = NULL;
    int rc;

    if (argc < 3 || argc > 4 ||
        (strcmp(argv[1], "verify") != 0 && strcmp(argv[1], "inspect") != 0)) {
        fprintf(stderr, "usage: limits_probe verify|inspect FILE [MAX_OBJECTS]\n");
        return 2;
    }
    o.offline = 1;
    if (argc == 4)
        o.max_objects = strtoull(argv[3], NULL, 10);
    rc = lsign_ctx_new(&ctx, &o);
    if (rc == LSIGN_OK)
        rc = lsign_input_from_path(&in, argv[2]);
    if (rc == LSIGN_OK)
        rc = run(ctx, argv[1], in);
    printf("status %d (%s): %s\n", rc, lsign_strerror(rc),
           rc == LSIGN_OK ? "" : lsign_last_error());
    lsign_input_free(in);
    lsign_ctx_free(ctx);
    return 0;
}
