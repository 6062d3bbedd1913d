# precedence.gp — heatmap of P(row role emerges before column role) across the seeds of one
# configuration (definition in include/hopsweep/analyze.h: ties count half, a role that
# emerged comes before one that never did).
#
# Data (written by `hopsweep analyze --plots DIR`): column, row, p (NaN on the diagonal),
# label, column role, row role.
# usage: gnuplot -e "datafile='DIR/precedence.dat'; outfile='DIR/precedence'; title='...'" precedence.gp
# writes outfile.png and outfile.svg.

if (!exists("datafile")) datafile = 'precedence.dat'
if (!exists("outfile")) outfile = 'precedence'
if (!exists("title")) title = 'P(row before column)'

stats datafile using 1 nooutput
n = STATS_max + 1

set title title
set xlabel 'column role'
set ylabel 'row role'
set xrange [-0.5 : n - 0.5]
set yrange [-0.5 : n - 0.5]
set cbrange [0 : 1]
set cblabel 'P(row before column)'
set palette defined (0 '#b2182b', 0.5 '#f7f7f7', 1 '#2166ac')
set style fill solid 1.0 noborder
set tics out nomirror
set xtics rotate by 45 right
set datafile missing 'NaN'
unset key

size = 200 + 70 * n
set terminal pngcairo size (size < 600 ? 600 : size) + 120, (size < 600 ? 600 : size) noenhanced
set output outfile.'.png'
plot datafile using 1:2:($1 - 0.5):($1 + 0.5):($2 - 0.5):($2 + 0.5):3:xtic(5) with boxxyerror fc palette, \
     datafile using 1:2:(0):ytic(6) with points pt -1 notitle, \
     datafile using 1:2:4 with labels font ',9'
set terminal svg size (size < 600 ? 600 : size) + 120, (size < 600 ? 600 : size) dynamic noenhanced
set output outfile.'.svg'
replot
unset output
