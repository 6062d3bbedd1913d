/* test_analyze.c — unit tests of analyze.c: its own statistics on hand-made data with answers
 * worked out on paper (theory depth, monotone hop emergence, cell verdicts), then whole
 * synthetic stores (analyze_fixture.h): minimum layers (solved, above the tested depths,
 * undecided while seeds are pending, failed and interrupted runs), steps to solve, emergence
 * statistics with ties, missing roles, repeated roles and a single seed, records of an older
 * writer, role order, settings and their labels. The array statistics are test_stats.c's,
 * reading a store test_results.c's. */
#include "analyze_fixture.h"

/* ---------------------------------------------------------------------------------------------
 * The analysis's own statistics */

static void theory_depth(void **state)
{
    /* R(t) = (3^t - 1)/2 = 1, 4, 13, 40, 121: the largest D that t layers reach. */
    static const int hops[] = {1, 2, 4, 5, 13, 14, 40, 41, 121, 122};
    static const int want[] = {1, 2, 2, 3, 3, 4, 4, 5, 5, 6};
    for (size_t i = 0; i < sizeof hops / sizeof hops[0]; i++)
        assert_int_equal(hs_theory_min_layers(hops[i]), want[i]);
}

static void monotone_hops(void **state)
{
    const int rising[] = {0, 100, 200, 300};
    const int ties[] = {0, 100, 100, 200};
    const int falling[] = {0, 200, 100, 300};
    const int gap[] = {0, 100, -1, 300};  /* hop 2 never, hop 3 did: not monotone */
    const int tail[] = {0, 100, 200, -1}; /* the last hop never: monotone */
    const int none_at_all[] = {-1, -1, -1, -1};
    assert_int_equal(hs_hops_monotone(rising, 4, NULL, 0, 3), 1);
    assert_int_equal(hs_hops_monotone(ties, 4, NULL, 0, 3), 1);
    assert_int_equal(hs_hops_monotone(falling, 4, NULL, 0, 3), 0);
    assert_int_equal(hs_hops_monotone(gap, 4, NULL, 0, 3), 0);
    assert_int_equal(hs_hops_monotone(tail, 4, NULL, 0, 3), 1);
    assert_int_equal(hs_hops_monotone(none_at_all, 4, NULL, 0, 3), 1);
    /* Hop 0 does not count: it may emerge whenever. */
    const int late_zero[] = {900, 100, 200, 300};
    assert_int_equal(hs_hops_monotone(late_zero, 4, NULL, 0, 3), 1);
    /* Curriculum none measures only the query's hop: undefined, not "monotone". */
    const float only_query[] = {NAN, NAN, NAN, 0.99f};
    const int query_steps[] = {-1, -1, -1, 300};
    assert_int_equal(hs_hops_monotone(query_steps, 4, only_query, 4, 3), -1);
    /* Unmeasured hops are skipped, measured ones compared. */
    const float some[] = {1, 1, NAN, 1};
    assert_int_equal(hs_hops_monotone(gap, 4, some, 4, 3), 1);
    assert_int_equal(hs_hops_monotone(falling, 4, some, 4, 3), 1);
    assert_int_equal(hs_hops_monotone(rising, 3, NULL, 0, 3), -1); /* array too short */
    assert_int_equal(hs_hops_monotone(rising, 4, NULL, 0, 1), -1); /* one hop */
}

static void cell_verdicts(void **state)
{
    /* Majority: more than half. */
    assert_int_equal(hs_cell_judge(2, 3, 3, 0), HS_CELL_SOLVED);
    assert_int_equal(hs_cell_judge(1, 2, 2, 0), HS_CELL_UNSOLVED);
    assert_int_equal(hs_cell_judge(2, 2, 2, 0), HS_CELL_SOLVED);
    assert_int_equal(hs_cell_judge(1, 1, 1, 0), HS_CELL_SOLVED); /* a single seed */
    assert_int_equal(hs_cell_judge(0, 0, 3, 0), HS_CELL_EMPTY);
    /* A fraction: at least that share. */
    assert_int_equal(hs_cell_judge(1, 2, 2, 0.5), HS_CELL_SOLVED);
    assert_int_equal(hs_cell_judge(2, 3, 3, 1.0), HS_CELL_UNSOLVED);
    assert_int_equal(hs_cell_judge(3, 3, 3, 1.0), HS_CELL_SOLVED);
    assert_int_equal(hs_cell_judge(1, 3, 3, 1.0 / 3.0), HS_CELL_SOLVED); /* no rounding loss */
    /* Pending seeds: decided only when every outcome agrees. */
    assert_int_equal(hs_cell_judge(2, 2, 3, 0), HS_CELL_SOLVED);    /* 2/3 already */
    assert_int_equal(hs_cell_judge(1, 2, 3, 0), HS_CELL_UNDECIDED); /* 1/3 or 2/3 */
    assert_int_equal(hs_cell_judge(0, 2, 3, 0), HS_CELL_UNSOLVED);  /* at best 1/3 */
    assert_int_equal(hs_cell_judge(0, 1, 3, 0), HS_CELL_UNDECIDED);
}

