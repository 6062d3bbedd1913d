/* test_store.c — unit tests of store.c: opening a fresh store, committing jobs and reading
 * their statuses back (the last line of an id wins), the files under jobs/<id>/, what open
 * repairs or skips in runs.jsonl (a partial last line, lines that are not JSON or not whole
 * records, forged ids, blank and CRLF lines), the lock against a second process, records as the
 * project's own JSON writer produces them, and the errors of open and put. A store holding
 * links, FIFOs and devices, and merging, are test_store_links.c's.
 *
 * Every test works in its own directory under one mkdtemp directory, removed at the end. */
#include "store_fixture.h"

/* ---------------------------------------------------------------------------------------------
 * Open, put, reopen */

static void fresh_store(void **state)
{
    char dir[512];
    test_dir(dir, "fresh/nested/out");
    hs_store s;
    open_ok(&s, dir);
    assert_int_equal(s.n, 0);
    assert_int_equal(s.lines, 0);
    assert_string_equal(s.notice, "");
    assert_int_equal(hs_store_status(&s, ID_A), HS_RUN_NONE);
    assert_true(exists(dir, "runs.jsonl"));
    size_t n;
    char *pid = slurp(dir, ".lock", &n);
    char want[32];
    snprintf(want, sizeof want, "%ld\n", (long)getpid());
    assert_string_equal(pid, want);
    free(pid);
    hs_store_close(&s);
    hs_store_close(&s); /* twice is harmless */
}

static void put_and_reopen(void **state)
{
    char dir[512];
    test_dir(dir, "reopen");
    hs_store s;
    open_ok(&s, dir);
    hs_job_output a1 = job(ID_A, HS_RUN_FAILED), b1 = job(ID_B, HS_RUN_DONE);
    put_ok(&s, &a1);
    put_ok(&s, &b1);
    assert_int_equal(hs_store_status(&s, ID_A), HS_RUN_FAILED);
    assert_int_equal(hs_store_status(&s, ID_B), HS_RUN_DONE);
    hs_job_output a2 = job(ID_A, HS_RUN_DONE), b2 = job(ID_B, HS_RUN_INTERRUPTED);
    hs_job_output c = job(ID_C, HS_RUN_INTERRUPTED);
    put_ok(&s, &a2);
    put_ok(&s, &b2);
    put_ok(&s, &c);
    /* the in-memory table follows the puts */
    assert_int_equal(hs_store_status(&s, ID_A), HS_RUN_DONE);
    assert_int_equal(hs_store_status(&s, ID_B), HS_RUN_INTERRUPTED);
    assert_int_equal(s.n, 3);
    hs_store_close(&s);

    open_ok(&s, dir);
    assert_string_equal(s.notice, "");
    assert_int_equal(s.lines, 5);
    assert_int_equal(s.n, 3);
    assert_int_equal(hs_store_status(&s, ID_A), HS_RUN_DONE);        /* failed, then done */
    assert_int_equal(hs_store_status(&s, ID_B), HS_RUN_INTERRUPTED); /* done, then interrupted */
    assert_int_equal(hs_store_status(&s, ID_C), HS_RUN_INTERRUPTED);
    assert_int_equal(hs_store_status(&s, "0123456789abcdee"), HS_RUN_NONE);
    assert_int_equal(hs_store_status(&s, ""), HS_RUN_NONE);
    assert_int_equal(hs_store_status(&s, NULL), HS_RUN_NONE);
    for (size_t i = 1; i < s.n; i++) assert_true(strcmp(s.entries[i - 1].id, s.entries[i].id) < 0);
    hs_store_close(&s);

    /* the file is the records, one per line, in order */
    size_t n;
    char *runs = slurp(dir, "runs.jsonl", &n);
    static char want[65536];
    snprintf(want, sizeof want, "%s\n%s\n%s\n%s\n%s\n", a1.record, b1.record, a2.record, b2.record,
             c.record);
    assert_string_equal(runs, want);
    free(runs);
}

