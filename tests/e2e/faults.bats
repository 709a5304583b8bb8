#!/usr/bin/env bats
# The bad-input and fault audit of issue 17, as tests: each case failed on
# the main of that time and passes now. The test names start with the
# audit's category, so that this suite is also the audit's re-run:
#
#   tests/run e2e/faults.bats                       this build
#   PH_TOP=/path/to/other/build bats tests/e2e/faults.bats   another build
#
# silent:  a wrong result with exit 0        loss:     an input or output lost
# outside: a write outside the work dirs    signals:  temporaries left, processes left
# bombs:   a hostile size, ended < 1 s       messages: a message that says what is wrong
# race:    two runs at once                  also:     file modes
#
# Inputs: ph-sim --size 256 --templates 1 --science 1 --seed 7, then the
# by-hand chain (ph-skysub, ph-psf, ph-align, ph-subtract, ph-decorr), made
# once in setup_file.
load ../cli/helpers

RA=7.550097868176806
DEC=-44.799958333291535

setup_file() {
  cd "$BATS_FILE_TMPDIR" || return 1
  ph-sim -q --size 256 --templates 1 --science 1 --seed 7 -o sim || return 1
  raw_s=$(ls sim/images/Y106/10001/*.fits.gz) raw_t=$(ls sim/images/Y106/10000/*.fits.gz)
  cp "$raw_s" raw_s.fits.gz && cp "$raw_t" raw_t.fits.gz
  ph-skysub -q raw_s.fits.gz -o sky_s.fits && ph-skysub -q raw_t.fits.gz -o sky_t.fits
  ph-psf -q sky_s.fits --ra $RA --dec $DEC -o psf_s.fits
  ph-psf -q sky_t.fits --ra $RA --dec $DEC -o psf_t.fits
  ph-psf -q sky_s.fits --ra $RA --dec $DEC --at-position -o psfat_s.fits
  ph-align -q --target sky_s.fits sky_t.fits --psf psf_t.fits -o aligned.fits
  ph-subtract -q --sci sky_s.fits --sci-psf psf_s.fits --ref aligned.fits --ra $RA --dec $DEC -o diff.fits
  ph-decorr -q diff.fits --target-psf psfat_s.fits -o decorr.fits
  ph-phot -q decorr.fits --ra $RA --dec $DEC -o phot.csv
  true
}

# A fresh copy of the products in $T.
products() { cp -r "$BATS_FILE_TMPDIR"/. . ; }
py() { /usr/bin/python3 "$@"; }
# Bombs are timed in CPU seconds (user + system, /usr/bin/time), which a
# loaded machine does not inflate; wall time is about the same on an idle one.
timed() { # timed CMD...: run CMD as bats' run does; $cpu = its CPU seconds
  run /usr/bin/time -f 'cpu %U %S' -o "$BATS_TEST_TMPDIR/time.txt" "$@"
  cpu=$(awk '/^cpu/ { printf "%.2f", $2 + $3 }' "$BATS_TEST_TMPDIR/time.txt")
}
under_1s() { [ "$(awk -v t="$cpu" 'BEGIN { print (t < 1) }')" = 1 ] || fail "$1: took $cpu s of CPU: $output"; }

# ---- silent wrong results ----------------------------------------------------

@test "silent: a degenerate WCS (CD = 0, CD1_1 = 'NaN') is an error naming the keys, in ph-align and ph-psf" {
  products
  py - <<'EOF'
from astropy.io import fits
for name, vals in (('cd0', {'CD1_1': 0., 'CD1_2': 0., 'CD2_1': 0., 'CD2_2': 0.}), ('cdnan', {'CD1_1': 'NaN'})):
    h = fits.open('sky_t.fits')
    for k, v in vals.items():
        h['SCI'].header[k] = v
    h.writeto('tpl_%s.fits' % name)
EOF
  run ph-align -q --target sky_s.fits tpl_cd0.fits --psf psf_t.fits -o a0.fits
  assert_failure
  assert_output --regexp "tpl_cd0.fits: bad WCS: .*CD1_1 CD1_2 CD2_1 CD2_2.* singular"
  assert_no_file a0.fits
  run ph-align -q --target sky_s.fits tpl_cdnan.fits --psf psf_t.fits -o a1.fits
  assert_failure
  assert_output --partial "tpl_cdnan.fits: bad WCS: CD1_1 = NaN is not a finite number"
  run ph-psf -q tpl_cd0.fits --ra $RA --dec $DEC -o p0.fits
  assert_failure
  assert_output --partial "bad WCS"
  assert_no_file p0.fits
}

@test "silent: a pixel scale far from Roman's (10x the CD matrix) is an error" {
  products
  py -c "
from astropy.io import fits
h = fits.open('sky_t.fits')
for k in ('CD1_1', 'CD1_2', 'CD2_1', 'CD2_2'): h['SCI'].header[k] *= 10
h.writeto('tpl_big.fits')"
  run ph-align -q --target sky_s.fits tpl_big.fits --psf psf_t.fits -o a.fits
  assert_failure
  # 10x the SCA's own scale (ph-sim draws the SCA: 0.105" to 0.112")
  assert_output --regexp "tpl_big.fits: bad WCS: pixel scale 1\.[01][0-9]*\" .*far from Roman's 0.11\""
}

@test "silent: an OpenUniverse2024 file without SCI is an error, not read from ERR" {
  products
  py -c "
from astropy.io import fits
h = fits.open('raw_s.fits.gz'); del h['SCI']; h.writeto('nosci.fits')"
  run ph-skysub -q nosci.fits -o out.fits
  assert_one_line_error "nosci.fits: no SCI HDU, though the file has the ERR/DQ HDUs"
  assert_no_file out.fits
}

@test "silent: a SCI stored as a cube is not skipped for the next plane (ph-import)" {
  py -c "
import numpy as np
from astropy.io import fits
fits.HDUList([fits.PrimaryHDU(), fits.ImageHDU(np.ones((3, 16, 16), 'f4'), name='SCI'),
              fits.ImageHDU(np.full((16, 16), 7, 'f4'), name='ERR')]).writeto('cube.fits')"
  run ph-import -q cube.fits -o out.fits
  assert_one_line_error "cube.fits: HDU SCI is a 3-D image, not a 2-D one"
  assert_no_file out.fits
  # and among several 2-D images, a notice names the one taken
  py -c "
import numpy as np
from astropy.io import fits
r = np.random.default_rng(1)
fits.HDUList([fits.PrimaryHDU(), fits.ImageHDU(r.normal(size=(16, 16)).astype('f4'), name='A'),
              fits.ImageHDU(r.normal(size=(16, 16)).astype('f4'), name='B')]).writeto('two.fits')"
  run ph-import two.fits -o two_out.fits
  assert_success
  assert_output --partial "reading the image from HDU A, the first of 2 2-D images"
}

@test "silent: VAR = 0 everywhere is an error naming the file and HDU" {
  products
  py -c "
from astropy.io import fits
h = fits.open('sky_s.fits'); h['VAR'].data[:] = 0; h.writeto('var0.fits')"
  run ph-subtract -q --sci var0.fits --sci-psf psf_s.fits --ref aligned.fits --ra $RA --dec $DEC -o d.fits
  assert_one_line_error "var0.fits: HDU VAR: the variance is zero .* at every pixel"
  assert_no_file d.fits
}

@test "silent: a DECORR_DIFF without MJD-OBS gives a failure row with the reason" {
  products
  py -c "
from astropy.io import fits
h = fits.open('decorr.fits'); del h['DECORR_DIFF'].header['MJD-OBS']; h.writeto('nomjd.fits')"
  run ph-phot -q nomjd.fits --ra $RA --dec $DEC -o row.csv
  assert_failure
  assert_output --partial "nomjd.fits: DECORR_DIFF has no MJD-OBS"
  run cut -d, -f1,20 row.csv
  assert_line --index 1 "nan,False"
}

@test "silent: a config value of the wrong type (kerpolyorder: [0]) is an error with line and column" {
  products
  printf 'photometry:\n  phrosty:\n    kerpolyorder: [0]\n' > wt.yaml
  run ph-subtract -q -c wt.yaml --sci sky_s.fits --sci-psf psf_s.fits --ref aligned.fits --ra $RA --dec $DEC -o d.fits
  assert_failure 2
  assert_output "ph-subtract: wt.yaml: line 3, column 19: photometry.phrosty.kerpolyorder: expected a single value, found a list"
  assert_no_file d.fits
  run ph-config -c wt.yaml check
  assert_failure 2
  assert_output --partial "wt.yaml: line 3, column 19"
}

# ---- data loss ------------------------------------------------------------------

@test "loss: output = input is refused in the 12 cases of the audit, the input kept byte for byte" {
  products
  cp sim/truth/transient_20172782_Y106.csv t.csv
  mkdir -p stamps
  cases=(
    "raw_s.fits.gz|ph-skysub -q raw_s.fits.gz -o raw_s.fits.gz"
    "sky_s.fits|ph-import -q sky_s.fits -o sky_s.fits"
    "noise.fits|ph-import -q sky_s.fits --noise noise.fits -o noise.fits"
    "sky_s.fits|ph-psf -q sky_s.fits --ra $RA --dec $DEC -o sky_s.fits"
    "sky_t.fits|ph-align -q --target sky_s.fits sky_t.fits --psf psf_t.fits -o sky_t.fits"
    "sky_s.fits|ph-align -q --target sky_s.fits sky_t.fits --psf psf_t.fits -o sky_s.fits"
    "psf_t.fits|ph-align -q --target sky_s.fits sky_t.fits --psf psf_t.fits -o psf_t.fits"
    "sky_s.fits|ph-subtract -q --sci sky_s.fits --sci-psf psf_s.fits --ref aligned.fits --ra $RA --dec $DEC -o sky_s.fits"
    "aligned.fits|ph-subtract -q --sci sky_s.fits --sci-psf psf_s.fits --ref aligned.fits --ra $RA --dec $DEC -o aligned.fits"
    "psfat_s.fits|ph-decorr -q diff.fits --target-psf psfat_s.fits -o psfat_s.fits"
    "aligned.fits|ph-phot -q decorr.fits --ra $RA --dec $DEC --aligned aligned.fits --stamps stamps -o aligned.fits"
    "t.csv|ph-lc -q --truth t.csv -o t.csv phot.csv"
  )
  py -c "
from astropy.io import fits
h = fits.open('sky_s.fits'); fits.PrimaryHDU(h['VAR'].data ** 0.5).writeto('noise.fits')"
  lost=()
  for c in "${cases[@]}"; do
    f=${c%%|*} cmd=${c#*|}
    sum=$(md5sum < "$f")
    run $cmd
    if [ "$status" -eq 0 ] || [ "$(md5sum < "$f")" != "$sum" ] || ! [[ $output =~ (input|same file) ]]; then
      lost+=("$cmd: status $status: $output")
    fi
    [ "$(md5sum < "$f")" = "$sum" ] || cp "$BATS_FILE_TMPDIR/$f" "$f" 2>/dev/null || true
  done
  [ ${#lost[@]} -eq 0 ] || fail "$(printf '%s\n' "${lost[@]}")"
}

@test "loss: the same file under another name (a hard link, ./x) is recognised by device and inode" {
  products
  ln sky_s.fits link.fits
  sum=$(md5sum < sky_s.fits)
  run ph-skysub -q ./link.fits -o sky_s.fits
  assert_failure
  assert_output --partial "sky_s.fits: is the same file as the input ./link.fits"
  [ "$(md5sum < sky_s.fits)" = "$sum" ]
}

@test "loss: a failed write to standard output (/dev/full) is an error, not exit 0" {
  printf 'a: 1\n' > c.yaml
  run ph-config -c c.yaml dump
  assert_success
  run sh -c 'ph-config -c c.yaml dump > /dev/full'
  assert_failure
  assert_output --partial "standard output: write error"
  products
  run sh -c 'ph-lc -q --print --no-meta -o lc.csv phot.csv > /dev/full'
  assert_failure
}

@test "loss: output on a full disk (a file size limit) is an error: standard output and text files" {
  products
  printf 'a: 1\n' > c.yaml
  run bash -c 'trap "" XFSZ; ulimit -f 0; ph-config -c c.yaml dump > dump.yaml'
  assert_failure
  assert_output --partial "standard output: write error"
  run bash -c 'trap "" XFSZ; ulimit -f 0; ph-lc -q --no-meta -o full.csv phot.csv'
  assert_failure
  assert_output --partial "full.csv"
  assert_no_file full.csv
}

@test "loss: two images with the same file name in one list both make a row" {
  products
  mkdir -p other/10002
  ph-sim -q --size 256 --templates 1 --science 2 --seed 7 -o sim2
  s2=$(ls sim2/images/Y106/10002/*.fits.gz)
  # the second science epoch under the first one's file name, elsewhere; its
  # header names its pointing (the name would say 10001), and the PSF
  # models of both scenes are where the config looks for them
  py -c "
from astropy.io import fits
f = fits.open('$s2')
f['SCI'].header['OBSID'] = '10002'
f.writeto('other/10002/$(basename "$(ls sim/images/Y106/10001/*.fits.gz)")')"
  cp -r sim/psf . && cp -r sim2/psf/. psf/
  cp sim/templates.csv templates.csv
  { cat sim/science.csv; echo "$PWD/other/10002/$(basename "$(ls sim/images/Y106/10001/*.fits.gz)") 10002 1 62815.0 Y106"; } > science.csv
  sed -i 's|^Y106/|sim/images/Y106/|' templates.csv science.csv
  cp "$PH_TOP/examples/phrosty_config.yaml" config.yaml
  run ph-pipeline -c config.yaml --oid 20172782 -r $RA -d $DEC -b Y106 -t templates.csv -s science.csv --base-path .
  assert_success
  lc=lc_out_dir/data/20172782/20172782_Y106_all.csv
  [ "$(tail -n +2 "$lc" | wc -l)" -eq 2 ] || fail "$(cat "$lc")"
  [ "$(cut -d, -f7 "$lc" | tail -n +2 | sort -u | wc -l)" -eq 2 ]
}

# ---- writing outside the work directories ---------------------------------------

@test "outside: --oid .. and --oid . are refused before anything is written" {
  products
  mkdir work && cd work
  cp ../sim/*.csv . && ln -s ../sim/images images
  cp "$PH_TOP/examples/phrosty_config.yaml" config.yaml
  before=$(ls -a . ..)
  for oid in .. . ...; do
    run ph-pipeline -c config.yaml --oid "$oid" -r $RA -d $DEC -b Y106 -t templates.csv -s science.csv
    assert_failure 2
    assert_output --partial "not an object id"
  done
  [ "$(ls -a . ..)" = "$before" ] || fail "files were written: $(ls -a . ..)"
}

@test "outside: ph-slurm refuses a control character in every value that goes into the job script" {
  printf 'path observation_id sca mjd band\n' > t.csv
  printf 'oid ra dec band templates science\n1 7.5 -44.8 Y106 t.csv t.csv\n' > obj.csv
  touch c.yaml
  nl=$'x\ntouch INJECTED'
  for opt in --partition --account --qos --job-name --output --script --sbatch-arg; do
    run ph-slurm -c c.yaml -n "$opt" "$nl" obj.csv
    assert_failure 2
    assert_output --partial "control characters"
  done
  run ph-slurm -c c.yaml -n obj.csv -- -v "$nl"
  assert_failure 2
  printf 'oid ra dec band templates science\n1 7.5 -44.8 Y106 t.csv t.csv\x07\n' > bell.csv
  run ph-slurm -c c.yaml -n bell.csv
  assert_failure 2
  assert_no_file INJECTED
}

# ---- signals and temporaries ----------------------------------------------------

# Start CMD in the background; once a temporary of OUT appears (or after
# 3 s), send SIG; wait. Sets seen=1 when the temporary was there.
kill_when_temp() { # kill_when_temp SIG OUT CMD...
  local sig=$1 out=$2 pid t0 d b
  shift 2
  d=$(dirname "$out") b=$(basename "$out")
  # A background job of a script starts with SIGINT ignored (and a nohup'd
  # run with SIGHUP): start the command with the default dispositions, as
  # from a terminal, so that the signal is really delivered.
  /usr/bin/python3 -c 'import os, signal, sys
for s in (signal.SIGINT, signal.SIGHUP, signal.SIGTERM): signal.signal(s, signal.SIG_DFL)
os.execvp(sys.argv[1], sys.argv[1:])' "$@" > /dev/null 2>&1 &
  pid=$!
  t0=$(date +%s.%N) seen=0
  while kill -0 $pid 2>/dev/null; do
    if ls -A "$d" | grep -q "^\.${b%.fits}"; then seen=1; break; fi
    [ "$(awk -v a="$(date +%s.%N)" -v b="$t0" 'BEGIN { print (a - b > 20) }')" = 1 ] && break
  done
  kill -"$sig" $pid 2>/dev/null
  status_killed=0
  wait $pid 2>/dev/null || status_killed=$?
}

@test "signals: SIGTERM, SIGINT and SIGHUP while an output is written leave no temporary (ph-subtract, 1024^2)" {
  ph-sim -q --size 1024 --templates 1 --science 1 --seed 7 -o big
  ph-skysub -q big/images/Y106/10001/*.fits.gz -o s.fits
  ph-skysub -q big/images/Y106/10000/*.fits.gz -o t.fits
  ph-psf -q s.fits --ra $RA --dec $DEC -o ps.fits
  ph-psf -q t.fits --ra $RA --dec $DEC -o pt.fits
  ph-align -q --target s.fits t.fits --psf pt.fits -o al.fits
  caught=0
  for sig in TERM INT HUP; do
    for try in 1 2 3 4 5; do
      mkdir -p out_$sig
      kill_when_temp $sig out_$sig/diff.fits ph-subtract -q --threads 1 --sci s.fits --sci-psf ps.fits \
        --ref al.fits --ra $RA --dec $DEC -o out_$sig/diff.fits
      [ -z "$(ls -A out_$sig | grep -v '^diff.fits$')" ] || fail "SIG$sig left: $(ls -A out_$sig)"
      if [ "$seen" = 1 ]; then
        # it died by the signal (128 + n), not after finishing its write
        [ "$status_killed" -eq $((128 + $(kill -l $sig))) ] || [ -f out_$sig/diff.fits ] ||
          fail "SIG$sig: status $status_killed"
        caught=$((caught + 1)); break
      fi
      rm -rf out_$sig
    done
  done
  [ "$caught" -ge 1 ] || skip "the temporary was never seen while it existed (too fast here)"
}

@test "signals: a .fits.gz input leaves nothing in \$TMPDIR or beside the output after SIGKILL (ph-skysub)" {
  ph-sim -q --size 2048 --templates 0 --science 1 --seed 7 -o big 2>/dev/null \
    || ph-sim -q --size 2048 --templates 1 --science 1 --seed 7 -o big
  mkdir tmp out
  img=$(ls big/images/Y106/*/*.fits.gz | head -n 1)
  TMPDIR=$PWD/tmp ph-skysub -q "$img" -o out/sky.fits &
  pid=$!
  t0=$(date +%s.%N)
  while kill -0 $pid 2>/dev/null && [ -z "$(ls -A tmp)" ] &&
        [ "$(awk -v a="$(date +%s.%N)" -v b="$t0" 'BEGIN { print (a - b > 0.4) }')" = 0 ]; do :; done
  kill -KILL $pid 2>/dev/null
  wait $pid 2>/dev/null || true
  [ -z "$(ls -A tmp)" ] || fail "left in TMPDIR: $(ls -la tmp)"
  [ -z "$(ls -A out | grep -v '^sky.fits$')" ] || fail "left beside the output: $(ls -A out)"
  # streamed (issue 18): standard input's copy, the inflated scratch and
  # standard output's spool are unlinked files in TMPDIR, gone with the process
  for sig in KILL TERM; do
    mkdir tmp_$sig
    cat "$img" | TMPDIR=$PWD/tmp_$sig ph-skysub -q - --name "$(basename "$img")" -o - > /dev/null &
    pid=$!
    sleep 0.5
    kill -$sig $pid 2>/dev/null
    wait $pid 2>/dev/null || true
    [ -z "$(ls -A tmp_$sig)" ] || fail "SIG$sig left in TMPDIR: $(ls -la tmp_$sig)"
  done
}