static void min_layers(void **state)
{
    store_text s = {0};
    for (int seed = 0; seed < 3; seed++) {
        /* hops 1: one layer solves. */
        st_add(&s, "implicit", 1, 1, seed, "done", 0.99, "[0,100]", "");
        st_add(&s, "implicit", 1, 2, seed, "done", 0.99, "[0,100]", "");
        /* hops 2: one layer fails, two layers solve in 2 seeds of 3. */
        st_add(&s, "implicit", 2, 1, seed, "done", 0.6, "[0,100,null]", "");
        st_add(&s, "implicit", 2, 2, seed, "done", seed < 2 ? 0.97 : 0.5,
               seed < 2 ? "[0,100,400]" : "[0,100,null]", "");
        /* hops 3: two layers solve in one seed, one failed (counts as not solved). */
        st_add(&s, "implicit", 3, 1, seed, "done", 0.4, NULL, "");
        st_add(&s, "implicit", 3, 2, seed,
               seed == 0   ? "done"
               : seed == 1 ? "failed"
                           : "done",
               seed == 0   ? 0.96
               : seed == 1 ? -1
                           : 0.7,
               NULL, "");
        /* hops 5: nothing solves, and 2 layers is below the theory's 3. */
        st_add(&s, "implicit", 5, 1, seed, "done", 0.3, NULL, "");
        st_add(&s, "implicit", 5, 2, seed, "done", 0.3, NULL, "");
        /* hops 4: depth 1 has seed 0 unsolved, seed 1 interrupted, seed 2 not run. */
        if (seed == 0) st_add(&s, "implicit", 4, 1, seed, "done", 0.5, NULL, "");
        if (seed == 1) st_add(&s, "implicit", 4, 1, seed, "interrupted", -1, NULL, "");
        st_add(&s, "implicit", 4, 2, seed, "done", 0.98, NULL, "");
    }
    /* Curriculum none: only depth 2 tested at hops 1 (where the theory says 1). */
    st_add(&s, "none", 1, 2, 0, "done", 1.0, NULL, "");
    hs_results r;
    hs_analysis a;
    analyze_text(s.text, s.len, NULL, &r, &a);

    assert_int_equal(a.n_settings, 1);
    assert_int_equal(a.n_families, 2);
    assert_string_equal(a.families[0].label, ""); /* nothing but the curriculum differs */
    assert_int_equal(a.done, 10 + 8 + 9 + 1);     /* seeds 0, 1, 2, then none */
    assert_int_equal(a.failed, 1);
    assert_int_equal(a.interrupted, 1);

    const hs_group *g = group_of(&a, "implicit", 1);
    assert_int_equal(g->kind, HS_TMIN_FOUND);
    assert_int_equal(g->t_min, 1);
    assert_int_equal(g->theory, 1);
    assert_int_equal(g->agree, 1);
    g = group_of(&a, "implicit", 2);
    assert_int_equal(g->kind, HS_TMIN_FOUND);
    assert_int_equal(g->t_min, 2);
    assert_int_equal(g->agree, 1);
    g = group_of(&a, "implicit", 3);
    assert_int_equal(g->kind, HS_TMIN_ABOVE);
    assert_int_equal(g->t_min, 2);
    assert_int_equal(g->theory, 2);
    assert_int_equal(g->agree, 0); /* the theory's depth was tested and failed */
    g = group_of(&a, "implicit", 4);
    assert_int_equal(g->expected, 3);
    assert_int_equal(g->kind, HS_TMIN_UNKNOWN); /* depth 1 could still solve */
    assert_int_equal(g->t_min, 1);
    assert_int_equal(g->agree, -1);
    g = group_of(&a, "implicit", 5);
    assert_int_equal(g->kind, HS_TMIN_ABOVE);
    assert_int_equal(g->theory, 3);
    assert_int_equal(g->agree, -1); /* depth 3 was never tried */
    g = group_of(&a, "none", 1);
    assert_int_equal(g->kind, HS_TMIN_FOUND);
    assert_int_equal(g->t_min, 2);
    assert_int_equal(g->agree, 0);

    const hs_cell *c = cell_of(&a, "implicit", 3, 2);
    assert_int_equal(c->done, 2);
    assert_int_equal(c->failed, 1);
    assert_int_equal(c->solved, 1);
    assert_near(c->mean_acc, (0.96 + 0.7) / 2);
    assert_int_equal(c->verdict, HS_CELL_UNSOLVED);
    c = cell_of(&a, "implicit", 4, 1);
    assert_int_equal(c->done, 1);
    assert_int_equal(c->interrupted, 1);
    assert_int_equal(c->expected, 3);
    assert_int_equal(c->verdict, HS_CELL_UNDECIDED);

    /* Steps to solve: hop_steps[D] of the solving runs. */
    c = cell_of(&a, "implicit", 2, 2);
    assert_int_equal(c->solved, 2);
    assert_int_equal(c->n_steps, 2);
    assert_near(c->median_steps, 400);
    c = cell_of(&a, "implicit", 4, 2); /* solved, but no hop_steps in the records */
    assert_int_equal(c->solved, 3);
    assert_int_equal(c->n_steps, 0);
    assert_int_equal(c->unsolved_steps, 3);
    assert_true(isnan(c->median_steps));
    c = cell_of(&a, "implicit", 1, 1);
    assert_near(c->median_steps, 100);

    /* The family's axes for the matrix. */
    const hs_family *f = &a.families[group_of(&a, "implicit", 1)->family];
    assert_int_equal(f->n_hops, 5);
    assert_int_equal(f->n_layers, 2);
    assert_int_equal(f->hops_values[4], 5);
    assert_int_equal(f->layers_values[1], 2);

    /* A looser fraction turns hops 3 at depth 2 (1 of 3 seeds) into solved. */
    hs_analysis_free(&a);
    hs_analyze_opts o;
    hs_analyze_opts_default(&o);
    o.fraction = 1.0 / 3.0;
    hs_err e = {0};
    assert_int_equal(hs_analyze(&r, &o, &a, &e), HS_OK);
    g = group_of(&a, "implicit", 3);
    assert_int_equal(g->kind, HS_TMIN_FOUND);
    assert_int_equal(g->t_min, 2);
    /* ... and a stricter tau unsolves everything below 0.99. */
    hs_analysis_free(&a);
    o.fraction = 0;
    o.tau = 0.99;
    assert_int_equal(hs_analyze(&r, &o, &a, &e), HS_OK);
    g = group_of(&a, "implicit", 2);
    assert_int_equal(g->kind, HS_TMIN_ABOVE);
    assert_int_equal(cell_of(&a, "implicit", 1, 1)->solved, 3);
    hs_analysis_free(&a);
    hs_results_free(&r);
    free(s.text);
}