/* Many ids in random order: the sorted table and its binary search hold up. */
static void many_ids(void **state)
{
    char dir[512];
    test_dir(dir, "many");
    hs_store s;
    open_ok(&s, dir);
    uint64_t x = 0x9e3779b97f4a7c15ull;
    char ids[128][17];
    for (int i = 0; i < 128; i++) {
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        unsigned long long seed = x >> 12; /* ids in random order: hashes of random seeds */
        id_of_seed(seed, ids[i]);
        const char *rec = record_of(seed, NULL, i % 3 ? "done" : "failed");
        hs_job_output o;
        memset(&o, 0, sizeof o);
        memcpy(o.id, ids[i], 17);
        o.status = i % 3 ? HS_RUN_DONE : HS_RUN_FAILED;
        o.record = (char *)rec;
        o.record_len = strlen(rec);
        put_ok(&s, &o);
    }
    hs_store_close(&s);
    open_ok(&s, dir);
    assert_int_equal(s.n, 128);
    for (int i = 0; i < 128; i++)
        assert_int_equal(hs_store_status(&s, ids[i]), i % 3 ? HS_RUN_DONE : HS_RUN_FAILED);
    hs_store_close(&s);
}

static void job_files(void **state)
{
    char dir[512];
    test_dir(dir, "files");
    hs_store s;
    open_ok(&s, dir);
    static const char metrics[] = "step,loss\n1,2.5\n";
    static const char attn[] = {0x28, (char)0xb5, 0x2f, (char)0xfd, 0, 0, 1, '\n', 0};
    static const char model[] = {1, 0, 0, 0, 0, 0, 0, 0, '{', '}'};
    hs_job_output o = job(ID_A, HS_RUN_DONE);
    o.metrics = (char *)metrics;
    o.metrics_len = sizeof metrics - 1;
    o.attention = (char *)attn;
    o.attention_len = sizeof attn;
    o.model = (char *)model;
    o.model_len = sizeof model;
    put_ok(&s, &o);

    size_t n;
    char *got = slurp(dir, fmt("jobs/%s/metrics.csv", ID_A), &n);
    assert_int_equal(n, sizeof metrics - 1);
    assert_memory_equal(got, metrics, n);
    free(got);
    got = slurp(dir, fmt("jobs/%s/attn.zst", ID_A), &n);
    assert_int_equal(n, sizeof attn);
    assert_memory_equal(got, attn, n);
    free(got);
    got = slurp(dir, fmt("jobs/%s/model.safetensors", ID_A), &n);
    assert_int_equal(n, sizeof model);
    assert_memory_equal(got, model, n);
    free(got);
    assert_false(exists(dir, fmt("jobs/%s/metrics.csv.tmp", ID_A)));
    assert_false(exists(dir, fmt("jobs/%s/metrics.csv.%ld.0.tmp", ID_A, (long)getpid())));

    /* A rerun without attention or checkpoint leaves only its own files, not stale ones. */
    static const char metrics2[] = "step,loss\n";
    hs_job_output o2 = job(ID_A, HS_RUN_FAILED);
    o2.metrics = (char *)metrics2;
    o2.metrics_len = sizeof metrics2 - 1;
    put_ok(&s, &o2);
    got = slurp(dir, fmt("jobs/%s/metrics.csv", ID_A), &n);
    assert_string_equal(got, metrics2);
    free(got);
    assert_false(exists(dir, fmt("jobs/%s/attn.zst", ID_A)));
    assert_false(exists(dir, fmt("jobs/%s/model.safetensors", ID_A)));

    /* An empty buffer is an empty file, not a missing one. */
    hs_job_output o3 = job(ID_B, HS_RUN_DONE);
    o3.metrics = (char *)"";
    put_ok(&s, &o3);
    got = slurp(dir, fmt("jobs/%s/metrics.csv", ID_B), &n);
    assert_int_equal(n, 0);
    free(got);

    /* hs_store_write_file */
    hs_err e = {0};
    assert_int_equal(hs_store_write_file(&s, "sweep.yaml", "name: x\n", 8, &e), HS_OK);
    got = slurp(dir, "sweep.yaml", &n);
    assert_string_equal(got, "name: x\n");
    free(got);
    hs_store_close(&s);
}

/* ---------------------------------------------------------------------------------------------
 * What open repairs and skips */

