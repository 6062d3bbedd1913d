/* slurm_render.h — the batch script that runs a sweep under Slurm: the options it is rendered
 * from, their checks, and the rendering of the compiled-in template (slurm/hopsweep.sbatch.in,
 * as the generated slurm_template.h). `hopsweep slurm` (slurm_cmd.h) fills the options from its
 * command line and prints, writes or submits the result.
 *
 * The script asks for USR1 some seconds before the time limit, passes it on to hopsweep (which
 * checkpoints its running jobs and exits 4) and requeues itself while work remains. Without
 * --array it starts one MPI rank per Slurm task (srun --mpi=pmix, or mpirun); with --array N,
 * array task K runs shard K/N of the sweep alone into STORE/shards/K and merges it into STORE.
 *
 * Every substituted value is checked before it is written: numbers in range, Slurm's time
 * syntax, names Slurm accepts on an #SBATCH line, no control characters anywhere. Values that
 * reach bash (paths, key=value overrides) are single-quoted, so any path is safe. */
#ifndef HOPSWEEP_SLURM_RENDER_H
#define HOPSWEEP_SLURM_RENDER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "hopsweep/error.h"

typedef enum { HS_SLURM_SRUN = 0, HS_SLURM_MPIRUN } hs_slurm_launcher;

/* What the script is rendered from. Strings are borrowed. */
typedef struct hs_slurm_opts {
    const char *name;     /* the sweep's name; the Slurm job is hopsweep-<name> */
    const char *sweep;    /* absolute path of the sweep file */
    const char *store;    /* absolute path of the store */
    const char *hopsweep; /* absolute path of the hopsweep executable */
    int n_overrides;
    char *const *overrides; /* key=value arguments passed on to `hopsweep run` */
    int nodes;              /* 1 */
    int ntasks_per_node;    /* 1: the cores of a node are unknown when rendering */
    int cpus_per_task;      /* 1; also the BLAS threads of each rank */
    const char *time;       /* "1:00:00"; M, M:S, H:M:S, D-H, D-H:M or D-H:M:S */
    int grace_s;            /* 120: USR1 this many seconds before the time limit */
    const char *partition;  /* NULL: not requested (the cluster's default) */
    const char *account;    /* NULL: not requested */
    const char *qos;        /* NULL: not requested */
    const char *mem;        /* NULL: not requested; else digits with an optional K/M/G/T */
    const char *output;     /* NULL: %x-%j.out (hopsweep-<name>-<job id>.out), %x-%A_%a.out
                                  for arrays, relative to the submit directory */
    int n_extra;
    char *const *extra; /* whole lines, each starting with "#SBATCH " */
    hs_slurm_launcher launcher;
    int array; /* 0: one MPI run; N > 0: an array of N tasks, shard K/N each */
} hs_slurm_opts;

/* Sets the defaults above. */
void hs_slurm_opts_default(hs_slurm_opts *o);

/* Checks the fields a user sets by options, alone and together (the grace period shorter than
 * the time limit, one task per array task): HS_EINPUT with one line otherwise. */
hs_status hs_slurm_check_options(const hs_slurm_opts *o, hs_err *err);

/* Checks every field of o, alone and together (the grace period shorter than the time limit,
 * one task per array task, absolute paths): HS_EINPUT with one line otherwise. */
hs_status hs_slurm_check(const hs_slurm_opts *o, hs_err *err);

/* Renders the script after hs_slurm_check; *script is NUL-terminated, *len bytes without the
 * NUL (caller frees). HS_EINPUT as hs_slurm_check, HS_ENOMEM, HS_EINTERNAL for a template that
 * names an unknown placeholder. */
hs_status hs_slurm_render(const hs_slurm_opts *o, char **script, size_t *len, hs_err *err);

/* Writes the job name, hopsweep-NAME with any character Slurm would not take as '_': squeue
 * shows it, log names hold it (%x), and it is a safe file name. */
void hs_slurm_job_name(FILE *f, const char *name);

/* The log file Slurm will write for job id: o's --output pattern with the job name (%x) and id
 * (%j, %A) filled in; %a (the array task) and the rest are left as they are. Caller frees; NULL
 * when out of memory. */
char *hs_slurm_log_name(const hs_slurm_opts *o, const char *name, const char *id);

/* Where --submit writes the script without --script: STORE/slurm/hopsweep-NAME.sbatch. Caller
 * frees; NULL when out of memory. */
char *hs_slurm_script_path(const char *store, const char *name);

#endif
