/* What an lsign_appearance holds: its template and the caller's settings. */
#ifndef LSI_APPEARANCE_IMPL_H
#define LSI_APPEARANCE_IMPL_H

#include "appearance/image.h"
#include "libsign/appearance.h"

typedef enum {
    LSI_AP_PERSON,
    LSI_AP_AGENCY,
    LSI_AP_COPY,
    LSI_AP_ATTACHMENT,
    LSI_AP_TEXT
} lsi_ap_kind;

typedef enum {
    LSI_AP_TITLE,
    LSI_AP_NAME,
    LSI_AP_ORGANIZATION,
    LSI_AP_TIME,
    LSI_AP_COPY_FORM,
    LSI_AP_DOCUMENT,
    LSI_AP_BODY,
    LSI_AP_FIELDS
} lsi_ap_field;

typedef enum {
    LSI_PLACE_DEFAULT,
    LSI_PLACE_BOX,
    LSI_PLACE_FIRST_TOP_RIGHT,
    LSI_PLACE_LAST_BOTTOM_RIGHT,
    LSI_PLACE_AT_TEXT
} lsi_place_kind;

/* Where the box goes; lengths in points. */
typedef struct lsi_placement {
    lsi_place_kind kind;
    int page;      /* LSI_PLACE_BOX, LSI_PLACE_AT_TEXT: 1-based, negative from the end, 0: any */
    double x, y;   /* LSI_PLACE_BOX: lower left on the displayed page */
    double w, h;   /* 0: the template's default */
    double margin; /* presets */
    double dx, dy; /* LSI_PLACE_AT_TEXT */
    char *text;    /* LSI_PLACE_AT_TEXT */
} lsi_placement;

struct lsign_appearance {
    lsi_ap_kind kind;
    char *text[LSI_AP_FIELDS]; /* NULL: the default */
    lsi_image *signature, *seal;
    double seal_w, seal_h; /* points; 0: from the image */
    char *font_path;       /* NULL: Liberation Serif */
    double font_size;      /* 0: the template's */
    int utc_offset;        /* minutes east of UTC */
    lsi_placement place;
};

#endif
