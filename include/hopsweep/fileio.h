/* fileio.h — the few file operations every writer shares: whole-file reads with a size limit,
 * mkdir -p, and atomic whole-file writes (PATH.tmp, fsync, rename, fsync of the directory), so
 * a reader never sees half a file and a crash never leaves one. */
#ifndef HOPSWEEP_FILEIO_H
#define HOPSWEEP_FILEIO_H

#include <stddef.h>

#include "hopsweep/error.h"

/* Creates dir and its missing parents. Fails with HS_EINPUT (a path the user chose that cannot
 * be created), naming the path and the reason. */
hs_status hs_mkdirs(const char *dir, hs_err *err);

/* Writes n bytes to path through path.tmp + fsync + rename, then fsyncs the directory so the
 * rename itself survives a power cut. HS_EIO on failure; the target is then left as it was. */
hs_status hs_write_atomic(const char *path, const void *data, size_t n, hs_err *err);

/* write(2) until all n bytes are written, retrying short writes and EINTR; -1 with errno set on
 * failure. */
int hs_write_all(int fd, const void *data, size_t n);

/* Reads a whole file into a NUL-terminated buffer (caller frees). A missing or unreadable file
 * is HS_EIO; a file larger than `limit` bytes is HS_EINPUT. */
hs_status hs_read_file(const char *path, size_t limit, char **data, size_t *n, hs_err *err);

/* "dir/name" in a new buffer, NULL when out of memory. */
char *hs_path_join(const char *dir, const char *name);

#endif
