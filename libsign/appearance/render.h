/* An appearance written into a PDF update: fonts, images and the form XObject of the widget. */
#ifndef LSI_APPEARANCE_RENDER_H
#define LSI_APPEARANCE_RENDER_H

#include <stddef.h>
#include <stdint.h>

#include "libsign/appearance.h"
#include "pdf/pages.h"
#include "pdf/writer.h"

/* What the default texts come from. */
typedef struct lsi_appearance_facts {
    const char *common_name;  /* the signer certificate's CN, or NULL */
    const char *organization; /* its O, or NULL */
    int64_t when;             /* the signing time, seconds since 1970 */
} lsi_appearance_facts;

typedef struct lsi_rendered {
    size_t page_index; /* into the pages given */
    double rect[4];    /* the widget's /Rect, default user space */
    uint32_t xobject;  /* the /AP /N form XObject */
} lsi_rendered;

int lsi_appearance_render(const lsign_appearance *ap, lsi_pdf_doc *doc, const lsi_pdf_page *pages,
                          size_t count, lsi_pdf_writer *w, lsi_arena *arena,
                          const lsi_appearance_facts *facts, lsi_rendered *out);

#endif
