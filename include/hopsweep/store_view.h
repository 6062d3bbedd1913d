/* store_view.h — a result store opened to be read: the one way every command reaches what is
 * inside a store (`run` and `store merge` through store.h, `status`, `analyze`, `report` through
 * this view). The store's own path is the user's choice and may be a link; inside it, every
 * entry read (runs.jsonl, sweep.yaml, jobs/, jobs/<id>/, each job file) is opened relative to
 * the directory fd opened once, with O_NOFOLLOW (O_DIRECTORY for directories), and must be a
 * regular file (or directory) of at most HS_STORE_FILE_LIMIT bytes: a link, FIFO or device is
 * HS_EINPUT naming it, never followed or read. There is no check-then-open of a path: a link
 * swapped in at any moment is refused by the open itself. The view takes no lock. */
#ifndef HOPSWEEP_STORE_VIEW_H
#define HOPSWEEP_STORE_VIEW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "hopsweep/error.h"

/* The largest store file read into memory (runs.jsonl, a job's file, a resume state): far above
 * anything a sweep writes, and a bound on what a planted file can make hopsweep allocate. */
#define HS_STORE_FILE_LIMIT ((size_t)1 << (SIZE_MAX > 0xFFFFFFFFu ? 33 : 30))

typedef struct hs_store_view {
    char *dir;   /* as the user gave it, for messages */
    int dir_fd;  /* the store's directory */
    int jobs_fd; /* jobs/, -1 when the store has none (yet) */
} hs_store_view;

/* Opens the store at dir to read it: dir must be a directory holding runs.jsonl (a regular
 * file) and, when there is one, a directory jobs/. HS_EINPUT naming what is wrong ("no result
 * store at ...", "... has no runs.jsonl, so it is not a result store", "... is a symbolic link
 * where hopsweep keeps ..."); on failure v is left closed. */
hs_status hs_store_view_open(hs_store_view *v, const char *dir, hs_err *err);
void hs_store_view_close(hs_store_view *v);

/* Reads the store's file name (runs.jsonl, sweep.yaml): *data is NULL (HS_OK) when there is no
 * such entry. At most limit bytes (and never more than HS_STORE_FILE_LIMIT). */
hs_status hs_store_view_read(const hs_store_view *v, const char *name, size_t limit, char **data,
                             size_t *n, hs_err *err);

/* Reads jobs/<id>/name; *data is NULL (HS_OK) when it or its directory is missing. An id that
 * is not 16 lowercase hex digits is HS_EINPUT. */
hs_status hs_store_view_read_job(const hs_store_view *v, const char *id, const char *name,
                                 size_t limit, char **data, size_t *n, hs_err *err);

/* The modification time of the store's regular file name, 0 when it is missing or not one. */
time_t hs_store_view_mtime(const hs_store_view *v, const char *name);

/* Whether s is a job id: 16 lowercase hex digits (n bytes). */
bool hs_store_is_job_id(const char *s, size_t n);

/* Opens jobs/<id> of the store whose directory is dirfd (dir names it in messages), opening
 * *jobs_fd first when it is -1 and creating both when create; *fd is -1 when it does not exist
 * and !create. Links and non-directories are refused (HS_EINPUT). */
hs_status hs_store_open_job_dir(int dirfd, int *jobs_fd, const char *dir, const char *id,
                                bool create, int *fd, hs_err *err);

#endif