static void partial_last_line(void **state)
{
    char dir[512];
    test_dir(dir, "partial");
    char good[16384], cut[64];
    snprintf(good, sizeof good, "%s\n%s\n", R(ID_A, "done"), R(ID_B, "failed"));
    snprintf(cut, sizeof cut, "{\"id\":\"%s\",\"status\":\"do", ID_C);
    char text[32768];
    snprintf(text, sizeof text, "%s%s", good, cut);
    fixture(dir, text);

    hs_store s;
    open_ok(&s, dir);
    assert_one_line(s.notice);
    assert_has(s.notice, "runs.jsonl: cut off a partial last line");
    char want[128];
    snprintf(want, sizeof want, "(%zu bytes at byte offset %zu)", strlen(cut), strlen(good));
    assert_has(s.notice, want);
    assert_has(s.notice, "that job will run again");
    assert_int_equal(s.lines, 2);
    assert_int_equal(hs_store_status(&s, ID_A), HS_RUN_DONE);
    assert_int_equal(hs_store_status(&s, ID_B), HS_RUN_FAILED);
    assert_int_equal(hs_store_status(&s, ID_C), HS_RUN_NONE);
    size_t n;
    char *runs = slurp(dir, "runs.jsonl", &n);
    assert_string_equal(runs, good); /* truncated to the complete lines */
    free(runs);

    /* The next append starts a line of its own, and the store reads back clean. */
    hs_job_output c = job(ID_C, HS_RUN_DONE);
    put_ok(&s, &c);
    hs_store_close(&s);
    runs = slurp(dir, "runs.jsonl", &n);
    snprintf(text, sizeof text, "%s%s\n", good, c.record);
    assert_string_equal(runs, text);
    free(runs);
    open_ok(&s, dir);
    assert_string_equal(s.notice, "");
    assert_int_equal(s.lines, 3);
    assert_int_equal(hs_store_status(&s, ID_C), HS_RUN_DONE);
    hs_store_close(&s);

    /* A file that is nothing but a fragment ends up empty. */
    test_dir(dir, "partial-only");
    fixture(dir, "{\"id\":");
    open_ok(&s, dir);
    assert_has(s.notice, "(6 bytes at byte offset 0)");
    assert_int_equal(s.n, 0);
    hs_store_close(&s);
    runs = slurp(dir, "runs.jsonl", &n);
    assert_int_equal(n, 0);
    free(runs);
}