@test "signals: SIGKILL of ph-pipeline stops its make and the steps (no process of the run is left)" {
  ph-sim -q --size 1024 --templates 2 --science 2 --seed 7 -o scene
  cd scene
  cp "$PH_TOP/examples/phrosty_config.yaml" config.yaml
  ph-pipeline -c config.yaml --oid 20172782 -r $RA -d $DEC -b Y106 -t templates.csv -s science.csv -p 1 \
    > run.log 2>&1 &
  pid=$!
  for i in $(seq 1 200); do
    pgrep -f "PLAN=$PWD/phrosty_temp" > /dev/null && break
    sleep 0.05
  done
  pgrep -f "PLAN=$PWD/phrosty_temp" > /dev/null || fail "make did not start: $(cat run.log)"
  sleep 0.5
  kill -KILL $pid
  wait $pid 2>/dev/null || true
  for i in $(seq 1 40); do
    pgrep -f "$PWD/phrosty_temp" > /dev/null || break
    sleep 0.1
  done
  left=$(pgrep -af "$PWD/phrosty_temp" || true)
  # leave nothing running whatever the result
  pgrep -f "$PWD/phrosty_temp" | xargs -r kill -KILL 2>/dev/null || true
  [ -z "$left" ] || fail "still running after ph-pipeline was killed: $left"
}

