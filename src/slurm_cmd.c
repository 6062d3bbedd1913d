/* slurm_cmd.c — `hopsweep slurm`: checks the options, fills the compiled-in batch-script
 * template (slurm/hopsweep.sbatch.in, as the generated slurm_template.h) and prints, writes or
 * submits the script. */
#define _XOPEN_SOURCE 700 /* realpath */
#include "hopsweep/slurm_cmd.h"

#include <errno.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "hopsweep/cli.h"
#include "hopsweep/fileio.h"
#include "hopsweep/sweep.h"
#include "slurm_template.h"

extern char **environ;


static const char SLURM_USAGE[] =
    "usage: hopsweep slurm SWEEP.yaml [key=value | key=v1,v2,...] [--out DIR] [options]\n"
    "                      [--script PATH] [--submit]\n"
    "\n"
    "Renders a Slurm batch script that runs the sweep with `hopsweep run` and prints it, or\n"
    "writes it to --script, or with --submit writes it (to --script, else to\n"
    "STORE/slurm/hopsweep-NAME.sbatch) and submits it with sbatch, printing Slurm's job id.\n"
    "The script records each start of the job in STORE/slurm_jobs.txt, passes Slurm's\n"
    "time-limit warning (USR1, --grace seconds ahead) to hopsweep, which checkpoints its running\n"
    "jobs, and requeues itself while work remains: the requeued job resumes where the last one\n"
    "stopped. The script's own log lines start with \"hopsweep-slurm:\". key=value arguments\n"
    "are passed on to `hopsweep run`.\n"
    "\n"
    "  --out DIR               the store (default: the sweep's output:)\n"
    "  --nodes N               nodes (1)\n"
    "  --ntasks-per-node N     MPI ranks per node (1, since the cores of the cluster's nodes are\n"
    "                          not known here: set it to the cores per node)\n"
    "  --cpus-per-task N       CPUs, and BLAS threads, of each rank (1)\n"
    "  --time T                time limit: minutes, H:M:S or D-H:M:S (1:00:00)\n"
    "  --grace S               seconds between the warning and the time limit (120)\n"
    "  --partition P, --account A, --qos Q, --mem M\n"
    "                          asked of Slurm when given (M: megabytes, or with K/M/G/T)\n"
    "  --output PATTERN        the job's log, appended to by requeued runs, relative to the\n"
    "                          submit directory (%x-%j.out: hopsweep-NAME-JOBID.out; with\n"
    "                          --array %x-%A_%a.out)\n"
    "  --extra '#SBATCH ...'   one more header line for the script (repeatable)\n"
    "  --launcher srun|mpirun  what starts the MPI ranks (srun: srun --mpi=pmix)\n"
    "  --array N               no MPI: N array tasks, task K runs the jobs i with i % N == K\n"
    "                          into STORE/shards/K and then merges them into STORE\n"
    "  --script PATH           write the script to PATH instead of printing it\n"
    "  --submit                write the script and submit it with sbatch\n"
    "\n"
    "exit codes: 0 ok, 2 bad input (also: sbatch missing or refusing the job), 3 I/O\n";

/* ---- a growing string ---- */

/* Text is built in memory streams (open_memstream): fwrite/fputs/fprintf grow the buffer, and
 * fclose reports a failed allocation. Closes f and returns its text, or NULL (freed) when it
 * failed; *text is only final after fclose, hence the pointer. */
static char *close_text(FILE *f, char **text)
{
    bool bad = ferror(f) != 0;
    if (fclose(f) || bad) {
        free(*text);
        *text = NULL;
    }
    return *text;
}

/* s as one bash word: inside single quotes nothing is special, and a quote itself is written
 * as '\'' (close, escaped quote, reopen). */
static void put_quoted(FILE *b, const char *s)
{
    fwrite("'", 1, 1, b);
    for (const char *q; (q = strchr(s, '\'')); s = q + 1) {
        fwrite(s, 1, (size_t)(q - s), b);
        fwrite("'\\''", 1, 4, b);
    }
    fputs(s, b);
    fwrite("'", 1, 1, b);
}

