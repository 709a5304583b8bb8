#!/usr/bin/env bash
# bench/flux.sh -- is the transient's flux unbiased? Many noise realisations
# of realistic scenes, every pair subtracted with each method.
#
#   bench/flux.sh [--seeds N] [--size N] [--epochs N] [--inject N]
#                 [--methods "psf phrosty"] [--work DIR] [--keep]
#
# For each of --seeds (12) seeds: a ph-sim scene of --size (1024) with
# ph-sim's Roman-like defaults (a random SCA and roll per epoch, cosmic rays,
# bad pixels, OU2024's star and galaxy counts) and --inject (100) point
# sources of 2000 to 20000 e- (log-uniform, S/N 20 to 150 in Y106) drawn on
# every science epoch at seeded random positions >= 30 px apart and >= 40 px
# from the transient; 1 template, --epochs (3) science epochs. Every pair
# goes through ph-skysub, ph-psf (the scene's PSF model files), ph-align,
# ph-subtract, ph-decorr with each method (psf: the defaults; phrosty:
# ph-align --method phrosty, ph-subtract --method sfft), and the injected
# sources are measured on each decorrelated difference by the independent
# bench/phot_peer.py (the exact ePSF at each source's phase), the transient
# by ph-phot.
#
# Printed per method: the flux bias (weighted mean of (flux - true) / true
# over the sources with S/N > 20, with its standard error), the pull
# (flux - true) / flux_err mean and standard deviation, the fraction of
# |pull| > 5, and the static-star residuals ph-decorr reports (RESZMED,
# RESZP90, median over the pairs). Never part of make test.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
bin=$top/bin
py=/usr/bin/python3
seeds=12 size=1024 nsci=3 ninj=100 methods="psf phrosty" work=$top/bench/work/flux keep=0
die() { echo "bench/flux.sh: $2" >&2; exit "$1"; }
while [ $# -gt 0 ]; do
  case $1 in
    --seeds|--size|--epochs|--inject|--methods|--work)
      [ $# -ge 2 ] || die 2 "$1 needs a value"
      case $1 in
        --seeds) seeds=$2 ;; --size) size=$2 ;; --epochs) nsci=$2 ;; --inject) ninj=$2 ;;
        --methods) methods=$2 ;; --work) work=$2 ;;
      esac
      shift ;;
    --keep) keep=1 ;;
    -h|--help) sed -n '2,26p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) die 2 "unknown option '$1' (see --help)" ;;
  esac
  shift
done
for t in sim skysub psf align subtract decorr phot; do
  [ -x "$bin/ph-$t" ] || die 1 "$bin/ph-$t: missing (run make all first)"
done
export PATH="$bin:$PATH"
rm -rf "$work" && mkdir -p "$work"
band=Y106 oid=20172782 start=$(date +%s)
say() { echo "[flux $(( $(date +%s) - start ))s] $*" >&2; }

for seed in $(seq 1 "$seeds"); do
  S=$work/s$seed
  mkdir -p "$S"
  # the fakes, placed about the transient's scene centre (ph-sim puts the
  # host at RA 7.55, Dec -44.8 and the transient 0.25", 0.15" from it)
  "$py" - "$S/inject.txt" "$size" "$ninj" "$seed" <<'PY'
import math, sys
import numpy as np
out, size, n, seed = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
rng = np.random.default_rng(1000 + seed)
ra0, dec0, pix = 7.55, -44.8, 0.11 / 3600
pts, tries = [], 0
while len(pts) < n and tries < 200000:
    tries += 1
    r, t = 0.42 * size * math.sqrt(rng.uniform()), rng.uniform(0, 2 * math.pi)
    x, y = r * math.cos(t), r * math.sin(t)
    if math.hypot(x, y) < 40 or any(math.hypot(x - p, y - q) < 30 for p, q, _ in pts):
        continue
    pts.append((x, y, math.exp(rng.uniform(math.log(2000), math.log(20000)))))
with open(out, "w") as f:
    f.write("ra dec flux object_id\n")
    for i, (x, y, fl) in enumerate(pts):
        f.write(f"{ra0 - x * pix / math.cos(math.radians(dec0))!r} {dec0 + y * pix!r} {fl!r} {900000 + i}\n")
