/* coord_msg.h — what coord.c uses to wait and to move bytes between ranks (coord_msg.c); private
 * to the coord stage. */
#ifndef HOPSWEEP_COORD_MSG_H
#define HOPSWEEP_COORD_MSG_H

#include <stdbool.h>
#include <stddef.h>

#include "hopsweep/error.h"
#ifdef HS_HAVE_MPI
#include <mpi.h>
#endif

void hs_coord_sleep_us(long us);
/* Seconds on a monotonic clock. */
double hs_coord_now_s(void);

#ifdef HS_HAVE_MPI
/* Sends n bytes, waiting at most limit seconds (0: for ever) for the receiver to take them (a
 * large message waits for it). On timeout *late is set and the send is left to MPI: buf must
 * then stay allocated, since MPI may still read it. */
hs_status hs_coord_send_within(int dest, int tag, const void *buf, size_t n, double limit,
                               bool *late, hs_err *err);
hs_status hs_coord_send_bytes(int dest, int tag, const void *buf, size_t n, hs_err *err);
/* Receives a probed message into a new buffer (caller frees). */
hs_status hs_coord_recv_probed(const MPI_Status *st, char **buf, int *n, hs_err *err);
#endif

#endif