/* ---- checks ---- */

static bool has_control(const char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s < 0x20 || *s == 0x7f) return true;
    return false;
}

/* hs_fail for bad input whose message quotes what the user typed: control characters in it
 * are shown escaped, so the message stays one line. */
#if defined(__GNUC__)
__attribute__((format(printf, 2, 3)))
#endif
static hs_status bad_input(hs_err *err, const char *fmt, ...)
{
    if (!err) return HS_EINPUT;
    char raw[sizeof err->msg];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(raw, sizeof raw, fmt, ap);
    va_end(ap);
    size_t n = 0;
    for (const char *s = raw; *s && n + 5 < sizeof raw; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '\n' || c == '\t') {
            n += (size_t)snprintf(err->msg + n, 3, "\\%c", c == '\n' ? 'n' : 't');
        } else if (c < 0x20 || c == 0x7f) {
            n += (size_t)snprintf(err->msg + n, 5, "\\x%02x", c);
        } else {
            err->msg[n++] = (char)c;
        }
    }
    err->msg[n] = '\0';
    err->code = HS_EINPUT;
    return HS_EINPUT;
}

/* Non-empty and made only of characters in set. */
static bool only(const char *s, const char *set) { return *s && !s[strspn(s, set)]; }

#define DIGITS "0123456789"
#define NAME_CHARS "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ" DIGITS "_.-"

/* A count in [lo, hi]; -1 when s is not one. */
static long parse_count(const char *s, long lo, long hi)
{
    if (!only(s, DIGITS) || strlen(s) > 9) return -1;
    long v = strtol(s, NULL, 10);
    return v >= lo && v <= hi ? v : -1;
}

/* Reads up to three ':'-separated fields of digits from s into f; their number, or -1. */
static int time_fields(const char *s, long f[3])
{
    int n = 0;
    for (;;) {
        size_t len = strspn(s, DIGITS);
        if (len == 0 || len > 9 || n == 3) return -1;
        f[n++] = strtol(s, NULL, 10);
        s += len;
        if (!*s) return n;
        if (*s++ != ':') return -1;
    }
}

/* Seconds in a Slurm time limit (M, M:S, H:M:S, D-H, D-H:M, D-H:M:S), -1 when s is not one. */
static long slurm_time_seconds(const char *s)
{
    long f[3] = {0, 0, 0}, days = 0, h = 0, m = 0, sec = 0;
    const char *dash = strchr(s, '-');
    if (dash) {
        size_t len = (size_t)(dash - s);
        if (len == 0 || len > 5 || strspn(s, DIGITS) != len) return -1;
        days = strtol(s, NULL, 10);
        int n = time_fields(dash + 1, f);
        if (n < 1) return -1;
        h = f[0], m = f[1], sec = f[2];
        if (h > 23) return -1;
    } else {
        int n = time_fields(s, f);
        if (n == 1)
            m = f[0];
        else if (n == 2)
            m = f[0], sec = f[1];
        else if (n == 3)
            h = f[0], m = f[1], sec = f[2];
        else
            return -1;
        if (n == 3 && m > 59) return -1;
    }
    if ((dash && m > 59) || sec > 59) return -1;
    long total = ((days * 24 + h) * 60 + m) * 60 + sec;
    return total > 0 ? total : -1;
}

static const char *default_output(const hs_slurm_opts *o)
{
    return o->array ? "%x-%A_%a.out" : "%x-%j.out"; /* %x: the job name, hopsweep-<sweep> */
}