# ---- bombs: each ends in under a second with a message naming the file ---------

@test "bombs: a header claiming 100000^2 pixels in a 1 MB file ends at once, naming the file" {
  py -c "
from astropy.io import fits
h = fits.Header(); h['SIMPLE'] = True; h['BITPIX'] = -32; h['NAXIS'] = 2; h['NAXIS1'] = 100000; h['NAXIS2'] = 100000
open('bomb.fits', 'wb').write(h.tostring().encode() + b'\0' * (1 << 20))"
  timed timeout 60 ph-skysub -q bomb.fits -o out.fits
  assert_one_line_error "bomb.fits: the file is truncated: HDU 0 claims 38146 MB of data"
  under_1s bomb.fits
}

@test "bombs: a .fits.gz whose header claims more than the gzip can hold, and one with GBs of trailing zeros, end at once" {
  products
  py - <<'EOF'
import zlib
from astropy.io import fits
h = fits.Header(); h['SIMPLE'] = True; h['BITPIX'] = -32; h['NAXIS'] = 2; h['NAXIS1'] = 100000; h['NAXIS2'] = 100000
c = zlib.compressobj(9, zlib.DEFLATED, 31)
open('claim.fits.gz', 'wb').write(c.compress(h.tostring().encode() + b'\0' * (1 << 22)) + c.flush())
# a valid image, then 3 GB of zeros as 192 more gzip members of 16 MB each
img = open('sky_s.fits', 'rb').read()
c = zlib.compressobj(9, zlib.DEFLATED, 31); first = c.compress(img) + c.flush()
c = zlib.compressobj(9, zlib.DEFLATED, 31); zero = c.compress(b'\0' * (1 << 24)) + c.flush()
open('tail.fits.gz', 'wb').write(first + zero * 192)
EOF
  timed timeout 60 ph-skysub -q claim.fits.gz -o c.fits
  assert_one_line_error "claim.fits.gz: HDU 0 claims 38146 MB of data, more than a .* gzip file can hold"
  under_1s claim.fits.gz
  timed timeout 60 ph-align -q --target tail.fits.gz sky_t.fits --psf psf_t.fits -o a.fits
  under_1s tail.fits.gz
}

