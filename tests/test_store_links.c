/* test_store_links.c — unit tests of store.c against a store that holds links, FIFOs and
 * devices: nothing outside it is read or written (victim files outside are compared before and
 * after), atomic writes never write through a planted name, and a merge takes only validated
 * records (a forged id, a path outside the job's folder is skipped and said).
 *
 * Every test works in its own directory under one mkdtemp directory, removed at the end. */
#include "store_fixture.h"

#include <signal.h>
#include <sys/wait.h>
#include <time.h>

/* ---------------------------------------------------------------------------------------------
 * A store that holds links, FIFOs and devices: nothing outside it is read or written */

/* A victim directory outside every store: two files and a subdirectory with files named as a
 * job's. */
static void make_victims(const char *v)
{
    hs_err e = {0};
    char sub[600];
    snprintf(sub, sizeof sub, "%s/sub", v);
    assert_int_equal(hs_mkdirs(sub, &e), HS_OK);
    write_bytes(v, "a.txt", "victim a\nline 2 without newline", 31);
    write_bytes(v, "sub/metrics.csv", "victim metrics\n", 15);
    write_bytes(v, "sub/resume.bin", "keep me", 7);
}

/* Everything in the victim directory, as one string (caller frees): names, types and bytes. */
static char *victim_state(const char *v)
{
    static const char *const names[] = {"a.txt", "sub/metrics.csv", "sub/resume.bin", "sub"};
    char *out = calloc(1, 4096);
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        char path[1024];
        struct stat sb;
        snprintf(path, sizeof path, "%s/%s", v, names[i]);
        if (lstat(path, &sb)) {
            strcat(out, names[i]);
            strcat(out, "=missing;");
            continue;
        }
        size_t len = strlen(out);
        snprintf(out + len, 4096 - len, "%s:%o:%lld=", names[i], (unsigned)sb.st_mode,
                 (long long)sb.st_size);
        if (S_ISREG(sb.st_mode)) {
            size_t n;
            char *data = slurp(v, names[i], &n);
            strncat(out, data, 4096 - strlen(out) - 2);
            free(data);
        } else {
            DIR *d = opendir(path);
            int count = 0;
            for (struct dirent *e; d && (e = readdir(d));) count++;
            if (d) closedir(d);
            len = strlen(out);
            snprintf(out + len, 4096 - len, "%d entries", count);
        }
        strcat(out, ";");
    }
    return out;
}

static void link_to(const char *target, const char *dir, const char *name)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    unlink(path);
    if (symlink(target, path)) fail_msg("symlink %s: %s", path, strerror(errno));
}

/* Opening fails with HS_EINPUT and one line naming want. */
static void open_refused(const char *dir, const char *want)
{
    hs_store s;
    hs_err e = {0};
    assert_int_equal(hs_store_open(&s, dir, &e), HS_EINPUT);
    assert_one_line(e.msg);
    assert_has(e.msg, want);
    hs_store_close(&s);
}

