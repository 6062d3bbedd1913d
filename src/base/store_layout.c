/* store_layout.c — a job's paths inside a result store (store_layout.h). */
#include "hopsweep/store_layout.h"

#include <stdio.h>

hs_status hs_job_path(char *buf, size_t n, const char *store, const char *id, const char *file,
                      hs_err *err)
{
    int len = snprintf(buf, n, "%s%s" HS_STORE_JOBS "/%s%s%s", store ? store : "", store ? "/" : "",
                       id, file ? "/" : "", file ? file : "");
    if (len >= 0 && (size_t)len < n) return HS_OK;
    if (n) buf[0] = '\0';
    return hs_fail(err, HS_EINPUT, "the path of job %s's %s is longer than %zu bytes", id,
                   file ? file : "folder", n ? n - 1 : 0);
}