@test "bombs: YAML alias bomb, -c /dev/zero and 100,000-deep nesting each end in < 1 s naming the file" {
  cat > alias.yaml <<'EOF'
a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]
i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]
EOF
  py -c "print('a: ' + '[' * 100000 + ']' * 100000)" > deep.yaml
  for f in alias.yaml /dev/zero deep.yaml; do
    timed timeout 30 ph-config -c $f check
    assert_failure 2
    assert_output --regexp "^ph-config: $f: "
    under_1s $f
  done
}

# ---- clear messages ----------------------------------------------------------------

@test "messages: a truncated file is reported as truncated, never as a missing HDU" {
  products
  for f in sky_s.fits decorr.fits; do
    head -c $(( $(stat -c %s $f) / 2 )) $f > cut_$f
  done
  run ph-align -q --target cut_sky_s.fits sky_t.fits --psf psf_t.fits -o a.fits
  assert_one_line_error "cut_sky_s.fits: the file is truncated: HDU"
  run ph-phot -q cut_decorr.fits --ra $RA --dec $DEC -o r.csv
  assert_failure
  assert_output --partial "cut_decorr.fits: the file is truncated"
  refute_output --partial "no MASK"
}

@test "messages: NAXIS1 = 0 has its own message" {
  py -c "
from astropy.io import fits
import numpy as np
h = fits.PrimaryHDU(np.zeros((4, 4), 'f4')); b = h.header.tostring().replace('NAXIS1  =                    4', 'NAXIS1  =                    0')
open('zero.fits', 'wb').write(b.encode() + b'\0' * 2880)"
  run ph-import -q zero.fits -o out.fits
  assert_one_line_error "zero.fits: HDU 0 has NAXIS1 = 0: an image without pixels"
}