static void links_never_followed(void **state)
{
    char v[512], dir[512], target[600];
    test_dir(v, "victims-links");
    make_victims(v);
    char *before = victim_state(v);

    /* the store's own files as links: refused at open, the target untouched */
    static const char *const top[] = {"runs.jsonl", ".lock", "sweep.yaml"};
    for (size_t i = 0; i < 3; i++) {
        test_dir(dir, fmt("links-%zu", i));
        fixture(dir, "");
        snprintf(target, sizeof target, "%s/a.txt", v);
        link_to(target, dir, top[i]);
        open_refused(
            dir, fmt("%s/%s is a symbolic link where hopsweep keeps a regular file", dir, top[i]));
    }
    test_dir(dir, "links-jobs");
    fixture(dir, "");
    snprintf(target, sizeof target, "%s/sub", v);
    link_to(target, dir, "jobs");
    open_refused(dir, fmt("%s/jobs is a symbolic link where hopsweep keeps a directory", dir));

    /* jobs/<id> a link to a directory outside: refused before the job runs, and by put */
    test_dir(dir, "links-jobdir");
    fixture(dir, "");
    hs_err e = {0};
    assert_int_equal(hs_mkdirs(fmt("%s/jobs", dir), &e), HS_OK);
    link_to(target, dir, fmt("jobs/%s", ID_A));
    hs_store s;
    open_ok(&s, dir);
    assert_int_equal(hs_store_check_job(&s, ID_A, &e), HS_EINPUT);
    assert_one_line(e.msg);
    assert_has(e.msg, fmt("jobs/%s is a symbolic link", ID_A));
    hs_job_output o = job(ID_A, HS_RUN_DONE);
    o.metrics = (char *)"step\n";
    o.metrics_len = 5;
    assert_int_equal(hs_store_put(&s, &o, &e), HS_EINPUT);
    char *bytes;
    size_t n;
    assert_int_equal(hs_store_read_resume(&s, ID_A, &bytes, &n, &e), HS_EINPUT);
    assert_null(bytes);
    assert_int_equal(hs_store_status(&s, ID_A), HS_RUN_NONE);
    hs_store_close(&s);

    /* a job's file a link to a file outside */
    test_dir(dir, "links-file");
    fixture(dir, "");
    assert_int_equal(hs_mkdirs(fmt("%s/jobs/%s", dir, ID_A), &e), HS_OK);
    snprintf(target, sizeof target, "%s/sub/metrics.csv", v);
    link_to(target, dir, fmt("jobs/%s/metrics.csv", ID_A));
    snprintf(target, sizeof target, "%s/sub/resume.bin", v);
    link_to(target, dir, fmt("jobs/%s/resume.bin", ID_A));
    open_ok(&s, dir);
    assert_int_equal(hs_store_check_job(&s, ID_A, &e), HS_EINPUT);
    assert_has(e.msg, fmt("jobs/%s/metrics.csv is a symbolic link", ID_A));
    assert_int_equal(hs_store_put(&s, &o, &e), HS_EINPUT);
    assert_int_equal(hs_store_read_resume(&s, ID_A, &bytes, &n, &e), HS_EINPUT);
    assert_has(e.msg, "resume.bin is a symbolic link");
    hs_store_close(&s);

    /* planted temporary names, the old fixed one and this process's next unique one: the put
     * writes around them, follows neither, and clears them away */
    test_dir(dir, "links-tmp");
    fixture(dir, "");
    assert_int_equal(hs_mkdirs(fmt("%s/jobs/%s", dir, ID_A), &e), HS_OK);
    snprintf(target, sizeof target, "%s/a.txt", v);
    link_to(target, dir, fmt("jobs/%s/metrics.csv.tmp", ID_A));
    link_to(target, dir, fmt("jobs/%s/metrics.csv.%ld.0.tmp", ID_A, (long)getpid()));
    char mtmp[64], stmp[64];
    hs_tmp_name(mtmp, sizeof mtmp, "metrics.csv", 0);
    hs_tmp_name(stmp, sizeof stmp, "sweep.yaml", 0);
    link_to(target, dir, fmt("jobs/%s/%s", ID_A, mtmp));
    link_to(target, dir, stmp);
    open_ok(&s, dir);
    put_ok(&s, &o);
    assert_int_equal(hs_store_write_file(&s, "sweep.yaml", "name: x\n", 8, &e), HS_OK);
    hs_store_close(&s);
    struct stat sb;
    assert_int_equal(lstat(fmt("%s/jobs/%s/metrics.csv", dir, ID_A), &sb), 0);
    assert_true(S_ISREG(sb.st_mode));
    char *got = slurp(dir, fmt("jobs/%s/metrics.csv", ID_A), &n);
    assert_string_equal(got, "step\n");
    free(got);
    assert_false(exists(dir, fmt("jobs/%s/metrics.csv.tmp", ID_A)));
    assert_int_equal(lstat(fmt("%s/jobs/%s/metrics.csv.%ld.0.tmp", dir, ID_A, (long)getpid()), &sb),
                     -1);
    assert_int_equal(lstat(fmt("%s/jobs/%s/%s", dir, ID_A, mtmp), &sb), -1);
    assert_int_equal(lstat(fmt("%s/sweep.yaml", dir), &sb), 0);
    assert_true(S_ISREG(sb.st_mode));

    char *after = victim_state(v);
    assert_string_equal(after, before);
    free(before);
    free(after);
}

