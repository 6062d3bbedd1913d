/* probe_batch.c — the probe examples of a job, written out for the test of
 * analysis/hopsweep_model.py: the first log.probe_examples examples of the job's evaluation set,
 * drawn as the trainer draws them (the eval stream of train.seed; under mixed and explicit
 * curricula query hops 1 + i % hops), so that their attention can be compared with the job's
 * attention log. The test checks the chain ids and chain indices written here against the log's
 * own, so a drift from the trainer's draw fails loudly rather than comparing other examples.
 *
 * Usage: probe_batch OUT.safetensors [key=value ...]
 * Writes I32 parent, child, rel, chain, index, target [N][T]. Exit 0, 2 on a bad config, 1 on
 * any other failure. */
#include <stdio.h>
#include <stdlib.h>

#include "hopsweep/config.h"
#include "hopsweep/error.h"
#include "hopsweep/rng.h"
#include "hopsweep/safetensors.h"
#include "hopsweep/task.h"

int main(int argc, char **argv)
{
    if (argc < 2 || argv[1][0] == '-') {
        fprintf(stderr, "usage: probe_batch OUT.safetensors [key=value ...]\n");
        return 2;
    }
    hs_err err;
    hs_err_clear(&err);
    hs_config cfg;
    hs_config_default(&cfg);
    for (int i = 2; i < argc; i++)
        if (hs_config_override(&cfg, argv[i], &err)) {
            fprintf(stderr, "probe_batch: %s\n", err.msg);
            return 2;
        }
    if (hs_config_validate(&cfg, &err)) {
        fprintf(stderr, "probe_batch: %s\n", err.msg);
        return 2;
    }
    int E = cfg.train.eval_examples, N = cfg.log.probe_examples, D = cfg.task.hops;
    int T = hs_task_seq_len(&cfg.task);
    hs_batch b;
    int32_t *hops = calloc((size_t)E, sizeof *hops);
    if (!hops || hs_batch_alloc(&b, E, T, cfg.task.vocab, &err)) {
        fprintf(stderr, "probe_batch: out of memory\n");
        free(hops);
        return 1;
    }
    int varied =
        cfg.task.curriculum == HS_CURRICULUM_MIXED || cfg.task.curriculum == HS_CURRICULUM_EXPLICIT;
    for (int i = 0; i < E; i++) hops[i] = varied ? 1 + i % D : D;
    hs_rng rng;
    hs_rng_seed(&rng, cfg.train.seed, HS_STREAM_EVAL);
    hs_task_sample(&cfg.task, &rng, hops, &b);
    const hs_st_entry e[6] = {
        {"parent", HS_ST_I32, 2, {N, T, 0}, b.parent},
        {"child", HS_ST_I32, 2, {N, T, 0}, b.child},
        {"rel", HS_ST_I32, 2, {N, T, 0}, b.rel},
        {"chain", HS_ST_I32, 2, {N, T, 0}, b.chain},
        {"index", HS_ST_I32, 2, {N, T, 0}, b.index},
        {"target", HS_ST_I32, 2, {N, T, 0}, b.target},
    };
    FILE *f = fopen(argv[1], "wb");
    int rc = !f || hs_st_write(f, e, 6, NULL, &err) || fclose(f);
    if (rc) fprintf(stderr, "probe_batch: cannot write %s: %s\n", argv[1], err.msg);
    hs_batch_free(&b);
    free(hops);
    return rc;
}
