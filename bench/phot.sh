#!/usr/bin/env bash
# bench/phot.sh -- ph-phot on a full Roman SCA (4088 x 4088): wall time,
# user+sys CPU time and peak RSS (GNU time), per-step timing, for the
# transient alone (header zero point) and with a 10,000-star catalogue zero
# point: batched PSF fits (--zpt-aperture psf) on the CPU and, where one is
# usable, on the GPU (then the two star tables are compared: they must agree
# to 1e-10), and the default aperture zero point on the CPU.
#
#   bench/phot.sh            N=4088, 10000 stars (N=2048 NSTARS=2000 for a quicker look)
#
# The input is a simulated decorrelated file (noise, NSTARS stars drawn with
# a 41x41 pixel-integrated Gaussian PSF, sigma 1.3 px) and its CSV catalogue,
# made once into bench/work/phot/. Never part of make test.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
n=${N:-4088}
ns=${NSTARS:-10000}
work=$top/bench/work/phot
mkdir -p "$work"
in=$work/decorr_$n.fits
cat=$work/stars_${n}_$ns.csv
py=/usr/bin/python3
[ -x "$top/bin/ph-phot" ] || make -C "$top" -s all

if [ ! -f "$in" ] || [ ! -f "$cat" ]; then
  echo "making $in and $cat ..."
  $py - "$in" "$cat" "$n" "$ns" <<'PY'
import sys
import numpy as np
from astropy.io import fits
from astropy.wcs import WCS
from scipy.special import erf
path, catpath, n, ns = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
rng = np.random.default_rng(1)
def g1(c, s=1.3):
    e = np.arange(-20.5, 21.5)
    v = 0.5 * np.diff(erf((e - c) / (np.sqrt(2) * s)))
    return v
psf = np.outer(g1(0.0), g1(0.0)); psf /= psf.sum()
img = rng.normal(scale=7.0, size=(n, n)).astype(np.float32)
var = np.full((n, n), 49.0, np.float32)
x = rng.uniform(30, n - 31, ns); y = rng.uniform(30, n - 31, ns)
f = 10 ** rng.uniform(3, 4.5, ns)
for xi, yi, fi in zip(x, y, f):
    ix, iy = int(round(xi)), int(round(yi))
    img[iy - 20:iy + 21, ix - 20:ix + 21] += (fi * np.outer(g1(yi - iy), g1(xi - ix))).astype(np.float32)
w = WCS(naxis=2)
w.wcs.ctype = ["RA---TAN", "DEC--TAN"]; w.wcs.crval = [7.55, -44.8]; w.wcs.crpix = [n / 2, n / 2]
w.wcs.cd = [[-0.11 / 3600, 0], [0, 0.11 / 3600]]
h = w.to_header(); h["FILTER"] = "Y106"; h["ZPT"] = 32.6617; h["MJD-OBS"] = 62455.0
fits.HDUList([fits.PrimaryHDU(), fits.ImageHDU(img, h, name="DECORR_DIFF"),
              fits.ImageHDU(img, h, name="DECORR_SCI"), fits.ImageHDU(var, h, name="DIFF_VAR"),
              fits.ImageHDU(psf, name="DECORR_PSF"),
              fits.ImageHDU(np.zeros((n, n), np.uint8), name="MASK")]).writeto(path, overwrite=True)
ra, dec = w.all_pix2world(x, y, 0)
np.savetxt(catpath, np.c_[ra, dec, 32.6617 - 2.5 * np.log10(f)], delimiter=",",
           header="ra,dec,mag", comments="", fmt="%.12g")
PY
fi
echo "input: $in ($(du -h "$in" | cut -f1)), $ns stars, $(nproc) CPUs, load: $(cut -d' ' -f1-3 /proc/loadavg)"

run() {
  local label=$1; shift
  local log=$work/time_$label.log
  /usr/bin/time -v "$top/bin/ph-phot" -q --timing "$in" --x $((n / 2)).3 --y $((n / 2)).6 \
      -o "$work/row_$label.csv" "$@" 2> "$log"
  awk -v l="$label" '
    /^timing ph-phot/ && $3 != "step" {
      s = $3; for (i = 4; i <= NF - 2; i++) s = s "_" $i
      steps = steps " " s "=" $(NF - 1) (($NF != "-") ? "(gpu " $NF ")" : "") }
    /Elapsed \(wall clock\)/ { wall = $NF }
    /User time/ { user = $NF } /System time/ { sys = $NF }
    /Maximum resident set size/ { rss = $NF }
    END { printf "%-10s wall %s  user %ss sys %ss  peak RSS %.0f MB\n           timing:%s\n",
                 l, wall, user, sys, rss / 1024, steps }' "$log"
}

run transient --device cpu
# the batched PSF fits (what the GPU runs), then the default aperture zero point
run stars-cpu --device cpu --catalog "$cat" --mag-range 0,99 --zpt-aperture psf \
    --star-table "$work/stars_cpu.csv"
run stars-ap --device cpu --catalog "$cat" --mag-range 0,99
if "$top/bin/ph-phot" -q "$in" --x 100 --y 100 --device gpu -o "$work/probe.csv" 2>/dev/null; then
  run stars-gpu --device gpu --gpu-lock none --catalog "$cat" --mag-range 0,99 --zpt-aperture psf \
      --star-table "$work/stars_gpu.csv"
  $py - "$work/stars_cpu.csv" "$work/stars_gpu.csv" <<'PY'
import sys
import numpy as np
import pandas as pd
c, g = pd.read_csv(sys.argv[1]), pd.read_csv(sys.argv[2])
assert (c["status"] == g["status"]).all()
for k in ("flux", "flux_err", "sky"):
    d = np.nanmax(np.abs(c[k] - g[k]) / np.maximum(np.abs(c[k]), 1))
    print(f"CPU vs GPU {k}: max relative difference {d:.3g}")
    assert d < 1e-10
PY
else
  echo "no usable GPU: the GPU run is skipped"
fi
