#!/usr/bin/env bash
# bench/compare.sh -- how clean are the difference images? ph-subtract's two
# methods beside HOTPANTS and no kernel at all, on the same aligned pairs.
#
#   bench/compare.sh [--work DIR] [--hotpants PATH] [--lookalike DIR] [--cases "A B C D E"]
#
# Pairs (1 template, 1 science epoch; ph-sim's PSF model files, the exact PSFs):
#   A  ph-sim 1024^2, identical grids (--sca 1 --rotate 0 --dither 0 --seed 3)
#   B  the same at 4088^2 (--seed 5): also the timing beside HOTPANTS
#   C  ph-sim 1024^2, 10 deg roll, 20 px dither (--sca 1 --rotate 10 --dither 20 --seed 3)
#   D  ph-sim 1024^2 with ph-sim's Roman-like defaults: any roll, another SCA,
#      cosmic rays, OU2024's sky (--seed 7)
#   E  the full-size OpenUniverse2024 look-alike pair of --lookalike
#      (../shared/data/ou2024-lookalike/full: 4088^2, SCA 2 and 7, 54 deg roll,
#      true PSFs)
# Each pair: ph-skysub, ph-psf, then
#   psf      ph-align, ph-subtract (the defaults), ph-decorr
#   sfft     ph-align --method phrosty, ph-subtract --method sfft, ph-decorr
#   hotpants HOTPANTS (-ko 2, convolving the template, noise image) on the
#            science image and the phrosty-aligned template, when --hotpants
#            (default: $HOTPANTS, else `hotpants` on the PATH) runs
#   none     science - aligned template (phrosty-aligned)
# Measures, over the isolated unsaturated truth stars of 2e4 ... 1.5e5 e-
# (tests/fixtures/resid_stars.py): the residual fraction (max |difference| in 7x7 over
# the star's peak in the cross-convolved science image, or in the science
# image for HOTPANTS and none; median) and max |z| in 5x5 (median, 90th
# percentile) on the decorrelated difference / sqrt(DIFF_VAR), or on
# HOTPANTS's difference / its noise image. Case B also times ph-subtract
# and HOTPANTS (wall, CPU, peak RSS) on the same aligned pair.
# HOTPANTS is not part of this project: build it from its public source
# (acbecker/hotpants; gcc needs -fcommon) and give its path. Never part of
# make test.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
bin=$top/bin
py=/usr/bin/python3
work=$top/bench/work/compare hp=${HOTPANTS:-$(command -v hotpants || true)}
la=$(cd "$top/.." && pwd)/shared/data/ou2024-lookalike/full cases="A B C D E"
die() { echo "bench/compare.sh: $2" >&2; exit "$1"; }
while [ $# -gt 0 ]; do
  case $1 in
    --work) work=$2; shift ;;
    --hotpants) hp=$2; shift ;;
    --lookalike) la=$2; shift ;;
    --cases) cases=$2; shift ;;
    -h|--help) sed -n '2,33p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) die 2 "unknown option '$1' (see --help)" ;;
  esac
  shift
done
export PATH="$bin:$PATH"
[ -n "$hp" ] && ! "$hp" > /dev/null 2>&1 && ! [ -x "$hp" ] && hp=""
mkdir -p "$work"
start=$(date +%s)
say() { echo "[compare $(( $(date +%s) - start ))s] $*" >&2; }
# timed LABEL DIR CMD...: GNU time -v into DIR/LABEL.time
timed() { local l=$1 d=$2; shift 2; /usr/bin/time -v -o "$d/$l.time" "$@"; }

