/* version_cmd.h — `hopsweep --version`: what this binary is and what it runs on here. */
#ifndef HOPSWEEP_VERSION_CMD_H
#define HOPSWEEP_VERSION_CMD_H

int hs_cmd_version(int argc, char **argv);

#endif