/* A FIFO or a device where a store file belongs is refused at once, never opened for reading
 * (which would block) nor read (which would not end). */
static void fifos_and_devices(void **state)
{
    alarm(20); /* a hang fails the test instead of stalling the suite */
    char dir[512];
    hs_err e = {0};
    test_dir(dir, "fifo-runs");
    assert_int_equal(hs_mkdirs(dir, &e), HS_OK);
    assert_int_equal(mkfifo(fmt("%s/runs.jsonl", dir), 0644), 0);
    open_refused(dir, fmt("%s/runs.jsonl is a FIFO", dir));

    test_dir(dir, "fifo-resume");
    fixture(dir, "");
    assert_int_equal(hs_mkdirs(fmt("%s/jobs/%s", dir, ID_A), &e), HS_OK);
    assert_int_equal(mkfifo(fmt("%s/jobs/%s/resume.bin", dir, ID_A), 0644), 0);
    hs_store s;
    open_ok(&s, dir);
    char *bytes;
    size_t n;
    assert_int_equal(hs_store_read_resume(&s, ID_A, &bytes, &n, &e), HS_EINPUT);
    assert_has(e.msg, "resume.bin is a FIFO");
    assert_int_equal(hs_store_check_job(&s, ID_A, &e), HS_EINPUT);
    hs_store_close(&s);

    /* resume.bin -> /dev/zero (F15): refused without reading a byte */
    test_dir(dir, "devzero");
    fixture(dir, "");
    assert_int_equal(hs_mkdirs(fmt("%s/jobs/%s", dir, ID_A), &e), HS_OK);
    link_to("/dev/zero", dir, fmt("jobs/%s/resume.bin", ID_A));
    open_ok(&s, dir);
    assert_int_equal(hs_store_read_resume(&s, ID_A, &bytes, &n, &e), HS_EINPUT);
    assert_has(e.msg, "resume.bin is a symbolic link");
    hs_store_close(&s);

    /* outside a store too: whole-file reads take regular files only, and never block */
    test_dir(dir, "fifo-plain");
    assert_int_equal(hs_mkdirs(dir, &e), HS_OK);
    assert_int_equal(mkfifo(fmt("%s/p", dir), 0644), 0);
    assert_int_equal(hs_read_file(fmt("%s/p", dir), 1 << 20, &bytes, &n, &e), HS_EIO);
    assert_has(e.msg, "/p: cannot read: it is a FIFO, not a regular file");
    assert_int_equal(hs_read_file("/dev/zero", 1 << 20, &bytes, &n, &e), HS_EIO);
    assert_has(e.msg, "/dev/zero: cannot read: it is a character device");
    alarm(0);
}

/* Atomic writes outside a store: a link at the target is refused, a planted temporary name is
 * written around; an over-long path creates nothing. */
static void write_atomic_safety(void **state)
{
    char v[512], dir[512], target[600];
    test_dir(v, "victims-atomic");
    make_victims(v);
    char *before = victim_state(v);
    test_dir(dir, "atomic");
    hs_err e = {0};
    assert_int_equal(hs_mkdirs(dir, &e), HS_OK);
    snprintf(target, sizeof target, "%s/a.txt", v);
    link_to(target, dir, "out.txt");
    assert_int_equal(hs_write_atomic(fmt("%s/out.txt", dir), "new", 3, &e), HS_EINPUT);
    assert_one_line(e.msg);
    assert_has(e.msg, "out.txt is a symbolic link");
    char ttmp[64];
    hs_tmp_name(ttmp, sizeof ttmp, "two.txt", 0); /* the name the write tries first */
    link_to(target, dir, ttmp);
    assert_int_equal(hs_write_atomic(fmt("%s/two.txt", dir), "new", 3, &e), HS_OK);
    size_t n;
    char *got = slurp(dir, "two.txt", &n);
    assert_string_equal(got, "new");
    free(got);
    char *after = victim_state(v);
    assert_string_equal(after, before);
    free(before);
    free(after);

    /* one status per kind of failure (F13): the opens of runs.jsonl and .lock both map errno
     * through hs_errno_status, so EPERM (an immutable file) is bad input on either */
    static const int input[] = {EACCES, EPERM, EROFS, ENOENT, ENOTDIR, ELOOP, EISDIR};
    for (size_t i = 0; i < sizeof input / sizeof input[0]; i++)
        assert_int_equal(hs_errno_status(input[i]), HS_EINPUT);
    assert_int_equal(hs_errno_status(EIO), HS_EIO);
    assert_int_equal(hs_errno_status(ENOSPC), HS_EIO);

    char *longp = malloc(8192);
    int k = snprintf(longp, 8192, "%s/longpath", base);
    while (k < 5000) k += snprintf(longp + k, (size_t)(8192 - k), "/dddddddddd");
    assert_int_equal(hs_mkdirs(longp, &e), HS_EINPUT);
    assert_has(e.msg, "longer than");
    assert_false(exists(base, "longpath"));
    free(longp);
}

