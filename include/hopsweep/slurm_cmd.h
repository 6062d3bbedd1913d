/* slurm_cmd.h — `hopsweep slurm`: splits its command line into the options of the batch script
 * (slurm_render.h), renders the script and prints it, writes it, or submits it with sbatch. */
#ifndef HOPSWEEP_SLURM_CMD_H
#define HOPSWEEP_SLURM_CMD_H

#include <stdbool.h>

#include "hopsweep/error.h"
#include "hopsweep/slurm_render.h"

/* The command line of `hopsweep slurm`, split. */
typedef struct hs_slurm_args {
    hs_slurm_opts opts;       /* name, sweep, store and hopsweep are left NULL */
    const char *sweep_file;   /* as given */
    const char *out;          /* --out DIR; NULL: the sweep's output: */
    const char *script;       /* --script PATH; NULL: stdout, or STORE/slurm/ with --submit */
    const char *hopsweep_bin; /* --hopsweep-bin PATH (undocumented; for stable test output) */
    bool submit;
    bool help;
    char **lists; /* owns opts.overrides and opts.extra */
} hs_slurm_args;

/* Splits argv (the arguments after `slurm`). Options take their value as the next argument or
 * after '='; an argument with '=' that is not an option is an override. Checks each value as
 * far as it can alone; HS_EINPUT with one line naming the argument otherwise. Stops at
 * --help (a->help). Free with hs_slurm_args_free, whatever the result. */
hs_status hs_slurm_parse_args(hs_slurm_args *a, int argc, char **argv, hs_err *err);
void hs_slurm_args_free(hs_slurm_args *a);

/* `hopsweep slurm ...`; returns the exit code: 0 ok, 2 bad input (also: sbatch missing or
 * refusing the job), 3 the script could not be written or memory ran out. */
int hs_cmd_slurm(int argc, char **argv);

#endif
