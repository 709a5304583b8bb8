#!/usr/bin/env bash
# bench/psf-ou2024.sh -- ph-psf --model epsf on the OpenUniverse2024
# look-alike sample ($PH_SHARED_DATA/ou2024-lookalike, README there): for
# every image of cut/ and full/, the epsf stamp at the supernova's position
# from the .fits.gz input, timed with GNU time, against the true PSF of
# that exposure (psf/Y106/<pointing>_<sca>.fits, read as a file model at
# the same position, so both stamps and FWHMs are made the same way):
# relative L2 of the normalised stamps, the FWHM error, stars used,
# PSFFRAC, EPSFCHI2, wall time and peak RSS. A run that fails prints its
# error line instead.
#
#   bench/psf-ou2024.sh [cut|full|all] [-- extra ph-psf options]
#
# Work files go to bench/work/psf-ou2024. Never part of `make test`.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
data=${PH_SHARED_DATA:-$top/../shared/data}/ou2024-lookalike
which=${1:-all}
[ $# -gt 0 ] && shift
[ "${1:-}" = "--" ] && shift
work=$top/bench/work/psf-ou2024
mkdir -p "$work"
[ -d "$data" ] || { echo "bench/psf-ou2024.sh: no sample at $data" >&2; exit 1; }
sets=$which
[ "$which" = all ] && sets="cut full"
ra=7.551093401915147 dec=-44.80718106491529
echo "ph-psf epsf on the OU2024 look-alikes, $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-5s %-12s %7s %8s %8s %7s %8s %7s %7s %7s\n' set image stars relL2 FWHM dFWHM PSFFRAC chi2 wall_s RSS_MB
for set in $sets; do
  for img in "$data/$set"/images/simple_model/Y106/*/*.fits.gz; do
    b=$(basename "$img" .fits.gz)
    id=${b#Roman_TDS_simple_model_Y106_}
    out=$work/$set-$id
    "$top/bin/ph-psf" -q "$img" --ra $ra --dec $dec -m "file:$data/$set/psf/Y106/$id.fits" \
      -o "$out-true.fits"
    if /usr/bin/time -v -o "$out-time.txt" "$top/bin/ph-psf" -v "$img" --ra $ra --dec $dec \
      -m epsf "$@" -o "$out-epsf.fits" 2> "$out-log.txt"; then
      wall=$(awk -F': ' '/Elapsed/ {n = split($2, t, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + t[i]; print s}' "$out-time.txt")
      rss=$(awk -F': ' '/Maximum resident/ {printf "%.0f", $2 / 1024}' "$out-time.txt")
      /usr/bin/python3 - "$out-epsf.fits" "$out-true.fits" "$set" "$id" "$wall" "$rss" <<'PY'
import sys
import numpy as np
from astropy.io import fits
a = fits.getdata(sys.argv[1]); ha = fits.getheader(sys.argv[1])
t = fits.getdata(sys.argv[2]); ht = fits.getheader(sys.argv[2])
e = np.sqrt(((a - t) ** 2).sum() / (t ** 2).sum())
print(f"{sys.argv[3]:<5} {sys.argv[4]:<12} {ha['EPSFNSTR']:7d} {e:8.4f} {ha['PSFFWHM']:8.4f} "
      f"{ha['PSFFWHM'] / ht['PSFFWHM'] - 1:+7.2%} {ha['PSFFRAC']:8.4f} {ha['EPSFCHI2']:7.3f} "
      f"{float(sys.argv[5]):7.1f} {sys.argv[6]:>7}")
PY
    else
      printf '%-5s %-12s failed: %s\n' "$set" "$id" "$(grep '^ph-psf: ' "$out-log.txt" | tail -1)"
    fi
  done
done