/* Heads JSON for emergence: role/step pairs. */
static void heads_json(char *buf, size_t n, const char *const *roles, const int *steps, int k)
{
    size_t len = (size_t)snprintf(buf, n, ",\"heads\":[");
    for (int i = 0; i < k; i++) {
        char step[16];
        if (steps[i] < 0)
            snprintf(step, sizeof step, "null");
        else
            snprintf(step, sizeof step, "%d", steps[i]);
        len += (size_t)snprintf(buf + len, n - len,
                                "%s{\"layer\":1,\"head\":%d,\"role\":\"%s\",\"score\":0.8,"
                                "\"step\":%s}",
                                i ? "," : "", i, roles[i], step);
    }
    len += (size_t)snprintf(buf + len, n - len, "],\"order\":[");
    /* order: emerged heads by step (the writer sorts; inputs here are given sorted) */
    bool first = true;
    for (int i = 0; i < k; i++)
        if (steps[i] >= 0) {
            len += (size_t)snprintf(buf + len, n - len, "%s\"%s\"", first ? "" : ",", roles[i]);
            first = false;
        }
    snprintf(buf + len, n - len, "]");
}

static void emergence_stats(void **state)
{
    store_text s = {0};
    char em[1024];
    /* Three seeds of one configuration; in seed 2 L2:-3 never emerges and L1:+1 comes first. */
    const char *const r0[] = {"L1:-1", "L1:+1", "L2:-3", "L2:other"};
    const int s0[] = {100, 200, 300, -1};
    const int s1[] = {100, 300, 400, -1};
    const char *const r2[] = {"L1:+1", "L1:-1", "L2:-3", "L2:other"};
    const int s2[] = {100, 200, -1, -1};
    heads_json(em, sizeof em, r0, s0, 4);
    st_add(&s, "implicit", 4, 2, 0, "done", 0.99, "[0,100,200,300,400]", em);
    heads_json(em, sizeof em, r0, s1, 4);
    st_add(&s, "implicit", 4, 2, 1, "done", 0.99, "[0,100,200,null,400]", em);
    heads_json(em, sizeof em, r2, s2, 4);
    st_add(&s, "implicit", 4, 2, 2, "done", 0.99, "[0,100,100,300,null]", em);
    /* A failed run with head data does not count for emergence. */
    st_add(&s, "implicit", 4, 2, 3, "failed", -1, NULL, ",\"heads\":[],\"order\":[\"L2:-3\"]");
    /* One seed only (another depth): W undefined, the interval collapses. */
    const char *const r3[] = {"L1:-1", "L1:+1"};
    const int s3[] = {500, 700};
    heads_json(em, sizeof em, r3, s3, 2);
    st_add(&s, "implicit", 4, 1, 0, "done", 0.5, "[0,100,null,null,null]", em);
    /* Ties at one step, and a role two heads share (the order names it twice). */
    st_add(&s, "implicit", 4, 3, 0, "done", 0.99, NULL,
           ",\"heads\":[{\"role\":\"L1:-1\",\"step\":200},{\"role\":\"L1:-1\",\"step\":100},"
           "{\"role\":\"L1:+1\",\"step\":100}],\"order\":[\"L1:-1\",\"L1:-1\",\"L1:+1\"]");
    st_add(&s, "implicit", 4, 3, 1, "done", 0.99, NULL,
           ",\"heads\":[{\"role\":\"L1:+1\",\"step\":100},{\"role\":\"L1:-1\",\"step\":100}],"
           "\"order\":[\"L1:+1\",\"L1:-1\"]");
    /* An older writer: no heads, no order. */
    st_add(&s, "implicit", 3, 2, 0, "done", 0.99, "[0,100,200,300]", "");
    st_add(&s, "implicit", 3, 2, 1, "done", 0.99, "[0,100,200,300]", "");
    hs_results r;
    hs_analysis a;
    analyze_text(s.text, s.len, NULL, &r, &a);
    assert_int_equal(a.with_heads, 6);

    const hs_cell *c = cell_of(&a, "implicit", 4, 2);
    const hs_emergence *em2 = &c->em;
    assert_int_equal(em2->runs, 3);
    assert_int_equal(em2->n_roles, 3); /* L2:other never emerged anywhere: not an item */
    static const char *const want_roles[] = {"L1:-1", "L1:+1", "L2:-3"};
    for (int k = 0; k < 3; k++)
        assert_string_equal(r.roles[em2->roles[k].role].name, want_roles[k]);
    /* L1:-1 at 100, 100, 200. */
    const hs_role_stat *rs = &em2->roles[0];
    assert_int_equal(rs->emerged, 3);
    assert_int_equal(rs->never, 0);
    assert_near(rs->median, 100);
    assert_near(rs->q1, 100);
    assert_near(rs->q3, 150);
    assert_true(rs->ci_lo >= 100 && rs->ci_hi <= 200 && rs->ci_lo <= rs->median);
    /* L2:-3 at 300 and 400, never in seed 2. */
    rs = &em2->roles[2];
    assert_int_equal(rs->emerged, 2);
    assert_int_equal(rs->never, 1);
    assert_int_equal(rs->timed, 2);
    assert_near(rs->median, 350);
    assert_near(rs->q1, 325);
    assert_near(rs->q3, 375);
    assert_near(rs->ci_lo, 300);
    assert_near(rs->ci_hi, 400);
    /* Precedence: L1:-1 before L1:+1 in seeds 0 and 1, not 2. */
    const hs_precedence *p = &em2->prec[0 * 3 + 1];
    assert_near(p->p, 2.0 / 3.0);
    assert_int_equal(p->both, 3);
    /* L1:+1 before L2:-3 in seeds 0 and 1, and in seed 2 by emerging when L2:-3 never did. */
    p = &em2->prec[1 * 3 + 2];
    assert_near(p->p, 1.0);
    assert_int_equal(p->both, 2);
    assert_int_equal(p->only_a, 1);
    p = &em2->prec[2 * 3 + 1];
    assert_near(p->p, 0.0);
    assert_int_equal(p->only_b, 1);
    /* Ranks (1,2,3), (1,2,3), (2,1,3): sums 4, 5, 9, S = 14, W = 168/216. */
    assert_near(em2->w, 168.0 / 216.0);
    assert_null(em2->w_why);
    /* The modal order is seeds 0 and 1's. */
    assert_int_equal(em2->modal_runs, 2);
    assert_int_equal(em2->orders, 2);
    assert_int_equal(em2->modal_ties, 0);
    assert_int_equal(em2->n_modal, 3);
    for (int k = 0; k < 3; k++) assert_string_equal(r.roles[em2->modal[k]].name, want_roles[k]);
    /* Hops: seed 0 monotone, seed 1 not (hop 3 never, hop 4 did), seed 2 monotone. */
    assert_int_equal(em2->mono, 2);
    assert_int_equal(em2->mono_of, 3);

    /* A single seed. */
    c = cell_of(&a, "implicit", 4, 1);
    assert_int_equal(c->em.runs, 1);
    assert_true(isnan(c->em.w));
    assert_string_equal(c->em.w_why, "fewer than 2 runs");
    assert_int_equal(c->em.modal_runs, 1);
    assert_int_equal(c->em.orders, 1);
    assert_near(c->em.roles[1].median, 700);
    assert_near(c->em.roles[1].ci_lo, 700);
    assert_near(c->em.roles[1].ci_hi, 700);
    assert_near(c->em.roles[1].q1, 700);

    /* Ties and a shared role: seed 0 has L1:-1 once, at its earliest head's step 100, tied with
     * L1:+1; seed 1 the same tie in another order. W is undefined (every run ties both roles),
     * precedence is a half both ways, and the two orders tie for the mode. */
    c = cell_of(&a, "implicit", 4, 3);
    assert_int_equal(c->em.n_roles, 2);
    assert_int_equal(c->em.roles[0].emerged, 2);
    assert_near(c->em.roles[0].median, 100);
    assert_true(isnan(c->em.w));
    assert_string_equal(c->em.w_why, "every run ties all roles");
    assert_near(c->em.prec[1].p, 0.5);
    assert_near(c->em.prec[2].p, 0.5);
    assert_int_equal(c->em.orders, 2);
    assert_int_equal(c->em.modal_runs, 1);
    assert_int_equal(c->em.modal_ties, 1);
    assert_string_equal(r.roles[c->em.modal[0]].name, "L1:-1"); /* the lowest seed's order */

    /* Records without head data: no emergence runs, but hop monotonicity still counts. */
    c = cell_of(&a, "implicit", 3, 2);
    assert_int_equal(c->em.runs, 0);
    assert_int_equal(c->em.n_roles, 0);
    assert_true(isnan(c->em.w));
    assert_int_equal(c->em.mono, 2);
    assert_int_equal(c->em.mono_of, 2);

    /* Deterministic: the same records give the same intervals. */
    hs_analysis b;
    hs_err e = {0};
    hs_analyze_opts o;
    hs_analyze_opts_default(&o);
    assert_int_equal(hs_analyze(&r, &o, &b, &e), HS_OK);
    const hs_cell *cb = cell_of(&b, "implicit", 4, 2);
    c = cell_of(&a, "implicit", 4, 2);
    for (int k = 0; k < 3; k++) {
        assert_true(cb->em.roles[k].ci_lo == c->em.roles[k].ci_lo);
        assert_true(cb->em.roles[k].ci_hi == c->em.roles[k].ci_hi);
    }
    hs_analysis_free(&b);
    hs_analysis_free(&a);
    hs_results_free(&r);
    free(s.text);
}

