/* job_output.h — what one job produces, as bytes: its status, the job record, metrics.csv, the
 * attention log, the checkpoint and an interrupted job's resume state (job.h runs the job that
 * fills it). The store writes and reads these without knowing the trainer.
 *
 * Inside a store, job <id> keeps its files in jobs/<id>/ under store_layout.h's names; the
 * record's `files` paths say so. */
#ifndef HOPSWEEP_JOB_OUTPUT_H
#define HOPSWEEP_JOB_OUTPUT_H

#include <stddef.h>

#include "hopsweep/error.h"
#include "hopsweep/record.h"
#include "hopsweep/store_layout.h" /* the names of a job's files */

typedef struct hs_job_output {
    char id[17];
    hs_run_status status; /* done, failed or interrupted (record.h) */
    hs_err err;           /* why the job failed (code and message) or stopped (message);
                                   empty when done: hs_train_result.err carried on */
    char notice[640];     /* a resume state that was refused (the job started afresh), or empty */
    int steps;
    double wall_s;
    float final_query_acc;
    char *record; /* the job record, one JSON object without a newline */
    size_t record_len;
    char *metrics; /* metrics.csv */
    size_t metrics_len;
    char *attention; /* attn.zst, NULL when the job logs no attention */
    size_t attention_len;
    char *model; /* model.safetensors, NULL unless log.checkpoint */
    size_t model_len;
    char *resume; /* resume.bin (resume.h): an interrupted job's state (training
                                   state, metrics and attention log so far); NULL otherwise */
    size_t resume_len;
} hs_job_output;

void hs_job_output_free(hs_job_output *out);

/* The output as one byte string and back: how it travels from the rank that ran it to rank 0
 * (coord.h's result bytes). Both ends are the same build, so the layout is this build's; unpack
 * checks every length against n. The caller frees *bytes, and out with hs_job_output_free. */
hs_status hs_job_output_pack(const hs_job_output *out, char **bytes, size_t *n, hs_err *err);
hs_status hs_job_output_unpack(const void *bytes, size_t n, hs_job_output *out, hs_err *err);

#endif
