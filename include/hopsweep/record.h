/* record.h — the job record of DESIGN §3 (one line of runs.jsonl, `hopsweep train --json`):
 * writing it, and checking one read back before anything believes it. */
#ifndef HOPSWEEP_RECORD_H
#define HOPSWEEP_RECORD_H

#include <stdbool.h>
#include <stddef.h>

#include "hopsweep/config.h"
#include "hopsweep/json.h"
#include "hopsweep/jsonline.h"
#include "hopsweep/train.h"

/* What became of a job: the "status" of its record. The store and the analysis also say
 * HS_RUN_NONE for an id without a record; no record carries it. The values are the record's
 * order and travel between ranks as numbers (coord.c) and to progress.h (0 done, 1 failed,
 * 2 interrupted). */
typedef enum {
    HS_RUN_DONE = 0,
    HS_RUN_FAILED,
    HS_RUN_INTERRUPTED,
    HS_RUN_NONE, /* no record */
} hs_run_status;

/* "done", "failed", "interrupted", "none": the words of the record and of every command. */
const char *hs_run_status_name(hs_run_status s);
/* The status a record names (done, failed or interrupted; n bytes of name, not 0-terminated
 * necessarily); false for anything else, "none" included. */
bool hs_run_status_parse(const char *name, size_t n, hs_run_status *out);

typedef struct hs_record_meta {
    const char *sweep;    /* sweep name, or NULL for a lone `hopsweep train` */
    const char *host;
    int rank;
    const char *metrics;  /* paths relative to the store (or the --out directory); NULL = none */
    const char *attention;
    const char *model;
} hs_record_meta;

/* Writes the record as one JSON object. A failed job keeps its config, status and error. */
void hs_record_json(hs_json *j, const hs_config *cfg, const hs_train_result *res,
                    const hs_record_meta *meta);

/* A record read back and checked (hs_record_check). The strings point into the document. */
typedef struct hs_record_view {
    char id[17];
    hs_config config;        /* the record's config over the defaults, validated */
    hs_run_status status;    /* done, failed or interrupted */
    const char *files[3];    /* files.metrics, .attention, .model; NULL for null */
} hs_record_view;

/* Checks the object root of a loaded line (hs_jl_load_object) as a job record: an "id" of 16
 * lowercase hex digits equal to hs_config_id of its "config" (every key known to this build,
 * each value valid, the whole config valid), a "status" done|failed|interrupted, and every
 * field the analysis reads with its JSON type: steps; final {loss, query_acc, hop_acc};
 * emergence {hop_steps, heads [{layer, head, role, score, step}], order}; files {metrics,
 * attention, model}; and sweep, error, host, rank, wall_s when present. Every record hs_record_json
 * ever wrote passes. false: *why (a short phrase, in why_buf or constant) says what is wrong. */
bool hs_record_check(yaml_document_t *d, const yaml_node_t *root, hs_record_view *v,
                     char *why_buf, size_t why_len, const char **why);

#endif