static void unreadable_lines(void **state)
{
    char dir[512];
    test_dir(dir, "garbage");
    const char *good_c = R(ID_C, "done");
    /* a whole record of C with one thing changed */
    char *forged = strdup(good_c), *files = strdup(good_c), *extra_key = strdup(good_c);
    char *p = strstr(forged, ID_C); /* the id, first in the line: now A's, config still C's */
    memcpy(p, ID_A, 16);
    p = strstr(files, "\"metrics\":\"jobs/");
    memcpy(p + strlen("\"metrics\":\""), "..//", 4);
    p = strstr(extra_key, "\"layers\":");
    memcpy(p, "\"layerz\"", 8); /* a config key this build does not know */
    char text[65536];
    snprintf(text, sizeof text,
             "%s\n"                                                 /* 1: A failed */
             "this is not json {\n"                                 /* 2 */
             "[\"%s\",\"done\"]\n"                                  /* 3: array */
             "{\"status\":\"done\"}\n"                              /* 4: no id */
             "{\"id\":\"%s\",\"status\":\"done\"}\n"                /* 5: bare, the F12 line */
             "{\"id\":\"0123456789ABCDEF\",\"status\":\"done\"}\n"  /* 6: uppercase */
             "{id: %s, status: done}\n"                             /* 7: YAML, not JSON */
             "%s trailing\n"                                        /* 8 */
             "%s%s\n"                                               /* 9: two run together */
             "%s\n"                                                 /* 10: forged id */
             "%s\n"                                                 /* 11: files path */
             "%s\n"                                                 /* 12: unknown key */
             "{\"id\":\"%s\",\"status\":\"done\",\"x\":\"\xff\"}\n" /* 13: not UTF-8 */
             "%s\n"                                                 /* 14: A done */
             "%s\n",                                                /* 15: B interrupted */
             R(ID_A, "failed"), ID_A, ID_C, ID_C, good_c, good_c, good_c, forged, files, extra_key,
             ID_C, R(ID_A, "done"), R(ID_B, "interrupted"));
    free(forged);
    free(files);
    free(extra_key);
    fixture(dir, text);
    hs_store s;
    open_ok(&s, dir);
    assert_one_line(s.notice);
    assert_has(s.notice,
               "runs.jsonl: skipped 12 line(s) that are not valid records, first at line 2");
    assert_int_equal(s.lines, 3);
    assert_int_equal(s.n, 2);
    assert_int_equal(hs_store_status(&s, ID_A), HS_RUN_DONE); /* a later line still counts */
    assert_int_equal(hs_store_status(&s, ID_B), HS_RUN_INTERRUPTED);
    assert_int_equal(hs_store_status(&s, ID_C), HS_RUN_NONE); /* no line made C done */
    hs_store_close(&s);

    /* Each kind alone, with the reason the notice gives. */
    static const struct {
        int line;
        const char *why;
    } kinds[] = {
        {5, "no \"config\" object"},
        {7, "not valid JSON"},
        {10, "an \"id\" that is not the hash of its config"},
        {11, "a \"files\" path outside the job's folder"},
        {12, "unknown to this hopsweep"},
    };
    for (size_t k = 0; k < sizeof kinds / sizeof kinds[0]; k++) {
        const char *l = text;
        for (int i = 1; i < kinds[k].line; i++) l = strchr(l, '\n') + 1;
        test_dir(dir, fmt("garbage-%d", kinds[k].line));
        fixture(dir, fmt("%.*s", (int)(strchr(l, '\n') - l + 1), l));
        open_ok(&s, dir);
        assert_has(s.notice, "skipped 1 line(s) that are not valid records, first at line 1");
        assert_has(s.notice, kinds[k].why);
        assert_int_equal(s.n, 0);
        hs_store_close(&s);
    }

    /* A NUL byte inside a complete line (what a crash can leave on some file systems). */
    test_dir(dir, "nul");
    char nul[32768];
    int n1 = snprintf(nul, sizeof nul, "%s\n", R(ID_A, "done"));
    memcpy(nul + n1, "\0\0\0\n", 4);
    int n2 = snprintf(nul + n1 + 4, sizeof nul - (size_t)n1 - 4, "%s\n", R(ID_B, "done"));
    fixture(dir, "");
    write_bytes(dir, "runs.jsonl", nul, (size_t)(n1 + 4 + n2));
    open_ok(&s, dir);
    assert_has(s.notice, "skipped 1 line(s) that are not valid records, first at line 2");
    assert_int_equal(hs_store_status(&s, ID_A), HS_RUN_DONE);
    assert_int_equal(hs_store_status(&s, ID_B), HS_RUN_DONE);
    hs_store_close(&s);
}

/* Both repairs at once: one notice, one line. */
static void skipped_and_partial(void **state)
{
    char dir[512];
    test_dir(dir, "both");
    fixture(dir, fmt("oops\n%s\n{\"id\"", R(ID_A, "done")));
    hs_store s;
    open_ok(&s, dir);
    assert_one_line(s.notice);
    assert_has(s.notice, "skipped 1 line(s) that are not valid records, first at line 1");
    assert_has(s.notice, "cut off a partial last line (5 bytes at byte offset");
    assert_int_equal(hs_store_status(&s, ID_A), HS_RUN_DONE);
    hs_store_close(&s);
}

static void blank_and_empty(void **state)
{
    char dir[512];
    test_dir(dir, "blank");
    fixture(dir, fmt("\n\n%s\n   \n\t\r\n\n%s\n\n", R(ID_A, "done"), R(ID_B, "failed")));
    hs_store s;
    open_ok(&s, dir);
    assert_string_equal(s.notice, "");
    assert_int_equal(s.lines, 2);
    assert_int_equal(hs_store_status(&s, ID_A), HS_RUN_DONE);
    assert_int_equal(hs_store_status(&s, ID_B), HS_RUN_FAILED);
    hs_store_close(&s);

    test_dir(dir, "empty");
    fixture(dir, "");
    open_ok(&s, dir);
    assert_string_equal(s.notice, "");
    assert_int_equal(s.n, 0);
    assert_int_equal(s.lines, 0);
    hs_store_close(&s);
}

/* A runs.jsonl passed through a Windows editor or a pretty-printer still reads: CRLF endings
 * and spaces around the object are tolerated (store.h says so). */
