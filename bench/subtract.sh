#!/usr/bin/env bash
# bench/subtract.sh -- ph-subtract at full size: wall, CPU time and peak RSS
# on a 4088x4088 pair with phrosty's settings (w 9, order 2, background 0,
# constant ratio, 41x41 PSFs), and on a machine with a GPU the same on the
# device (with per-step device time and the engine's peak device memory).
#
#   bench/subtract.sh [--repeat N] [--threads N] [--device cpu|gpu|both]
#
# The pair (tests/fixtures/subtract_synth.py --scenario psf, seed 7: 20000
# stars, Gaussian PSFs of sigma 1.0 and 1.4 px in 41x41 stamps, the
# science 1.3 times brighter, a 24-column OUTSIDE strip) is made once into
# bench/work/subtract/ (about 10 s, 300 MB). Budgets (the issue): CPU under
# 20 s on 2 cores and under 4 GB peak RSS; GPU under 8 GB of device memory.
# The machine may be shared: the table gives wall, user and system time of
# each run; take the best wall time and say how loaded it was.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
work="$top/bench/work/subtract"
repeat=3 threads=2 device=cpu
while [ $# -gt 0 ]; do
  case $1 in
    --repeat) repeat=$2; shift ;;
    --threads) threads=$2; shift ;;
    --device) device=$2; shift ;;
    *) echo "usage: bench/subtract.sh [--repeat N] [--threads N] [--device cpu|gpu|both]" >&2
       exit 2 ;;
  esac
  shift
done
py=/usr/bin/python3
mkdir -p "$work"
if [ ! -s "$work/ref.fits" ]; then
  echo "making the 4088x4088 pair in $work ..."
  "$py" "$top/tests/fixtures/subtract_synth.py" "$work" --scenario psf --nx 4088 --ny 4088 \
      --nstars 20000 --psf-size 41 --seed 7 --no-truth
fi
case $device in both) devices="cpu gpu" ;; *) devices=$device ;; esac

echo "machine: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-6s %-4s %8s %8s %8s %10s %s\n' device run wall_s user_s sys_s maxrss_kib verdict
for dev in $devices; do
  for i in $(seq 1 "$repeat"); do
    log="$work/time.$dev.log"
    if ! /usr/bin/time -v "$top/bin/ph-subtract" -v --timing --device "$dev" --threads "$threads" \
        --gpu-lock none --science "$work/sci.fits" --science-psf "$work/sci_psf.fits" \
        --template "$work/ref.fits" -o "$work/diff.$dev.fits" 2> "$log"; then
      tail -3 "$log"
      continue 2
    fi
    wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {n=split($2,a,":"); s=0; for(i=1;i<=n;i++) s=s*60+a[i]; print s}' "$log")
    user=$(awk -F': ' '/User time/ {print $2}' "$log")
    sys=$(awk -F': ' '/System time/ {print $2}' "$log")
    rss=$(awk -F': ' '/Maximum resident/ {print $2}' "$log")
    ok=$(awk -v w="$wall" -v r="$rss" 'BEGIN {print (w < 20 && r < 4194304) ? "ok" : "OVER"}')
    printf '%-6s %-4s %8s %8s %8s %10s %s\n' "$dev" "$i" "$wall" "$user" "$sys" "$rss" "$ok"
  done
  grep -E '^timing|engine peak memory|GPU engine' "$log" | sed 's/^/    /'
done
if [ -s "$work/diff.cpu.fits" ] && [ -s "$work/diff.gpu.fits" ]; then
  "$py" - "$work/diff.cpu.fits" "$work/diff.gpu.fits" <<'PY'
import sys
import numpy as np
from astropy.io import fits
c, g = fits.open(sys.argv[1]), fits.open(sys.argv[2])
s = np.abs(c["CSCI"].data).max()
for n in ["DIFF", "CSCI", "CREF"]:
    print("    CPU vs GPU %s: max |difference| / max |CSCI| = %.3g" % (n, np.abs(c[n].data - g[n].data).max() / s))
PY
fi
