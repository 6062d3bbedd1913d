/* fuzz_jsonline.c — libFuzzer target for the runs.jsonl line reader (jsonline.c) and the
 * analysis's record reader on top of it (analyze.c), built by tests/CMakeLists.txt when the
 * compiler is clang.
 *
 * The first byte of an input picks what the rest is:
 *   0 (and anything not below): one line for hs_jl_load_object;
 *   1: a whole runs.jsonl for hs_results_add_text, then hs_analyze over what it kept.
 * Invariants, beyond "no crash, no leak, no undefined behaviour, no hang": an accepted line is a
 * document whose root is a mapping and whose scalars are C strings of their stated length (no
 * NUL inside); a refusal gives a reason; every line of a store is either kept, skipped or blank,
 * and what is kept analyses without error.
 *
 * Seeds: tests/fuzz/seeds/jsonline/. Run: fuzz_jsonline -max_len=16384 DIR. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hopsweep/analyze.h"
#include "hopsweep/jsonline.h"

static void check(int ok, const char *what)
{
    if (!ok) {
        fprintf(stderr, "fuzz_jsonline: invariant broken: %s\n", what);
        abort();
    }
}

static void walk(yaml_document_t *d, const yaml_node_t *n, int depth)
{
    check(n != NULL && depth <= 200, "nodes exist, nesting is bounded");
    if (n->type == YAML_SCALAR_NODE) {
        const char *t = hs_jl_scalar_text(n);
        check(t && strlen(t) == n->data.scalar.length, "a scalar is a C string of its length");
    } else if (n->type == YAML_SEQUENCE_NODE) {
        for (size_t i = 0; i < hs_jl_seq_len(n); i++) walk(d, hs_jl_seq_at(d, n, i), depth + 1);
    } else {
        for (const yaml_node_pair_t *p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top;
             p++) {
            const yaml_node_t *k = yaml_document_get_node(d, p->key);
            check(k && k->type == YAML_SCALAR_NODE, "keys are strings");
            walk(d, k, depth + 1);
            walk(d, yaml_document_get_node(d, p->value), depth + 1);
        }
    }
}

static void one_line(const char *line, size_t len)
{
    yaml_document_t doc;
    const char *why = NULL;
    switch (hs_jl_load_object(line, len, &doc, &why)) {
    case HS_JL_OK: {
        const yaml_node_t *root = yaml_document_get_root_node(&doc);
        check(root && root->type == YAML_MAPPING_NODE, "an accepted line is an object");
        walk(&doc, root, 0);
        yaml_document_delete(&doc);
        break;
    }
    case HS_JL_BAD:
        check(why && why[0] && !strchr(why, '\n'), "a refusal has a one-line reason");
        break;
    default: break;
    }
}

static void store(const char *text, size_t len)
{
    hs_results r;
    hs_results_init(&r);
    hs_err err = {0};
    size_t lines = 0;
    for (size_t i = 0; i < len; i++) lines += text[i] == '\n';
    if (hs_results_add_text(&r, text, len, &err) == HS_OK) {
        check(r.lines + r.skipped <= lines, "every line is kept, skipped or blank");
        hs_analyze_opts o;
        hs_analyze_opts_default(&o);
        o.resamples = 20; /* the statistics are not under test, their bounds are */
        hs_analysis a;
        if (hs_analyze(&r, &o, &a, &err) == HS_OK)
            hs_analysis_free(&a);
        else
            check(err.msg[0] && !strchr(err.msg, '\n'), "an analysis refusal is one line");
    }
    hs_results_free(&r);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0) {
        one_line("", 0);
        return 0;
    }
    int mode = data[0];
    char *text = malloc(size); /* a copy of exactly the bytes, so ASan sees reads past them */
    check(text != NULL, "memory for the input");
    memcpy(text, data + 1, size - 1);
    if (mode == 1)
        store(text, size - 1);
    else
        one_line(text, size - 1);
    free(text);
    return 0;
}
