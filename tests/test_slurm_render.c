/* test_slurm_render.c — unit tests of slurm_cmd.c: the rendered batch script for four option
 * sets, byte for byte against the files tests/slurm/golden/NAME.sbatch (HOPSWEEP_UPDATE_GOLDEN=1
 * rewrites them after a deliberate template change: review the diff), bash quoting of hostile
 * paths and overrides, what the command line sets, Slurm's time syntax, and one clear line for
 * every bad option. tests/slurm/render.sh checks the same scripts through the CLI and
 * `sbatch --test-only`. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "messages.h"

#include "hopsweep/fileio.h"
#include "hopsweep/slurm_cmd.h"

#ifndef HS_SLURM_GOLDEN_DIR
#error "HS_SLURM_GOLDEN_DIR must name tests/slurm/golden (set by tests/CMakeLists.txt)"
#endif

/* The paths every golden file uses; tests/slurm/render.sh maps its temporary directory to
 * /data and passes --hopsweep-bin with the same executable path. */
static void golden_base(hs_slurm_opts *o)
{
    hs_slurm_opts_default(o);
    o->name = "tiny";
    o->sweep = "/data/sweeps/tiny.yaml";
    o->store = "/data/results/tiny";
    o->hopsweep = "/opt/hopsweep/bin/hopsweep";
}

static void check_golden(const hs_slurm_opts *o, const char *name)
{
    char *script = NULL;
    size_t len = 0;
    hs_err err = {0};
    if (hs_slurm_render(o, &script, &len, &err)) fail_msg("render %s: %s", name, err.msg);
    assert_int_equal(strlen(script), len);
    char path[1024];
    snprintf(path, sizeof path, "%s/%s.sbatch", HS_SLURM_GOLDEN_DIR, name);
    const char *update = getenv("HOPSWEEP_UPDATE_GOLDEN");
    if (update && !strcmp(update, "1")) {
        if (hs_write_atomic(path, script, len, &err)) fail_msg("%s", err.msg);
        print_message("rewrote %s\n", path);
    }
    char *want = NULL;
    size_t want_len = 0;
    if (hs_read_file(path, 1 << 20, &want, &want_len, &err)) fail_msg("%s", err.msg);
    if (want_len != len || memcmp(want, script, len)) {
        /* the first differing line, to see what changed */
        size_t i = 0, line = 1, start = 0;
        while (i < len && i < want_len && script[i] == want[i]) {
            if (script[i] == '\n') line++, start = i + 1;
            i++;
        }
        fail_msg("%s differs from the rendered script at line %zu:\n"
                 "  golden:   %.80s\n  rendered: %.80s\n"
                 "(HOPSWEEP_UPDATE_GOLDEN=1 rewrites it, if the change is intended)",
                 path, line, want + start, script + start);
    }
    /* no placeholder left, and bash can parse it */
    assert_null(strstr(script, "@JOB_NAME@"));
    char tmp[] = "/tmp/hs_slurm_XXXXXX";
    int fd = mkstemp(tmp);
    assert_true(fd >= 0);
    assert_int_equal(hs_write_all(fd, script, len), 0);
    close(fd);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "bash -n %s", tmp);
    int rc = system(cmd);
    unlink(tmp);
    assert_int_equal(rc, 0);
    free(want);
    free(script);
}

/* ---- the four golden option sets ---- */

static void test_golden_defaults(void **state)
{
    (void)state;
    hs_slurm_opts o;
    golden_base(&o);
    check_golden(&o, "defaults");
}

static void test_golden_multinode(void **state)
{
    (void)state;
    hs_slurm_opts o;
    golden_base(&o);
    char *overrides[] = {"model.layers=1,2", "train.steps=300"};
    char *extra[] = {"#SBATCH --mail-type=END,FAIL", "#SBATCH --comment=hopsweep"};
    o.n_overrides = 2;
    o.overrides = overrides;
    o.nodes = 2;
    o.ntasks_per_node = 2;
    o.time = "1-00:00:00";
    o.grace_s = 300;
    o.partition = "batch";
    o.account = "lab";
    o.qos = "normal";
    o.mem = "1G";
    o.output = "logs/%x-%j.out";
    o.n_extra = 2;
    o.extra = extra;
    check_golden(&o, "multinode");
}

