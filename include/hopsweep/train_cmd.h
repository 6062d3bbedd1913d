/* train_cmd.h — `hopsweep train`: train one job, print its evaluations, write its files with --out. */
#ifndef HOPSWEEP_TRAIN_CMD_H
#define HOPSWEEP_TRAIN_CMD_H

int hs_cmd_train(int argc, char **argv);

#endif
