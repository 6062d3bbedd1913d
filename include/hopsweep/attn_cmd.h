/* attn_cmd.h — `hopsweep attn LOG ...`: lists the frames of an attention log (attnlog.h) and
 * writes the maps of one logged step as CSV, PGM, or PNG/SVG through gnuplot. */
#ifndef HOPSWEEP_ATTN_CMD_H
#define HOPSWEEP_ATTN_CMD_H

/* Runs the command on the arguments that follow `attn` (argv[0] is the first of them, as
 * main.c hands each command its arguments); returns the exit code: 0 ok, 2 bad input (arguments,
 * a missing or damaged log, a step or head not in it, gnuplot missing for png/svg), 3 the
 * output could not be written or memory ran out. */
int hs_cmd_attn(int argc, char **argv);

#endif