static void test_golden_array(void **state)
{
    (void)state;
    hs_slurm_opts o;
    golden_base(&o);
    char *overrides[] = {"train.seed=0,1,2,3"};
    o.n_overrides = 1;
    o.overrides = overrides;
    o.array = 2;
    o.time = "30";
    o.grace_s = 60;
    check_golden(&o, "array");
}

static void test_golden_mpirun(void **state)
{
    (void)state;
    hs_slurm_opts o;
    golden_base(&o);
    o.launcher = HS_SLURM_MPIRUN;
    o.ntasks_per_node = 2;
    o.cpus_per_task = 2;
    o.time = "2:00:00";
    check_golden(&o, "mpirun");
}

/* ---- quoting ---- */

static void test_quoting(void **state)
{
    (void)state;
    hs_slurm_opts o;
    golden_base(&o);
    o.name = "it's a \"test\"";
    o.store = "/data/it's $HOME `id` here";
    char *overrides[] = {"task.curriculum=it's"};
    o.n_overrides = 1;
    o.overrides = overrides;
    char *script;
    size_t len;
    hs_err err = {0};
    assert_int_equal(hs_slurm_render(&o, &script, &len, &err), HS_OK);
    assert_has(script, "\nstore='/data/it'\\''s $HOME `id` here'\n");
    assert_has(script, "\noverrides=('task.curriculum=it'\\''s')\n");
    /* the job name keeps only characters Slurm shows plainly */
    assert_has(script, "#SBATCH --job-name=hopsweep-it_s_a__test_\n");
    free(script);
}

/* ---- the command line ---- */

static void test_parse_sets_everything(void **state)
{
    (void)state;
    char *argv[] = {"model.layers=1,2",
                    "s.yaml",
                    "--nodes",
                    "3",
                    "--ntasks-per-node=4",
                    "--cpus-per-task",
                    "2",
                    "--time=2-12:00",
                    "--grace",
                    "600",
                    "--partition=p1,p2",
                    "--account",
                    "acc",
                    "--qos",
                    "q",
                    "--mem",
                    "512M",
                    "--output=out/%j.log",
                    "--extra",
                    "#SBATCH --exclusive",
                    "--extra=#SBATCH --comment=x",
                    "--launcher",
                    "mpirun",
                    "--out",
                    "store",
                    "--script=s.sbatch",
                    "--submit",
                    "train.seed=1"};
    int argc = (int)(sizeof argv / sizeof argv[0]);
    hs_slurm_args a;
    hs_err err = {0};
    if (hs_slurm_parse_args(&a, argc, argv, &err)) fail_msg("%s", err.msg);
    const hs_slurm_opts *o = &a.opts;
    assert_string_equal(a.sweep_file, "s.yaml");
    assert_string_equal(a.out, "store");
    assert_string_equal(a.script, "s.sbatch");
    assert_true(a.submit);
    assert_false(a.help);
    assert_int_equal(o->nodes, 3);
    assert_int_equal(o->ntasks_per_node, 4);
    assert_int_equal(o->cpus_per_task, 2);
    assert_string_equal(o->time, "2-12:00");
    assert_int_equal(o->grace_s, 600);
    assert_string_equal(o->partition, "p1,p2");
    assert_string_equal(o->account, "acc");
    assert_string_equal(o->qos, "q");
    assert_string_equal(o->mem, "512M");
    assert_string_equal(o->output, "out/%j.log");
    assert_int_equal(o->launcher, HS_SLURM_MPIRUN);
    assert_int_equal(o->array, 0);
    assert_int_equal(o->n_extra, 2);
    assert_string_equal(o->extra[0], "#SBATCH --exclusive");
    assert_string_equal(o->extra[1], "#SBATCH --comment=x");
    assert_int_equal(o->n_overrides, 2);
    assert_string_equal(o->overrides[0], "model.layers=1,2");
    assert_string_equal(o->overrides[1], "train.seed=1");
    hs_slurm_args_free(&a);

    char *defaults[] = {"s.yaml"};
    assert_int_equal(hs_slurm_parse_args(&a, 1, defaults, &err), HS_OK);
    assert_int_equal(a.opts.nodes, 1);
    assert_int_equal(a.opts.ntasks_per_node, 1);
    assert_int_equal(a.opts.cpus_per_task, 1);
    assert_string_equal(a.opts.time, "1:00:00");
    assert_int_equal(a.opts.grace_s, 120);
    assert_int_equal(a.opts.launcher, HS_SLURM_SRUN);
    assert_null(a.opts.partition);
    assert_null(a.opts.output);
    assert_false(a.submit);
    hs_slurm_args_free(&a);

    char *help[] = {"--nodes", "x", "--help"}; /* --help wins only when reached first */
    assert_int_equal(hs_slurm_parse_args(&a, 3, help, &err), HS_EINPUT);
    hs_slurm_args_free(&a);
    char *help2[] = {"--help", "--nodes", "x"};
    assert_int_equal(hs_slurm_parse_args(&a, 3, help2, &err), HS_OK);
    assert_true(a.help);
    hs_slurm_args_free(&a);
}

