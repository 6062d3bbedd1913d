/* record.c — the job record: id, config, status, timings, final metrics, emergence. */
#include "hopsweep/record.h"

#include <math.h>

static void string_or_null(hs_json *j, const char *key, const char *s)
{
    hs_json_key(j, key);
    if (s)
        hs_json_string(j, s);
    else
        hs_json_null(j);
}

void hs_record_json(hs_json *j, const hs_config *cfg, const hs_train_result *res,
                    const hs_record_meta *meta)
{
    char id[17];
    hs_config_id(cfg, id);
    int D = res->hops;
    hs_json_object_begin(j);
    hs_json_key(j, "id");
    hs_json_string(j, id);
    string_or_null(j, "sweep", meta->sweep);
    hs_json_key(j, "config");
    hs_json_config(j, cfg);
    hs_json_key(j, "status");
    bool done = res->status == HS_OK && !res->interrupted;
    hs_json_string(j, res->status != HS_OK ? "failed" : done ? "done" : "interrupted");
    string_or_null(j, "error", done ? NULL : res->error);
    string_or_null(j, "host", meta->host);
    hs_json_key(j, "rank");
    hs_json_int(j, meta->rank);
    hs_json_key(j, "wall_s");
    hs_json_double(j, round(res->wall_s * 1000.0) / 1000.0);
    hs_json_key(j, "steps");
    hs_json_int(j, res->steps);
    if (cfg->task.train_examples > 0) { /* full passes over a fixed training set */
        hs_json_key(j, "epochs");
        hs_json_int(j, hs_trainset_epochs(cfg->task.train_examples, cfg->train.batch, res->steps));
    }
    hs_json_key(j, "early_stopped");
    hs_json_bool(j, res->early_stopped);

    hs_json_key(j, "final");
    hs_json_object_begin(j);
    hs_json_key(j, "loss");
    hs_json_float(j, res->final_loss);
    hs_json_key(j, "query_acc");
    hs_json_float(j, res->final_query_acc);
    hs_json_key(j, "hop_acc");
    hs_json_array_begin(j);
    for (int k = 0; k <= D; k++) hs_json_float(j, res->final_hop_acc[k]); /* NaN → null */
    hs_json_array_end(j);
    hs_json_object_end(j);

    hs_json_key(j, "emergence");
    hs_json_object_begin(j);
    hs_json_key(j, "hop_steps");
    hs_json_array_begin(j);
    for (int k = 0; k <= D; k++) {
        if (res->hop_steps[k] < 0)
            hs_json_null(j);
        else
            hs_json_int(j, res->hop_steps[k]);
    }
    hs_json_array_end(j);
    char role[32];
    hs_json_key(j, "heads");
    hs_json_array_begin(j);
    for (int h = 0; h < res->n_heads; h++) {
        const hs_head_role *r = &res->heads[h];
        hs_probe_role_name(r->layer, r->bin, role, sizeof role);
        hs_json_object_begin(j);
        hs_json_key(j, "layer");
        hs_json_int(j, r->layer);
        hs_json_key(j, "head");
        hs_json_int(j, r->head);
        hs_json_key(j, "role");
        hs_json_string(j, role);
        hs_json_key(j, "score");
        hs_json_float(j, r->score);
        hs_json_key(j, "step");
        if (res->head_steps[h] < 0)
            hs_json_null(j);
        else
            hs_json_int(j, res->head_steps[h]);
        hs_json_object_end(j);
    }
    hs_json_array_end(j);
    hs_json_key(j, "order");
    hs_json_array_begin(j);
    for (int i = 0; i < res->n_order; i++) {
        const hs_head_role *r = &res->heads[res->order[i]];
        hs_probe_role_name(r->layer, r->bin, role, sizeof role);
        hs_json_string(j, role);
    }
    hs_json_array_end(j);
    hs_json_object_end(j);

    hs_json_key(j, "files");
    hs_json_object_begin(j);
    string_or_null(j, "metrics", meta->metrics);
    string_or_null(j, "attention", meta->attention);
    string_or_null(j, "model", meta->model);
    hs_json_object_end(j);
    hs_json_object_end(j);
}
