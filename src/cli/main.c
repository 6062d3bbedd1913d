/* main.c — the hopsweep command line: the command table and help; each command lives in its
 * own <name>_cmd.c, and cli.h holds the exit codes they share. */
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "hopsweep/escape.h"
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

/* OpenBLAS starts its thread pool when the library is loaded, before main, sized by
 * OPENBLAS_NUM_THREADS (unset: every core). hopsweep runs one BLAS thread per rank unless
 * --threads asks for more (which OpenBLAS then starts), and an idle pool is not harmless: under
 * a small address-space limit (ulimit -v) its threads spin on a failed allocation and exit() waits
 * for them for ever. So under such a limit, with the variable unset, set it to 1 and start this
 * program again, once, before anything else has run; if that fails, go on as we are. */
static void one_blas_thread(char **argv)
{
    /* only where the pool can hurt: starting again costs a second load of the libraries,
     * which widens the moment before the signal handlers are in place */
    struct rlimit rl;
    if (getrlimit(RLIMIT_AS, &rl) || rl.rlim_cur == RLIM_INFINITY) return;
    if (getenv("OPENBLAS_NUM_THREADS")) return;
    /* the file itself, not /proc/self/exe: the process keeps its name (ps, pgrep, top) */
    char self[4096];
    ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
    if (n <= 0 || (size_t)n >= sizeof self - 1) return;
    self[n] = '\0';
    if (setenv("OPENBLAS_NUM_THREADS", "1", 1)) return;
    execv(self, argv);
    unsetenv("OPENBLAS_NUM_THREADS"); /* not started again: as we were */
}

/* oneDNN crashes (SIGSEGV while creating a kernel) when it cannot map one: `run` died so under
 * ulimit -v 100000 and trained under 120000. The commands that train refuse less, in one line. */
#define MIN_ADDRESS_SPACE ((rlim_t)128 << 20)

static bool enough_address_space(const char *cmd)
{
    struct rlimit rl;
    if (getrlimit(RLIMIT_AS, &rl) || rl.rlim_cur == RLIM_INFINITY ||
        rl.rlim_cur >= MIN_ADDRESS_SPACE)
        return true;
    fprintf(stderr,
            "hopsweep %s: the address space is limited to %llu MiB (ulimit -v); training needs "
            "at least %llu MiB: raise the limit\n",
            cmd, (unsigned long long)(rl.rlim_cur >> 20),
            (unsigned long long)(MIN_ADDRESS_SPACE >> 20));
    return false;
}

int main(int argc, char **argv)
{
    one_blas_thread(argv);
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
        bool trains = !strcmp(cmd, "run") || !strcmp(cmd, "train") || !strcmp(cmd, "bench");
        if (trains && !enough_address_space(cmd)) return HS_EXIT_IO;
        return commands[i].run(argc - 2, argv + 2);
    }
    hs_term_printf(stderr, "hopsweep: unknown command \"%s\"\n", cmd);
    fputs(USAGE, stderr);
    return HS_EXIT_BAD_INPUT;
}
