/*
 * Smallest libsign consumer: prints the version and loads trust anchors.
 * Built by tests/install against the installed tree, once with pkg-config
 * (Makefile) and once with find_package(libsign) (CMakeLists.txt).
 *
 *   consumer [TRUST.pem]
 */
#include <stdio.h>
#include <inttypes.h>

#include <libsign/libsign.h>

int main(int argc, char **argv)
{
    lsign_ctx *ctx = NULL;
    int rc;

    printf("libsign %s\n", lsign_version());
    if (lsign_version_number() >> 16 != LSIGN_VERSION_MAJOR) {
        fprintf(stderr, "header and library major versions differ\n");
        return 1;
    }
    rc = lsign_ctx_new(&ctx, NULL);
    if (rc == LSIGN_OK && argc > 1)
        rc = lsign_ctx_add_trust_file(ctx, argv[1]);
    if (rc != LSIGN_OK) {
        fprintf(stderr, "error (%s): %s\n", lsign_strerror(rc), lsign_last_error());
        lsign_ctx_free(ctx);
        return 1;
    }
    printf("trust anchors: %" PRIu64 "\n", lsign_ctx_trust_count(ctx));
    lsign_ctx_free(ctx);
    return 0;
}
