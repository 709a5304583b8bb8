#!/usr/bin/env bash
# bench/psf.sh -- ph-psf at full size: for each of a few ph-sim scenes
# (Y106 and H158 with the analytic Roman PSF, H158 with a Gaussian), the
# scene's ph image (ph-skysub), then one stamp per model (roman, file, epsf),
# timed with GNU time; prints wall seconds, peak RSS, the --timing table,
# and the accuracy against the scene's exact PSF (ph-sim stamp): relative L2
# of the normalised 41x41 stamps and the FWHM error.
#
#   bench/psf.sh [N]       N x N images (default 4088); work in bench/work/psf
#
# Targets (issue 4): file and roman well under 1 s a stamp; epsf under 10 s
# with rel L2 < 2% and FWHM within 1%.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
n=${1:-4088}
work=$top/bench/work/psf
mkdir -p "$work"
cd "$work"
echo "ph-psf on ${n}x${n}, $(nproc) CPUs, load average: $(cut -d' ' -f1-3 /proc/loadavg)"
run() { # label, then the command
  local label=$1; shift
  /usr/bin/time -v -o time.txt "$@" --timing 2> timing.txt
  wall=$(awk -F': ' '/Elapsed/ {print $2}' time.txt)
  rss=$(awk -F': ' '/Maximum resident/ {printf "%.0f", $2 / 1024}' time.txt)
  echo "  $label: wall $wall, peak RSS $rss MB"
  grep '^timing' timing.txt | sed 's/^/      /'
}
for spec in Y106:roman H158:roman H158:gaussian:1.4; do
  band=${spec%%:*} psf=${spec#*:}
  d=scene-$n-$band-${psf//:/}
  if [ ! -d "$d" ]; then
    "$top/bin/ph-sim" -q -b "$band" --size "$n" --model "$psf" --templates 1 --science 0 \
      --jitter-vary 0 --no-transient -o "$d"
  fi
  img=$(ls "$d"/images/*/*/*.fits.gz)
  [ -e "$d/ph.fits" ] || "$top/bin/ph-skysub" -q "$img" -o "$d/ph.fits"
  pat="file:$d/psf/{band}/{pointing}/Roman_TDS_psf_{band}_{pointing}_{sca}.fits"
  # the scene's own SCA (its wavefront error differs per SCA) and jitter
  sca=$(/usr/bin/python3 -c "from astropy.io import fits; print(fits.getheader('$img', 1)['SCA_NUM'])")
  "$top/bin/ph-sim" stamp -q -b "$band" --model "$psf" --sca "$sca" -o truth.fits
  echo "$band, PSF $psf:"
  x=$((n / 2 + 7)).3 y=$((n / 3)).8
  run "roman on the ph image" "$top/bin/ph-psf" "$d/ph.fits" --x $x --y $y -m "${psf/gaussian:*/$psf}" -o roman.fits
  run "file on the ph image" "$top/bin/ph-psf" "$d/ph.fits" --x $x --y $y -m "$pat" -o file.fits
  run "roman on the .fits.gz input" "$top/bin/ph-psf" "$img" --x $x --y $y -m "${psf/gaussian:*/$psf}" -o roman.fits
  run "file on the .fits.gz input" "$top/bin/ph-psf" "$img" --x $x --y $y -m "$pat" -o file-in.fits
  run "epsf on the ph image" "$top/bin/ph-psf" "$d/ph.fits" --x $x --y $y -m epsf -o epsf.fits
  run "epsf on the .fits.gz input" "$top/bin/ph-psf" "$img" --x $x --y $y -m epsf -o epsf-in.fits
  /usr/bin/python3 - file.fits epsf.fits epsf-in.fits truth.fits <<'PY'
import sys
import numpy as np
from astropy.io import fits
t = fits.getdata(sys.argv[-1]).astype(float); t /= t.sum()
tf = fits.getheader('file.fits')['PSFFWHM']  # the scene's own model
for p in sys.argv[1:-1]:
    a = fits.getdata(p); h = fits.getheader(p)
    e = np.sqrt(((a - t) ** 2).sum() / (t ** 2).sum())
    extra = f", {h['EPSFNSTR']} stars" if 'EPSFNSTR' in h else ''
    print(f"  {p}: rel L2 {e:.2e}, FWHM {h['PSFFWHM']:.4f} px vs {tf:.4f} ({h['PSFFWHM'] / tf - 1:+.2%}){extra}")
PY
done
