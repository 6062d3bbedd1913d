/* status_cmd.h — `hopsweep status STORE [--json]`: how many of a sweep's jobs are done, failed,
 * interrupted or never started, the failed jobs with their error and the slowest jobs, from the
 * store alone (status.h). */
#ifndef HOPSWEEP_STATUS_CMD_H
#define HOPSWEEP_STATUS_CMD_H

/* argv holds the arguments after "status". Returns the exit code: 0 ok, 2 bad input (not a
 * store, bad flags), 3 I/O or memory. */
int hs_cmd_status(int argc, char **argv);

#endif
