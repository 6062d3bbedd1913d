# accuracy.gp — heatmap of one curriculum's mean final query accuracy over layers × hops, each
# cell labelled "solved seeds/seeds accuracy".
#
# Data (written by `hopsweep analyze --plots DIR`, one file per curriculum): column, row, hops,
# layers, mean query accuracy (NaN when no run finished), solved, seeds, label.
# usage: gnuplot -e "datafile='DIR/accuracy-1-implicit.dat'; outfile='DIR/accuracy-1-implicit'; title='...'" accuracy.gp
# writes outfile.png and outfile.svg.

if (!exists("datafile")) datafile = 'accuracy.dat'
if (!exists("outfile")) outfile = 'accuracy'
if (!exists("title")) title = 'mean final query accuracy'

stats datafile using 1:2 nooutput
columns = STATS_max_x + 1
rows = STATS_max_y + 1

set title title
set xlabel 'hops D'
set ylabel 'layers'
set xrange [-0.5 : columns - 0.5]
set yrange [-0.5 : rows - 0.5]
set cbrange [0 : 1]
set cblabel 'mean final query accuracy'
set palette defined (0 '#b2182b', 0.5 '#fddbc7', 0.8 '#d1e5f0', 1 '#2166ac')
set style fill solid 1.0 noborder
set tics out nomirror
set datafile missing 'NaN'
unset key

size_x = 120 + 90 * columns
size_y = 120 + 60 * rows
set terminal pngcairo size (size_x < 700 ? 700 : size_x), (size_y < 450 ? 450 : size_y) noenhanced
set output outfile.'.png'
plot datafile using 1:2:($1 - 0.5):($1 + 0.5):($2 - 0.5):($2 + 0.5):5:xtic(3):ytic(4) \
         with boxxyerror fc palette, \
     datafile using 1:2:8 with labels font ',9'
set terminal svg size (size_x < 700 ? 700 : size_x), (size_y < 450 ? 450 : size_y) dynamic noenhanced
set output outfile.'.svg'
replot
unset output