PY
  ph-sim -q -b $band --size "$size" --templates 1 --science "$nsci" --seed "$seed" --oid $oid \
    --inject "$S/inject.txt" -o "$S/scene"
  truth=$S/scene/truth/transient_${oid}_${band}.csv
  ra=$(awk -F, 'NR == 2 {print $10}' "$truth")
  dec=$(awk -F, 'NR == 2 {print $11}' "$truth")
  model="file:$S/scene/psf/{band}/{pointing}/Roman_TDS_psf_{band}_{pointing}_{sca}.fits"
  read -r tpath tobs tsca _ < <(awk 'NR == 2' "$S/scene/templates.csv")
  ph-skysub -q "$S/scene/images/$tpath" -o "$S/tpl.fits"
  ph-psf -q "$S/tpl.fits" --ra "$ra" --dec "$dec" -m "$model" -o "$S/tpl_psf.fits"
  k=0
  while read -r path obs sca mjd _; do
    [ "$path" = path ] && continue
    k=$((k + 1))
    ph-skysub -q "$S/scene/images/$path" -o "$S/sci_$k.fits"
    ph-psf -q "$S/sci_$k.fits" --ra "$ra" --dec "$dec" -m "$model" -o "$S/sci_${k}_psf.fits"
    for m in $methods; do
      am=psf sm=psf
      [ "$m" = phrosty ] && am=phrosty sm=sfft
      D=$S/$m
      mkdir -p "$D"
      ph-align -q --method $am --target "$S/sci_$k.fits" "$S/tpl.fits" --psf "$S/tpl_psf.fits" \
        -o "$D/aligned_$k.fits"
      ph-subtract -q --device cpu --method $sm --sci "$S/sci_$k.fits" --sci-psf "$S/sci_${k}_psf.fits" \
        --ref "$D/aligned_$k.fits" --ra "$ra" --dec "$dec" -o "$D/diff_$k.fits"
      ph-decorr -q "$D/diff_$k.fits" -o "$D/decorr_$k.fits"
      ph-phot -q --device cpu "$D/decorr_$k.fits" --ra "$ra" --dec "$dec" -o "$D/row_$k.csv" || true
      "$py" "$top/bench/phot_peer.py" "$D/decorr_$k.fits" --diff "$D/diff_$k.fits" \
        --sci-epsf "$S/scene/psf/$band/$obs/Roman_TDS_psf_${band}_${obs}_${sca}.fits" \
        --positions "$S/inject.txt" -o "$D/inject_$k.csv" 2> /dev/null
      "$py" -c 'import sys; from astropy.io import fits; h = fits.getheader(sys.argv[1], "DECORR_DIFF"); print(h.get("RESNSTAR", 0), h.get("RESZMED", "nan"), h.get("RESZP90", "nan"))' \
        "$D/decorr_$k.fits" > "$D/res_$k.txt"
      [ $keep = 1 ] || rm -f "$D/aligned_$k.fits" "$D/diff_$k.fits"
    done
  done < "$S/scene/science.csv"
  say "seed $seed of $seeds done"
done

"$py" - "$work" "$seeds" "$methods" <<'PY'
import csv, glob, math, sys
import numpy as np
work, seeds, methods = sys.argv[1], int(sys.argv[2]), sys.argv[3].split()
print(f"bench/flux.sh: {seeds} seeds, work {work}")
for m in methods:
    f, t, e, tr = [], [], [], []
    for p in sorted(glob.glob(f"{work}/s*/{m}/inject_*.csv")):
        for r in csv.DictReader(open(p)):
            if r["flux"] in ("", "nan") or r["flux_err"] in ("", "nan"):
                continue
            f.append(float(r["flux"])); t.append(float(r["true_flux"])); e.append(float(r["flux_err"]))
    f, t, e = map(np.array, (f, t, e))
    sel = t / e > 20
    rel = (f[sel] - t[sel]) / t[sel]
    w = (t[sel] / e[sel]) ** 2
    bias = np.sum(w * rel) / np.sum(w)
    berr = 1 / math.sqrt(np.sum(w))
    pull = (f - t) / e
    for s in sorted(glob.glob(f"{work}/s*/scene/truth/transient_*.csv")):
        pass
    res = [list(map(float, open(p).read().split())) for p in glob.glob(f"{work}/s*/{m}/res_*.txt")]
    res = np.array([r for r in res if r[0] > 0]) if res else np.zeros((0, 3))
    print(f"{m:8s} injected: {sel.sum()} of {len(f)} with S/N > 20: bias {100 * bias:+.3f} +- {100 * berr:.3f} %, "
          f"median {100 * np.median(rel):+.3f} %; pulls (all {len(f)}) mean {np.mean(pull):+.3f} std {np.std(pull):.3f}, "
          f"|pull| > 5: {np.mean(np.abs(pull) > 5) * 100:.2f} %"
          + (f"; static stars: RESZMED median {np.median(res[:, 1]):.2f}, RESZP90 median {np.median(res[:, 2]):.2f} over {len(res)} pairs" if len(res) else ""))
    # the transient (ph-phot) against the truth
    tp = []
    for s in range(1, seeds + 1):
        truth = {r["observation_id"]: float(r["flux"]) for r in csv.DictReader(open(glob.glob(f"{work}/s{s}/scene/truth/transient_*.csv")[0]))} if glob.glob(f"{work}/s{s}/scene/truth/transient_*.csv") else {}
        for p in glob.glob(f"{work}/s{s}/{m}/row_*.csv"):
            for r in csv.DictReader(open(p)):
                if r["success"] == "True" and r["observation_id"] in truth:
                    tp.append((float(r["flux"]) - truth[r["observation_id"]]) / float(r["flux_err"]))
    if tp:
        print(f"{'':8s} transient (ph-phot): {len(tp)} rows, pulls mean {np.mean(tp):+.3f} std {np.std(tp):.3f}")
PY
