/* store_view.c — a store opened to be read (store_view.h): the directory fd opened once, and
 * every entry inside it reached from that fd through fileio.h's *_at functions, which open with
 * O_NOFOLLOW and check the type on the open file, so nothing inside a store is ever followed. */
#include "hopsweep/store_view.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hopsweep/fileio.h"
#include "hopsweep/store_layout.h"

bool hs_store_is_job_id(const char *s, size_t n)
{
    if (n != 16) return false;
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f'))) return false;
    return true;
}

hs_status hs_store_open_job_dir(int dirfd, int *jobs_fd, const char *dir, const char *id,
                                bool create, int *fd, hs_err *err)
{
    char path[4200];
    *fd = -1;
    if (*jobs_fd < 0) {
        snprintf(path, sizeof path, "%s/" HS_STORE_JOBS, dir);
        hs_status st = hs_open_dir_at(dirfd, HS_STORE_JOBS, create, path, jobs_fd, err);
        if (st || *jobs_fd < 0) return st;
    }
    hs_job_path(path, sizeof path, dir, id, NULL, NULL); /* for messages */
    return hs_open_dir_at(*jobs_fd, id, create, path, fd, err);
}

void hs_store_view_close(hs_store_view *v)
{
    if (v->dir) {
        if (v->jobs_fd >= 0) close(v->jobs_fd);
        if (v->dir_fd >= 0) close(v->dir_fd);
    }
    free(v->dir);
    v->dir = NULL;
    v->dir_fd = v->jobs_fd = -1;
}

hs_status hs_store_view_open(hs_store_view *v, const char *dir, hs_err *err)
{
    v->dir = NULL;
    v->dir_fd = v->jobs_fd = -1;
    /* The store's own path is the user's choice and may be a link; nothing inside it may. */
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) {
        int e = errno;
        if (e == ENOTDIR)
            return hs_fail(err, HS_EINPUT,
                           "%s is not a directory; give the output directory of a sweep, which "
                           "holds runs.jsonl",
                           dir);
        return hs_fail(err, HS_EINPUT,
                       "no result store at %s (%s); give the output directory of a sweep (its "
                       "--out or output:)",
                       dir, strerror(e));
    }
    v->dir = strdup(dir);
    v->dir_fd = fd;
    if (!v->dir) {
        close(fd);
        v->dir_fd = -1;
        return hs_fail(err, HS_ENOMEM, "out of memory reading the store %s", dir);
    }
    char path[4200];
    bool exists;
    snprintf(path, sizeof path, "%s/" HS_STORE_RUNS, dir);
    hs_status st = hs_check_at(fd, HS_STORE_RUNS, false, path, &exists, err);
    if (!st && !exists)
        st = hs_fail(err, HS_EINPUT,
                     "%s has no " HS_STORE_RUNS ", so it is not a result store; give the output "
                     "directory of a sweep",
                     dir);
    snprintf(path, sizeof path, "%s/" HS_STORE_SWEEP, dir);
    if (!st) st = hs_check_at(fd, HS_STORE_SWEEP, false, path, &exists, err);
    snprintf(path, sizeof path, "%s/" HS_STORE_JOBS, dir);
    if (!st) st = hs_open_dir_at(fd, HS_STORE_JOBS, false, path, &v->jobs_fd, err);
    if (st) hs_store_view_close(v);
    return st;
}

hs_status hs_store_view_read(const hs_store_view *v, const char *name, size_t limit, char **data,
                             size_t *n, hs_err *err)
{
    char path[4200];
    snprintf(path, sizeof path, "%s/%s", v->dir, name);
    return hs_read_at(v->dir_fd, name, path,
                      limit < HS_STORE_FILE_LIMIT ? limit : HS_STORE_FILE_LIMIT, data, n, err);
}

hs_status hs_store_view_read_job(const hs_store_view *v, const char *id, const char *name,
                                 size_t limit, char **data, size_t *n, hs_err *err)
{
    *data = NULL;
    *n = 0;
    if (!hs_store_is_job_id(id, strlen(id)))
        return hs_fail(err, HS_EINPUT, "%s: \"%.16s\" is not a job id", v->dir, id);
    if (v->jobs_fd < 0) return HS_OK;
    int jobs = v->jobs_fd, jfd;
    hs_status st = hs_store_open_job_dir(v->dir_fd, &jobs, v->dir, id, false, &jfd, err);
    if (st || jfd < 0) return st;
    char path[4200];
    hs_job_path(path, sizeof path, v->dir, id, name, NULL); /* for messages */
    st = hs_read_at(jfd, name, path, limit < HS_STORE_FILE_LIMIT ? limit : HS_STORE_FILE_LIMIT,
                    data, n, err);
    close(jfd);
    return st;
}

time_t hs_store_view_mtime(const hs_store_view *v, const char *name)
{
    struct stat sb;
    if (fstatat(v->dir_fd, name, &sb, AT_SYMLINK_NOFOLLOW) || !S_ISREG(sb.st_mode)) return 0;
    return sb.st_mtime;
}
