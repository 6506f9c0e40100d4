/*
 * Modification detection and prevention (ISO 32000-2 12.8.2): what earlier
 * signatures allow, and the entries that make a new signature a
 * certification (DocMDP) or lock fields (FieldMDP).
 */
#ifndef LSI_PADES_MDP_H
#define LSI_PADES_MDP_H

#include <stddef.h>

#include "pdf/arena.h"
#include "pdf/pages.h"

/*
 * LSIGN_OK when a signature may be added to `doc`, into the existing field
 * `target` (NULL: a new field). LSIGN_E_POLICY, naming the signature that
 * forbids it, when a certification or a lock with /P 1 allows no change,
 * when `target` is already signed or locked by an earlier signature, or
 * when `certify` is asked for a document that is already signed.
 */
int lsi_mdp_check(lsi_pdf_doc *doc, const lsi_pdf_field *fields, size_t count,
                  const lsi_pdf_field *target, int certify);

/* What the new signature sets up: an lsign_pdf_certify level and an lsign_pdf_lock. */
typedef struct lsi_mdp_request {
    int certify;
    int lock;
    const char *const *lock_fields;
    size_t lock_field_count;
    const lsi_pdf_obj *target_lock; /* the filled field's own /Lock, or NULL */
} lsi_mdp_request;

/* The field's /Lock dictionary (SigFieldLock) for `req`, or NULL (and LSIGN_OK) when none. */
int lsi_mdp_lock_dict(lsi_arena *arena, const lsi_mdp_request *req, lsi_pdf_obj **lock);

/*
 * The signature dictionary's /Reference array (SigRef entries for DocMDP
 * and FieldMDP), or NULL when `req` asks for neither. `catalog` is the
 * reference FieldMDP's /Data points to.
 */
int lsi_mdp_references(lsi_arena *arena, const lsi_mdp_request *req, const lsi_pdf_obj *lock,
                       lsi_pdf_obj *catalog, lsi_pdf_obj **references);

#endif
