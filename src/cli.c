/* cli.c — exit codes and argument helpers shared by every command (cli.h). */
#include "hopsweep/cli.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

int hs_exit_code(hs_status st)
{
    switch (st) {
    case HS_OK: return HS_EXIT_OK;
    case HS_EINPUT: return HS_EXIT_BAD_INPUT;
    case HS_ENUMERIC: return HS_EXIT_JOB_FAILED;
    default: return HS_EXIT_IO;
    }
}

int hs_exit_code_loading(hs_status st)
{
    return st == HS_EIO ? HS_EXIT_BAD_INPUT : hs_exit_code(st);
}

bool hs_cli_wants_help(int argc, char **argv)
{
    for (int i = 0; i < argc; i++)
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) return true;
    return false;
}

int hs_cli_parse_threads(const char *s, int *out)
{
    char *end;
    errno = 0;
    long n = strtol(s, &end, 10);
    if (errno || *end || end == s || n < 1 || n > 1024) return -1;
    *out = (int)n;
    return 0;
}