static void crlf_and_spaces(void **state)
{
    char dir[512];
    test_dir(dir, "crlf");
    /* B's record spaced out as a pretty-printer would, around its first keys and its end */
    char spaced[16384];
    const char *b = R(ID_B, "failed");
    snprintf(spaced, sizeof spaced, "{ \"id\" : \"%s\" ,\t%.*s }", ID_B,
             (int)(strlen(b) - 2 - strlen("\"id\":\"0123456789abcdef\",")),
             b + 1 + strlen("\"id\":\"0123456789abcdef\","));
    fixture(dir,
            fmt("%s\r\n   %s   \n\t%s \t\r\n", R(ID_A, "done"), spaced, R(ID_C, "interrupted")));
    hs_store s;
    open_ok(&s, dir);
    assert_string_equal(s.notice, "");
    assert_int_equal(s.lines, 3);
    assert_int_equal(hs_store_status(&s, ID_A), HS_RUN_DONE);
    assert_int_equal(hs_store_status(&s, ID_B), HS_RUN_FAILED);
    assert_int_equal(hs_store_status(&s, ID_C), HS_RUN_INTERRUPTED);
    hs_job_output o = job(ID_A, HS_RUN_FAILED);
    put_ok(&s, &o);
    hs_store_close(&s);
    open_ok(&s, dir);
    assert_string_equal(s.notice, "");
    assert_int_equal(hs_store_status(&s, ID_A), HS_RUN_FAILED);
    hs_store_close(&s);
}

/* A record as the project's writer makes it: nested objects and arrays, null, escapes,
 * non-ASCII text, a decoy "id" and "status" inside a nested object, and a length beyond
 * libyaml's 1024-character limit on simple keys; "id" and "status" after all of that. */
static void own_json_writer(void **state)
{
    char dir[512];
    test_dir(dir, "json");
    char *long_text = malloc(5001);
    assert_non_null(long_text);
    for (int i = 0; i < 5000; i++) long_text[i] = (char)('a' + i % 26);
    long_text[5000] = '\0';

    /* the decoys and odd text first, then the fields of a whole record (from record_of) but
     * its "id" and "status", which come last */
    hs_json j;
    hs_json_init(&j);
    hs_json_object_begin(&j);
    hs_json_key(&j, "sweep");
    hs_json_string(&j, "say \"hi\" \\ back\\slash\ttab, naïve 日本語 🙂");
    hs_json_key(&j, "note");
    hs_json_object_begin(&j);
    hs_json_key(&j, "id"); /* not the top-level id */
    hs_json_string(&j, ID_B);
    hs_json_key(&j, "status");
    hs_json_string(&j, "failed");
    hs_json_object_end(&j);
    hs_json_key(&j, "long");
    hs_json_string(&j, long_text);
    hs_json_key(&j, "control");
    hs_json_string(&j, "\x01\x1f\r\n");
    hs_json_object_end(&j);
    assert_true(hs_json_ok(&j));
    char *head = hs_json_take(&j);
    free(long_text);
    const char *whole = R(ID_A, "interrupted");
    const char *cfg = strstr(whole, "\"config\":"), *st = strstr(whole, ",\"status\":");
    const char *tail = strstr(st, "\"error\":");
    size_t cap = strlen(head) + strlen(whole) + 128;
    char *rec = malloc(cap);
    snprintf(rec, cap, "%.*s,%.*s,%.*s,\"id\":\"%s\",\"status\":\"interrupted\"}",
             (int)(strlen(head) - 1), head, (int)(st - cfg), cfg, (int)(strlen(tail) - 1), tail,
             ID_A);
    free(head);
    assert_null(strchr(rec, '\n'));
    assert_true(strlen(rec) > 5000);
    assert_non_null(strstr(rec, "\"files\":{\"metrics\":"));

    hs_store s;
    open_ok(&s, dir);
    hs_job_output o;
    memset(&o, 0, sizeof o);
    memcpy(o.id, ID_A, 17);
    o.status = HS_RUN_INTERRUPTED;
    o.record = rec;
    o.record_len = strlen(rec);
    put_ok(&s, &o);
    hs_store_close(&s);

    open_ok(&s, dir);
    assert_string_equal(s.notice, "");
    assert_int_equal(s.lines, 1);
    assert_int_equal(s.n, 1);
    assert_int_equal(hs_store_status(&s, ID_A), HS_RUN_INTERRUPTED);
    assert_int_equal(hs_store_status(&s, ID_B), HS_RUN_NONE);
    hs_store_close(&s);
    free(rec);
}

