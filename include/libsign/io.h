/**
 * @file
 * libsign: where documents come from and where results go.
 *
 * An input is a file path, a file descriptor or a memory buffer. Files are
 * memory-mapped, so a 1 GB PDF costs address space, not memory; a pipe is
 * read to its end. An input is never written to.
 *
 * An output is a file path, a file descriptor or memory. A path output is
 * written to a temporary file beside the target and renamed over it only
 * when the operation succeeds: on any failure the target is untouched. A
 * descriptor output is written at the descriptor's position; on failure a
 * regular file is truncated back to that position. An output that is the
 * input file itself is refused (write elsewhere, then rename).
 *
 * Handles are not shared between threads while an operation uses them.
 */
#ifndef LIBSIGN_IO_H
#define LIBSIGN_IO_H

#include <stddef.h>

#include "libsign/common.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct lsign_input lsign_input;
typedef struct lsign_output lsign_output;

/**
 * Open the regular file at `path` for reading (mapped now, so a missing or
 * unreadable file fails here).
 * @return LSIGN_OK, LSIGN_E_INVALID_ARG, LSIGN_E_IO (missing, not a regular
 *   file, unreadable), LSIGN_E_PARSE (empty), LSIGN_E_NOMEM.
 */
LSIGN_EXTERN int lsign_input_from_path(lsign_input **out, const char *path);

/**
 * Read from `fd`: a regular file is used whole (from offset 0, whatever the
 * descriptor's position); a pipe is read to its end now, up to 4 GiB. The
 * descriptor stays the caller's and may be closed after this call.
 */
LSIGN_EXTERN int lsign_input_from_fd(lsign_input **out, int fd);

/** Read from `len` bytes at `data`, which the caller keeps unchanged until lsign_input_free(). */
LSIGN_EXTERN int lsign_input_from_memory(lsign_input **out, const void *data, size_t len);

/** Release an input; NULL is accepted. */
LSIGN_EXTERN void lsign_input_free(lsign_input *in);

/** Write to the file at `path`, created or replaced when an operation succeeds. */
LSIGN_EXTERN int lsign_output_to_path(lsign_output **out, const char *path);

/**
 * Write to `fd` at its current position. A pipe works too (the result is
 * then assembled in memory first, since a signature is filled in last).
 */
LSIGN_EXTERN int lsign_output_to_fd(lsign_output **out, int fd);

/** Keep the result in memory; read it with lsign_output_memory(). */
LSIGN_EXTERN int lsign_output_to_memory(lsign_output **out);

/**
 * The bytes of the last successful operation on a memory output, owned by
 * the output (valid until its next use or lsign_output_free()).
 * @return LSIGN_OK, LSIGN_E_INVALID_ARG (not a memory output, or no result yet).
 */
LSIGN_EXTERN int lsign_output_memory(const lsign_output *out, const unsigned char **data,
                                     size_t *len);

/** Release an output; NULL is accepted. */
LSIGN_EXTERN void lsign_output_free(lsign_output *out);

#ifdef __cplusplus
}
#endif

#endif