/* The fields a user sets by options, alone and together. */
static hs_status check_options(const hs_slurm_opts *o, hs_err *err)
{
    if (o->nodes < 1 || o->nodes > 100000)
        return bad_input(err, "--nodes %d is not a count in 1..100000", o->nodes);
    if (o->ntasks_per_node < 1 || o->ntasks_per_node > 4096)
        return bad_input(err, "--ntasks-per-node %d is not a count in 1..4096", o->ntasks_per_node);
    if (o->cpus_per_task < 1 || o->cpus_per_task > 1024)
        return bad_input(err, "--cpus-per-task %d is not a count in 1..1024", o->cpus_per_task);
    if (o->array < 0 || o->array > 100000)
        return bad_input(err, "--array %d is not a count in 1..100000", o->array);
    if (o->grace_s < 1 || o->grace_s > 65535)
        return bad_input(err, "--grace %d is not a number of seconds in 1..65535 (Slurm's limit)",
                         o->grace_s);
    long limit = o->time ? slurm_time_seconds(o->time) : -1;
    if (limit < 0)
        return bad_input(err,
                         "--time \"%s\" is not a Slurm time limit; write minutes, H:M:S or D-H:M:S "
                         "(e.g. 90, 1:30:00, 2-00:00:00)",
                         o->time ? o->time : "");
    if (o->grace_s >= limit)
        return bad_input(
            err,
            "--grace %d s is not shorter than --time %s (%ld s): the warning would come "
            "before any work; lower --grace or raise --time",
            o->grace_s, o->time, limit);
    const struct {
        const char *opt, *value;
    } names[] = {{"--partition", o->partition}, {"--account", o->account}, {"--qos", o->qos}};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (names[i].value && !only(names[i].value, NAME_CHARS ","))
            return bad_input(err,
                             "%s \"%s\" is not a Slurm name; use letters, digits and _ . - "
                             "(commas between several)",
                             names[i].opt, names[i].value);
    if (o->mem) {
        size_t d = strspn(o->mem, DIGITS);
        if (d == 0 || d > 12 || (o->mem[d] && (!strchr("KMGTkmgt", o->mem[d]) || o->mem[d + 1])))
            return bad_input(err,
                             "--mem \"%s\" is not a memory size; write megabytes, or a number "
                             "with K, M, G or T (e.g. 4G)",
                             o->mem);
    }
    /* sbatch reads #SBATCH lines itself, without a shell: keep the value one plain word */
    if (o->output && (!*o->output || has_control(o->output) || strpbrk(o->output, " '\"\\#")))
        return bad_input(err,
                         "--output \"%s\" must be a path without spaces, quotes, '#', backslashes "
                         "or control characters",
                         o->output);
    for (int i = 0; i < o->n_extra; i++)
        if (strncmp(o->extra[i], "#SBATCH ", 8) || !o->extra[i][8] || has_control(o->extra[i]))
            return bad_input(err,
                             "--extra \"%s\" must be one line starting with \"#SBATCH \" "
                             "(e.g. --extra '#SBATCH --gres=gpu:1')",
                             o->extra[i]);
    if (o->launcher != HS_SLURM_SRUN && o->launcher != HS_SLURM_MPIRUN)
        return bad_input(err, "unknown launcher %d; use srun or mpirun", (int)o->launcher);
    if (o->array && (o->nodes != 1 || o->ntasks_per_node != 1))
        return bad_input(
            err,
            "--array runs one process per array task, so --nodes %d and "
            "--ntasks-per-node %d do not apply; drop them, or ask for more array tasks",
            o->nodes, o->ntasks_per_node);
    return HS_OK;
}

hs_status hs_slurm_check(const hs_slurm_opts *o, hs_err *err)
{
    hs_status st = check_options(o, err);
    if (st) return st;
    if (!o->name || !*o->name || has_control(o->name))
        return bad_input(err,
                         "the sweep's name \"%s\" is empty or holds control characters; "
                         "set name: in the sweep file",
                         o->name ? o->name : "");
    const struct {
        const char *what, *path;
    } paths[] = {
        {"sweep file", o->sweep}, {"store", o->store}, {"hopsweep executable", o->hopsweep}};
    for (size_t i = 0; i < sizeof paths / sizeof paths[0]; i++) {
        const char *p = paths[i].path;
        if (!p || p[0] != '/' || has_control(p))
            return bad_input(err,
                             "the %s path \"%s\" must be absolute and free of control characters "
                             "(the job may start in another directory)",
                             paths[i].what, p ? p : "");
    }
    for (int i = 0; i < o->n_overrides; i++) {
        const char *s = o->overrides[i];
        if (!strchr(s, '=') || s[0] == '=' || s[0] == '-' || has_control(s))
            return bad_input(
                err, "\"%s\" is not a key=value override for hopsweep run (e.g. model.layers=2)",
                s);
    }
    return HS_OK;
}

