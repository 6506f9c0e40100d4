/**
 * @file
 * libsign: umbrella header. Include this one: it includes every public
 * header (and libsign/version.h), so programs need no other libsign
 * include. It declares nothing itself.
 */
#ifndef LIBSIGN_LIBSIGN_H
#define LIBSIGN_LIBSIGN_H

#include "libsign/common.h"
#include "libsign/error.h"
#include "libsign/context.h"
#include "libsign/signer.h"
#include "libsign/tokens.h"
#include "libsign/io.h"
#include "libsign/appearance.h"
#include "libsign/pdf.h"
#include "libsign/verify.h"
#include "libsign/report.h"
#include "libsign/xml.h"
#include "libsign/inspect.h"

#endif