/* Parses "s.yaml --grace 1 --time T" (plus --array 1 to reach the time check last). */
static hs_status parse_time(const char *t)
{
    char *argv[] = {"s.yaml", "--grace", "1", "--time", (char *)t};
    hs_slurm_args a;
    hs_err err = {0};
    hs_status st = hs_slurm_parse_args(&a, 5, argv, &err);
    hs_slurm_args_free(&a);
    return st;
}

static void test_time_syntax(void **state)
{
    (void)state;
    const char *good[] = {"90",  "0:30", "30:00",   "1:30:00",    "100:00:00",
                          "2-0", "2-12", "2-12:30", "2-12:30:15", "0-0:0:2"};
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++)
        if (parse_time(good[i])) fail_msg("--time %s refused", good[i]);
    const char *bad[] = {
        "",  "1h",       "1:60:00", "1:00:60", "1:2:3:4", "-5",    "2-24", "2-",
        "0", "00:00:00", ":5",      "5:",      "1.5",     "2-1-1", "1 0",  "1234567890"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        if (parse_time(bad[i]) != HS_EINPUT) fail_msg("--time \"%s\" accepted", bad[i]);
}

typedef struct {
    const char *what;
    const char *argv[8];
    const char *want; /* in the message */
} bad_case;

static void test_bad_arguments(void **state)
{
    (void)state;
    static const bad_case cases[] = {
        {"no sweep", {"--nodes", "2"}, "no sweep file"},
        {"two sweeps", {"a.yaml", "b.yaml"}, "two sweep files"},
        {"unknown option", {"s.yaml", "--ntasks", "2"}, "unknown option --ntasks"},
        {"missing value", {"s.yaml", "--nodes"}, "--nodes needs a value"},
        {"valueless flag", {"s.yaml", "--submit=yes"}, "unknown option --submit=yes"},
        {"nodes not a number", {"s.yaml", "--nodes", "two"}, "--nodes \"two\""},
        {"nodes zero", {"s.yaml", "--nodes=0"}, "--nodes \"0\""},
        {"negative cpus", {"s.yaml", "--cpus-per-task", "-1"}, "--cpus-per-task \"-1\""},
        {"too many cpus", {"s.yaml", "--cpus-per-task", "4096"}, "1..1024"},
        {"grace too long for slurm", {"s.yaml", "--grace", "70000"}, "--grace \"70000\""},
        {"bad time", {"s.yaml", "--time", "1h"}, "--time \"1h\" is not a Slurm time limit"},
        {"grace not shorter",
         {"s.yaml", "--time", "2"},
         "--grace 120 s is not shorter than --time 2"},
        {"partition with space", {"s.yaml", "--partition", "a b"}, "--partition \"a b\""},
        {"account with quote", {"s.yaml", "--account", "x'y"}, "--account \"x'y\""},
        {"empty qos", {"s.yaml", "--qos="}, "--qos \"\""},
        {"bad mem", {"s.yaml", "--mem", "4GB"}, "--mem \"4GB\""},
        {"output with space", {"s.yaml", "--output", "my log.out"}, "--output \"my log.out\""},
        {"extra not sbatch", {"s.yaml", "--extra", "--gres=gpu:1"}, "--extra \"--gres=gpu:1\""},
        {"extra bare", {"s.yaml", "--extra", "#SBATCH "}, "must be one line"},
        {"extra two lines", {"s.yaml", "--extra", "#SBATCH --a\n#SBATCH --b"}, "must be one line"},
        {"bad launcher", {"s.yaml", "--launcher", "mpiexec"}, "--launcher \"mpiexec\""},
        {"array zero", {"s.yaml", "--array", "0"}, "--array \"0\""},
        {"array with nodes",
         {"s.yaml", "--array", "4", "--nodes", "2"},
         "--array runs one process"},
        {"array with tasks",
         {"s.yaml", "--array", "4", "--ntasks-per-node", "2"},
         "--ntasks-per-node 2"},
        {"array with launcher",
         {"s.yaml", "--array", "4", "--launcher", "srun"},
         "--launcher does not apply"},
        {"empty out", {"s.yaml", "--out", ""}, "--out \"\""},
        {"script with newline", {"s.yaml", "--script", "a\nb"}, "--script \"a\\nb\""},
        {"sweep with newline", {"s\n.yaml"}, "\"s\\n.yaml\" holds control characters"},
        {"override with tab", {"s.yaml", "a=\tb"}, "\"a=\\tb\""},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int argc = 0;
        while (argc < 8 && cases[i].argv[argc]) argc++;
        hs_slurm_args a;
        hs_err err = {0};
        hs_status st = hs_slurm_parse_args(&a, argc, (char **)cases[i].argv, &err);
        hs_slurm_args_free(&a);
        if (st != HS_EINPUT) fail_msg("%s: status %d, wanted HS_EINPUT", cases[i].what, (int)st);
        if (!strstr(err.msg, cases[i].want))
            fail_msg("%s: message \"%s\" lacks \"%s\"", cases[i].what, err.msg, cases[i].want);
        if (strchr(err.msg, '\n'))
            fail_msg("%s: message spans lines: \"%s\"", cases[i].what, err.msg);
    }
}

