/* test_results.c — reading a result store for the analysis (results.c over record.c's
 * scanner and tolerant parser): what the reader takes, skips and ignores (not JSON, a value
 * the key refuses, a forged id, unknown keys, two objects on a line, a partial last line), the
 * notice it gives, loading a store from disk, many records behind the id index, and the bounds
 * on what a record may claim (F7). */
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "analyze_fixture.h"
#include "hopsweep/fileio.h"

static void reading(void **state)
{
    char *text = with_ids(
        /* 1: superseded by line 4 */
        "{\"id\":\"@task.hops=2@\",\"status\":\"interrupted\",\"config\":{\"task\":"
        "{\"hops\":2}}}\n"
        /* 2: not JSON */
        "{\"id\": \n"
        /* 3: a null config value (the default stands), hop_acc with a null */
        "{\"id\":\"@task.hops=3@\",\"status\":\"done\",\"config\":{\"task\":{\"hops\":3,"
        "\"chains\":null}},\"final\":{\"query_acc\":0.5,\"hop_acc\":[1,null,"
        "0.5,0.5]}}\n"
        /* 4: the latest record of c1 wins */
        "  {\"id\":\"@task.hops=2@\",\"status\":\"done\",\"config\":{\"task\":{\"hops\":2}},"
        "\"final\":{\"query_acc\":0.97}}\r\n"
        /* 5: a value the key refuses */
        "{\"id\":\"00000000000000c3\",\"status\":\"done\",\"config\":{\"model\":{\"layers\":0}}}\n"
        /* 6: blank */
        "\n"
        /* 7: no status */
        "{\"id\":\"@@\",\"config\":{}}\n"
        /* 8: two objects on a line */
        "{\"id\":\"@@\",\"status\":\"done\",\"config\":{}} {}\n"
        /* 9: the string "null" is not a null query accuracy */
        "{\"id\":\"@@\",\"status\":\"done\",\"config\":{},\"final\":{\"query_acc\":"
        "\"null\"}}\n"
        /* 10: unknown keys (another version) and a nested section: the id cannot be checked */
        "{\"id\":\"@task.hops=3@\",\"status\":\"done\",\"config\":{\"task\":{\"hops\":3,"
        "\"bogus\":1},\"future\":{\"x\":true}}}\n"
        /* 11: a forged line: c1's id over another config, claiming a perfect score (F11) */
        "{\"id\":\"@task.hops=2@\",\"status\":\"done\",\"config\":{\"task\":{\"hops\":2},"
        "\"model\":{\"layers\":7}},\"final\":{\"query_acc\":1}}\n"
        /* a last line still being written */
        "{\"id\":\"00000000000000c7\",\"status\":\"do");
    char c1[17], c2[17];
    cfg_id(c1, "task.hops=2");
    cfg_id(c2, "task.hops=3");
    hs_results r;
    hs_err e = {0};
    hs_results_init(&r);
    assert_int_equal(hs_results_add_text(&r, text, strlen(text), &e), HS_OK);
    free(text);
    assert_int_equal(r.n, 2);
    assert_int_equal(r.lines, 3);
    assert_int_equal(r.skipped, 7);
    assert_int_equal(r.first_skipped, 2);
    assert_true(r.partial_bytes > 0);
    long i = hs_results_find(&r, c1);
    assert_true(i >= 0);
    assert_int_equal(r.runs[i].status, HS_RUN_DONE);
    assert_int_equal(r.runs[i].config.task.hops, 2);
    assert_near(r.runs[i].query_acc, (double)0.97);
    assert_int_equal(r.runs[i].line, 4); /* not the forged line 11 */
    assert_int_equal(r.runs[i].config.model.layers, 2);
    assert_int_equal(r.runs[i].n_hop_acc, 0);
    assert_false(r.runs[i].has_heads);
    i = hs_results_find(&r, c2);
    assert_true(i >= 0);
    assert_int_equal(r.runs[i].config.task.hops, 3);
    assert_int_equal(r.runs[i].config.model.layers, 2); /* the default */
    assert_int_equal(r.runs[i].n_hop_acc, 4);
    assert_true(isnan(r.runs[i].hop_acc[1]));
    assert_near(r.runs[i].hop_acc[2], 0.5);
    assert_int_equal(r.runs[i].n_hop_steps, 0);
    assert_int_equal(hs_results_find(&r, "00000000000000c3"), -1);
    assert_int_equal(hs_results_find(&r, "short"), -1);

    char notice[1024];
    hs_results_notice(&r, "S/runs.jsonl", notice, sizeof notice);
    assert_has(notice, "S/runs.jsonl: ");
    assert_has(notice, "without its newline");
    assert_has(notice, "skipped 7 unreadable line(s), the first at line 2 (not valid JSON)");
    assert_has(notice, "task.bogus, future.x");
    assert_null(strchr(notice, '\n'));
    hs_results_free(&r);

    /* Nothing to say about a clean store. */
    hs_results_init(&r);
    assert_int_equal(hs_results_add_text(&r, "", 0, &e), HS_OK);
    hs_results_notice(&r, "x", notice, sizeof notice);
    assert_string_equal(notice, "");
    /* An empty store analyses to nothing, without error. */
    hs_analysis a;
    hs_analyze_opts o;
    hs_analyze_opts_default(&o);
    assert_int_equal(hs_analyze(&r, &o, &a, &e), HS_OK);
    assert_int_equal(a.n_cells, 0);
    assert_int_equal(a.done + a.failed + a.interrupted, 0);
    hs_analysis_free(&a);
    hs_results_free(&r);
}

