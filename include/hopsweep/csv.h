/* csv.h — writing CSV fields (RFC 4180 quoting) for the commands that print tables as CSV. */
#ifndef HOPSWEEP_CSV_H
#define HOPSWEEP_CSV_H

#include <stdio.h>

/* Writes s as one field: as it is when it can stand alone, else in double quotes with its
 * quotes doubled (a comma or quote inside, or spaces at either end that a reader would trim).
 * Control and bidi characters become visible escapes (escape.h), and a field a spreadsheet
 * would evaluate (starting with =, @, or + or - without being a number) is quoted with a '
 * in front, so it is shown as text. */
void hs_csv_field(FILE *f, const char *s);

#endif
