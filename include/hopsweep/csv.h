/* csv.h — writing CSV fields (RFC 4180 quoting) for the commands that print tables as CSV. */
#ifndef HOPSWEEP_CSV_H
#define HOPSWEEP_CSV_H

#include <stdio.h>

/* Writes s as one field: as it is when it can stand alone, else in double quotes with its
 * quotes doubled (a comma, quote or line break inside, or spaces at either end that a reader
 * would trim). */
void hs_csv_field(FILE *f, const char *s);

#endif
