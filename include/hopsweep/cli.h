/* cli.h — what every command of the hopsweep CLI shares: its exit codes, the one mapping from a
 * library status to an exit code, the one way a failure is printed, and the strict parsers of
 * the numbers commands take from argv.
 *
 * Exit codes: 0 success; 1 a job failed (diverged); 2 bad input (arguments, config, YAML, a
 * missing or unusable input file, a store entry of the wrong type); 3 a file could not be
 * written, memory ran out, or another failure at run time; 4 a sweep was stopped by a signal
 * before it finished (run the same command again to resume). */
#ifndef HOPSWEEP_CLI_H
#define HOPSWEEP_CLI_H

#include <stdbool.h>
#include <stdio.h>

#include "hopsweep/error.h"

enum {
    HS_EXIT_OK = 0,
    HS_EXIT_JOB_FAILED = 1,
    HS_EXIT_BAD_INPUT = 2,
    HS_EXIT_IO = 3,
    HS_EXIT_STOPPED = 4,
};

/* The one mapping from a status to an exit code: HS_OK exits 0, HS_EINPUT 2, HS_ENUMERIC 1,
 * everything else (I/O, memory, internal) 3. */
int hs_exit_code(hs_status st);

/* For a failure to load an input the user named (a sweep, a job file, a store): a file that
 * cannot be read is the user's to fix, so HS_EIO is 2 there too; otherwise hs_exit_code. */
int hs_exit_code_loading(hs_status st);

/* Prints "hopsweep CMD: MESSAGE" (one line) on stderr and returns hs_exit_code(err->code).
 * cmd is the command as typed after hopsweep ("analyze", "prompts score"). */
int hs_cli_fail(const char *cmd, const hs_err *err);

/* hs_cli_fail for a failure to load an input the user named: hs_exit_code_loading. */
int hs_cli_fail_loading(const char *cmd, const hs_err *err);

/* HS_EINPUT with a message that quotes what the user typed: a control character in it is
 * written escaped (\n, \t, \x01), so the message stays one line whatever argv holds. */
hs_status hs_cli_bad_input(hs_err *err, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

/* Whether s holds a control character (below 0x20, or DEL). */
bool hs_cli_has_control(const char *s);

/* Writes s to f as one shell word that bash, zsh, dash and ksh read back as exactly s, so a
 * printed command pasted into a shell runs that one command: bare when s is made only of
 * characters no shell treats specially (unless always_quote), else in single quotes (a quote
 * itself as '\''), and as $'...' with \xHH escapes when s holds control characters, which no
 * quoting shows safely on a terminal (bash, zsh and ksh read that form; dash does not). */
void hs_cli_put_shell_word(FILE *f, const char *s, bool always_quote);

/* Whether --help or -h is among the arguments. */
bool hs_cli_wants_help(int argc, char **argv);

/* ---- numbers from argv, by config.c's strict rules: decimal digits only (a '-' first only
 * when lo < 0; no '+', no leading or trailing space, no 0x, no inf or nan), nothing after
 * them, and in range. Otherwise HS_EINPUT, *out untouched, and one line naming what (the
 * option, e.g. "--slowest"), the value as typed and the range: ---- */

hs_status hs_cli_parse_long(const char *s, long lo, long hi, const char *what, long *out,
                            hs_err *err);
hs_status hs_cli_parse_int(const char *s, int lo, int hi, const char *what, int *out, hs_err *err);
/* A finite number in [lo, hi], or in (lo, hi] when lo_open; digits, '.', an exponent. */
hs_status hs_cli_parse_double(const char *s, double lo, bool lo_open, double hi, const char *what,
                              double *out, hs_err *err);
/* K/N: shard K of N, 0 <= K < N <= 1000000. */
hs_status hs_cli_parse_shard(const char *s, const char *what, long *k, long *n, hs_err *err);

/* --threads: a count in 1..1024 (hs_cli_parse_int). */
hs_status hs_cli_parse_threads(const char *s, int *out, hs_err *err);

#endif
