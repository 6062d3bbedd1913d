# timeline.gp — when each attention-head role emerges across the seeds of one configuration: a
# row per role, the median step (point), the interquartile range (thick bar) and the
# bootstrap 95% interval of the median (thin bar); the label says in how many runs it emerged.
#
# Data (written by `hopsweep analyze --plots DIR`): row, median, q1, q3, ci95_lo, ci95_hi,
# role, emerged, never (steps NaN for a role whose step is never known).
# usage: gnuplot -e "datafile='DIR/timeline.dat'; outfile='DIR/timeline'; title='...'" timeline.gp
# writes outfile.png and outfile.svg.

if (!exists("datafile")) datafile = 'timeline.dat'
if (!exists("outfile")) outfile = 'timeline'
if (!exists("title")) title = 'head emergence'

stats datafile using 1 nooutput
rows = STATS_max + 1

set title title
set xlabel 'emergence step'
set yrange [rows - 0.5 : -0.5]
set offsets graph 0.05, graph 0.25, 0, 0
set grid xtics
set tics out nomirror
set datafile missing 'NaN'
unset key

size_y = 140 + 40 * rows
set terminal pngcairo size 900, (size_y < 400 ? 400 : size_y) noenhanced
set output outfile.'.png'
plot datafile using 2:1:5:6:ytic(7) with xerrorbars pt -1 lw 1 lc rgb '#888888', \
     datafile using 2:1:3:4 with xerrorbars pt 7 ps 1.3 lw 4 lc rgb '#2166ac', \
     datafile using 6:1:(sprintf('  %d/%d runs', $8, $8 + $9)) with labels left font ',9'
set terminal svg size 900, (size_y < 400 ? 400 : size_y) dynamic noenhanced
set output outfile.'.svg'
replot
unset output
