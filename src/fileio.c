/* fileio.c — whole-file reads, mkdir -p and atomic whole-file writes. */
#include "hopsweep/fileio.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

char *hs_path_join(const char *dir, const char *name)
{
    size_t n = strlen(dir) + strlen(name) + 2;
    char *s = malloc(n);
    if (s) snprintf(s, n, "%s/%s", dir, name);
    return s;
}

hs_status hs_mkdirs(const char *dir, hs_err *err)
{
    char *p = strdup(dir);
    if (!p) return hs_fail(err, HS_ENOMEM, "out of memory creating %s", dir);
    for (char *s = p + 1;; s++) {
        bool end = !*s;
        if (!end && *s != '/') continue;
        *s = '\0';
        struct stat sb;
        if (mkdir(p, 0755) && (errno != EEXIST || stat(p, &sb) || !S_ISDIR(sb.st_mode))) {
            int e = errno == EEXIST ? ENOTDIR : errno;
            hs_fail(err, HS_EINPUT, "cannot create directory %s: %s; choose a writable path", p,
                    strerror(e));
            free(p);
            return HS_EINPUT;
        }
        if (end) break;
        *s = '/';
        while (s[1] == '/') s++;
    }
    free(p);
    return HS_OK;
}

int hs_write_all(int fd, const void *data, size_t n)
{
    const char *p = data;
    while (n) {
        ssize_t w = write(fd, p, n);
        if (w < 0) {
            if (errno == EINTR) continue;
            return -1;
        }
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

/* fsync of the directory holding path: makes a rename into it durable. */
static int sync_parent(const char *path)
{
    char *d = strdup(path);
    if (!d) return -1;
    char *slash = strrchr(d, '/');
    if (slash == d)
        slash[1] = '\0';
    else if (slash)
        *slash = '\0';
    else
        strcpy(d, ".");
    int fd = open(d, O_RDONLY | O_DIRECTORY);
    free(d);
    if (fd < 0) return -1;
    int rc = fsync(fd);
    close(fd);
    return rc;
}

hs_status hs_write_atomic(const char *path, const void *data, size_t n, hs_err *err)
{
    char *tmp = malloc(strlen(path) + 5);
    if (!tmp) return hs_fail(err, HS_ENOMEM, "out of memory writing %s", path);
    sprintf(tmp, "%s.tmp", path);
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    int bad = fd < 0 || hs_write_all(fd, data, n) || fsync(fd);
    int e = errno;
    if (fd >= 0 && close(fd) && !bad) bad = 1, e = errno;
    if (!bad && rename(tmp, path)) bad = 1, e = errno;
    if (!bad) sync_parent(path); /* best effort: some file systems refuse fsync on directories */
    if (bad) {
        unlink(tmp);
        hs_fail(err, HS_EIO, "cannot write %s: %s", path, strerror(e));
    }
    free(tmp);
    return bad ? HS_EIO : HS_OK;
}

hs_status hs_read_file(const char *path, size_t limit, char **data, size_t *size, hs_err *err)
{
    FILE *f = fopen(path, "rb");
    if (!f) return hs_fail(err, HS_EIO, "%s: cannot open: %s", path, strerror(errno));
    size_t cap = 4096, n = 0;
    char *buf = malloc(cap);
    hs_status st = HS_OK;
    while (buf) {
        if (n + 1 >= cap) {
            if (cap > limit) {
                st = hs_fail(err, HS_EINPUT, "%s: larger than %zu bytes; not the file expected",
                             path, limit);
                break;
            }
            char *bigger = realloc(buf, cap * 2);
            if (!bigger) {
                free(buf);
                buf = NULL;
                break;
            }
            buf = bigger;
            cap *= 2;
        }
        size_t got = fread(buf + n, 1, cap - 1 - n, f);
        n += got;
        if (got == 0) { /* end of file, or an error such as reading a directory */
            if (ferror(f)) st = hs_fail(err, HS_EIO, "%s: cannot read: %s", path, strerror(errno));
            break;
        }
    }
    fclose(f);
    if (!buf) return hs_fail(err, HS_ENOMEM, "%s: out of memory reading the file", path);
    if (!st && n > limit)
        st = hs_fail(err, HS_EINPUT, "%s: larger than %zu bytes; not the file expected", path, limit);
    if (st) {
        free(buf);
        return st;
    }
    buf[n] = '\0';
    *data = buf;
    *size = n;
    return HS_OK;
}