/* What only hs_slurm_check sees: the paths and overrides hs_cmd_slurm fills in. */
static void test_check_paths(void **state)
{
    (void)state;
    hs_slurm_opts o;
    hs_err err = {0};
    char *script = NULL;
    size_t len;

    golden_base(&o);
    o.store = "results/tiny";
    assert_int_equal(hs_slurm_render(&o, &script, &len, &err), HS_EINPUT);
    assert_has(err.msg, "store path \"results/tiny\" must be absolute");
    assert_null(script);

    golden_base(&o);
    o.sweep = "/data/a\nb.yaml";
    assert_int_equal(hs_slurm_render(&o, &script, &len, &err), HS_EINPUT);
    assert_has(err.msg, "sweep file path");

    golden_base(&o);
    o.hopsweep = NULL;
    assert_int_equal(hs_slurm_check(&o, &err), HS_EINPUT);
    assert_has(err.msg, "hopsweep executable");

    golden_base(&o);
    o.name = "";
    assert_int_equal(hs_slurm_check(&o, &err), HS_EINPUT);
    assert_has(err.msg, "name");

    golden_base(&o);
    char *overrides[] = {"model.layers"};
    o.n_overrides = 1;
    o.overrides = overrides;
    assert_int_equal(hs_slurm_check(&o, &err), HS_EINPUT);
    assert_has(err.msg, "\"model.layers\" is not a key=value override");

    golden_base(&o);
    o.launcher = (hs_slurm_launcher)7;
    assert_int_equal(hs_slurm_check(&o, &err), HS_EINPUT);
    assert_has(err.msg, "launcher");

    golden_base(&o);
    assert_int_equal(hs_slurm_check(&o, &err), HS_OK);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_golden_defaults), cmocka_unit_test(test_golden_multinode),
        cmocka_unit_test(test_golden_array),    cmocka_unit_test(test_golden_mpirun),
        cmocka_unit_test(test_quoting),         cmocka_unit_test(test_parse_sets_everything),
        cmocka_unit_test(test_time_syntax),     cmocka_unit_test(test_bad_arguments),
        cmocka_unit_test(test_check_paths),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