static void loading(void **state)
{
    char base[256];
    const char *t = getenv("TMPDIR");
    snprintf(base, sizeof base, "%s/hs_test_analyze_XXXXXX", t && strlen(t) < 128 ? t : "/tmp");
    assert_non_null(mkdtemp(base));
    char path[512];
    hs_results r;
    hs_err e = {0};
    hs_results_init(&r);
    snprintf(path, sizeof path, "%s/missing", base);
    assert_int_equal(hs_results_load(&r, path, &e), HS_EINPUT);
    assert_has(e.msg, path);
    assert_null(strchr(e.msg, '\n'));
    /* A directory without runs.jsonl is not a store. */
    assert_int_equal(hs_results_load(&r, base, &e), HS_EINPUT);
    assert_has(e.msg, "no runs.jsonl");
    /* A file where the store should be. */
    snprintf(path, sizeof path, "%s/runs.jsonl", base);
    char *line = with_ids("{\"id\":\"@@\",\"status\":\"done\",\"config\":{}}\n");
    assert_int_equal(hs_write_atomic(path, line, strlen(line), &e), HS_OK);
    free(line);
    assert_int_equal(hs_results_load(&r, path, &e), HS_EINPUT);
    assert_has(e.msg, "not a directory");
    /* A store. */
    assert_int_equal(hs_results_load(&r, base, &e), HS_OK);
    assert_int_equal(r.n, 1);
    hs_results_free(&r);
    unlink(path);
    rmdir(base);
}

/* Many records: the id index grows and still finds every one, and the last record wins. */
static void many_runs(void **state)
{
    store_text s = {0};
    for (int i = 0; i < 300; i++)
        st_add(&s, i % 2 ? "none" : "implicit", 1 + i % 5, 1 + i % 3, i / 30, "done",
               i % 7 ? 0.99 : 0.2, NULL, "");
    hs_results r;
    hs_analysis a;
    analyze_text(s.text, s.len, NULL, &r, &a);
    assert_int_equal(r.n, 300);
    size_t runs = 0;
    for (size_t c = 0; c < a.n_cells; c++) runs += a.cells[c].count;
    assert_int_equal(runs, 300);
    char id[17], keys[160];
    for (int i = 0; i < 300; i++) {
        snprintf(keys, sizeof keys,
                 "model.layers=%d task.hops=%d task.curriculum=%s task.chains=2 train.seed=%d",
                 1 + i % 3, 1 + i % 5, i % 2 ? "none" : "implicit", i / 30);
        assert_true(hs_results_find(&r, cfg_id(id, keys)) >= 0);
    }
    /* Runs come out sorted by family, hops, layers, seed. */
    for (size_t i = 1; i < a.n_runs; i++) {
        const hs_config *p = &r.runs[a.order[i - 1]].config, *c = &r.runs[a.order[i]].config;
        if (p->task.curriculum == c->task.curriculum && p->task.hops == c->task.hops &&
            p->model.layers == c->model.layers)
            assert_true(p->train.seed <= c->train.seed);
    }
    hs_analysis_free(&a);
    /* Re-adding a record with another status replaces it (the first one, of this config). */
    char line[4096];
    record(line, sizeof line, "implicit", 1, 1, 0, "failed", -1, NULL, "");
    cfg_id(id, "model.layers=1 task.hops=1 task.curriculum=implicit task.chains=2 train.seed=0");
    hs_err e = {0};
    assert_int_equal(hs_results_add_line(&r, line, strlen(line) - 1, 301, &e), HS_OK);
    assert_int_equal(r.n, 300);
    assert_int_equal(r.runs[hs_results_find(&r, id)].status, HS_RUN_FAILED);
    hs_results_free(&r);
    free(s.text);
}

/* Bounded work (reliability finding F7): a record may claim only what a job the trainer accepts
 * can produce. hops = 2^31-1 once made the minimum-layers plot loop forever, and 10,000 roles in
 * a 1-layer 1-head run cost minutes and gigabytes; such lines are now skipped with a reason, and
 * the records beside them are analysed as before. */