@test "messages: a position off the image says so; a bad WCS is named, not 'off the image'" {
  products
  run ph-phot -q decorr.fits --x 1000 --y 100 -o r.csv
  assert_failure
  assert_output --partial "transient at pixel (1000.000, 100.000) of 256x256: position off the image"
  py -c "
from astropy.io import fits
h = fits.open('decorr.fits'); h['DECORR_DIFF'].header['CD1_1'] = 0.0; h['DECORR_DIFF'].header['CD1_2'] = 0.0
h.writeto('badwcs.fits')"
  run ph-phot -q badwcs.fits --ra $RA --dec $DEC -o r2.csv
  assert_failure
  assert_output --partial "badwcs.fits: bad WCS"
  refute_output --partial "off the"
}

@test "messages: an image-list path with a space says so" {
  products
  cp "$PH_TOP/examples/phrosty_config.yaml" config.yaml
  printf 'path observation_id sca mjd band\nmy images/a.fits.gz 10001 1 62450 Y106\n' > s.csv
  run ph-pipeline -c config.yaml --oid 1 -r $RA -d $DEC -b Y106 -t sim/templates.csv -s s.csv
  assert_failure 2
  assert_output --partial "a path with a space"
}

# ---- concurrency ---------------------------------------------------------------------

@test "race: a second ph-pipeline on the same object and band is refused, naming the running one" {
  ph-sim -q --size 512 --templates 2 --science 2 --seed 7 -o scene
  cd scene
  cp "$PH_TOP/examples/phrosty_config.yaml" config.yaml
  ph-pipeline -c config.yaml --oid 20172782 -r $RA -d $DEC -b Y106 -t templates.csv -s science.csv -p 1 \
    > first.log 2>&1 &
  pid=$!
  for i in $(seq 1 200); do
    [ -s phrosty_temp/ph-20172782-Y106/lock ] && break
    sleep 0.05
  done
  run ph-pipeline -c config.yaml --oid 20172782 -r $RA -d $DEC -b Y106 -t templates.csv -s science.csv -p 1
  second=$status out2=$output
  wait $pid
  first=$?
  [ "$first" -eq 0 ] || fail "the first run failed: $(cat first.log)"
  [ "$second" -eq 1 ] || fail "the second run was not refused: $out2"
  [[ $out2 =~ "another ph-pipeline is running on 20172782 Y106".*"pid $pid" ]] || fail "$out2"
  [ "$(tail -n +2 lc_out_dir/data/20172782/20172782_Y106_all.csv | grep -c True)" -eq 4 ]
}

# ---- fuzzing and file modes -------------------------------------------------------------

@test "also: every parser has a fuzz harness, replayed over its corpus" {
  for h in imlist config fitshead phot_catalog psf_file lightcurve; do
    [ -f "$PH_TOP/tests/fuzz/fuzz_$h.c" ] || fail "no harness for $h"
    [ -x "$PH_TOP/build/tests/fuzz/fuzz_$h" ] || fail "fuzz_$h not built (make tests)"
    run "$PH_TOP/build/tests/fuzz/fuzz_$h" "$PH_TOP/tests/fuzz/corpus/$h" "$PH_TOP/tests/fuzz/regress/$h"
    assert_success
  done
}

@test "also: ph-sim's lists and truth files get the umask's permissions, like its FITS files" {
  umask 022
  ph-sim -q --size 64 --templates 1 --science 1 -o s
  for f in s/science.csv s/templates.csv s/truth/transient_*.csv; do
    [ "$(stat -c %a "$f")" = 644 ] || fail "$f: mode $(stat -c %a "$f")"
  done
}
