/* run_cmd.h — `hopsweep run`: a sweep into its store, alone or across MPI ranks; and the
 * argument parsing that `expand` shares with it. */
#ifndef HOPSWEEP_RUN_CMD_H
#define HOPSWEEP_RUN_CMD_H

#include <stdbool.h>

typedef struct {
    const char *sweep;
    char **overrides;
    int n_overrides;
    const char *out;
    int threads;
    bool abandon, retry_failed, quiet;
    double progress_every;
    double silence;     /* --silence: seconds; 0 = the coordinator's default */
    long shard, shards; /* --shard K/N: only jobs i with i % N == K */
} hs_run_args;

/* Splits the arguments of run (is_run) or expand; returns -1 after printing the problem. */
int hs_run_parse_args(const char *cmd, int argc, char **argv, hs_run_args *a, bool is_run);

int hs_cmd_run(int argc, char **argv);

#endif