/* Merging copies only regular files the record names, after checking all of them; records
 * that are forged or point outside their folder are skipped and said. */
static void merge_only_validated(void **state)
{
    char v[512], shard[512], dir[512], target[600];
    test_dir(v, "victims-merge");
    make_victims(v);
    char *before = victim_state(v);
    test_dir(shard, "merge-shard");
    test_dir(dir, "merge-dest");
    hs_err e = {0};
    /* A done, its metrics.csv a link to a file outside (F2) */
    fixture(shard, fmt("%s\n", R(ID_A, "done")));
    assert_int_equal(hs_mkdirs(fmt("%s/jobs/%s", shard, ID_A), &e), HS_OK);
    snprintf(target, sizeof target, "%s/sub/metrics.csv", v);
    link_to(target, shard, fmt("jobs/%s/metrics.csv", ID_A));
    hs_store s;
    open_ok(&s, dir);
    size_t added = 99;
    assert_int_equal(hs_store_merge(&s, shard, &added, &e), HS_EINPUT);
    assert_one_line(e.msg);
    assert_has(e.msg, fmt("%s/jobs/%s/metrics.csv is a symbolic link", shard, ID_A));
    assert_int_equal(added, 0);
    assert_int_equal(s.n, 0);
    assert_false(exists(dir, fmt("jobs/%s", ID_A)));

    /* the same with a regular file, plus B naming a path outside its folder and C forged */
    unlink(fmt("%s/jobs/%s/metrics.csv", shard, ID_A));
    write_bytes(shard, fmt("jobs/%s/metrics.csv", ID_A), "step,a\n", 7);
    write_bytes(shard, fmt("jobs/%s/attn.zst", ID_A), "not named", 9); /* not in the record */
    char *b = strdup(R(ID_B, "done"));
    char *m = strstr(b, "\"metrics\":\"jobs/") + strlen("\"metrics\":\"");
    memcpy(m, "../../../..//etc", 16);
    char *c = strdup(R(ID_C, "done"));
    memcpy(strstr(c, ID_C), ID_B, 16);
    fixture(shard, fmt("%s\n%s\n%s\n", R(ID_A, "done"), b, c));
    free(b);
    free(c);
    assert_int_equal(hs_store_merge(&s, shard, &added, &e), HS_OK);
    assert_int_equal(added, 1);
    assert_int_equal(hs_store_status(&s, ID_A), HS_RUN_DONE);
    assert_int_equal(hs_store_status(&s, ID_B), HS_RUN_NONE);
    assert_one_line(s.notice);
    assert_has(s.notice, "skipped 2 line(s) that are not valid records, first at line 2");
    assert_has(s.notice, "outside the job's folder");
    size_t n;
    char *got = slurp(dir, fmt("jobs/%s/metrics.csv", ID_A), &n);
    assert_string_equal(got, "step,a\n");
    free(got);
    assert_false(exists(dir, fmt("jobs/%s/attn.zst", ID_A)));
    hs_store_close(&s);

    /* a shard whose jobs/<id> is a link, or whose runs.jsonl is a FIFO */
    test_dir(shard, "merge-shard2");
    fixture(shard, fmt("%s\n", R(ID_B, "done")));
    assert_int_equal(hs_mkdirs(fmt("%s/jobs", shard), &e), HS_OK);
    snprintf(target, sizeof target, "%s/sub", v);
    link_to(target, shard, fmt("jobs/%s", ID_B));
    open_ok(&s, dir);
    assert_int_equal(hs_store_merge(&s, shard, &added, &e), HS_EINPUT);
    assert_has(e.msg, fmt("jobs/%s is a symbolic link", ID_B));
    unlink(fmt("%s/runs.jsonl", shard));
    assert_int_equal(mkfifo(fmt("%s/runs.jsonl", shard), 0644), 0);
    alarm(20);
    assert_int_equal(hs_store_merge(&s, shard, &added, &e), HS_EINPUT);
    alarm(0);
    assert_has(e.msg, "runs.jsonl is a FIFO");
    assert_int_equal(hs_store_status(&s, ID_B), HS_RUN_NONE);
    hs_store_close(&s);

    char *after = victim_state(v);
    assert_string_equal(after, before);
    free(before);
    free(after);
}