/* Steps of roles come from emergence.heads; without them the order still ranks. */
static void order_without_steps(void **state)
{
    char *text = with_ids(
        "{\"id\":\"@train.seed=1@\",\"status\":\"done\",\"config\":{\"train\":{\"seed\":1}},"
        "\"final\":{\"query_acc\":1},\"emergence\":{\"order\":[\"L1:+1\",\"L1:-1\"]}}\n"
        "{\"id\":\"@train.seed=2@\",\"status\":\"done\",\"config\":{\"train\":{\"seed\":2}},"
        "\"final\":{\"query_acc\":1},\"emergence\":{\"order\":[\"L1:+1\",\"L1:-1\"]}}\n");
    hs_results r;
    hs_analysis a;
    analyze_text(text, strlen(text), NULL, &r, &a);
    free(text);
    assert_int_equal(a.n_cells, 1);
    const hs_emergence *em = &a.cells[0].em;
    assert_int_equal(em->runs, 2);
    assert_int_equal(em->n_roles, 2);
    assert_string_equal(r.roles[em->roles[0].role].name, "L1:-1"); /* role order, not emergence */
    assert_int_equal(em->roles[0].emerged, 2);
    assert_int_equal(em->roles[0].timed, 0);
    assert_true(isnan(em->roles[0].median));
    assert_near(em->prec[1 * 2 + 0].p, 1.0); /* L1:+1 before L1:-1 */
    assert_near(em->w, 1.0);
    hs_analysis_free(&a);
    hs_results_free(&r);
}

