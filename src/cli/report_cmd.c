/* report_cmd.c — the `hopsweep report` command: parses its flags, writes the page (report.h)
 * into memory, then to FILE.html atomically (so a browser never sees half a page), and prints
 * the path. */
#include "hopsweep/report_cmd.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hopsweep/cli.h"
#include "hopsweep/fileio.h"
#include "hopsweep/report.h"

static const char USAGE[] =
    "usage: hopsweep report STORE [--out FILE.html] [--max-jobs N] [--max-cells N]\n"
    "                       [--max-curves N] [--tau X] [--fraction F]\n"
    "\n"
    "Writes one self-contained HTML page of the result store STORE (finished or still being\n"
    "written; its lock is not taken): the sweep (jobs done, failed, interrupted, left;\n"
    "core-hours, hosts, engines, when), minimum layers against hops beside the theory, the\n"
    "accuracy heatmaps, the curricula compared, emergence per configuration, and a sortable\n"
    "table of every job (running ones too) linking to a section per job (per-hop accuracy with\n"
    "emergence, head roles over training, attention of the first and last logged step), with\n"
    "a filter by any config key and a comparison that overlays the curves of the jobs ticked\n"
    "in it (query accuracy, losses, per-hop accuracy, learning rate). Styles, figures (SVG),\n"
    "data and scripts are inline: the page fetches nothing, so it opens offline.\n"
    "The numbers are those of `hopsweep analyze`.\n"
    "\n"
    "  --out FILE     where to write (default STORE/report.html)\n"
    "  --max-jobs N   jobs that get a section of their own, in the analysis order (default 50;\n"
    "                 the table always lists every job)\n"
    "  --max-cells N  configurations whose emergence figures are drawn (default 40)\n"
    "  --max-curves N jobs whose curves the page carries for the comparison, in the analysis\n"
    "                 order (default 500; running jobs always)\n"
    "  --tau X, --fraction F   as for `hopsweep analyze`\n"
    "\n"
    "exit codes: 0 ok, 2 not a store or bad flags, 3 the page could not be written\n";

/* The temporary file the page is being written to: a signal that ends report mid-write removes
 * it (the handler can only use what is set up before it runs). A SIGKILLed report's temporary
 * is removed by the next report (or run) once its pid is gone. */
static char tmp_path[PATH_MAX + 128];

static void on_signal(int sig)
{
    if (tmp_path[0]) unlink(tmp_path);
    signal(sig, SIG_DFL);
    raise(sig);
}

/* Cleans what killed reports left beside path, and arms the handlers for this one's temporary. */
static void prepare_write(const char *path)
{
    const char *slash = strrchr(path, '/');
    const char *leaf = slash ? slash + 1 : path;
    char dir[PATH_MAX], name[NAME_MAX + 64];
    snprintf(dir, sizeof dir, "%.*s", slash ? (int)(slash - path) + (slash == path) : 1,
             slash ? path : ".");
    int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd >= 0) {
        hs_remove_stale_tmp(dfd, leaf);
        close(dfd);
    }
    hs_tmp_name(name, sizeof name, leaf, 0);
    if ((size_t)snprintf(tmp_path, sizeof tmp_path, "%s/%s", dir, name) >= sizeof tmp_path)
        tmp_path[0] = '\0'; /* too long to be written anyway */
    struct sigaction sa = {.sa_handler = on_signal};
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
}

static int bad(const char *what)
{
    fprintf(stderr, "hopsweep report: %s; see hopsweep report --help\n", what);
    return HS_EXIT_BAD_INPUT;
}

int hs_cmd_report(int argc, char **argv)
{
    const char *store = NULL, *out = NULL;
    hs_report_opts o;
    hs_report_opts_default(&o);
    hs_err err = {0};
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            fputs(USAGE, stdout);
            return HS_EXIT_OK;
        } else if (!strcmp(a, "--out")) {
            if (!v || !*v) return bad("--out needs a file name");
            out = v, i++;
        } else if (!strcmp(a, "--max-jobs") || !strcmp(a, "--max-cells") ||
                   !strcmp(a, "--max-curves")) {
            int *n = a[6] == 'j' ? &o.max_jobs : a[8] == 'l' ? &o.max_cells : &o.max_curves;
            if (!v) {
                fprintf(stderr, "hopsweep report: %s needs a count 0..1000000\n", a);
                return HS_EXIT_BAD_INPUT;
            }
            if (hs_cli_parse_int(v, 0, 1000000, a, n, &err)) return hs_cli_fail("report", &err);
            i++;
        } else if (!strcmp(a, "--tau") || !strcmp(a, "--fraction")) {
            double *x = a[2] == 't' ? &o.tau : &o.fraction;
            if (!v)
                return bad(a[2] == 't' ? "--tau needs a number in (0, 1]"
                                       : "--fraction needs a number in (0, 1]");
            if (hs_cli_parse_double(v, 0.0, true, 1.0, a, x, &err))
                return hs_cli_fail("report", &err);
            i++;
        } else if (a[0] == '-' || store) {
            fprintf(stderr,
                    "hopsweep report: unexpected argument \"%s\"; see hopsweep report "
                    "--help\n",
                    a);
            return HS_EXIT_BAD_INPUT;
        } else {
            store = a;
        }
    }
    if (!store) return bad("no store given (usage: hopsweep report STORE [--out FILE.html])");
    char *page = NULL, *path = out ? strdup(out) : hs_path_join(store, "report.html");
    size_t len = 0;
    FILE *f = path ? open_memstream(&page, &len) : NULL;
    if (!f) {
        free(path);
        fprintf(stderr, "hopsweep report: out of memory\n");
        return HS_EXIT_IO;
    }
    hs_status st = hs_report_write(f, store, &o, &err);
    bool loaded = !st; /* a store that cannot be read is the user's to fix, as in analyze */
    if (fclose(f) && !st) st = hs_fail(&err, HS_ENOMEM, "out of memory building the page");
    if (!st) prepare_write(path);
    if (!st) st = hs_write_atomic(path, page, len, &err);
    int rc = HS_EXIT_OK;
    if (st) {
        rc = loaded ? hs_cli_fail("report", &err) : hs_cli_fail_loading("report", &err);
    } else {
        printf("%s\n", path);
    }
    free(page);
    free(path);
    return rc;
}
