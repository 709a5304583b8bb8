#!/usr/bin/env bash
# bench/lc-ou2024.sh -- ph-pipeline's light curve of the OpenUniverse2024
# look-alike sample ($PH_SHARED_DATA/ou2024-lookalike, README there) with
# field-star zero points from its truth catalogues, once per PSF model:
#   auto   ph-psf's default (no model given anywhere)
#   roman  the band's analytic model, which knows no image's jitter
#   true   the sample's true PSF of each exposure (psf/Y106/<pointing>_<sca>.fits)
# For every row: success, flux against truth_lc.csv's flux_true, the pull,
# the zero point against zpt_true, and RESZMED (the static stars' median
# max |z| on the decorrelated difference; about 2 when they subtract to the
# noise). Then per model: rows, failures, mean relative bias, pull mean.
#
#   bench/lc-ou2024.sh [cut|full|all] [MODEL...]
#
# Work files go to bench/work/lc-ou2024. Never part of `make test`.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
data=${PH_SHARED_DATA:-$top/../shared/data}/ou2024-lookalike
which=${1:-all}
[ $# -gt 0 ] && shift
models=${*:-auto roman true}
[ -d "$data" ] || { echo "bench/lc-ou2024.sh: no sample at $data" >&2; exit 1; }
sets=$which
[ "$which" = all ] && sets="cut full"
work=$top/bench/work/lc-ou2024
mkdir -p "$work"
export PATH=$top/bin:$PATH
ra=7.551093401915147 dec=-44.80718106491529
echo "ph-pipeline on the OU2024 look-alikes, field-star zero points, $(nproc) CPUs"
for set in $sets; do
  for m in $models; do
    d=$work/$set-$m
    rm -rf "$d"
    mkdir -p "$d"
    {
      printf 'system:\n  ou24:\n    images: %s\n  paths:\n' "$data/$set/images/simple_model"
      printf '    %s: %s\n' temp_dir "$d/tmp" dia_out_dir "$d/dia" ltcv_dir "$d/lc" scratch_dir "$d/scratch"
      printf 'ph:\n  pipeline:\n    catalog: "%s"\n' \
        "$data/$set/truth/{band}/{pointing}/Roman_TDS_index_{band}_{pointing}_{sca}.txt"
      case $m in
        auto) ;;
        true) printf '  psf:\n    model: "file:%s"\n' "$data/$set/psf/{band}/{pointing}_{sca}.fits" ;;
        *) printf '  psf:\n    model: "%s"\n' "$m" ;;
      esac
    } > "$d/config.yaml"
    s=$(date +%s.%N)
    rc=0
    ph-pipeline -q -c "$d/config.yaml" --oid 20172782 -r $ra -d $dec -b Y106 \
      -t "$data/$set/templates.csv" -s "$data/$set/science.csv" -p 2 > "$d/log" 2>&1 || rc=$?
    e=$(date +%s.%N)
    /usr/bin/python3 - "$data/$set/truth_lc.csv" "$d" "$set" "$m" "$rc" "$s" "$e" <<'PY'
import csv, glob, math, sys
truth, d, set_, m, rc, s, e = sys.argv[1:8]
t = {r['observation_id']: r for r in csv.DictReader(open(truth))}
f = glob.glob(d + '/lc/data/*/*_all.csv')
if not f:
    print(f'{set_:4} {m:6} no light curve (exit {rc})')
    sys.exit(0)
rows = list(csv.DictReader(open(f[0])))
rel, pulls, fail = [], [], 0
for r in rows:
    tr = t[r['observation_id']]
    ft, zt = float(tr['flux_true']), float(tr['zpt_true'])
    if r['success'] != 'True':
        fail += 1
        print(f"{set_:4} {m:6} {r['observation_id']} x {r['template_observation_id']}: failed")
        continue
    fl, fe, z = float(r['flux']), float(r['flux_err']), float(r['zpt'])
    rel.append(fl / ft - 1)
    pulls.append((fl - ft) / fe)
    print(f"{set_:4} {m:6} {r['observation_id']} x {r['template_observation_id']:>5}: flux "
          f"{fl:8.1f} +- {fe:6.1f} (true {ft:7.1f}, {rel[-1]:+.2%}, pull {pulls[-1]:+.2f}) "
          f"zpt {z - zt:+.4f} ({r['zpt_source']}, {r['zpt_nstars']} stars) "
          f"RESZMED {float(r['res_zmed']):.1f}")
n = len(pulls)
mean = lambda v: sum(v) / len(v) if v else float('nan')
print(f"{set_:4} {m:6} rows {len(rows)}, failed {fail}, exit {rc}, mean bias {mean(rel):+.2%}, "
      f"mean pull {mean(pulls):+.2f}, {float(e) - float(s):.0f} s")
PY
  done
done
