#!/usr/bin/env bash
# bench/sim.sh -- ph-sim at full size: one 4088x4088 epoch (the default
# scene, as OpenUniverse2024: ~200 stars, ~17000 galaxies, 900 cosmic rays,
# 400 bad pixels, host, transient), wall and CPU time and peak RSS from
# /usr/bin/time -v, and the --timing table.
#   bench/sim.sh [BAND] [EPOCHS]
set -euo pipefail
cd "$(dirname "$0")/.."
band=${1:-Y106} epochs=${2:-1}
work=bench/work/sim
rm -rf "$work" && mkdir -p "$work"
/usr/bin/time -v bin/ph-sim -b "$band" --templates 0 --science "$epochs" --seed 1 --timing \
    -o "$work/scene" 2> "$work/time.txt"
grep '^timing' "$work/time.txt"
grep -E 'Elapsed|User time|System time|Maximum resident' "$work/time.txt" | sed 's/^\s*/  /'
ls -l "$work"/scene/images/*/*/*.fits.gz | awk '{print "  " $5 " bytes " $9}'
