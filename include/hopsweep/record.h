/* record.h — the job record of DESIGN §3 (one line of runs.jsonl, `hopsweep train --json`). */
#ifndef HOPSWEEP_RECORD_H
#define HOPSWEEP_RECORD_H

#include "hopsweep/config.h"
#include "hopsweep/json.h"
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

#endif