/* ---------------------------------------------------------------------------------------------
 * Lock */

/* In a child process (fcntl locks belong to processes), opens dir and sends back the status
 * and message. */
static hs_status open_in_child(const char *dir, char msg[512])
{
    int fds[2];
    assert_int_equal(pipe(fds), 0);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        close(fds[0]);
        hs_err e = {0};
        hs_store s;
        e.code = hs_store_open(&s, dir, &e); /* sent in e: a status is no exit status */
        hs_store_close(&s);
        ssize_t w = write(fds[1], &e, sizeof e);
        _exit(w == (ssize_t)sizeof e ? 0 : 100);
    }
    close(fds[1]);
    hs_err e = {0};
    ssize_t got = read(fds[0], &e, sizeof e);
    close(fds[0]);
    int wstatus;
    assert_int_equal(waitpid(pid, &wstatus, 0), pid);
    assert_true(WIFEXITED(wstatus));
    assert_int_equal(got, (ssize_t)sizeof e);
    assert_int_equal(WEXITSTATUS(wstatus), 0);
    memcpy(msg, e.msg, 512);
    return e.code;
}

static void lock(void **state)
{
    char dir[512];
    test_dir(dir, "locked");
    hs_store s;
    open_ok(&s, dir);
    char msg[512];
    assert_int_equal(open_in_child(dir, msg), HS_EINPUT);
    assert_one_line(msg);
    char pid[64];
    snprintf(pid, sizeof pid, "process %ld", (long)getpid());
    assert_has(msg, pid);
    assert_has(msg, dir);
    assert_has(msg, "wait for it to finish or choose another output");
    hs_store_close(&s); /* releases it */
    assert_int_equal(open_in_child(dir, msg), HS_OK);
    open_ok(&s, dir); /* the child's lock went with it */
    hs_store_close(&s);
}

/* ---------------------------------------------------------------------------------------------
 * Errors */

static void cannot_create(void **state)
{
    char dir[512], path[600];
    test_dir(dir, "plainfile");
    hs_err e = {0};
    assert_int_equal(hs_mkdirs(base, &e), HS_OK);
    write_bytes(base, "plainfile", "x", 1);
    snprintf(path, sizeof path, "%s/out", dir);
    hs_store s;
    assert_int_equal(hs_store_open(&s, path, &e), HS_EINPUT);
    assert_one_line(e.msg);
    assert_has(e.msg, dir);
    hs_store_close(&s); /* safe after a failed open */

    int stdin_open = fcntl(0, F_GETFD) != -1;
    hs_store zero;
    memset(&zero, 0, sizeof zero);
    hs_store_close(&zero); /* and on a zeroed one: must not close fd 0 */
    assert_int_equal(fcntl(0, F_GETFD) != -1, stdin_open);
}

/* An existing directory the user cannot write to is the user's choice of output. */
static void read_only_dir(void **state)
{
    if (geteuid() == 0) skip(); /* root writes anyway */
    char dir[512];
    test_dir(dir, "readonly");
    hs_err e = {0};
    assert_int_equal(hs_mkdirs(dir, &e), HS_OK);
    assert_int_equal(chmod(dir, 0555), 0);
    hs_store s;
    hs_status st = hs_store_open(&s, dir, &e);
    chmod(dir, 0755);
    assert_int_equal(st, HS_EINPUT);
    assert_one_line(e.msg);
    assert_has(e.msg, dir);
    assert_has(e.msg, "writable");
    hs_store_close(&s);
}

/* runs.jsonl that is a directory: refused as an entry of the wrong type, reported with the
 * file, and nothing leaks. */
static void runs_not_a_file(void **state)
{
    char dir[512], sub[600];
    test_dir(dir, "runsdir");
    snprintf(sub, sizeof sub, "%s/runs.jsonl", dir);
    hs_err e = {0};
    assert_int_equal(hs_mkdirs(sub, &e), HS_OK);
    hs_store s;
    assert_int_equal(hs_store_open(&s, dir, &e), HS_EINPUT);
    assert_one_line(e.msg);
    assert_has(e.msg, "runs.jsonl is a directory");
    hs_store_close(&s);
    /* the failed open released the lock */
    rmdir(sub);
    open_ok(&s, dir);
    hs_store_close(&s);
}