void hs_slurm_opts_default(hs_slurm_opts *o)
{
    memset(o, 0, sizeof *o);
    o->nodes = 1;
    o->ntasks_per_node = 1;
    o->cpus_per_task = 1;
    o->time = "1:00:00";
    o->grace_s = 120;
    o->launcher = HS_SLURM_SRUN;
}

/* ---- parsing the command line ---- */

void hs_slurm_args_free(hs_slurm_args *a)
{
    free(a->lists);
    a->lists = NULL;
}

hs_status hs_slurm_parse_args(hs_slurm_args *a, int argc, char **argv, hs_err *err)
{
    memset(a, 0, sizeof *a);
    hs_slurm_opts_default(&a->opts);
    /* room for every argument being an override, or an --extra line */
    a->lists = malloc(sizeof(char *) * (2 * (size_t)argc + 1));
    if (!a->lists) return hs_fail(err, HS_ENOMEM, "out of memory reading the arguments");
    char **overrides = a->lists, **extra = a->lists + argc;
    int n_over = 0, n_extra = 0;
    bool launcher_given = false;
    hs_slurm_opts *o = &a->opts;
    /* the options that take a value: a text kept as given, or a count in 1..hi */
    const struct {
        const char *name;
        const char **text;
        bool path;
        int *count;
        long hi;
    } table[] = {
        {.name = "--out", .text = &a->out, .path = true},
        {.name = "--script", .text = &a->script, .path = true},
        {.name = "--hopsweep-bin", .text = &a->hopsweep_bin, .path = true},
        {.name = "--time", .text = &o->time},
        {.name = "--partition", .text = &o->partition},
        {.name = "--account", .text = &o->account},
        {.name = "--qos", .text = &o->qos},
        {.name = "--mem", .text = &o->mem},
        {.name = "--output", .text = &o->output},
        {.name = "--nodes", .count = &o->nodes, .hi = 100000},
        {.name = "--ntasks-per-node", .count = &o->ntasks_per_node, .hi = 4096},
        {.name = "--cpus-per-task", .count = &o->cpus_per_task, .hi = 1024},
        {.name = "--grace", .count = &o->grace_s, .hi = 65535},
        {.name = "--array", .count = &o->array, .hi = 100000},
        {.name = "--extra"},
        {.name = "--launcher"},
    };
    const size_t n_table = sizeof table / sizeof table[0];
    for (int i = 0; i < argc; i++) {
        const char *s = argv[i];
        if (!strcmp(s, "--help") || !strcmp(s, "-h")) {
            a->help = true;
            return HS_OK;
        }
        if (!strcmp(s, "--submit")) {
            a->submit = true;
            continue;
        }
        if (s[0] != '-') {
            if (has_control(s))
                return bad_input(err,
                                 "argument \"%s\" holds control characters; give a plain "
                                 "path or key=value",
                                 s);
            if (strchr(s, '=')) {
                overrides[n_over++] = argv[i];
            } else if (a->sweep_file) {
                return bad_input(err,
                                 "two sweep files (%s, %s); give one, and key=value for the rest",
                                 a->sweep_file, s);
            } else {
                a->sweep_file = s;
            }
            continue;
        }
        /* --name VALUE or --name=VALUE */
        const char *eq = strchr(s, '='), *v;
        size_t len = eq ? (size_t)(eq - s) : strlen(s);
        size_t k = 0;
        while (k < n_table && (strlen(table[k].name) != len || strncmp(table[k].name, s, len))) k++;
        if (k == n_table) return bad_input(err, "unknown option %s; see hopsweep slurm --help", s);
        const char *opt = table[k].name;
        if (eq)
            v = eq + 1;
        else if (i + 1 < argc)
            v = argv[++i];
        else
            return bad_input(err, "%s needs a value; see hopsweep slurm --help", opt);
        if (table[k].path && (!*v || has_control(v)))
            return bad_input(err, "%s \"%s\" is not a usable path", opt, v);
        if (table[k].text) {
            *table[k].text = v;
        } else if (table[k].count) {
            long n = parse_count(v, 1, table[k].hi);
            if (n < 0)
                return bad_input(err, "%s \"%s\" is not a whole number in 1..%ld", opt, v,
                                 table[k].hi);
            *table[k].count = (int)n;
        } else if (!strcmp(opt, "--extra")) {
            extra[n_extra++] = (char *)v;
        } else { /* --launcher */
            if (!strcmp(v, "srun"))
                o->launcher = HS_SLURM_SRUN;
            else if (!strcmp(v, "mpirun"))
                o->launcher = HS_SLURM_MPIRUN;
            else
                return bad_input(err, "--launcher \"%s\" is not srun or mpirun", v);
            launcher_given = true;
        }
    }
    o->n_overrides = n_over;
    o->overrides = overrides;
    o->n_extra = n_extra;
    o->extra = extra;
    if (!a->sweep_file)
        return bad_input(err, "no sweep file; usage: hopsweep slurm SWEEP.yaml [options]");
    if (o->array && launcher_given)
        return bad_input(err, "--launcher does not apply with --array: array tasks run without "
                              "MPI; drop one of them");
    return check_options(o, err);
}

