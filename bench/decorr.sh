#!/usr/bin/env bash
# bench/decorr.sh -- ph-decorr on a full Roman SCA (4088 x 4088): wall time,
# user+sys CPU time and peak RSS (GNU time), per-step timing, with 1 thread
# and with one FFTW thread per CPU, with and without the score image.
#
#   bench/decorr.sh            N=4088 (set N=2048 for a quicker look)
#   CHECK=1 bench/decorr.sh    also compare the output with numpy (needs ~4 GB)
#
# The input is a simulated difference file (tests/fixtures/decorr_make_diff.py,
# 41x41 PSFs), made once into bench/work/decorr/. Never part of make test.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
n=${N:-4088}
work=$top/bench/work/decorr
mkdir -p "$work"
in=$work/diff_$n.fits
out=$work/decorr_$n.fits
py=/usr/bin/python3
[ -x "$top/bin/ph-decorr" ] || make -C "$top" -s all

if [ ! -f "$in" ]; then
  echo "making $in ..."
  $py "$top/tests/fixtures/decorr_make_diff.py" "$in" --nx "$n" --ny "$n" --psf-size 41 \
      --psf-sci 0.9 0.85 0.2 --psf-ref 1.1 0.95 -0.4 --omit CREF
fi
echo "input: $in ($(du -h "$in" | cut -f1)), $(nproc) CPUs, load: $(cut -d' ' -f1-3 /proc/loadavg)"

run() {
  local label=$1; shift
  local log=$work/time_$label.log
  /usr/bin/time -v "$top/bin/ph-decorr" --timing "$@" "$in" -o "$out" 2> "$log"
  awk -v l="$label" '
    /^timing ph-decorr/ && $3 != "step" { steps = steps " " $3 "=" $4 }
    /Elapsed \(wall clock\)/ { wall = $NF }
    /User time/ { user = $NF } /System time/ { sys = $NF }
    /Maximum resident set size/ { rss = $NF }
    END { printf "%-10s wall %s  user %ss sys %ss  peak RSS %.0f MB\n           steps:%s\n",
                 l, wall, user, sys, rss / 1024, steps }' "$log"
}

run threads1 --threads 1
run threadsN --threads 0
run score-N --threads 0 --score-hdu

if [ "${CHECK:-0}" = 1 ]; then
  $py "$top/tests/fixtures/decorr_check.py" "$in" "$out" --score hdu
fi
