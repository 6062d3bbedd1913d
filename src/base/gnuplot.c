/* gnuplot.c — locating the scripts of analysis/, quoting the values handed to them and running
 * gnuplot on them with its output captured, for the commands that draw figures. */
#include "hopsweep/gnuplot.h"

#include <errno.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "hopsweep/fileio.h"

extern char **environ;

bool hs_gnuplot_available(void)
{
    const char *path = getenv("PATH");
    if (!path || !*path) path = "/usr/bin:/bin";
    char buf[4096];
    while (*path) {
        size_t len = strcspn(path, ":");
        if (len + sizeof "/./gnuplot" <= sizeof buf) {
            snprintf(buf, sizeof buf, "%.*s/gnuplot", (int)(len ? len : 1), len ? path : ".");
            if (!access(buf, X_OK)) return true;
        }
        path += len + (path[len] == ':');
    }
    return false;
}

/* dir/name when that file is readable (caller frees), else NULL; *oom on allocation failure. */
static char *readable(const char *dir, const char *name, bool *oom)
{
    char *p = hs_path_join(dir, name);
    if (!p) *oom = true;
    if (p && !access(p, R_OK)) return p;
    free(p);
    return NULL;
}

/* <prefix>/share/hopsweep/analysis for the executable's own <prefix>/bin, into dir; false when
 * the executable cannot be located. */
static bool installed_dir(char *dir, size_t size)
{
    char exe[4096];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n <= 0) return false;
    exe[n] = '\0';
    char *slash = strrchr(exe, '/');
    if (!slash) return false;
    *slash = '\0';
    return snprintf(dir, size, "%s/../share/hopsweep/analysis", exe) < (int)size;
}

hs_status hs_gnuplot_script(const char *name, char **path, hs_err *err)
{
    *path = NULL;
    bool oom = false;
    char dir[4096 + 64];
    /* Never the current directory: a gnuplot script can run any command (system()), so one
     * lying in whatever directory hopsweep is started from must not be picked up. */
    if (installed_dir(dir, sizeof dir)) *path = readable(dir, name, &oom);
#ifdef HOPSWEEP_SOURCE_DIR
    if (!*path && !oom) *path = readable(HOPSWEEP_SOURCE_DIR "/analysis", name, &oom);
#endif
    const char *env = getenv("HOPSWEEP_ANALYSIS_DIR");
    if (!*path && !oom && env && *env) *path = readable(env, name, &oom);
    if (*path) return HS_OK;
    if (oom) return hs_fail(err, HS_ENOMEM, "out of memory looking for %s", name);
    if (env && *env)
        return hs_fail(err, HS_EINPUT,
                       "HOPSWEEP_ANALYSIS_DIR=%s holds no %s, and neither does the installed "
                       "share/hopsweep/analysis or the source tree this hopsweep was built from; "
                       "point it at the analysis/ directory of the hopsweep sources",
                       env, name);
    return hs_fail(err, HS_EINPUT,
                   "cannot find the gnuplot script %s in share/hopsweep/analysis beside the "
                   "hopsweep executable or in the source tree it was built from; install "
                   "hopsweep (cmake --install) or set HOPSWEEP_ANALYSIS_DIR to the analysis/ "
                   "directory of the hopsweep sources",
                   name);
}

/* The first line of text[0..n) that is more than blanks and gnuplot's ^ markers, into line. */
static void first_line(const char *text, size_t n, char *line, size_t size)
{
    line[0] = '\0';
    for (size_t i = 0; i < n;) {
        size_t len = 0;
        while (i + len < n && text[i + len] != '\n') len++;
        size_t lead = 0;
        while (lead < len && strchr(" \t^\r", text[i + lead])) lead++;
        if (lead < len) {
            snprintf(line, size, "%.*s", (int)len, text + i);
            return;
        }
        i += len + 1;
    }
}

enum { TAIL = 4096 };

/* Reads fd to its end, keeping the last TAIL bytes in said: the end is where an error is. */
static size_t read_tail(int fd, char *said)
{
    size_t kept = 0;
    for (;;) {
        char chunk[1024];
        ssize_t got = read(fd, chunk, sizeof chunk);
        if (got < 0 && errno == EINTR) continue;
        if (got <= 0) break;
        if (kept + (size_t)got > TAIL) { /* a chunk is smaller than TAIL */
            size_t drop = kept + (size_t)got - TAIL;
            memmove(said, said + drop, kept - drop);
            kept -= drop;
        }
        memcpy(said + kept, chunk, (size_t)got);
        kept += (size_t)got;
    }
    return kept;
}

hs_status hs_gnuplot_run(const char *script, const char *vars, hs_err *err)
{
    int fds[2];
    if (pipe(fds)) return hs_fail(err, HS_EIO, "cannot start gnuplot: %s", strerror(errno));
    posix_spawn_file_actions_t fa;
    int rc = posix_spawn_file_actions_init(&fa);
    pid_t pid = 0;
    if (!rc) {
        posix_spawn_file_actions_addclose(&fa, fds[0]);
        posix_spawn_file_actions_adddup2(&fa, fds[1], STDOUT_FILENO);
        posix_spawn_file_actions_adddup2(&fa, fds[1], STDERR_FILENO);
        posix_spawn_file_actions_addclose(&fa, fds[1]);
        char *args[] = {"gnuplot", "-e", (char *)vars, (char *)script, NULL};
        rc = posix_spawnp(&pid, "gnuplot", &fa, NULL, args, environ);
        posix_spawn_file_actions_destroy(&fa);
    }
    close(fds[1]); /* so that the read below ends when gnuplot does */
    if (rc) {
        close(fds[0]);
        return hs_fail(err, HS_EIO, "cannot start gnuplot: %s", strerror(rc));
    }
    char said[TAIL];
    size_t kept = read_tail(fds[0], said);
    close(fds[0]);
    int status = 0;
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR) return hs_fail(err, HS_EIO, "waiting for gnuplot: %s", strerror(errno));
    if (WIFEXITED(status) && !WEXITSTATUS(status)) return HS_OK;
    fwrite(said, 1, kept, stderr);
    char why[256];
    first_line(said, kept, why, sizeof why);
    bool exited = WIFEXITED(status);
    return hs_fail(err, HS_EIO, "gnuplot failed (%s %d) on %s%s%s", exited ? "exit" : "signal",
                   exited ? WEXITSTATUS(status) : WTERMSIG(status), script, why[0] ? ": " : "",
                   why);
}

void hs_gnuplot_quote(FILE *f, const char *s)
{
    fputc('\'', f);
    for (; *s; s++) {
        if (*s == '\'') fputc('\'', f);
        fputc(*s, f);
    }
    fputc('\'', f);
}