/* ---- rendering ---- */

/* The job name: Slurm shows it in squeue and puts it in log names (%x), so only plain
 * characters. */
static void put_job_name(FILE *b, const char *name)
{
    fputs("hopsweep-", b);
    for (const char *s = name; *s; s++) {
        char c = strchr(NAME_CHARS, *s) ? *s : '_';
        fwrite(&c, 1, 1, b);
    }
}

/* The optional #SBATCH lines, each ending with a newline. */
static void put_more(FILE *b, const hs_slurm_opts *o)
{
    if (o->array) fprintf(b, "#SBATCH --array=0-%d\n", o->array - 1);
    const struct {
        const char *opt, *value;
    } lines[] = {
        {"partition", o->partition}, {"account", o->account}, {"qos", o->qos}, {"mem", o->mem}};
    for (size_t i = 0; i < sizeof lines / sizeof lines[0]; i++) {
        if (!lines[i].value) continue;
        fprintf(b, "#SBATCH --%s=", lines[i].opt);
        fputs(lines[i].value, b);
        fwrite("\n", 1, 1, b);
    }
    for (int i = 0; i < o->n_extra; i++) {
        fputs(o->extra[i], b);
        fwrite("\n", 1, 1, b);
    }
}

/* Appends the value of placeholder @name@; false for a name the renderer does not know. */
static bool put_value(FILE *b, const char *name, size_t len, const hs_slurm_opts *o)
{
#define IS(s) (len == sizeof(s) - 1 && !memcmp(name, s, len))
    if (IS("JOB_NAME"))
        put_job_name(b, o->name);
    else if (IS("NODES"))
        fprintf(b, "%d", o->nodes);
    else if (IS("NTASKS_PER_NODE"))
        fprintf(b, "%d", o->ntasks_per_node);
    else if (IS("CPUS_PER_TASK"))
        fprintf(b, "%d", o->cpus_per_task);
    else if (IS("TIME"))
        fputs(o->time, b);
    else if (IS("GRACE"))
        fprintf(b, "%d", o->grace_s);
    else if (IS("OUTPUT"))
        fputs(o->output ? o->output : default_output(o), b);
    else if (IS("HOPSWEEP"))
        put_quoted(b, o->hopsweep);
    else if (IS("SWEEP"))
        put_quoted(b, o->sweep);
    else if (IS("STORE"))
        put_quoted(b, o->store);
    else if (IS("ARRAY"))
        fprintf(b, "%d", o->array);
    else if (IS("LAUNCHER"))
        fputs(o->launcher == HS_SLURM_MPIRUN ? "mpirun" : "srun", b);
    else if (IS("OVERRIDES")) {
        for (int i = 0; i < o->n_overrides; i++) {
            if (i) fwrite(" ", 1, 1, b);
            put_quoted(b, o->overrides[i]);
        }
    } else
        return false;
    return true;
#undef IS
}

