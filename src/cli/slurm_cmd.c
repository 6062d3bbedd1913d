/* slurm_cmd.c — `hopsweep slurm`: splits the command line into the script's options, has the
 * script rendered (slurm_render.c), and prints it, writes it, or submits it with sbatch. */
#define _XOPEN_SOURCE 700 /* realpath */
#include "hopsweep/slurm_cmd.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "hopsweep/cli.h"
#include "hopsweep/fileio.h"
#include "hopsweep/store.h"
#include "hopsweep/sweep.h"
#include "hopsweep/store_layout.h"

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
            if (hs_cli_has_control(s))
                return hs_cli_bad_input(err,
                                        "argument \"%s\" holds control characters; give a plain "
                                        "path or key=value",
                                        s);
            if (strchr(s, '=')) {
                overrides[n_over++] = argv[i];
            } else if (a->sweep_file) {
                return hs_cli_bad_input(
                    err, "two sweep files (%s, %s); give one, and key=value for the rest",
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
        if (k == n_table)
            return hs_cli_bad_input(err, "unknown option %s; see hopsweep slurm --help", s);
        const char *opt = table[k].name;
        if (eq)
            v = eq + 1;
        else if (i + 1 < argc)
            v = argv[++i];
        else
            return hs_cli_bad_input(err, "%s needs a value; see hopsweep slurm --help", opt);
        if (table[k].path && (!*v || hs_cli_has_control(v)))
            return hs_cli_bad_input(err, "%s \"%s\" is not a usable path", opt, v);
        if (table[k].text) {
            *table[k].text = v;
        } else if (table[k].count) {
            hs_status st = hs_cli_parse_int(v, 1, (int)table[k].hi, opt, table[k].count, err);
            if (st) return st;
        } else if (!strcmp(opt, "--extra")) {
            extra[n_extra++] = (char *)v;
        } else { /* --launcher */
            if (!strcmp(v, "srun"))
                o->launcher = HS_SLURM_SRUN;
            else if (!strcmp(v, "mpirun"))
                o->launcher = HS_SLURM_MPIRUN;
            else
                return hs_cli_bad_input(err, "--launcher \"%s\" is not srun or mpirun", v);
            launcher_given = true;
        }
    }
    o->n_overrides = n_over;
    o->overrides = overrides;
    o->n_extra = n_extra;
    o->extra = extra;
    if (!a->sweep_file)
        return hs_cli_bad_input(err, "no sweep file; usage: hopsweep slurm SWEEP.yaml [options]");
    if (o->array && launcher_given)
        return hs_cli_bad_input(err,
                                "--launcher does not apply with --array: array tasks run without "
                                "MPI; drop one of them");
    return hs_slurm_check_options(o, err);
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
    size_t digits = strspn(out, "0123456789");
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

/* Nothing inside the store is followed (README, Reliability): the entries the job writes —
 * its start log, the array shards' directory and each shard, the script's directory — must be
 * of their kind, never a link to elsewhere (the batch script checks again when it starts).
 * store itself may be a link the user made. Returns an exit code. */
static int check_store_entries(const char *store, int array)
{
    int dfd = open(store, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd < 0) return HS_EXIT_OK; /* not there yet: the job creates it */
    hs_err err = {0};
    bool exists;
    char name[16], shown[PATH_MAX + 32];
    int sfd = -1;
    static const struct {
        const char *name;
        bool dir;
    } entries[] = {{"slurm_jobs.txt", false}, {"slurm", true}, {"shards", true}};
    hs_status st = HS_OK;
    for (size_t i = 0; !st && i < sizeof entries / sizeof entries[0]; i++) {
        snprintf(shown, sizeof shown, "%s/%s", store, entries[i].name);
        st = hs_check_at(dfd, entries[i].name, entries[i].dir, shown, &exists, &err);
    }
    if (!st) st = hs_open_dir_at(dfd, "shards", false, shown, &sfd, &err);
    for (int k = 0; !st && sfd >= 0 && k < array; k++) {
        snprintf(name, sizeof name, "%d", k);
        snprintf(shown, sizeof shown, "%s/shards/%d", store, k);
        st = hs_check_at(sfd, name, true, shown, &exists, &err);
    }
    if (sfd >= 0) close(sfd);
    close(dfd);
    return st ? hs_cli_fail("slurm", &err) : HS_EXIT_OK;
}

/* Writes the script to path, creating its directory; in_store: path is the default
 * STORE/slurm/NAME.sbatch, written through STORE/slurm opened without following a link.
 * Returns an exit code. */
static int write_script(const char *path, const char *script, size_t len, const char *store,
                        bool in_store)
{
    hs_err err = {0};
    const char *slash = strrchr(path, '/');
    char *dir = slash && slash != path ? strndup(path, (size_t)(slash - path)) : NULL;
    hs_status st = HS_OK;
    if (in_store) {
        int dfd = -1, sfd = -1;
        st = hs_mkdirs(store, &err);
        if (!st && (dfd = open(store, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
            st = hs_fail(&err, HS_EIO, "cannot open %s: %s", store, strerror(errno));
        if (!st) st = hs_open_dir_at(dfd, "slurm", true, dir ? dir : path, &sfd, &err);
        if (!st) st = hs_write_atomic_at(sfd, slash + 1, path, script, len, &err);
        if (sfd >= 0) close(sfd);
        if (dfd >= 0) close(dfd);
    } else {
        if (dir) st = hs_mkdirs(dir, &err);
        if (!st) st = hs_write_atomic(path, script, len, &err);
    }
    free(dir);
    return st ? hs_cli_fail("slurm", &err) : HS_EXIT_OK;
}

/* Array mode: the shards fill STORE only as they merge, so the sweep as submitted goes there at
 * once; `hopsweep status STORE` then counts the jobs that have not started yet. A store busy with
 * another process is left alone (said on stderr): the submission itself stands. */
static void write_sweep_file(const char *store, const hs_sweep *sw)
{
    hs_store s;
    hs_err err = {0};
    hs_status st = hs_store_open(&s, store, &err);
    if (!st) st = hs_store_write_file(&s, HS_STORE_SWEEP, sw->yaml, strlen(sw->yaml), &err);
    hs_store_close(&s);
    if (st)
        fprintf(stderr,
                "hopsweep slurm: note: sweep.yaml not written into %s (%s); status counts "
                "the jobs never started once the first task merges\n",
                store, err.msg);
}

int hs_cmd_slurm(int argc, char **argv)
{
    hs_slurm_args a;
    hs_err err = {0};
    hs_status st = hs_slurm_parse_args(&a, argc, argv, &err);
    if (st || a.help) {
        hs_slurm_args_free(&a);
        if (st) return hs_cli_fail("slurm", &err);
        fputs(SLURM_USAGE, stdout);
        return HS_EXIT_OK;
    }
    hs_sweep sw;
    st = hs_sweep_load(&sw, a.sweep_file, a.opts.n_overrides, a.opts.overrides, &err);
    if (st) {
        hs_slurm_args_free(&a);
        return hs_cli_fail_loading("slurm", &err);
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
        rc = hs_cli_fail("slurm", &err);
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
    script_path = a.script ? strdup(a.script) : hs_slurm_script_path(store, sw.name);
    if (!script_path) {
        fprintf(stderr, "hopsweep slurm: out of memory\n");
        rc = HS_EXIT_IO;
        goto done;
    }
    if ((rc = check_store_entries(store, a.opts.array))) goto done;
    if ((rc = write_script(script_path, script, len, store, !a.script))) goto done;
    if (!a.submit) {
        fprintf(stderr, "hopsweep slurm: wrote %s; submit it with: sbatch ", script_path);
        hs_cli_put_shell_word(stderr, script_path, false);
        fputc('\n', stderr);
        goto done;
    }
    char id[64];
    if ((rc = submit(script_path, id, sizeof id))) goto done;
    printf("%s\n", id);
    fflush(stdout);
    if (a.opts.array) write_sweep_file(store, &sw);
    char *log = hs_slurm_log_name(&a.opts, sw.name, id);
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
