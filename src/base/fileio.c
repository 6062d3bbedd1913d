/* fileio.c — whole-file reads, mkdir -p, atomic whole-file writes and directory locks; the
 * *_at forms work inside an open directory without ever following a link (fileio.h). */
#include "hopsweep/fileio.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#ifndef O_NOFOLLOW
#error "hopsweep needs O_NOFOLLOW (POSIX.1-2008)"
#endif

char *hs_path_join(const char *dir, const char *name)
{
    size_t n = strlen(dir) + strlen(name) + 2;
    char *s = malloc(n);
    if (s) snprintf(s, n, "%s/%s", dir, name);
    return s;
}

hs_status hs_errno_status(int e)
{
    switch (e) {
    case EACCES:
    case EPERM:
    case EROFS:
    case ENOENT:
    case ENOTDIR:
    case ELOOP:
    case EISDIR:
    case ENXIO:
    case ENODEV:
    case ENAMETOOLONG: return HS_EINPUT;
    case ENOMEM: return HS_ENOMEM;
    default: return HS_EIO;
    }
}

/* What a non-regular entry is, for messages. */
static const char *type_name(mode_t m)
{
    return S_ISLNK(m)    ? "a symbolic link"
           : S_ISDIR(m)  ? "a directory"
           : S_ISFIFO(m) ? "a FIFO"
           : S_ISCHR(m)  ? "a character device"
           : S_ISBLK(m)  ? "a block device"
           : S_ISSOCK(m) ? "a socket"
           : S_ISREG(m)  ? "a regular file"
                         : "not a file";
}