hs_status hs_slurm_render(const hs_slurm_opts *o, char **script, size_t *len, hs_err *err)
{
    hs_status st = hs_slurm_check(o, err);
    if (st) return st;
    static const char BLOCK[] = "SBATCH_MORE"; /* stands for whole lines, so alone on its line */
    const char *t = (const char *)hs_slurm_template;
    size_t n = sizeof hs_slurm_template - 1, i = 0;
    char *text = NULL;
    size_t text_len = 0;
    FILE *b = open_memstream(&text, &text_len);
    if (!b) return hs_fail(err, HS_ENOMEM, "out of memory rendering the Slurm script");
    while (i < n) {
        const char *at = memchr(t + i, '@', n - i);
        size_t plain = at ? (size_t)(at - t) - i : n - i;
        fwrite(t + i, 1, plain, b);
        i += plain;
        if (!at) break;
        /* @NAME@ with NAME of capitals and '_'; any other '@' is text */
        size_t j = i + 1;
        while (j < n && ((t[j] >= 'A' && t[j] <= 'Z') || t[j] == '_')) j++;
        if (j == i + 1 || j >= n || t[j] != '@') {
            fwrite("@", 1, 1, b);
            i++;
            continue;
        }
        const char *name = t + i + 1;
        size_t name_len = j - i - 1;
        if (name_len == sizeof BLOCK - 1 && !memcmp(name, BLOCK, name_len)) {
            bool alone = (i == 0 || t[i - 1] == '\n') && j + 1 < n && t[j + 1] == '\n';
            if (!alone) {
                free(close_text(b, &text));
                return hs_fail(err, HS_EINTERNAL,
                               "the script template has @%s@ inside a line; "
                               "fix slurm/hopsweep.sbatch.in and rebuild",
                               BLOCK);
            }
            put_more(b, o);
            i = j + 2;
        } else if (put_value(b, name, name_len, o)) {
            i = j + 1;
        } else {
            free(close_text(b, &text));
            return hs_fail(err, HS_EINTERNAL,
                           "the script template names an unknown placeholder "
                           "@%.*s@; fix slurm/hopsweep.sbatch.in and rebuild",
                           (int)name_len, name);
        }
    }
    if (!(*script = close_text(b, &text)))
        return hs_fail(err, HS_ENOMEM, "out of memory rendering the Slurm script");
    *len = text_len;
    return HS_OK;
}

/* ---- the command ---- */

/* path made absolute without needing it to exist yet (a store is created by the job): the
 * longest existing prefix resolved by realpath, the rest appended as written. NULL when out of
 * memory. */
static char *absolute_path(const char *path)
{
    char *r = realpath(path, NULL);
    if (r) return r;
    char *copy = strdup(path);
    if (!copy) return NULL;
    size_t len = strlen(copy);
    while (len > 1 && copy[len - 1] == '/') copy[--len] = '\0';
    char *slash = strrchr(copy, '/');
    const char *parent = ".", *leaf = copy;
    if (slash == copy) {
        parent = "/";
        leaf = copy + 1;
    } else if (slash) {
        *slash = '\0';
        parent = copy;
        leaf = slash + 1;
    }
    char *base = absolute_path(parent); /* ends at "/" or ".", which exist */
    char *out = NULL;
    if (base) out = strcmp(base, "/") ? hs_path_join(base, leaf) : hs_path_join("", leaf);
    free(base);
    free(copy);
    return out;
}

