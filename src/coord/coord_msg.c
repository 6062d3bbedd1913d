/* coord_msg.c — the coordinator's clock, its short sleeps and its MPI sends and receives that
 * wait in short sleeps instead of Open MPI's busy-polling blocking calls, so that a waiting rank
 * leaves its core to the ranks that train. */
#include "coord_msg.h"

#include <stdint.h>
#include <stdlib.h>
#include <time.h>

void hs_coord_sleep_us(long us)
{
    struct timespec ts = {us / 1000000, (us % 1000000) * 1000};
    nanosleep(&ts, NULL);
}

double hs_coord_now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * ts.tv_nsec;
}

#ifdef HS_HAVE_MPI
/* Sends n bytes, waiting at most limit seconds (0: for ever) for the receiver to take them (a
 * large message waits for it). On timeout *late is set and the send is left to MPI: buf must
 * then stay allocated, since MPI may still read it. */
hs_status hs_coord_send_within(int dest, int tag, const void *buf, size_t n, double limit,
                               bool *late, hs_err *err)
{
    if (n > INT32_MAX)
        return hs_fail(err, HS_EINTERNAL, "a message of %zu bytes is too large for MPI", n);
    MPI_Request req;
    if (MPI_Isend(buf, (int)n, MPI_BYTE, dest, tag, MPI_COMM_WORLD, &req) != MPI_SUCCESS)
        return hs_fail(err, HS_EINTERNAL, "MPI_Isend to rank %d failed", dest);
    double t0 = hs_coord_now_s();
    for (long pause = 20;;) {
        int done = 0;
        MPI_Test(&req, &done, MPI_STATUS_IGNORE);
        if (done) return HS_OK;
        if (limit > 0 && hs_coord_now_s() - t0 > limit) {
            MPI_Request_free(&req);
            *late = true;
            return HS_OK;
        }
        hs_coord_sleep_us(pause);
        if (pause < 2000) pause *= 2;
    }
}

hs_status hs_coord_send_bytes(int dest, int tag, const void *buf, size_t n, hs_err *err)
{
    bool late = false;
    return hs_coord_send_within(dest, tag, buf, n, 0, &late, err);
}

/* Receives a probed message into a new buffer (caller frees). */
hs_status hs_coord_recv_probed(const MPI_Status *st, char **buf, int *n, hs_err *err)
{
    MPI_Get_count(st, MPI_BYTE, n);
    *buf = malloc((size_t)*n + 1);
    if (!*buf)
        return hs_fail(err, HS_ENOMEM, "out of memory receiving %d bytes from rank %d", *n,
                       st->MPI_SOURCE);
    MPI_Recv(*buf, *n, MPI_BYTE, st->MPI_SOURCE, st->MPI_TAG, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
    (*buf)[*n] = '\0';
    return HS_OK;
}
#endif
