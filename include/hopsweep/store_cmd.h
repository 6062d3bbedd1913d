/* store_cmd.h — `hopsweep store`: `store merge`, the array tasks' stores into one. */
#ifndef HOPSWEEP_STORE_CMD_H
#define HOPSWEEP_STORE_CMD_H

int hs_cmd_store(int argc, char **argv);

#endif
