/**
 * @file
 * libsign: umbrella header. Include this one.
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
