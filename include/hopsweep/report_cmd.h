/* report_cmd.h — `hopsweep report STORE [--out FILE.html]`: writes the store's HTML report
 * (report.h) atomically and prints its path. */
#ifndef HOPSWEEP_REPORT_CMD_H
#define HOPSWEEP_REPORT_CMD_H

/* argv holds the arguments after "report". Returns the exit code: 0 ok, 2 bad input (not a
 * store, bad flags), 3 the page could not be written or memory ran out. */
int hs_cmd_report(int argc, char **argv);

#endif
