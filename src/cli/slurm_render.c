/* slurm_render.c — the options of the Slurm batch script checked, and the compiled-in template
 * (slurm/hopsweep.sbatch.in, as the generated slurm_template.h) filled from them
 * (slurm_render.h). */
#include "hopsweep/slurm_render.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hopsweep/cli.h"
#include "slurm_template.h"

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

/* ---- checks ---- */

/* Non-empty and made only of characters in set. */
static bool only(const char *s, const char *set) { return *s && !s[strspn(s, set)]; }

#define DIGITS     "0123456789"
#define NAME_CHARS "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ" DIGITS "_.-"

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

hs_status hs_slurm_check_options(const hs_slurm_opts *o, hs_err *err)
{
    if (o->nodes < 1 || o->nodes > 100000)
        return hs_cli_bad_input(err, "--nodes %d is not a count in 1..100000", o->nodes);
    if (o->ntasks_per_node < 1 || o->ntasks_per_node > 4096)
        return hs_cli_bad_input(err, "--ntasks-per-node %d is not a count in 1..4096",
                                o->ntasks_per_node);
    if (o->cpus_per_task < 1 || o->cpus_per_task > 1024)
        return hs_cli_bad_input(err, "--cpus-per-task %d is not a count in 1..1024",
                                o->cpus_per_task);
    if (o->array < 0 || o->array > 100000)
        return hs_cli_bad_input(err, "--array %d is not a count in 1..100000", o->array);
    if (o->grace_s < 1 || o->grace_s > 65535)
        return hs_cli_bad_input(
            err, "--grace %d is not a number of seconds in 1..65535 (Slurm's limit)", o->grace_s);
    long limit = o->time ? slurm_time_seconds(o->time) : -1;
    if (limit < 0)
        return hs_cli_bad_input(
            err,
            "--time \"%s\" is not a Slurm time limit; write minutes, H:M:S or D-H:M:S "
            "(e.g. 90, 1:30:00, 2-00:00:00)",
            o->time ? o->time : "");
    if (o->grace_s >= limit)
        return hs_cli_bad_input(
            err,
            "--grace %d s is not shorter than --time %s (%ld s): the warning would come "
            "before any work; lower --grace or raise --time",
            o->grace_s, o->time, limit);
    const struct {
        const char *opt, *value;
    } names[] = {{"--partition", o->partition}, {"--account", o->account}, {"--qos", o->qos}};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (names[i].value && !only(names[i].value, NAME_CHARS ","))
            return hs_cli_bad_input(err,
                                    "%s \"%s\" is not a Slurm name; use letters, digits and _ . - "
                                    "(commas between several)",
                                    names[i].opt, names[i].value);
    if (o->mem) {
        size_t d = strspn(o->mem, DIGITS);
        if (d == 0 || d > 12 || (o->mem[d] && (!strchr("KMGTkmgt", o->mem[d]) || o->mem[d + 1])))
            return hs_cli_bad_input(
                err,
                "--mem \"%s\" is not a memory size; write megabytes, or a number "
                "with K, M, G or T (e.g. 4G)",
                o->mem);
    }
    /* sbatch reads #SBATCH lines itself, without a shell: keep the value one plain word */
    if (o->output &&
        (!*o->output || hs_cli_has_control(o->output) || strpbrk(o->output, " '\"\\#")))
        return hs_cli_bad_input(
            err,
            "--output \"%s\" must be a path without spaces, quotes, '#', backslashes "
            "or control characters",
            o->output);
    for (int i = 0; i < o->n_extra; i++)
        if (strncmp(o->extra[i], "#SBATCH ", 8) || !o->extra[i][8] ||
            hs_cli_has_control(o->extra[i]))
            return hs_cli_bad_input(err,
                                    "--extra \"%s\" must be one line starting with \"#SBATCH \" "
                                    "(e.g. --extra '#SBATCH --gres=gpu:1')",
                                    o->extra[i]);
    if (o->launcher != HS_SLURM_SRUN && o->launcher != HS_SLURM_MPIRUN)
        return hs_cli_bad_input(err, "unknown launcher %d; use srun or mpirun", (int)o->launcher);
    if (o->array && (o->nodes != 1 || o->ntasks_per_node != 1))
        return hs_cli_bad_input(
            err,
            "--array runs one process per array task, so --nodes %d and "
            "--ntasks-per-node %d do not apply; drop them, or ask for more array tasks",
            o->nodes, o->ntasks_per_node);
    return HS_OK;
}

hs_status hs_slurm_check(const hs_slurm_opts *o, hs_err *err)
{
    hs_status st = hs_slurm_check_options(o, err);
    if (st) return st;
    if (!o->name || !*o->name || hs_cli_has_control(o->name))
        return hs_cli_bad_input(err,
                                "the sweep's name \"%s\" is empty or holds control characters; "
                                "set name: in the sweep file",
                                o->name ? o->name : "");
    const struct {
        const char *what, *path;
    } paths[] = {
        {"sweep file", o->sweep}, {"store", o->store}, {"hopsweep executable", o->hopsweep}};
    for (size_t i = 0; i < sizeof paths / sizeof paths[0]; i++) {
        const char *p = paths[i].path;
        if (!p || p[0] != '/' || hs_cli_has_control(p))
            return hs_cli_bad_input(
                err,
                "the %s path \"%s\" must be absolute and free of control characters "
                "(the job may start in another directory)",
                paths[i].what, p ? p : "");
    }
    for (int i = 0; i < o->n_overrides; i++) {
        const char *s = o->overrides[i];
        if (!strchr(s, '=') || s[0] == '=' || s[0] == '-' || hs_cli_has_control(s))
            return hs_cli_bad_input(
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

/* ---- rendering ---- */

/* The job name: Slurm shows it in squeue and puts it in log names (%x), so only plain
 * characters. */
void hs_slurm_job_name(FILE *b, const char *name)
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
        hs_slurm_job_name(b, o->name);
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
        hs_cli_put_shell_word(b, o->hopsweep, true);
    else if (IS("SWEEP"))
        hs_cli_put_shell_word(b, o->sweep, true);
    else if (IS("STORE"))
        hs_cli_put_shell_word(b, o->store, true);
    else if (IS("ARRAY"))
        fprintf(b, "%d", o->array);
    else if (IS("LAUNCHER"))
        fputs(o->launcher == HS_SLURM_MPIRUN ? "mpirun" : "srun", b);
    else if (IS("OVERRIDES")) {
        for (int i = 0; i < o->n_overrides; i++) {
            if (i) fwrite(" ", 1, 1, b);
            hs_cli_put_shell_word(b, o->overrides[i], true);
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

char *hs_slurm_log_name(const hs_slurm_opts *o, const char *name, const char *id)
{
    char *text = NULL;
    size_t n = 0;
    FILE *b = open_memstream(&text, &n);
    if (!b) return NULL;
    const char *p = o->output ? o->output : default_output(o);
    for (; *p; p++) {
        if (p[0] == '%' && p[1] == 'x')
            hs_slurm_job_name(b, name);
        else if (p[0] == '%' && (p[1] == 'j' || p[1] == 'A'))
            fputs(id, b);
        else {
            fwrite(p, 1, 1, b);
            continue;
        }
        p++;
    }
    return close_text(b, &text);
}

char *hs_slurm_script_path(const char *store, const char *name)
{
    char *text = NULL;
    size_t n = 0;
    FILE *b = open_memstream(&text, &n);
    if (!b) return NULL;
    fputs(store, b);
    fputs("/slurm/", b);
    hs_slurm_job_name(b, name);
    fputs(".sbatch", b);
    return close_text(b, &text);
}