hs_status hs_mkdirs(const char *dir, hs_err *err)
{
    /* Refused before the first mkdir, so a path too long leaves no directories behind. */
    if (strlen(dir) >= PATH_MAX)
        return hs_fail(err, HS_EINPUT,
                       "cannot create directory %.60s...: longer than %d bytes; "
                       "choose a shorter path",
                       dir, PATH_MAX - 1);
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

/* ---- inside a directory ---- */

hs_status hs_check_at(int dirfd, const char *name, bool dir, const char *shown, bool *exists,
                      hs_err *err)
{
    struct stat sb;
    *exists = false;
    if (fstatat(dirfd, name, &sb, AT_SYMLINK_NOFOLLOW)) {
        if (errno == ENOENT) return HS_OK;
        return hs_fail(err, hs_errno_status(errno), "cannot look at %s: %s", shown,
                       strerror(errno));
    }
    *exists = true;
    if (dir ? S_ISDIR(sb.st_mode) : S_ISREG(sb.st_mode)) return HS_OK;
    return hs_fail(err, HS_EINPUT,
                   "%s is %s where hopsweep keeps a %s; it is never followed, read or written: "
                   "remove it (or choose another output)",
                   shown, type_name(sb.st_mode), dir ? "directory" : "regular file");
}

hs_status hs_open_dir_at(int dirfd, const char *name, bool create, const char *shown, int *fd,
                         hs_err *err)
{
    *fd = -1;
    bool exists;
    hs_status st = hs_check_at(dirfd, name, true, shown, &exists, err);
    if (st) return st;
    if (!exists) {
        if (!create) return HS_OK;
        if (mkdirat(dirfd, name, 0755) && errno != EEXIST)
            return hs_fail(err, hs_errno_status(errno), "cannot create directory %s: %s", shown,
                           strerror(errno));
    }
    /* O_NOFOLLOW: a link swapped in after the check is refused here (ELOOP), not followed. */
    *fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (*fd < 0) {
        int e = errno;
        if (e == ELOOP || e == ENOTDIR)
            return hs_fail(err, HS_EINPUT,
                           "%s is not a directory (a link or a file); it is never followed: "
                           "remove it",
                           shown);
        return hs_fail(err, hs_errno_status(e), "cannot open directory %s: %s", shown, strerror(e));
    }
    return HS_OK;
}

/* Reads fd, which must be a regular file of at most limit bytes; wrong_type is the status for
 * anything else. */
static hs_status read_fd(int fd, const char *shown, size_t limit, hs_status wrong_type, char **data,
                         size_t *size, hs_err *err)
{
    struct stat sb;
    if (fstat(fd, &sb)) return hs_fail(err, HS_EIO, "%s: cannot read: %s", shown, strerror(errno));
    if (!S_ISREG(sb.st_mode))
        return hs_fail(err, wrong_type,
                       "%s: cannot read: it is %s, not a regular file; give a file", shown,
                       type_name(sb.st_mode));
    if ((uintmax_t)sb.st_size > limit)
        return hs_fail(err, HS_EINPUT, "%s: larger than %zu bytes; not the file expected", shown,
                       limit);
    size_t cap = (size_t)sb.st_size + 1, n = 0;
    char *buf = malloc(cap);
    if (!buf) return hs_fail(err, HS_ENOMEM, "%s: out of memory reading the file", shown);
    for (;;) {
        if (n + 1 >= cap) {
            /* The buffer holds the size fstat gave: see whether there is more before growing it,
             * so a file that did not grow is read with one allocation of its size. */
            char probe;
            ssize_t more = pread(fd, &probe, 1, (off_t)n);
            if (more < 0 && errno == EINTR) continue;
            if (more == 0) break;
            if (more < 0) {
                int e = errno;
                free(buf);
                return hs_fail(err, HS_EIO, "%s: cannot read: %s", shown, strerror(e));
            }
            /* the file grew while being read */
            if (cap > limit) {
                free(buf);
                return hs_fail(err, HS_EINPUT, "%s: larger than %zu bytes; not the file expected",
                               shown, limit);
            }
            char *bigger = realloc(buf, cap * 2);
            if (!bigger) {
                free(buf);
                return hs_fail(err, HS_ENOMEM, "%s: out of memory reading the file", shown);
            }
            buf = bigger;
            cap *= 2;
        }
        ssize_t got = pread(fd, buf + n, cap - 1 - n, (off_t)n);
        if (got < 0 && errno == EINTR) continue;
        if (got < 0) {
            int e = errno;
            free(buf);
            return hs_fail(err, HS_EIO, "%s: cannot read: %s", shown, strerror(e));
        }
        if (got == 0) break;
        n += (size_t)got;
    }
    if (n > limit) {
        free(buf);
        return hs_fail(err, HS_EINPUT, "%s: larger than %zu bytes; not the file expected", shown,
                       limit);
    }
    buf[n] = '\0';
    *data = buf;
    *size = n;
    return HS_OK;
}

hs_status hs_read_fd(int fd, const char *shown, size_t limit, char **data, size_t *n, hs_err *err)
{
    return read_fd(fd, shown, limit, HS_EINPUT, data, n, err);
}

hs_status hs_read_at(int dirfd, const char *name, const char *shown, size_t limit, char **data,
                     size_t *n, hs_err *err)
{
    *data = NULL;
    *n = 0;
    bool exists;
    hs_status st = hs_check_at(dirfd, name, false, shown, &exists, err);
    if (st || !exists) return st;
    /* O_NONBLOCK: should a FIFO be swapped in after the check, opening it cannot hang (and
     * read_fd then refuses it). */
    int fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) {
        if (errno == ENOENT) return HS_OK;
        return hs_fail(err, errno == ELOOP ? HS_EINPUT : HS_EIO, "%s: cannot open: %s", shown,
                       strerror(errno));
    }
    st = read_fd(fd, shown, limit, HS_EINPUT, data, n, err);
    close(fd);
    return st;
}

hs_status hs_read_file(const char *path, size_t limit, char **data, size_t *size, hs_err *err)
{
    /* O_NONBLOCK: opening a FIFO with no writer would otherwise wait for ever. */
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) return hs_fail(err, HS_EIO, "%s: cannot open: %s", path, strerror(errno));
    hs_status st = read_fd(fd, path, limit, HS_EIO, data, size, err);
    close(fd);
    return st;
}

