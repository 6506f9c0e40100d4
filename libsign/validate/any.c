/* lsign_verify(): the PDF or the XML verifier, whichever the content calls for. */
#include "core/error.h"
#include "core/stream.h"
#include "libsign/verify.h"
#include "libsign/xml.h"

int lsign_verify(const lsign_ctx *ctx, const lsign_input *input, const char *name,
                 lsign_report **report)
{
    if (ctx == NULL || input == NULL || report == NULL)
        return lsi_error(LSIGN_E_INVALID_ARG, "lsign_verify: NULL context, input or report");
    return lsi_input_is_xml(lsi_input_of(input)) ? lsign_xml_verify(ctx, input, name, NULL, report)
                                                 : lsign_pdf_verify(ctx, input, name, report);
}