/* Runs `sbatch --parsable path`, leaving its job id (digits) in id. Returns an exit code. */
static int submit(const char *path, char *id, size_t id_size)
{
    int fds[2];
    if (pipe(fds)) {
        fprintf(stderr, "hopsweep slurm: cannot run sbatch: %s; submit %s with sbatch yourself\n",
                strerror(errno), path);
        return HS_EXIT_IO;
    }
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, fds[1], STDOUT_FILENO);
    posix_spawn_file_actions_addclose(&fa, fds[0]);
    posix_spawn_file_actions_addclose(&fa, fds[1]);
    char *args[] = {"sbatch", "--parsable", (char *)path, NULL};
    pid_t pid;
    fflush(stderr);
    int e = posix_spawnp(&pid, "sbatch", &fa, NULL, args, environ);
    posix_spawn_file_actions_destroy(&fa);
    close(fds[1]);
    if (e) {
        close(fds[0]);
        if (e == ENOENT)
            fprintf(stderr,
                    "hopsweep slurm: sbatch not found on PATH; submit %s from a machine "
                    "with Slurm's client commands\n",
                    path);
        else
            fprintf(stderr,
                    "hopsweep slurm: cannot run sbatch: %s; submit %s with sbatch yourself\n",
                    strerror(e), path);
        return HS_EXIT_BAD_INPUT;
    }
    char out[256];
    size_t got = 0;
    for (;;) {
        ssize_t r = read(fds[0], out + got, sizeof out - 1 - got);
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) break;
        got += (size_t)r;
        if (got == sizeof out - 1) { /* more than a job id: drain the rest */
            char sink[256];
            while (read(fds[0], sink, sizeof sink) > 0) {
            }
            break;
        }
    }
    out[got] = '\0';
    close(fds[0]);
    int status;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    size_t digits = strspn(out, DIGITS);
    if (!WIFEXITED(status) || WEXITSTATUS(status) || digits == 0 || digits >= id_size) {
        /* sbatch said why on stderr, which is ours */
        fprintf(stderr,
                "hopsweep slurm: sbatch did not accept %s (%s %d); fix what it says above and "
                "submit again\n",
                path, WIFEXITED(status) ? "exit" : "signal",
                WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status));
        return HS_EXIT_BAD_INPUT;
    }
    memcpy(id, out, digits);
    id[digits] = '\0';
    return 0;
}

/* The log file Slurm will write: the --output pattern with the job name (%x) and id (%j, %A)
 * filled in; %a (the array task) and the rest are left as they are. */
static void put_log_name(FILE *b, const hs_slurm_opts *o, const char *name, const char *id)
{
    const char *p = o->output ? o->output : default_output(o);
    for (; *p; p++) {
        if (p[0] == '%' && p[1] == 'x')
            put_job_name(b, name);
        else if (p[0] == '%' && (p[1] == 'j' || p[1] == 'A'))
            fputs(id, b);
        else {
            fwrite(p, 1, 1, b);
            continue;
        }
        p++;
    }
}

/* Writes the script to path, creating its directory. Returns an exit code. */
static int write_script(const char *path, const char *script, size_t len)
{
    hs_err err = {0};
    char *dir = strdup(path);
    if (!dir) {
        fprintf(stderr, "hopsweep slurm: out of memory\n");
        return HS_EXIT_IO;
    }
    char *slash = strrchr(dir, '/');
    hs_status st = HS_OK;
    if (slash && slash != dir) {
        *slash = '\0';
        st = hs_mkdirs(dir, &err);
    }
    free(dir);
    if (!st) st = hs_write_atomic(path, script, len, &err);
    if (st) {
        fprintf(stderr, "hopsweep slurm: %s\n", err.msg);
        return HS_EXIT_IO;
    }
    return 0;
}