static void put_refuses_bad_output(void **state)
{
    char dir[512];
    test_dir(dir, "refuse");
    hs_store s;
    open_ok(&s, dir);
    hs_err e = {0};
    hs_job_output o = job(ID_A, HS_RUN_DONE);
    char bad[64];
    snprintf(bad, sizeof bad, "{\"id\":\"%s\",\n\"status\":\"done\"}", ID_A);
    o.record = bad;
    o.record_len = strlen(bad);
    assert_int_equal(hs_store_put(&s, &o, &e), HS_EINTERNAL);
    assert_one_line(e.msg);
    assert_has(e.msg, "newline");

    hs_job_output p = job("../../etc/passw", HS_RUN_DONE);
    assert_int_equal(hs_store_put(&s, &p, &e), HS_EINTERNAL);
    assert_one_line(e.msg);

    assert_int_equal(hs_store_status(&s, ID_A), HS_RUN_NONE);
    size_t n;
    char *runs = slurp(dir, "runs.jsonl", &n);
    assert_int_equal(n, 0);
    free(runs);
    assert_false(exists(dir, fmt("jobs/%s", ID_A)));
    hs_store_close(&s);
    hs_job_output q = job(ID_A, HS_RUN_DONE);
    assert_int_equal(hs_store_put(&s, &q, &e), HS_EINTERNAL); /* a closed store */
    assert_int_equal(hs_store_write_file(&s, "sweep.yaml", "x", 1, &e), HS_EINTERNAL);
}

/* An entry of the wrong type where a job's file goes fails the put naming it (before writing
 * anything, and hs_store_check_job says so before the job would run); no line is committed. */
static void put_write_failure(void **state)
{
    char dir[512], sub[600];
    test_dir(dir, "writefail");
    hs_store s;
    open_ok(&s, dir);
    hs_err e = {0};
    /* a directory where metrics.csv should go */
    snprintf(sub, sizeof sub, "%s/jobs/%s/metrics.csv/x", dir, ID_A);
    assert_int_equal(hs_mkdirs(sub, &e), HS_OK);
    assert_int_equal(hs_store_check_job(&s, ID_A, &e), HS_EINPUT);
    assert_has(e.msg, fmt("jobs/%s/metrics.csv is a directory", ID_A));
    hs_job_output o = job(ID_A, HS_RUN_DONE);
    o.metrics = (char *)"a,b\n";
    o.metrics_len = 4;
    assert_int_equal(hs_store_put(&s, &o, &e), HS_EINPUT);
    assert_one_line(e.msg);
    assert_has(e.msg, fmt("jobs/%s/metrics.csv", ID_A));
    assert_int_equal(hs_store_status(&s, ID_A), HS_RUN_NONE);
    assert_true(exists(dir, fmt("jobs/%s/metrics.csv/x", ID_A))); /* left alone */

    /* a regular file where the job's directory should go */
    write_bytes(dir, fmt("jobs/%s", ID_B), "x", 1);
    assert_int_equal(hs_store_check_job(&s, ID_B, &e), HS_EINPUT);
    hs_job_output p = job(ID_B, HS_RUN_DONE);
    assert_int_equal(hs_store_put(&s, &p, &e), HS_EINPUT);
    assert_one_line(e.msg);
    assert_has(e.msg, fmt("jobs/%s is a regular file", ID_B));

    size_t n;
    char *runs = slurp(dir, "runs.jsonl", &n);
    assert_int_equal(n, 0);
    free(runs);
    hs_store_close(&s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(fresh_store),
        cmocka_unit_test(put_and_reopen),
        cmocka_unit_test(many_ids),
        cmocka_unit_test(job_files),
        cmocka_unit_test(partial_last_line),
        cmocka_unit_test(unreadable_lines),
        cmocka_unit_test(skipped_and_partial),
        cmocka_unit_test(blank_and_empty),
        cmocka_unit_test(crlf_and_spaces),
        cmocka_unit_test(own_json_writer),
        cmocka_unit_test(lock),
        cmocka_unit_test(cannot_create),
        cmocka_unit_test(read_only_dir),
        cmocka_unit_test(runs_not_a_file),
        cmocka_unit_test(put_refuses_bad_output),
        cmocka_unit_test(put_write_failure),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
