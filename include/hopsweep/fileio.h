/* fileio.h — the few file operations every writer shares: whole-file reads with a size limit,
 * mkdir -p, atomic whole-file writes (a temporary name unique to the process, fsync, rename,
 * fsync of the directory), so a reader never sees half a file and a crash never leaves one, and
 * the directory lock of a store or a `train --out` directory.
 *
 * The *_at functions work relative to an open directory and never follow a symbolic link in
 * the name they are given: a store opens its directory once and reaches everything inside it
 * through them, so whatever the store holds (links, FIFOs, devices), hopsweep reads and writes
 * only regular files and directories inside it. An entry of the wrong type is HS_EINPUT with
 * one line naming it; it is never opened, read or written through. */
#ifndef HOPSWEEP_FILEIO_H
#define HOPSWEEP_FILEIO_H

#include <stdbool.h>
#include <stddef.h>

#include "hopsweep/error.h"

/* The status of a failed open/create/mkdir in a place the user chose: permissions, a read-only
 * or pseudo file system (/proc), a missing or non-directory component are the user's to fix
 * (HS_EINPUT); anything else (EIO, ENOSPC, EMFILE ...) is HS_EIO. */
hs_status hs_errno_status(int e);

/* Creates dir and its missing parents. Fails with HS_EINPUT (a path the user chose that cannot
 * be created, or one longer than PATH_MAX, refused before anything is created), naming the path
 * and the reason. */
hs_status hs_mkdirs(const char *dir, hs_err *err);

/* Writes n bytes to path through a temporary file in the same directory (created with O_EXCL
 * under a name unique to this process and call) + fsync + rename, then fsyncs the directory so
 * the rename itself survives a power cut. A path that exists as anything but a regular file
 * (a link, a directory, a FIFO) is HS_EINPUT and left alone; other failures are HS_EIO. On
 * failure the target is left as it was and no temporary file remains. */
hs_status hs_write_atomic(const char *path, const void *data, size_t n, hs_err *err);

/* write(2) until all n bytes are written, retrying short writes and EINTR; -1 with errno set on
 * failure. */
int hs_write_all(int fd, const void *data, size_t n);

/* Reads a whole regular file into a NUL-terminated buffer (caller frees). A missing or
 * unreadable file, or one that is not a regular file (a FIFO, a device, a directory: opened
 * without blocking and refused), is HS_EIO; a file larger than `limit` bytes is HS_EINPUT,
 * refused before it is read. */
hs_status hs_read_file(const char *path, size_t limit, char **data, size_t *n, hs_err *err);

/* "dir/name" in a new buffer, NULL when out of memory. */
char *hs_path_join(const char *dir, const char *name);

/* ---- inside a directory, without following links (shown: the path for messages) ---- */

/* The entry name of dirfd: *exists says whether there is one; if there is, it must be a
 * regular file (dir false) or a directory (dir true), else HS_EINPUT naming it. */
hs_status hs_check_at(int dirfd, const char *name, bool dir, const char *shown, bool *exists,
                      hs_err *err);

/* Opens the directory name of dirfd (creating it first when create), refusing a link or a
 * non-directory (HS_EINPUT). *fd is -1 when it does not exist and !create. */
hs_status hs_open_dir_at(int dirfd, const char *name, bool create, const char *shown, int *fd,
                         hs_err *err);

/* Reads the regular file name of dirfd, at most limit bytes (HS_EINPUT beyond, refused before
 * reading). *data is NULL (and HS_OK) when there is no such entry. */
hs_status hs_read_at(int dirfd, const char *name, const char *shown, size_t limit, char **data,
                     size_t *n, hs_err *err);

/* Reads what fd (opened by the caller) holds, which must be a regular file of at most limit
 * bytes, from its start. */
hs_status hs_read_fd(int fd, const char *shown, size_t limit, char **data, size_t *n, hs_err *err);

/* hs_write_atomic for the entry name of dirfd. */
hs_status hs_write_atomic_at(int dirfd, const char *name, const char *shown, const void *data,
                             size_t n, hs_err *err);

/* Removes the entry name of dirfd if it is there (a link is removed itself, never what it
 * points to); a directory there is HS_EINPUT. */
hs_status hs_remove_at(int dirfd, const char *name, const char *shown, hs_err *err);

/* Creates and removes a temporary file in dirfd: proves the directory takes new files now
 * (permissions, a read-only or pseudo file system), before work whose result would go there.
 * HS_EINPUT naming shown otherwise. */
hs_status hs_probe_writable_at(int dirfd, const char *shown, hs_err *err);

/* The name of the k-th temporary file this process uses to write the entry name:
 * "NAME.<pid>-<host>.<k>.tmp" (host: 8 hex digits of a hash of the host name). What a signal
 * handler removes when it ends the process mid-write (k = 0 unless that name was taken). */
void hs_tmp_name(char *buf, size_t cap, const char *name, int k);

/* Removes the temporary files hs_write_atomic_at left when a process was killed mid-write
 * (of the entry `of` only, or of every name when of is NULL), and the older "NAME.<pid>.<k>.tmp"
 * and "NAME.tmp" forms, from the directory dirfd — but only those whose writer is gone: this
 * process, or a pid no longer alive on this host; one from another host (a shared file system)
 * once it is a day old. So a store's opener never deletes the temporary of a `report` that is
 * writing into it without the lock. */
void hs_remove_stale_tmp(int dirfd, const char *of);

/* Takes the fcntl lock on dir's ".lock" (created without following a link; it must be a
 * regular file) and writes the owner's pid into it, for people. The kernel drops the lock when
 * the process ends, so a crash leaves no stale lock. wait: block while another process holds
 * it; else that is HS_EINPUT naming its pid. `what` names the directory in messages ("the
 * store", "the output directory"). *lock_fd is -1 on failure. */
hs_status hs_lock_dir(int dirfd, const char *dir, const char *what, bool wait, int *lock_fd,
                      hs_err *err);

#endif