static void role_order(void **state)
{
    /* Roles sort by layer, then offsets from -D to +D, then self, other, query. */
    char *text =
        with_ids("{\"id\":\"@model.heads=8@\",\"status\":\"done\",\"config\":{\"model\":{\"heads\":"
                 "8}},\"emergence\":{\"order\":"
                 "[\"L2:query\",\"L1:other\",\"L1:+3\",\"L2:-1\",\"L1:self\",\"L1:-2\",\"L1:+1\","
                 "\"L1:query\",\"weird\"]}}\n");
    hs_results r;
    hs_analysis a;
    analyze_text(text, strlen(text), NULL, &r, &a);
    free(text);
    static const char *const want[] = {"L1:-2",    "L1:+1", "L1:+3",    "L1:self", "L1:other",
                                       "L1:query", "L2:-1", "L2:query", "weird"};
    const hs_emergence *em = &a.cells[0].em;
    assert_int_equal(em->n_roles, 9);
    for (int k = 0; k < 9; k++) assert_string_equal(r.roles[em->roles[k].role].name, want[k]);
    hs_analysis_free(&a);
    hs_results_free(&r);
}

/* ---------------------------------------------------------------------------------------------
 * Reading */

static void settings_and_labels(void **state)
{
    /* Two chains values: two settings, labelled by the key that differs. */
    char *text = with_ids(
        "{\"id\":\"@task.chains=2@\",\"status\":\"done\",\"config\":{\"task\":{\"chains\":2}},"
        "\"final\":{\"query_acc\":1}}\n"
        "{\"id\":\"@task.chains=4@\",\"status\":\"done\",\"config\":{\"task\":{\"chains\":4}},"
        "\"final\":{\"query_acc\":1}}\n"
        "{\"id\":\"@task.chains=4 "
        "task.curriculum=none@\",\"status\":\"done\",\"config\":{\"task\":{\"chains\":4,"
        "\"curriculum\":\"none\"}},\"final\":{\"query_acc\":1}}\n");
    hs_results r;
    hs_analysis a;
    analyze_text(text, strlen(text), NULL, &r, &a);
    free(text);
    assert_int_equal(a.n_settings, 2);
    assert_int_equal(a.n_families, 3);
    assert_string_equal(a.families[0].label, "task.chains=2");
    assert_string_equal(a.families[1].label, "task.chains=4");
    assert_int_equal(a.families[1].setting, 1);
    assert_int_equal(a.families[2].setting, 1);
    /* Within a setting, curricula in their enum order: none before implicit. */
    assert_int_equal(a.families[1].curriculum, HS_CURRICULUM_NONE);
    assert_int_equal(a.families[2].curriculum, HS_CURRICULUM_IMPLICIT);
    hs_analysis_free(&a);
    hs_results_free(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(theory_depth),    cmocka_unit_test(monotone_hops),
        cmocka_unit_test(cell_verdicts),   cmocka_unit_test(min_layers),
        cmocka_unit_test(emergence_stats), cmocka_unit_test(order_without_steps),
        cmocka_unit_test(role_order),      cmocka_unit_test(settings_and_labels),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
