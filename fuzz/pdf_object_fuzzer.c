/*
 * PDF object parser: any bytes must parse or fail cleanly, as an indirect object and as a
 * direct object at offset 0, within a small arena. Whatever parses must stay inside the input
 * (end, stream data) and print without trouble.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "libsign/error.h"
#include "pdf/parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_ARENA_BYTES ((uint64_t)1024 * 1024)

static void check_object(const lsi_pdf_obj *obj, size_t end, size_t size)
{
    char text[256];

    if (obj == NULL || end > size)
        abort();
    if (obj->type == LSI_PDF_STREAM && obj->u.stream.length_known &&
        (obj->u.stream.data_offset > size ||
         obj->u.stream.data_length > size - obj->u.stream.data_offset))
        abort();
    if (lsi_pdf_obj_print(obj, text, sizeof text) >= sizeof text)
        abort();
}

static void parse_indirect(lsi_pdf_parser *p, size_t size)
{
    lsi_pdf_obj *obj = NULL;
    uint32_t num;
    uint16_t gen;
    size_t end = 0;

    if (lsi_pdf_parse_indirect(p, 0, &num, &gen, &obj, &end) != LSIGN_OK) {
        if (obj != NULL)
            abort(); /* a failed parse must leave nothing behind */
        return;
    }
    check_object(obj, end, size);
    if (obj->type == LSI_PDF_STREAM && !obj->u.stream.length_known) {
        /* what the document layer does once it has resolved the indirect /Length */
        if (lsi_pdf_parse_stream_end(p, obj, (int64_t)(size / 2), &end) == LSIGN_OK)
            check_object(obj, end, size);
    }
}

static void parse_direct(lsi_pdf_parser *p, size_t size)
{
    lsi_pdf_obj *obj = NULL;
    size_t end = 0;

    if (lsi_pdf_parse_object(p, 0, &obj, &end) != LSIGN_OK) {
        if (obj != NULL)
            abort();
        return;
    }
    check_object(obj, end, size);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    lsi_arena *arena = lsi_arena_new(FUZZ_ARENA_BYTES);
    lsi_pdf_parser p;

    if (arena == NULL)
        return 0;
    lsi_pdf_parser_init(&p, NULL, data, size, arena);
    parse_indirect(&p, size);
    parse_direct(&p, size);
    lsi_pdf_parser_cleanup(&p);
    lsi_arena_free(arena);
    return 0;
}
