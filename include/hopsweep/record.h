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
    int status;              /* 0 done, 1 failed, 2 interrupted (as hs_job_status) */
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