# run_case NAME SCI_IMAGE TPL_IMAGE SCI_MODEL TPL_MODEL TRUTH RA DEC
run_case() {
  local n=$1 si=$2 ti=$3 sm=$4 tm=$5 truth=$6 ra=$7 dec=$8 D=$work/$1
  mkdir -p "$D"
  ph-skysub -q "$si" -o "$D/sci.fits"
  ph-skysub -q "$ti" -o "$D/tpl.fits"
  ph-psf -q "$D/sci.fits" --ra "$ra" --dec "$dec" -m "$sm" -o "$D/sci_psf.fits"
  ph-psf -q "$D/tpl.fits" --ra "$ra" --dec "$dec" -m "$tm" -o "$D/tpl_psf.fits"
  for m in psf sfft; do
    local am=psf
    [ $m = sfft ] && am=phrosty
    ph-align -q --method $am --science "$D/sci.fits" --template "$D/tpl.fits" --template-psf "$D/tpl_psf.fits" -o "$D/al_$m.fits"
    timed sub_$m "$D" ph-subtract -q --device cpu --method $m --science "$D/sci.fits" \
      --science-psf "$D/sci_psf.fits" --template "$D/al_$m.fits" --ra "$ra" --dec "$dec" -o "$D/diff_$m.fits"
    ph-decorr -q "$D/diff_$m.fits" -o "$D/decorr_$m.fits"
  done
  # the plain images HOTPANTS reads: -1e6 where the template has no data
  "$py" - "$D" <<'PY'
import sys
import numpy as np
from astropy.io import fits
d = sys.argv[1]
s = fits.getdata(f"{d}/sci.fits", "SCI").astype(np.float32)
with fits.open(f"{d}/al_sfft.fits") as f:
    t = f["SCI"].data.astype(np.float32)
    t[(f["MASK"].data & 4) > 0] = -1e6  # below -tl: HOTPANTS masks it (NaN stalls it)
fits.PrimaryHDU(s).writeto(f"{d}/hp_sci.fits", overwrite=True)
fits.PrimaryHDU(t).writeto(f"{d}/hp_tpl.fits", overwrite=True)
PY
  if [ -n "$hp" ]; then
    timed hotpants "$D" "$hp" -inim "$D/hp_sci.fits" -tmplim "$D/hp_tpl.fits" -outim "$D/hp_diff.fits" \
      -oni "$D/hp_noise.fits" -ko 2 -il -1000 -tl -1000 -iu 9e4 -tu 9e4 -n i -c t -v 0 \
      > "$D/hotpants.log" 2>&1 || say "$n: HOTPANTS failed (see $D/hotpants.log)"
  fi
  "$py" "$top/tests/fixtures/resid_stars.py" "$n" "$D" "$truth"
  say "case $n done"
}

# a ph-sim pair: NAME SIZE SEED [ph-sim options]
sim_case() {
  local n=$1 size=$2 seed=$3 S=$work/$1/scene; shift 3
  mkdir -p "$work/$n"
  [ -d "$S" ] || ph-sim -q --size "$size" --templates 1 --science 1 --seed "$seed" "$@" -o "$S"
  local t=$S/truth/transient_20172782_Y106.csv
  local ra dec tp sp
  ra=$(awk -F, 'NR == 2 {print $10}' "$t"); dec=$(awk -F, 'NR == 2 {print $11}' "$t")
  tp=$(awk 'NR == 2 {print $1}' "$S/templates.csv"); sp=$(awk 'NR == 2 {print $1}' "$S/science.csv")
  local st=${sp/images/truth}; st=$S/truth/${st%/*}/$(basename "${sp/simple_model/index}" .fits.gz).txt
  local model="file:$S/psf/{band}/{pointing}/Roman_TDS_psf_{band}_{pointing}_{sca}.fits"
  run_case "$n" "$S/images/$sp" "$S/images/$tp" "$model" "$model" "$st" "$ra" "$dec"
}

for c in $cases; do
  case $c in
    A) sim_case A 1024 3 --sca 1 --rotate 0 --dither 0 ;;
    B) sim_case B 4088 5 --sca 1 --rotate 0 --dither 0 ;;
    C) sim_case C 1024 3 --sca 1 --rotate 10 --dither 20 ;;
    D) sim_case D 1024 7 ;;
    E) if [ -d "$la" ]; then
         model="file:$la/psf/{band}/{pointing}_{sca}.fits"
         run_case E "$la/images/simple_model/Y106/35198/Roman_TDS_simple_model_Y106_35198_2.fits.gz" \
           "$la/images/simple_model/Y106/19009/Roman_TDS_simple_model_Y106_19009_7.fits.gz" \
           "$model" "$model" "$la/truth/Y106/35198/Roman_TDS_index_Y106_35198_2.txt" \
           7.551093401915147 -44.80718106491529
       else say "E: no look-alike data at $la"; fi ;;
    *) die 2 "unknown case '$c'" ;;
  esac
done

# case B's times: ph-subtract (both methods) and HOTPANTS on the same pair
if [[ " $cases " == *" B "* ]]; then
  for l in sub_psf sub_sfft hotpants; do
    f=$work/B/$l.time
    [ -f "$f" ] || continue
    awk -v l="$l" -F': ' '/Elapsed/ {w = $2} /User time/ {u = $2} /System time/ {s = $2}
      /Maximum resident/ {m = $2} END {printf "B timing %-9s wall %s, CPU %.1f s, peak RSS %.0f MB\n", l, w, u + s, m / 1024}' "$f"
  done
fi
