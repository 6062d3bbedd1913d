/* expand_cmd.h — `hopsweep expand`: list a sweep's jobs without running them. */
#ifndef HOPSWEEP_EXPAND_CMD_H
#define HOPSWEEP_EXPAND_CMD_H

int hs_cmd_expand(int argc, char **argv);

#endif
