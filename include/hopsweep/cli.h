/* cli.h — what every command of the hopsweep CLI shares: its exit codes, the one mapping from a
 * library status to an exit code, and the small argument parsers.
 *
 * Exit codes: 0 success; 1 a job failed (diverged); 2 bad input (arguments, config, YAML, a
 * missing or unusable input file, a store entry of the wrong type); 3 a file could not be
 * written, memory ran out, or another failure at run time; 4 a sweep was stopped by a signal
 * before it finished (run the same command again to resume). */
#ifndef HOPSWEEP_CLI_H
#define HOPSWEEP_CLI_H

#include <stdbool.h>

#include "hopsweep/error.h"

enum {
    HS_EXIT_OK = 0,
    HS_EXIT_JOB_FAILED = 1,
    HS_EXIT_BAD_INPUT = 2,
    HS_EXIT_IO = 3,
    HS_EXIT_STOPPED = 4,
};

/* HS_OK 0, HS_EINPUT 2, HS_ENUMERIC 1, everything else (I/O, memory, internal) 3. */
int hs_exit_code(hs_status st);

/* For a failure to load an input the user named (a sweep, a job file, a store): a file that
 * cannot be read is the user's to fix, so HS_EIO is 2 there too; otherwise hs_exit_code. */
int hs_exit_code_loading(hs_status st);

/* Whether --help or -h is among the arguments. */
bool hs_cli_wants_help(int argc, char **argv);

/* --threads: a decimal count in 1..1024 and nothing else; -1 when s is not one. */
int hs_cli_parse_threads(const char *s, int *out);

#endif