static void record_bounds(void **state)
{
    (void)state;
    char *good = with_ids(
        "{\"id\":\"@model.layers=1 "
        "model.heads=1@\",\"status\":\"done\",\"config\":{\"model\":{\"layers\":1,"
        "\"heads\":1}},\"final\":{\"query_acc\":1},\"emergence\":{\"order\":[\"L1:-1\"]}}\n");
    struct {
        const char *line;
        const char *why;
    } bad[] = {
        {"{\"id\":\"00000000000000c2\",\"status\":\"done\",\"config\":{\"task\":{\"hops\":"
         "2147483647}}}",
         "a config no job can have"},
        {"{\"id\":\"@model.layers=1 "
         "model.heads=1@\",\"status\":\"done\",\"config\":{\"model\":{\"layers\":1,\"heads\":1}},"
         "\"emergence\":{\"order\":[\"L1:-1\",\"L1:+1\"]}}",
         "more roles or heads than the model's 1 heads"},
        {"{\"id\":\"@model.layers=1 "
         "model.heads=2@\",\"status\":\"done\",\"config\":{\"model\":{\"layers\":1,\"heads\":2}},"
         "\"emergence\":{\"order\":[\"L7:-1\"]}}",
         "a role of layer 7; the model has 1"},
        {"{\"id\":\"@task.hops=2@\",\"status\":\"done\",\"config\":{\"task\":{\"hops\":2}},"
         "\"final\":{\"hop_acc\":[1,1,1,1,1]}}",
         "more hop labels than task.hops=2 has"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char text[1024];
        char *line = with_ids(bad[i].line);
        snprintf(text, sizeof text, "%s%s\n", good, line);
        free(line);
        hs_results r;
        hs_analysis a;
        analyze_text(text, strlen(text), NULL, &r, &a);
        assert_int_equal(r.n, 1);
        assert_int_equal(r.skipped, 1);
        assert_int_equal(r.first_skipped, 2);
        if (!strstr(r.first_why, bad[i].why))
            fail_msg("reason \"%s\" lacks \"%s\"", r.first_why, bad[i].why);
        assert_int_equal(a.n_cells, 1);
        hs_analysis_free(&a);
        hs_results_free(&r);
    }
    /* the 10,000-role record of the finding: skipped at once */
    size_t cap = 200000, n = 0;
    char *big = malloc(cap);
    assert_non_null(big);
    char id[17];
    n += (size_t)snprintf(big, cap,
                          "%s{\"id\":\"%s\",\"status\":\"done\",\"config\":{\"model\":"
                          "{\"layers\":1,\"heads\":1}},\"emergence\":{\"order\":[",
                          good, cfg_id(id, "model.layers=1 model.heads=1"));
    for (int k = 0; k < 10000; k++)
        n += (size_t)snprintf(big + n, cap - n, "%s\"L%d:+%d\"", k ? "," : "", k, k);
    n += (size_t)snprintf(big + n, cap - n, "]}}\n");
    assert_true(n < cap);
    hs_results r;
    hs_analysis a;
    clock_t t0 = clock();
    analyze_text(big, n, NULL, &r, &a);
    assert_true((double)(clock() - t0) / CLOCKS_PER_SEC < 5.0);
    assert_int_equal(r.n, 1);
    assert_int_equal(r.skipped, 1);
    assert_int_equal(r.n_roles, 1);
    hs_analysis_free(&a);
    hs_results_free(&r);
    free(big);
    free(good);
}

/* Finding F11: a copy of a record under the same id but with another config (7 layers, a
 * perfect score) once replaced the real result, the latest line of an id winning. The reader
 * refuses it, saying why, and analyses the real record alone. */
static void forged_id(void **state)
{
    (void)state;
    char real[4096], forged[4096], text[8300];
    record(real, sizeof real, "implicit", 2, 1, 0, "done", 0.4, "[0,100,null]", "");
    /* the same line with model.layers 7 and query accuracy 1: the id no longer fits */
    record(forged, sizeof forged, "implicit", 2, 1, 0, "done", 1.0, "[0,100,200]", "");
    char *p = strstr(forged, "\"layers\":1");
    assert_non_null(p);
    p[9] = '7';
    snprintf(text, sizeof text, "%s%s", real, forged);
    hs_results r;
    hs_analysis a;
    analyze_text(text, strlen(text), NULL, &r, &a);
    assert_int_equal(r.n, 1);
    assert_int_equal(r.skipped, 1);
    assert_int_equal(r.first_skipped, 2);
    assert_has(r.first_why, "an \"id\" that is not the hash of its config");
    assert_int_equal(r.runs[0].config.model.layers, 1);
    assert_near(r.runs[0].query_acc, 0.4);
    assert_int_equal(a.n_cells, 1);
    assert_int_equal(a.cells[0].layers, 1);
    assert_int_equal(a.cells[0].solved, 0);
    char notice[1024];
    hs_results_notice(&r, "S/runs.jsonl", notice, sizeof notice);
    assert_has(notice,
               "S/runs.jsonl: skipped 1 unreadable line(s), the first at line 2 (an \"id\"");
    hs_analysis_free(&a);
    hs_results_free(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(reading),       cmocka_unit_test(loading),   cmocka_unit_test(many_runs),
        cmocka_unit_test(record_bounds), cmocka_unit_test(forged_id),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
