/* store_cmd.c — `hopsweep store merge`: array tasks' shard stores into one store. */
#include "hopsweep/store_cmd.h"

#include <stdio.h>
#include <string.h>

#include "hopsweep/escape.h"
#include "hopsweep/cli.h"
#include "hopsweep/store.h"

static const char STORE_USAGE[] =
    "usage: hopsweep store merge STORE SHARD_STORE...\n"
    "\n"
    "Appends to STORE every job a shard store finished (done or failed) that STORE does not\n"
    "hold yet, with its files; waits while another process writes STORE. Merging a shard again\n"
    "adds nothing. Array tasks (hopsweep run --shard K/N --out STORE/shards/K) end with it.\n";

int hs_cmd_store(int argc, char **argv)
{
    if (hs_cli_wants_help(argc, argv)) {
        fputs(STORE_USAGE, stdout);
        return 0;
    }
    if (argc < 3 || strcmp(argv[0], "merge")) {
        fprintf(stderr, "hopsweep store: usage: hopsweep store merge STORE SHARD_STORE...\n");
        return HS_EXIT_BAD_INPUT;
    }
    hs_store store;
    hs_err err = {0};
    hs_status st = hs_store_open_waiting(&store, argv[1], &err);
    if (st) return hs_cli_fail("store merge", &err);
    if (store.notice[0]) hs_term_printf(stderr, "hopsweep store merge: %s\n", store.notice);
    store.notice[0] = '\0';
    int rc = 0;
    for (int i = 2; i < argc && !rc; i++) {
        size_t added = 0;
        if ((st = hs_store_merge(&store, argv[i], &added, &err))) {
            rc = hs_cli_fail("store merge", &err);
        } else {
            fprintf(stderr, "hopsweep store merge: %zu job%s from %s into %s\n", added,
                    added == 1 ? "" : "s", argv[i], argv[1]);
        }
        if (store.notice[0]) { /* what the shard held that was not merged, and why */
            hs_term_printf(stderr, "hopsweep store merge: %s\n", store.notice);
            store.notice[0] = '\0';
        }
    }
    hs_store_close(&store);
    return rc;
}