static void touch(const char *dir, const char *name, time_t age)
{
    const char *p = fmt("%s/%s", dir, name);
    int fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, "partial", 7), 7);
    close(fd);
    struct timespec t[2] = {{time(NULL) - age, 0}, {time(NULL) - age, 0}};
    assert_int_equal(utimensat(AT_FDCWD, p, t, 0), 0);
}

/* Opening a store removes only temporaries whose writer is gone (K01): a `report` writing into
 * the store without its lock keeps its file; a killed one's is cleaned (CR06). */
static void stale_temporaries_only(void **state)
{
    (void)state;
    char dir[512], mine[64];
    test_dir(dir, "stale-tmp");
    hs_err e = {0};
    assert_int_equal(hs_mkdirs(dir, &e), HS_OK);
    hs_tmp_name(mine, sizeof mine, "report.html", 0);
    const char *tag = strchr(mine, '-') + 1; /* "<host>.0.tmp": this host's tag */
    pid_t live = fork();
    if (live == 0) {
        alarm(60); /* never outlives the test by long, even if it fails before the kill */
        pause();
        _exit(0);
    }
    pid_t dead = fork();
    if (dead == 0) _exit(0);
    assert_int_equal(waitpid(dead, NULL, 0), dead);
    touch(dir, fmt("report.html.%ld-%s", (long)live, tag), 0);        /* in flight: kept */
    touch(dir, fmt("report.html.%ld-%s", (long)dead, tag), 0);        /* killed: removed */
    touch(dir, fmt("report.html.%ld.0.tmp", (long)dead), 0);          /* older form: removed */
    touch(dir, mine, 0);                                              /* ours, earlier: removed */
    touch(dir, fmt("report.html.%ld-00000000.0.tmp", (long)live), 0); /* another host, new: kept */
    touch(dir, fmt("sweep.yaml.%ld-00000000.0.tmp", (long)live), 2 * 86400); /* a day old: gone */
    touch(dir, "notes.1.tmp", 0); /* not a temporary of ours (no NAME): kept */
    int dfd = open(dir, O_RDONLY | O_DIRECTORY);
    hs_remove_stale_tmp(dfd, "sweep.yaml"); /* only that entry's */
    assert_true(exists(dir, fmt("report.html.%ld-%s", (long)dead, tag)));
    assert_false(exists(dir, fmt("sweep.yaml.%ld-00000000.0.tmp", (long)live)));
    hs_remove_stale_tmp(dfd, NULL);
    close(dfd);
    assert_true(exists(dir, fmt("report.html.%ld-%s", (long)live, tag)));
    assert_false(exists(dir, fmt("report.html.%ld-%s", (long)dead, tag)));
    assert_false(exists(dir, fmt("report.html.%ld.0.tmp", (long)dead)));
    assert_false(exists(dir, mine));
    assert_true(exists(dir, fmt("report.html.%ld-00000000.0.tmp", (long)live)));
    assert_true(exists(dir, "notes.1.tmp"));
    kill(live, SIGKILL);
    waitpid(live, NULL, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(links_never_followed),   cmocka_unit_test(fifos_and_devices),
        cmocka_unit_test(write_atomic_safety),    cmocka_unit_test(merge_only_validated),
        cmocka_unit_test(stale_temporaries_only),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