hs_status hs_write_atomic_at(int dirfd, const char *name, const char *shown, const void *data,
                             size_t n, hs_err *err)
{
    bool exists;
    hs_status st = hs_check_at(dirfd, name, false, shown, &exists, err);
    if (st) return st;
    /* The temporary name is unique to this process and created with O_EXCL | O_NOFOLLOW, so two
     * writers never share one and a planted link or file under it is never written through. */
    size_t tlen = strlen(name) + 64;
    char *tmp = malloc(tlen);
    if (!tmp) return hs_fail(err, HS_ENOMEM, "out of memory writing %s", shown);
    int fd = -1;
    for (int k = 0; k < 1000 && fd < 0; k++) {
        hs_tmp_name(tmp, tlen, name, k);
        fd = openat(dirfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
        if (fd < 0 && errno != EEXIST) break;
    }
    int bad = fd < 0 || hs_write_all(fd, data, n) || fsync(fd);
    int e = errno;
    if (fd >= 0 && close(fd) && !bad) bad = 1, e = errno;
    /* rename replaces the name itself: were a link planted at the target after the check, the
     * link would be replaced, never what it points to. */
    if (!bad && renameat(dirfd, tmp, dirfd, name)) bad = 1, e = errno;
    if (!bad) fsync(dirfd); /* best effort: some file systems refuse fsync on directories */
    if (bad) {
        if (fd >= 0) unlinkat(dirfd, tmp, 0);
        st = hs_fail(err, HS_EIO, "cannot write %s: %s", shown, strerror(e));
    }
    free(tmp);
    return st;
}

hs_status hs_write_atomic(const char *path, const void *data, size_t n, hs_err *err)
{
    const char *slash = strrchr(path, '/');
    char *dir = slash ? strndup(path, slash == path ? 1 : (size_t)(slash - path)) : strdup(".");
    if (!dir) return hs_fail(err, HS_ENOMEM, "out of memory writing %s", path);
    int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    free(dir);
    if (dfd < 0) return hs_fail(err, HS_EIO, "cannot write %s: %s", path, strerror(errno));
    hs_status st = hs_write_atomic_at(dfd, slash ? slash + 1 : path, path, data, n, err);
    close(dfd);
    return st;
}

hs_status hs_remove_at(int dirfd, const char *name, const char *shown, hs_err *err)
{
    if (unlinkat(dirfd, name, 0) == 0 || errno == ENOENT) return HS_OK;
    if (errno == EISDIR || errno == EPERM) { /* Linux says EISDIR, POSIX EPERM, for a directory */
        struct stat sb;
        if (!fstatat(dirfd, name, &sb, AT_SYMLINK_NOFOLLOW) && S_ISDIR(sb.st_mode))
            return hs_fail(err, HS_EINPUT,
                           "%s is a directory where hopsweep keeps a regular file; remove it",
                           shown);
    }
    return hs_fail(err, HS_EIO, "cannot remove the stale %s: %s", shown, strerror(errno));
}

hs_status hs_probe_writable_at(int dirfd, const char *shown, hs_err *err)
{
    char name[64];
    int fd = -1, e = 0;
    for (int k = 0; k < 1000 && fd < 0; k++) {
        snprintf(name, sizeof name, ".probe.%ld.%d.tmp", (long)getpid(), k);
        fd = openat(dirfd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
        e = errno;
        if (fd < 0 && e != EEXIST) break;
    }
    if (fd < 0)
        return hs_fail(err, hs_errno_status(e) == HS_EIO ? HS_EIO : HS_EINPUT,
                       "cannot write into %s: %s; choose a writable directory", shown, strerror(e));
    close(fd);
    unlinkat(dirfd, name, 0);
    return HS_OK;
}

/* FNV-1a of the host name, so a temporary says which host's process wrote it: a store on a
 * shared file system is written from several hosts, and a pid means something only on its own. */
static uint32_t host_tag(void)
{
    char host[256] = "";
    gethostname(host, sizeof host - 1);
    uint32_t h = 2166136261u;
    for (const char *p = host; *p; p++) h = (h ^ (unsigned char)*p) * 16777619u;
    return h;
}

void hs_tmp_name(char *buf, size_t cap, const char *name, int k)
{
    snprintf(buf, cap, "%s.%ld-%08x.%d.tmp", name, (long)getpid(), (unsigned)host_tag(), k);
}

/* Parses what hs_tmp_name makes ("NAME.<pid>-<host>.<k>.tmp") and what older builds made
 * ("NAME.<pid>.<k>.tmp", *has_host false); false for any other name. */
static bool parse_tmp(const char *s, long *pid, uint32_t *host, bool *has_host)
{
    size_t n = strlen(s);
    if (n < 9 || strcmp(s + n - 4, ".tmp")) return false;
    const char *p = s + n - 4, *end = p;
    while (p > s && p[-1] >= '0' && p[-1] <= '9') p--; /* k */
    if (p == end || p == s || p[-1] != '.') return false;
    end = --p;
    *has_host = false;
    const char *h = p;
    while (h > s && h[-1] && strchr("0123456789abcdef", h[-1])) h--;
    if (end - h == 8 && h > s && h[-1] == '-') { /* the host tag */
        *host = (uint32_t)strtoul(h, NULL, 16);
        *has_host = true;
        end = p = h - 1;
    }
    while (p > s && p[-1] >= '0' && p[-1] <= '9') p--; /* pid */
    if (p == end || p == s || p[-1] != '.' || p - 1 == s) return false;
    *pid = strtol(p, NULL, 10);
    return true;
}

/* Whether process pid is on its way out: a zombie, or SIGKILL already pending for it (a killed
 * process can take a while to exit, e.g. inside fsync). Without /proc, no. */
static bool dying(long pid)
{
    char path[64], buf[1024];
    snprintf(path, sizeof path, "/proc/%ld/status", pid);
    FILE *f = fopen(path, "re");
    if (!f) return false;
    bool out = false;
    while (!out && fgets(buf, sizeof buf, f)) {
        unsigned long long mask;
        if (!strncmp(buf, "State:", 6))
            out = strchr(buf + 6, 'Z') || strchr(buf + 6, 'X');
        else if ((!strncmp(buf, "ShdPnd:", 7) || !strncmp(buf, "SigPnd:", 7)) &&
                 sscanf(buf + 7, "%llx", &mask) == 1)
            out = mask & (1ull << (SIGKILL - 1));
    }
    fclose(f);
    return out;
}

/* Whether the temporary s (of the entry name `of`, or of any name when of is NULL) was left by
 * a process that is gone: ours from an earlier call (we write one file at a time), a pid that no
 * longer runs on this host, or, from another host where we cannot ask, one a day old. */
static bool stale_tmp(int dirfd, const char *s, const char *of)
{
    long pid;
    uint32_t host;
    bool has_host;
    if (!parse_tmp(s, &pid, &host, &has_host)) return false;
    if (of && (strncmp(s, of, strlen(of)) || s[strlen(of)] != '.')) return false;
    if (has_host && host != host_tag()) {
        struct stat sb;
        return !fstatat(dirfd, s, &sb, AT_SYMLINK_NOFOLLOW) && time(NULL) - sb.st_mtime > 86400;
    }
    if (pid == (long)getpid() || pid <= 0) return true;
    return (kill((pid_t)pid, 0) && errno == ESRCH) || dying(pid);
}

void hs_remove_stale_tmp(int dirfd, const char *of)
{
    int fd = dup(dirfd);
    if (fd < 0) return;
    DIR *d = fdopendir(fd);
    if (!d) {
        close(fd);
        return;
    }
    rewinddir(d);
    for (struct dirent *e; (e = readdir(d));)
        if (stale_tmp(dirfd, e->d_name, of)) unlinkat(dirfd, e->d_name, 0); /* a directory stays */
    closedir(d);
}

hs_status hs_lock_dir(int dirfd, const char *dir, const char *what, bool wait, int *lock_fd,
                      hs_err *err)
{
    *lock_fd = -1;
    char *path = hs_path_join(dir, ".lock");
    if (!path) return hs_fail(err, HS_ENOMEM, "out of memory opening %s %s", what, dir);
    bool exists;
    hs_status st = hs_check_at(dirfd, ".lock", false, path, &exists, err);
    if (st) goto out;
    int fd = openat(dirfd, ".lock", O_RDWR | O_CREAT | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC, 0644);
    if (fd < 0) {
        int e = errno;
        st = hs_fail(err, e == ELOOP ? HS_EINPUT : hs_errno_status(e),
                     "cannot open %s: %s; choose a writable output directory", path, strerror(e));
        goto out;
    }
    struct stat sb;
    if (fstat(fd, &sb) || !S_ISREG(sb.st_mode)) {
        close(fd);
        st = hs_fail(err, HS_EINPUT, "%s is not a regular file; remove it", path);
        goto out;
    }
    /* The holder can let go between our F_SETLK and F_GETLK; then try again. */
    for (int attempt = 0;; attempt++) {
        struct flock fl = {.l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 0};
        if (fcntl(fd, wait ? F_SETLKW : F_SETLK, &fl) == 0) break;
        int e = errno;
        if (e == EINTR) continue;
        if (e != EACCES && e != EAGAIN) {
            st = hs_fail(err, HS_EIO,
                         "cannot lock %s: %s; the file system may not support locks, choose an "
                         "output on a local disk",
                         path, strerror(e));
            close(fd);
            goto out;
        }
        struct flock who = {.l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 0};
        if (fcntl(fd, F_GETLK, &who) == 0 && who.l_type == F_UNLCK && attempt < 3) continue;
        char holder[48] = "another process";
        if (who.l_type != F_UNLCK && who.l_pid > 0)
            snprintf(holder, sizeof holder, "process %ld", (long)who.l_pid);
        st = hs_fail(err, HS_EINPUT,
                     "%s %s is in use by %s (it holds %s); wait for it to finish or choose "
                     "another output",
                     what, dir, holder, path);
        close(fd);
        goto out;
    }
    /* For people looking at the directory; F_GETLK is what the lock relies on. */
    char pid[32];
    int len = snprintf(pid, sizeof pid, "%ld\n", (long)getpid());
    if (ftruncate(fd, 0) == 0 && pwrite(fd, pid, (size_t)len, 0) < 0) {
        /* best effort */
    }
    *lock_fd = fd;
out:
    free(path);
    return st;
}

/* ---- a whole file written as a stream ---- */

hs_status hs_stream_open(hs_stream_out *o, const char *path, hs_err *err)
{
    memset(o, 0, sizeof *o);
    o->dir_fd = -1;
    const char *slash = strrchr(path, '/');
    char *dir = slash ? strndup(path, slash == path ? 1 : (size_t)(slash - path)) : strdup(".");
    o->path = strdup(path);
    o->name = o->path ? o->path + (slash ? (size_t)(slash + 1 - path) : 0) : NULL;
    size_t tlen = strlen(path) + 48;
    o->tmp = malloc(tlen);
    if (!dir || !o->path || !o->tmp) {
        free(dir);
        hs_stream_abort(o);
        return hs_fail(err, HS_ENOMEM, "out of memory writing %s", path);
    }
    o->dir_fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    free(dir);
    if (o->dir_fd < 0) {
        int e = errno;
        hs_stream_abort(o);
        return hs_fail(err, HS_EIO, "cannot write %s: %s", path, strerror(e));
    }
    bool exists;
    hs_status st = hs_check_at(o->dir_fd, o->name, false, path, &exists, err);
    if (st) {
        hs_stream_abort(o);
        return st;
    }
    int fd = -1;
    for (int k = 0; k < 1000 && fd < 0; k++) {
        snprintf(o->tmp, tlen, "%s.%ld.%d.tmp", o->name, (long)getpid(), k);
        fd = openat(o->dir_fd, o->tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
        if (fd < 0 && errno != EEXIST) break;
    }
    if (fd >= 0 && !(o->f = fdopen(fd, "w"))) close(fd), unlinkat(o->dir_fd, o->tmp, 0);
    if (!o->f) {
        int e = errno;
        if (fd < 0) o->tmp[0] = '\0';
        hs_stream_abort(o);
        return hs_fail(err, HS_EIO, "cannot write %s: %s", path, strerror(e));
    }
    return HS_OK;
}

hs_status hs_stream_commit(hs_stream_out *o, hs_err *err)
{
    int bad = fflush(o->f) || ferror(o->f) || fsync(fileno(o->f));
    int e = errno;
    if (fclose(o->f) && !bad) bad = 1, e = errno;
    o->f = NULL;
    if (!bad && renameat(o->dir_fd, o->tmp, o->dir_fd, o->name)) bad = 1, e = errno;
    if (!bad) {
        fsync(o->dir_fd); /* best effort, as hs_write_atomic_at */
        o->tmp[0] = '\0';
    }
    hs_status st = bad ? hs_fail(err, HS_EIO, "cannot write %s: %s", o->path, strerror(e)) : HS_OK;
    hs_stream_abort(o);
    return st;
}

void hs_stream_abort(hs_stream_out *o)
{
    if (o->f) fclose(o->f);
    if (o->dir_fd >= 0 && o->tmp && o->tmp[0]) unlinkat(o->dir_fd, o->tmp, 0);
    if (o->dir_fd >= 0) close(o->dir_fd);
    free(o->tmp);
    free(o->path);
    memset(o, 0, sizeof *o);
    o->dir_fd = -1;
}
