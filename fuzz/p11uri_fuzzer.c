/*
 * PKCS#11 URI parser: any bytes must parse or fail cleanly, and whatever parses must survive
 * the canonical form: parse(to_string(uri)) equals uri (without a pin-value, which to_string
 * hides), and to_string never shows the pin-value.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "keys/p11uri.h"
#include "libsign/error.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_round_trip(const lsi_p11uri *uri)
{
    char *text = lsi_p11uri_to_string(uri);
    lsi_p11uri *again = NULL;

    if (text == NULL)
        abort(); /* only out of memory, which a fuzzer does not run into */
    if (uri->pin_value != NULL) {
        if (strstr(text, "pin-value=<hidden>") == NULL)
            abort();
    } else if (lsi_p11uri_parse(text, &again) != LSIGN_OK || !lsi_p11uri_equal(uri, again)) {
        abort();
    }
    lsi_p11uri_free(again);
    free(text);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1);
    lsi_p11uri *uri = NULL;

    if (text == NULL)
        return 0;
    memcpy(text, data, size);
    text[size] = '\0';
    if (lsi_p11uri_parse(text, &uri) == LSIGN_OK)
        check_round_trip(uri);
    else if (uri != NULL)
        abort(); /* a failed parse must leave nothing behind */
    lsi_p11uri_free(uri);
    free(text);
    return 0;
}
