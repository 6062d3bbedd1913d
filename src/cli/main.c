/* main.c — the hopsweep command line: the command table and help; each command lives in its
 * own <name>_cmd.c, and cli.h holds the exit codes they share. */
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "hopsweep/analyze_cmd.h"
#include "hopsweep/attn_cmd.h"
#include "hopsweep/bench_cmd.h"
#include "hopsweep/cli.h"
#include "hopsweep/expand_cmd.h"
#include "hopsweep/prompts_cmd.h"
#include "hopsweep/report_cmd.h"
#include "hopsweep/run_cmd.h"
#include "hopsweep/slurm_cmd.h"
#include "hopsweep/status_cmd.h"
#include "hopsweep/store_cmd.h"
#include "hopsweep/train_cmd.h"
#include "hopsweep/version_cmd.h"

static const char USAGE[] =
    "usage: hopsweep <command> [options]\n"
    "\n"
    "commands:\n"
    "  train [JOB.yaml] [key=value ...]   train one model on the retrieval task\n"
    "  run SWEEP.yaml [key=v1,v2 ...]     run a sweep's jobs (alone, or under mpirun/srun)\n"
    "  expand SWEEP.yaml [key=v1,v2 ...]  list a sweep's jobs without running them\n"
    "  store merge STORE SHARD...         merge array tasks' stores into one\n"
    "  analyze RESULTS                    minimum layers, curricula, emergence statistics, "
    "figures\n"
    "  status STORE [--json]              jobs done, failed, interrupted, never started; errors\n"
    "  report STORE [--out FILE.html]     one self-contained HTML page of a sweep, for any "
    "browser\n"
    "  attn LOG                           list or draw a job's attention log (attn.zst)\n"
    "  slurm SWEEP.yaml [--submit]        render (and submit) a Slurm batch script for a sweep\n"
    "  bench                              time training steps of the reference models S, M, L\n"
    "  prompts [--formulation F ...]      write prompt sets for language models; `prompts score`\n"
    "                                     scores a harness's answers to them\n"
    "  help [command]                     show help\n"
    "  --version                          version, commit, build, engine and ISA; bf16 here\n"
    "\n"
    "exit codes: 0 ok, 1 a job failed (diverged), 2 bad input, 3 I/O or out of memory,\n"
    "            4 sweep stopped by a signal (run it again to resume)\n"
    "see `hopsweep <command> --help`\n";

int main(int argc, char **argv)
{
    /* A write past `ulimit -f` is then an ordinary error (EFBIG: "File too large", one line,
     * the temporary removed) instead of a silent death by SIGXFSZ that leaves it behind. */
    signal(SIGXFSZ, SIG_IGN);
    if (argc < 2) {
        fputs(USAGE, stderr);
        return HS_EXIT_BAD_INPUT;
    }
    static const struct {
        const char *name;
        int (*run)(int argc, char **argv);
    } commands[] = {
        {"train", hs_cmd_train},   {"run", hs_cmd_run},         {"expand", hs_cmd_expand},
        {"store", hs_cmd_store},   {"analyze", hs_cmd_analyze}, {"attn", hs_cmd_attn},
        {"slurm", hs_cmd_slurm},   {"bench", hs_cmd_bench},     {"prompts", hs_cmd_prompts},
        {"status", hs_cmd_status}, {"report", hs_cmd_report},
    };
    const char *cmd = argv[1];
    if (!strcmp(cmd, "--version")) return hs_cmd_version(argc - 2, argv + 2);
    bool help = !strcmp(cmd, "help") || !strcmp(cmd, "--help") || !strcmp(cmd, "-h");
    if (help && argc < 3) {
        fputs(USAGE, stdout);
        return 0;
    }
    if (help) cmd = argv[2];
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++) {
        if (strcmp(cmd, commands[i].name)) continue;
        if (help) {
            char *args[] = {"--help", NULL};
            return commands[i].run(1, args);
        }
        return commands[i].run(argc - 2, argv + 2);
    }
    fprintf(stderr, "hopsweep: unknown command \"%s\"\n%s", cmd, USAGE);
    return HS_EXIT_BAD_INPUT;
}