int hs_cmd_slurm(int argc, char **argv)
{
    hs_slurm_args a;
    hs_err err = {0};
    hs_status st = hs_slurm_parse_args(&a, argc, argv, &err);
    if (st || a.help) {
        if (st)
            fprintf(stderr, "hopsweep slurm: %s\n", err.msg);
        else
            fputs(SLURM_USAGE, stdout);
        hs_slurm_args_free(&a);
        return st ? hs_exit_code(st) : 0;
    }
    hs_sweep sw;
    st = hs_sweep_load(&sw, a.sweep_file, a.opts.n_overrides, a.opts.overrides, &err);
    if (st) {
        fprintf(stderr, "hopsweep slurm: %s\n", err.msg);
        hs_slurm_args_free(&a);
        return hs_exit_code_loading(st);
    }
    int rc = 0;
    char *sweep = NULL, *store = NULL, *exe = NULL, *script = NULL, *script_path = NULL;
    size_t len = 0;
    if ((size_t)a.opts.array > sw.n_jobs) {
        fprintf(stderr,
                "hopsweep slurm: --array %d: sweep %s has only %zu job%s; ask for at most "
                "that many array tasks\n",
                a.opts.array, sw.name, sw.n_jobs, sw.n_jobs == 1 ? "" : "s");
        rc = HS_EXIT_BAD_INPUT;
        goto done;
    }
    sweep = realpath(a.sweep_file, NULL);
    store = absolute_path(a.out ? a.out : sw.output);
    exe = a.hopsweep_bin ? strdup(a.hopsweep_bin) : realpath("/proc/self/exe", NULL);
    if (!sweep || !store || !exe) {
        fprintf(stderr, "hopsweep slurm: cannot make %s absolute: %s\n",
                !sweep   ? a.sweep_file
                : !store ? "the store path"
                         : "the hopsweep path",
                strerror(errno));
        rc = HS_EXIT_IO;
        goto done;
    }
    a.opts.name = sw.name;
    a.opts.sweep = sweep;
    a.opts.store = store;
    a.opts.hopsweep = exe;
    st = hs_slurm_render(&a.opts, &script, &len, &err);
    if (st) {
        fprintf(stderr, "hopsweep slurm: %s\n", err.msg);
        rc = hs_exit_code(st);
        goto done;
    }
    if (!a.submit && !a.script) {
        if (fwrite(script, 1, len, stdout) != len || fflush(stdout)) {
            fprintf(stderr, "hopsweep slurm: cannot write the script to stdout: %s\n",
                    strerror(errno));
            rc = HS_EXIT_IO;
        }
        goto done;
    }
    if (a.script) {
        script_path = strdup(a.script);
    } else {
        /* the job name, which is also a safe file name */
        size_t n = 0;
        FILE *b = open_memstream(&script_path, &n);
        if (b) {
            fputs(store, b);
            fputs("/slurm/", b);
            put_job_name(b, sw.name);
            fputs(".sbatch", b);
            script_path = close_text(b, &script_path);
        }
    }
    if (!script_path) {
        fprintf(stderr, "hopsweep slurm: out of memory\n");
        rc = HS_EXIT_IO;
        goto done;
    }
    if ((rc = write_script(script_path, script, len))) goto done;
    if (!a.submit) {
        fprintf(stderr, "hopsweep slurm: wrote %s; submit it with: sbatch %s\n", script_path,
                script_path);
        goto done;
    }
    char id[64];
    if ((rc = submit(script_path, id, sizeof id))) goto done;
    printf("%s\n", id);
    fflush(stdout);
    char *log = NULL;
    size_t log_len = 0;
    FILE *lf = open_memstream(&log, &log_len);
    if (lf) {
        put_log_name(lf, &a.opts, sw.name, id);
        log = close_text(lf, &log);
    }
    fprintf(stderr,
            "hopsweep slurm: submitted Slurm job %s: sweep %s, %zu jobs, store %s, script %s; "
            "follow it with squeue -j %s and the log %s\n",
            id, sw.name, sw.n_jobs, store, script_path, id, log ? log : "");
    free(log);
done:
    free(script_path);
    free(script);
    free(exe);
    free(store);
    free(sweep);
    hs_sweep_free(&sw);
    hs_slurm_args_free(&a);
    return rc;
}
