#!/usr/bin/env bats
# ph-pipeline end to end on a small ph-sim scene (256 px, 2 templates x 3
# science epochs): phrosty's command line, outputs and final line; re-runs
# that redo only what is missing; failed pairs as success False rows; config,
# list and step errors.
load ../cli/helpers

OID=20172782
HDR="mjd,flux,flux_err,zpt,NEA,sky_rms,observation_id,sca,pix_x,pix_y,science_name,template_name,science_id,template_id,template_observation_id,template_sca,aperture_sum,mag,mag_err,success,zpt_source,zpt_nstars,zpt_scatter,res_nstars,res_zmed,res_zp90"

setup_file() {
  command -v ph-psf >/dev/null && command -v ph-phot >/dev/null || return 0
  cd "$BATS_FILE_TMPDIR" || return 1
  ph-sim -q --size 256 --templates 2 --science 3 --seed 3 -o scene
}

# A fresh copy of the scene in $T with the example config; sets RA, DEC.
scene() {
  command -v ph-psf >/dev/null && command -v ph-phot >/dev/null \
    || skip "ph-psf and ph-phot are not built (issues 4 and 8)"
  cp -r "$BATS_FILE_TMPDIR/scene/." .
  cp "$PH_TOP/examples/phrosty_config.yaml" config.yaml
  RA=$(awk -F, 'NR==2 {print $10}' truth/transient_${OID}_Y106.csv)
  DEC=$(awk -F, 'NR==2 {print $11}' truth/transient_${OID}_Y106.csv)
}

pipeline() { ph-pipeline -c config.yaml --oid $OID -r "$RA" -d "$DEC" -b Y106 -t templates.csv -s science.csv "$@"; }
LC=lc_out_dir/data/$OID/${OID}_Y106_all.csv

# mtime listing of every product, for "nothing was redone"
stamps() { find dia_out_dir phrosty_temp -name '*.fits' -o -name '*.csv' | sort | xargs stat -c '%n %Y.%y'; }

@test "2 templates x 3 science: 6 rows in phrosty's columns, products in dia_out_dir, last line Results saved to" {
  scene
  run pipeline -p 2 -w 3 -v
  assert_success
  assert_line --index $((${#lines[@]} - 1)) "Results saved to $PWD/$LC"
  assert_output --partial "6 pairs"
  assert_output --regexp "\\[ *1/35\\] sky_subtract"
  assert_output --regexp "\\[35/35\\] make_lightcurve"
  run head -1 "$LC"
  assert_output "$HDR"
  [ "$(tail -n +2 "$LC" | wc -l)" -eq 6 ]
  [ "$(cut -d, -f20 "$LC" | grep -c True)" -eq 6 ]
  [ -f lc_out_dir/data/$OID/${OID}_Y106_all.meta.yaml ]
  [ -s lc_out_dir/data/$OID/${OID}_Y106_all.png ]
  [ "$(ls dia_out_dir/$OID/decorr_*.fits | wc -l)" -eq 6 ]
  [ "$(ls dia_out_dir/$OID/aligned_*.fits | wc -l)" -eq 6 ]
  # keep_intermediate (example config: true): difference files in scratch_dir
  [ "$(ls phrosty_temp/scratch/$OID/diff_*.fits | wc -l)" -eq 6 ]
  # every pair once, sorted by MJD, 3 epochs x 2 templates
  run sh -c "tail -n +2 $LC | cut -d, -f7,15 | sort -u | wc -l"
  assert_output 6
  run sh -c "tail -n +2 $LC | cut -d, -f1 | sort -c -n"
  assert_success
  # a second run has nothing to do and changes nothing
  before=$(stamps)
  run pipeline -p 2 -v
  assert_success
  assert_output --partial "0 of 35 steps to run"
  assert_line --index $((${#lines[@]} - 1)) "Results saved to $PWD/$LC"
  [ "$(stamps)" = "$before" ]
}

@test "killed midway, a re-run completes without redoing finished targets" {
  scene
  # a slow ph-decorr, so that the run is surely killed in the middle
  mkdir slow
  printf '#!/bin/sh\nsleep 1\nexec %s "$@"\n' "$(command -v ph-decorr)" > slow/ph-decorr
  chmod +x slow/ph-decorr
  PATH=$PWD/slow:$PATH setsid ph-pipeline -c config.yaml --oid $OID -r "$RA" -d "$DEC" -b Y106 -t templates.csv -s science.csv \
    -p 1 -q > run1.out 2>&1 &
  pid=$!
  for i in $(seq 1 600); do
    [ -n "$(ls dia_out_dir/$OID/decorr_*.fits 2>/dev/null)" ] && break
    sleep 0.05
  done
  kill -TERM -- -$pid
  wait $pid || true
  [ ! -e "$LC" ]
  [ "$(ls dia_out_dir/$OID/decorr_*.fits | wc -l)" -lt 6 ]
  # what was finished, with its mtime
  find dia_out_dir phrosty_temp -name '*.fits' | sort > done.txt
  [ -s done.txt ]
  xargs stat -c '%n %Y.%y' < done.txt > before.txt
  ! ls -A dia_out_dir/$OID phrosty_temp/ph-$OID-Y106 | grep -q '^\.' || fail "temporary files left behind"
  run pipeline -p 2
  assert_success
  assert_line --index $((${#lines[@]} - 1)) "Results saved to $PWD/$LC"
  [ "$(tail -n +2 "$LC" | wc -l)" -eq 6 ]
  [ "$(cut -d, -f20 "$LC" | grep -c True)" -eq 6 ]
  xargs stat -c '%n %Y.%y' < done.txt > after.txt
  run diff before.txt after.txt
  assert_success
}

@test "a corrupt science image gives success False rows for its pairs; the others succeed" {
  scene
  bad=$(awk 'NR==3 {print $1}' science.csv)
  head -c 3000 "images/$bad" > x && mv x "images/$bad"
  run pipeline -p 2 --catchfailures
  assert_success
  assert_line --index $((${#lines[@]} - 1)) "Results saved to $PWD/$LC"
  assert_output --partial "truncated"
  [ "$(tail -n +2 "$LC" | wc -l)" -eq 6 ]
  [ "$(cut -d, -f20 "$LC" | grep -c True)" -eq 4 ]
  obs=$(awk 'NR==3 {print $2}' science.csv)
  run sh -c "awk -F, '\$7 == \"$obs\" {print \$2, \$20}' $LC"
  assert_output "nan False
nan False"
  # the failed rows keep the pair's identity: 26 columns, both template ids
  run sh -c "awk -F, '\$7 == \"$obs\" {print NF, \$15}' $LC | sort"
  assert_output "26 10000
26 10001"
}

@test "--through-step stops after the step; the full run then redoes nothing before it" {
  scene
  run pipeline --through-step subtract -p 2
  assert_success
  assert_output "Stopped after subtract: products in $PWD/dia_out_dir/$OID"
  [ "$(ls phrosty_temp/scratch/$OID/diff_*.fits | wc -l)" -eq 6 ]
  [ -z "$(ls dia_out_dir/$OID/decorr_* 2>/dev/null)" ]
  before=$(stamps)
  run pipeline -p 2 -v
  assert_success
  assert_output --partial "13 of 35 steps to run"
  for f in $(echo "$before" | cut -d' ' -f1); do
    grep -qxF "$(stat -c '%n %Y.%y' "$f")" <<< "$before" || fail "$f was redone"
  done
}

@test "keep_intermediate false and remove_temp_dir true: no difference files, no run directory; a re-run redoes nothing" {
  scene
  run pipeline --set photometry.phrosty.keep_intermediate=false --set photometry.phrosty.remove_temp_dir=true -p 2
  assert_success
  [ "$(tail -n +2 "$LC" | wc -l)" -eq 6 ]
  [ ! -e phrosty_temp/ph-$OID-Y106 ]
  [ -z "$(find . -name 'diff_*')" ]
  before=$(stamps)
  run pipeline --set photometry.phrosty.keep_intermediate=false --set photometry.phrosty.remove_temp_dir=true -p 2 -v
  assert_success
  assert_output --partial "0 of 35 steps to run"
  [ "$(stamps)" = "$before" ]
}

@test "a science image added to the list: only its pairs and the light curve are made" {
  scene
  head -3 science.csv > s2.csv
  run ph-pipeline -c config.yaml --oid $OID -r "$RA" -d "$DEC" -b Y106 -t templates.csv -s s2.csv -p 2
  assert_success
  [ "$(tail -n +2 "$LC" | wc -l)" -eq 4 ]
  run pipeline -p 2 -v
  assert_success
  # 1 image x 2 steps (sky, PSF) + 2 pairs x 4 steps + the light curve
  assert_output --partial "11 of 35 steps to run"
  [ "$(tail -n +2 "$LC" | wc -l)" -eq 6 ]
}

@test "SNPIT_CONFIG, comma-separated lists and --base-path are read as phrosty reads them" {
  scene
  mkdir lists
  tr ' ' , < templates.csv > lists/t.csv
  tr ' ' , < science.csv > lists/s.csv
  SNPIT_CONFIG=config.yaml run ph-pipeline --oid $OID -r "$RA" -d "$DEC" -b Y106 -t lists/t.csv -s lists/s.csv \
    --base-path "$PWD/images" --through-step sky_subtract -oc ou2024 -ic ou2024
  assert_success
  assert_output --partial "-oc: phrosty's database option, ignored"
  assert_line --index $((${#lines[@]} - 1)) "Stopped after sky_subtract: products in $PWD/dia_out_dir/$OID"
  [ "$(ls phrosty_temp/ph-$OID-Y106/sky_*.fits | wc -l)" -eq 5 ]
}

@test "--catalog: one zero point per science image (DIA/zpt_S.csv), which every pair's row takes" {
  scene
  rm -rf images truth psf ./*.csv
  ph-sim -q --size 256 --templates 2 --science 2 --nstars 60 --seed 4 --sca 1 -o .
  run pipeline -p 2 -v --catalog 'truth/{band}/{pointing}/Roman_TDS_index_{band}_{pointing}_{sca}.txt'
  assert_success
  # 4 images x 2 + 2 zero points + 4 pairs x 4 + the light curve
  assert_output --partial "27 of 27 steps to run"
  [ "$(ls dia_out_dir/$OID/zpt_*.csv | grep -vc _stars.csv)" -eq 2 ]
  [ "$(ls dia_out_dir/$OID/zpt_*_stars.csv | wc -l)" -eq 2 ]
  [ "$(cut -d, -f20,21 "$LC" | grep -c '^True,catalog$')" -eq 4 ]
  # both pairs of a science image carry its one zero point
  run sh -c "tail -n +2 $LC | cut -d, -f4,7,22,23 | sort -u | wc -l"
  assert_output 2
  for z in dia_out_dir/$OID/zpt_*[0-9].csv; do
    obs=$(awk -F, 'NR == 2 {print $2}' "$z")
    [ "$(awk -F, -v o="$obs" '$7 == o {print $4}' "$LC" | sort -u)" = "$(awk -F, 'NR == 2 {print $6}' "$z")" ]
  done
  # a zero-point step that fails: the pairs keep their flux, header zero point
  s1=$(awk 'NR == 2 {print $1}' science.csv); s1=$(basename "${s1%.fits.gz}")
  rm dia_out_dir/$OID/zpt_${s1}.csv
  printf 'ra,dec\n' > truth/bad.csv
  mkdir -p alt && cp truth/Y106/*/Roman_TDS_index_Y106_*_1.txt alt/
  cp truth/bad.csv "alt/Roman_TDS_index_Y106_$(awk 'NR == 2 {print $2}' science.csv)_1.txt"
  run pipeline -p 2 --catalog 'alt/Roman_TDS_index_{band}_{pointing}_{sca}.txt'
  assert_success
  assert_output --partial "zpt_${s1}.csv: zero_point: ph-phot: "
  [ "$(cut -d, -f20,21 "$LC" | grep -c '^True,header$')" -eq 2 ]
  [ "$(cut -d, -f20,21 "$LC" | grep -c '^True,catalog$')" -eq 2 ]
  grep -q "zpt_${s1}.csv is missing (zero_point failed): the header zero point" phrosty_temp/ph-$OID-Y106/log/phot_${s1}-*.log
  run pipeline --catalog 'truth/{band}/{pointing}/nothere_{sca}.txt'
  [ "$status" -eq 2 ]
  assert_one_line_error "^ph-pipeline: truth/Y106/10002/nothere_1.txt: no such catalogue \(--catalog for science.csv line 2\)$"
}

@test "the PSF at the transient's phase travels by default (PHASED_PSF in psf_S, the difference, DECORR_PSF); ph.pipeline.phased_psf false: ph-decorr --centred-psf" {
  scene
  run pipeline -n
  assert_output --regexp "ph-subtract .* --ra $RA --dec $DEC"
  refute_output --partial "--target-psf"
  refute_output --partial "--at-position"
  refute_output --partial "--centred-psf"
  run pipeline -n --set ph.pipeline.phased_psf=false
  assert_output --regexp "ph-decorr .* --centred-psf"
  run pipeline --through-step find_decorrelation -p 2
  assert_success
  [ -z "$(ls phrosty_temp/ph-$OID-Y106/psfat_* 2>/dev/null)" ]
  run pypeer -c "
import glob
from astropy.io import fits
for p in glob.glob('phrosty_temp/ph-$OID-Y106/psf_*.fits'):
    assert [h.name for h in fits.open(p)] == ['PRIMARY', 'PHASED_PSF', 'EPSF'], p
for d in glob.glob('phrosty_temp/scratch/$OID/diff_*.fits'):
    assert 'PHASED_PSF' in fits.open(d), d
ds = glob.glob('dia_out_dir/$OID/decorr_*.fits')
print(len(ds), set(fits.open(d)['DECORR_PSF'].header['PSFPHASE'] for d in ds))"
  assert_success
  assert_output "6 {True}"
}

@test "exit status 1 when no pair succeeded (every row success False), also through an earlier step" {
  scene
  for f in images/Y106/*/*.fits.gz; do head -c 3000 "$f" > x && mv x "$f"; done
  run pipeline -p 2
  assert_failure 1
  assert_line --index $((${#lines[@]} - 1)) --regexp "^ph-pipeline: $OID Y106: no pair succeeded: all 6 light-curve rows have success False"
  assert_line --partial "Results saved to $PWD/$LC"
  [ "$(tail -n +2 "$LC" | wc -l)" -eq 6 ]
  [ "$(cut -d, -f20 "$LC" | grep -c False)" -eq 6 ]
  run pipeline -p 2 --through-step sky_subtract
  assert_failure 1
  assert_line --index $((${#lines[@]} - 1)) --regexp "^ph-pipeline: $OID Y106: no sky_subtract product was made"
}

# ---- errors: one line, exit 2, nothing written ---------------------------

errsetup() {
  cp "$PH_TOP/examples/phrosty_config.yaml" config.yaml
  printf 'path observation_id sca mjd band\nY106/1/a.fits.gz 1 1 62000 Y106\n' > t.csv
  printf 'path observation_id sca mjd band\nY106/2/b.fits.gz 2 1 62010 Y106\n' > s.csv
}
e() { ph-pipeline --oid 1 -r 7.5 -d -44.8 -b Y106 "$@"; }

@test "missing config keys: one-line error naming the key, exit 2, nothing written" {
  errsetup
  grep -v ltcv_dir config.yaml > c2.yaml
  run e -c c2.yaml -t t.csv -s s.csv
  [ "$status" -eq 2 ]
  assert_one_line_error "^ph-pipeline: .*c2.yaml: missing key system.paths.ltcv_dir \(set it in the config or with --set"
  assert_no_file dia_out_dir
  assert_no_file phrosty_temp
  grep -v scratch_dir config.yaml > c3.yaml
  run e -c c3.yaml -t t.csv -s s.csv
  [ "$status" -eq 2 ]
  assert_one_line_error "missing key system.paths.scratch_dir"
  run e -t t.csv -s s.csv
  [ "$status" -eq 2 ]
  assert_one_line_error "^ph-pipeline: config: no configuration file: run with -c FILE or set SNPIT_CONFIG$"
  run e -c nope.yaml -t t.csv -s s.csv
  [ "$status" -eq 2 ]
  assert_one_line_error "^ph-pipeline: nope.yaml: cannot read the config file$"
  run e -c config.yaml --set photometry.phrosty.keep_intermediate=maybe -t t.csv -s s.csv
  [ "$status" -eq 2 ]
  assert_one_line_error "photometry.phrosty.keep_intermediate: 'maybe' is not true or false$"
  run e -c config.yaml --set "system.paths.dia_out_dir=my dir" -t t.csv -s s.csv
  [ "$status" -eq 2 ]
  assert_one_line_error "^ph-pipeline: my dir: system.paths.dia_out_dir: path with spaces or characters make cannot handle"
  run e -c config.yaml --set nokey -t t.csv -s s.csv
  [ "$status" -eq 2 ]
  assert_one_line_error "^ph-pipeline: --set 'nokey': expected KEY=VALUE"
}

@test "phrosty's PSF type A25ePSF: its library is required, never replaced by another model" {
  errsetup
  a25() { e -c config.yaml --set ph.psf.model= --set photometry.phrosty.psf.type=A25ePSF "$@" -t t.csv -s s.csv; }
  run a25
  [ "$status" -eq 2 ]
  assert_one_line_error "^ph-pipeline: .*config.yaml: photometry.phrosty.psf.type A25ePSF needs system.paths.snappl.A25ePSF_path \(the A25 ePSF library\)"
  run a25 --set system.paths.snappl.A25ePSF_path=nolib
  [ "$status" -eq 1 ]
  assert_one_line_error "^ph-pipeline: nolib: the A25 ePSF library \(system.paths.snappl.A25ePSF_path\) is not a directory$"
  assert_no_file dia_out_dir
  assert_no_file phrosty_temp
  # ph.psf.model, or our params.pattern, decide instead: no library needed
  mkdir -p images/Y106/1 images/Y106/2 && touch images/Y106/1/a.fits.gz images/Y106/2/b.fits.gz
  run e -c config.yaml --set photometry.phrosty.psf.type=A25ePSF -t t.csv -s s.csv --dry-run
  assert_success
}

@test "missing or malformed CSV lists: one-line error, exit 2" {
  errsetup
  run e -c config.yaml -t t.csv -s missing.csv
  [ "$status" -eq 2 ]
  assert_one_line_error "^ph-pipeline: missing.csv: no such file \(--science-images\)$"
  run e -c config.yaml -t missing.csv -s s.csv
  [ "$status" -eq 2 ]
  assert_one_line_error "^ph-pipeline: missing.csv: no such file \(--template-images\)$"
  printf 'file obs sca mjd band\n' > bad.csv
  run e -c config.yaml -t t.csv -s bad.csv
  [ "$status" -eq 2 ]
  assert_one_line_error "^ph-pipeline: bad.csv: line 1: expected the header 'path observation_id sca mjd band'$"
  printf 'path observation_id sca mjd band\nY106/2/b.fits.gz 2 1 Y106\n' > short.csv
  run e -c config.yaml -t t.csv -s short.csv
  [ "$status" -eq 2 ]
  assert_one_line_error "^ph-pipeline: short.csv: line 2: expected 5 fields"
  printf 'path observation_id sca mjd band\nJ129/2/b.fits.gz 2 1 62000 J129\n' > j.csv
  run e -c config.yaml -t t.csv -s j.csv
  [ "$status" -eq 2 ]
  assert_one_line_error "^ph-pipeline: j.csv: no Y106 science images in the list$"
  run e -c config.yaml -t t.csv
  [ "$status" -eq 2 ]
  assert_one_line_error "^ph-pipeline: --science-images: required"
  # an output directory that cannot be made: exit 1
  mkdir -p images/Y106/1 images/Y106/2 && touch images/Y106/1/a.fits.gz images/Y106/2/b.fits.gz
  run e -c config.yaml -t t.csv -s s.csv --set system.paths.ltcv_dir=config.yaml/lc
  [ "$status" -eq 1 ]
  assert_one_line_error "^ph-pipeline: config.yaml/lc: cannot create the directory \(system.paths.ltcv_dir\)$"
  rm -r images
  # a listed image that does not exist: exit 1 unless --catchfailures
  run e -c config.yaml -t t.csv -s s.csv
  [ "$status" -eq 1 ]
  assert_one_line_error "^ph-pipeline: .*/Y106/1/a.fits.gz: no such image \(t.csv line 2;"
  assert_no_file lc_out_dir
}

@test "unknown step, bad options: one-line error, exit 2" {
  errsetup
  run e -c config.yaml -t t.csv -s s.csv --through-step photometry
  [ "$status" -eq 2 ]
  assert_one_line_error "^ph-pipeline: --through-step 'photometry': unknown step \(sky_subtract get_psfs align_and_preconvolve subtract find_decorrelation apply_decorrelation make_stamps make_lightcurve\)$"
  assert_no_file dia_out_dir
  run e -c config.yaml -t t.csv -s s.csv -b X999
  [ "$status" -eq 2 ]
  assert_one_line_error "^ph-pipeline: --band 'X999': unknown band"
  run e -c config.yaml -t t.csv -s s.csv -p 0
  [ "$status" -eq 2 ]
  assert_one_line_error "^ph-pipeline: --nprocs '0': not a positive whole number$"
  run e -c config.yaml -t t.csv -s s.csv -r abc
  [ "$status" -eq 2 ]
  assert_one_line_error "^ph-pipeline: --ra 'abc': not a number$"
  run ph-pipeline -c config.yaml -b Y106 -t t.csv -s s.csv
  [ "$status" -eq 2 ]
  assert_one_line_error "^ph-pipeline: --oid: required"
  run e -c config.yaml -t t.csv -s s.csv --frobnicate
  [ "$status" -eq 2 ]
  assert_one_line_error "^ph-pipeline: --frobnicate: unknown option \(see --help\)$"
  run e -c config.yaml -t t.csv -s s.csv --device tpu
  [ "$status" -eq 2 ]
  assert_one_line_error "^ph-pipeline: --device 'tpu': expected auto, cpu or gpu$"
}

@test "--help, --version, --dry-run" {
  run ph-pipeline --help
  assert_success
  assert_output --partial "Usage: ph-pipeline [OPTION]..."
  for o in --config-file --set --oid --ra --dec --band --template-images --science-images --base-path \
           --nprocs --nwrite --through-step --catchfailures --device --dry-run --verbose --quiet; do
    assert_output --partial -- "$o"
  done
  assert_output --partial "Example:"
  run ph-pipeline --version
  assert_success
  assert_output --regexp "^ph-pipeline \(phrosty-c\) [0-9]+\.[0-9]+\.[0-9]+"
  errsetup
  mkdir -p images/Y106/1 images/Y106/2 && touch images/Y106/1/a.fits.gz images/Y106/2/b.fits.gz
  run e -c config.yaml -t t.csv -s s.csv -n
  assert_success
  assert_output --partial "ph-skysub"
  assert_output --partial "ph-subtract"
  assert_output --partial "ph-lc"
  assert_no_file dia_out_dir
}

@test "--print-params: each option's value and where it came from (command line, --set, config, default); nothing written" {
  errsetup
  printf 'ph:\n  pipeline:\n    layout: phrosty\n' >> config.yaml
  run e -c config.yaml -t t.csv -s s.csv -p 2 --set ph.pipeline.catalog=cat.csv --print-params
  assert_success
  row() { awk -v o="$1" '$1 == o { $1 = ""; print substr($0, 2) }' <<< "$output"; }
  [[ $(row --nprocs) =~ ^2\ +command\ line ]] || fail "$(row --nprocs)"
  [[ $(row --layout) =~ ^phrosty\ +config\ .*config.yaml\ +ph.pipeline.layout$ ]] || fail "$(row --layout)"
  [[ $(row --catalog) =~ ^cat.csv\ +--set\ +ph.pipeline.catalog$ ]] || fail "$(row --catalog)"
  [[ $(row --through-step) =~ ^make_lightcurve\ +default ]] || fail "$(row --through-step)"
  [[ $(row --threads) =~ ^-\ +not\ set ]] || fail "$(row --threads)"
  assert_no_file dia_out_dir
  # a bad value is still an error
  run e -c config.yaml -t t.csv -s s.csv --device tpu --print-params
  assert_failure 2
}

@test "make demo's command line (phrosty's seed example) on a small scene: as written, -w accepted, output path and last line" {
  command -v ph-psf >/dev/null && command -v ph-phot >/dev/null \
    || skip "ph-psf and ph-phot are not built (issues 4 and 8)"
  PH_DEMO_DIR=$PWD/demo PH_DEMO_SIZE=256 run "$PH_TOP/scripts/demo"
  echo "$output"
  assert_line "+ ph-pipeline -c config.yaml --oid 20172782 --ra 7.551093401915147 --dec -44.80718106491529 -b Y106 -t templates.csv -s science.csv -p 3 -w 3 -v"
  assert_line "Results saved to $PWD/demo/lc_out_dir/data/20172782/20172782_Y106_all.csv"
  assert_line 'demo: the simulated supernova is 0.000" from the seed position'
  assert_output --regexp "pull \(flux - true\)/flux_err over 10 rows"
  [ "$(tail -n +2 demo/lc_out_dir/data/20172782/20172782_Y106_all.csv | wc -l)" -eq 10 ]
  [ -s demo/lc_out_dir/data/20172782/20172782_Y106_truth.png ]
}

@test "a tool that is not built: one-line error before anything is written" {
  errsetup
  mkdir -p images/Y106/1 images/Y106/2 && touch images/Y106/1/a.fits.gz images/Y106/2/b.fits.gz
  mkdir lone
  cp "$PH_TOP/scripts/ph-pipeline" "$PH_TOP/scripts/pipeline.mk" lone/
  ln -s "$PH_TOP/bin/ph-config" lone/ph-config
  PATH=$PWD/lone:/usr/bin:/bin run ph-pipeline --oid 1 -r 7.5 -d -44.8 -b Y106 -c config.yaml -t t.csv -s s.csv
  [ "$status" -eq 1 ]
  assert_one_line_error "^ph-pipeline: ph-skysub: not found on PATH nor beside ph-pipeline \(build it with make\)$"
  assert_no_file dia_out_dir
}

@test "more usage and list errors: one line each" {
  errsetup
  run e -c config.yaml -t t.csv -s s.csv --through-step
  [ "$status" -eq 2 ]
  assert_one_line_error "^ph-pipeline: --through-step: missing value \(see --help\)$"
  run e -c config.yaml -t t.csv -s s.csv extra
  [ "$status" -eq 2 ]
  assert_one_line_error "^ph-pipeline: extra: unexpected argument \(see --help\)$"
  run e -c config.yaml -t t.csv -s s.csv -w 0
  [ "$status" -eq 2 ]
  assert_one_line_error "^ph-pipeline: -w: '0' is not a positive whole number$"
  run e -c config.yaml -t t.csv -s s.csv --dec=north
  [ "$status" -eq 2 ]
  assert_one_line_error "^ph-pipeline: --dec 'north': not a number$"
  run ph-pipeline --oid 'a b' -r 1 -d 2 -b Y106 -c config.yaml -t t.csv -s s.csv
  [ "$status" -eq 2 ]
  assert_one_line_error "^ph-pipeline: --oid 'a b': letters, digits and . _ \+ - only$"
  mkdir adir
  run e -c config.yaml -t t.csv -s adir
  [ "$status" -eq 2 ]
  assert_one_line_error "^ph-pipeline: adir: cannot read the image list \(--science-images\)$"
  run e -c config.yaml -t t.csv -s t.csv
  [ "$status" -eq 2 ]
  assert_one_line_error "^ph-pipeline: t.csv: line 2: a is both a template and a science image$"
  printf 'path observation_id sca mjd band\nY106/2/b.fits.gz 2 x 62010 Y106\n' > l1.csv
  run e -c config.yaml -t t.csv -s l1.csv
  [ "$status" -eq 2 ]
  assert_one_line_error "^ph-pipeline: l1.csv: line 2: sca 'x' is not a whole number$"
  printf 'path observation_id sca mjd band\nY106/2/b.fits.gz 2 1 soon Y106\n' > l2.csv
  run e -c config.yaml -t t.csv -s l2.csv
  [ "$status" -eq 2 ]
  assert_one_line_error "^ph-pipeline: l2.csv: line 2: mjd 'soon' is not a number$"
  printf 'path observation_id sca mjd band\nY106/2/b.fits.gz 2/3 1 62010 Y106\n' > l3.csv
  run e -c config.yaml -t t.csv -s l3.csv
  [ "$status" -eq 2 ]
  assert_one_line_error "^ph-pipeline: l3.csv: line 2: observation_id '2/3' is not a plain word$"
  printf 'path observation_id sca mjd band\nY106/2/b;x.fits.gz 2 1 62010 Y106\n' > l4.csv
  run e -c config.yaml -t t.csv -s l4.csv
  [ "$status" -eq 2 ]
  assert_one_line_error "^ph-pipeline: l4.csv: line 2: image name 'b;x' has characters make cannot handle$"
  # a duplicated line is a warning; the lists are otherwise fine
  mkdir -p images/Y106/1 images/Y106/2 && touch images/Y106/1/a.fits.gz images/Y106/2/b.fits.gz
  sed -n 2p s.csv >> s.csv
  run e -c config.yaml -t t.csv -s s.csv -n
  assert_success
  assert_line --index 0 --regexp "^ph-pipeline: warning: s.csv: line 3: b listed twice; ignored$"
}

@test "a light curve that cannot be made fails the run (exit 1, ph-lc's message); no Makefile: exit 1" {
  scene
  run pipeline --through-step make_stamps -p 2
  assert_success
  row=$(ls dia_out_dir/$OID/phot_*.csv | head -1)
  sed -i '2s/^[^,]*,/abc,/' "$row"
  run pipeline -p 2
  [ "$status" -eq 1 ]
  assert_line --index 0 "ph-lc: $PWD/$row: line 2: column mjd: 'abc' is not a number"
  # nothing from make itself, also under make (make test: "make[1]: ***")
  [ "${#lines[@]}" -eq 2 ]
  assert_line --index $((${#lines[@]} - 1)) --regexp "^ph-pipeline: .*/plan.mk: make stopped with status 2 \(logs in .*/log\)$"
  assert_no_file "$LC"
  # a ph-pipeline without its Makefile
  mkdir lone
  cp "$PH_TOP/scripts/ph-pipeline" lone/
  for t in "$PH_TOP"/bin/ph-*; do [ -e lone/$(basename $t) ] || ln -s "$t" lone/; done
  for t in ph-psf ph-phot; do ln -sf "$(command -v $t)" lone/$t; done
  run lone/ph-pipeline -c config.yaml --oid $OID -r "$RA" -d "$DEC" -b Y106 -t templates.csv -s science.csv
  [ "$status" -eq 1 ]
  assert_one_line_error "^ph-pipeline: .*/share/phrosty-c/pipeline.mk: the pipeline Makefile is missing \(reinstall phrosty-c\)$"
}

# name mtime of every file under the product and run directories
mtimes() { find dia_out_dir phrosty_temp lc_out_dir -type f ! -path '*/log/*' ! -name 'progress*' ! -name plan.mk \
             ! -name lock ! -name '*.lock' |
           sort | xargs stat -c '%n %Y.%y'; }
# the kinds of files whose mtime changed between two mtimes listings
remade() { diff "$1" "$2" | sed -n 's/^> //p' | awk '{print $1}' | sed 's|.*/||; s/_Roman_TDS.*//; s/^stamp_.*/stamp/' | sort | uniq -c | awk '{print $2, $1}'; }

@test "a changed setting remakes exactly the products it affects: a config key, a tool's version" {
  scene
  # phrosty's kerpolyorder is the kernel order of ph-subtract's sfft method
  sed -i 's/^  pipeline:$/  subtract:\n    method: sfft\n  pipeline:/' config.yaml
  run pipeline -p 2
  assert_success
  mtimes > m0.txt
  sleep 1
  # the kernel order: the differences and everything after them, nothing before
  run pipeline -p 2 -v --set photometry.phrosty.kerpolyorder=1
  assert_success
  assert_output --partial "19 of 35 steps to run"
  mtimes > m1.txt
  run remade m0.txt m1.txt
  assert_output "${OID}_Y106_all.csv 1
${OID}_Y106_all.meta.yaml 1
${OID}_Y106_all.png 1
decorr 6
diff 6
phot 6
quicklook 6
stamp 24
subtract 1"
  # the product says how it was made
  d=$(ls phrosty_temp/scratch/$OID/diff_*.fits | head -1)
  run pypeer -c "
from astropy.io import fits
print(fits.getheader('$d', 'DIFF')['KERORDER'])
print([str(h) for h in fits.getheader('$d')['HISTORY']][1:])"
  assert_line --index 0 "1"
  assert_output --partial "'  --kernel-order 1'"
  assert_output --partial "'  --ra "
  [ -f dia_out_dir/$OID/settings_Y106/subtract ]
  grep -q "^photometry.phrosty.kerpolyorder: 1$" dia_out_dir/$OID/settings_Y106/subtract
  # the same settings again: nothing to do
  run pipeline -p 2 -v --set photometry.phrosty.kerpolyorder=1
  assert_output --partial "0 of 35 steps to run"
  # a new ph-decorr (another version): the decorrelated files and what follows
  mkdir new
  real=$(command -v ph-decorr)
  printf '#!/bin/sh\ncase " $* " in *" --settings "*) "%s" "$@" | sed "1s/(git /(git new-/" ;; *) exec "%s" "$@" ;; esac\n' \
    "$real" "$real" > new/ph-decorr
  chmod +x new/ph-decorr
  sleep 1
  PATH=$PWD/new:$PATH run pipeline -p 2 -v --set photometry.phrosty.kerpolyorder=1
  assert_success
  assert_output --partial "13 of 35 steps to run"
  mtimes > m2.txt
  run remade m1.txt m2.txt
  assert_output "${OID}_Y106_all.csv 1
${OID}_Y106_all.meta.yaml 1
${OID}_Y106_all.png 1
decorr 7
phot 6
quicklook 6
stamp 24"
}

@test "the settings stamps cover the zero-point step and ph-align's and ph-subtract's methods: each change remakes what it affects" {
  scene
  CAT='truth/{band}/{pointing}/Roman_TDS_index_{band}_{pointing}_{sca}.txt'
  run pipeline -p 2 --catalog "$CAT"
  assert_success
  [ -f dia_out_dir/$OID/settings_Y106/zpt ]
  grep -q "^catalog: $CAT$" dia_out_dir/$OID/settings_Y106/zpt
  mtimes > m0.txt
  sleep 1
  # ph-align's psf method: the aligned templates and what follows; no sky, PSF or zero point
  run pipeline -p 2 -v --catalog "$CAT" --set ph.align.star_snr=20
  assert_success
  assert_output --partial "25 of 38 steps to run"
  mtimes > m1.txt
  run remade m0.txt m1.txt
  assert_output "${OID}_Y106_all.csv 1
${OID}_Y106_all.meta.yaml 1
${OID}_Y106_all.png 1
align 1
aligned 6
decorr 6
diff 6
phot 6
quicklook 6
stamp 24"
  sleep 1
  # ph-phot's zero-point aperture: the zero points (and their star tables) and the rows only
  run pipeline -p 2 -v --catalog "$CAT" --set ph.align.star_snr=20 --set ph.phot.zpt_aperture=5
  assert_success
  assert_output --partial "10 of 38 steps to run"
  mtimes > m2.txt
  run remade m1.txt m2.txt
  assert_output "${OID}_Y106_all.csv 1
${OID}_Y106_all.meta.yaml 1
${OID}_Y106_all.png 1
phot 7
stamp 24
zpt 7"
  sleep 1
  # a catalogue file that changes: its science image's zero point and rows
  s=$(awk 'NR==2 {print $1}' science.csv | xargs basename | sed 's/.fits.gz$//')
  c=$(ls truth/Y106/*/$(echo "$s" | sed 's/simple_model/index/').txt)
  echo >> "$c"
  run pipeline -p 2 -v --catalog "$CAT" --set ph.align.star_snr=20 --set ph.phot.zpt_aperture=5
  assert_success
  assert_output --partial "4 of 38 steps to run"
  # ph-subtract's method: the differences and what follows
  run pipeline -p 2 -v --catalog "$CAT" --set ph.align.star_snr=20 --set ph.phot.zpt_aperture=5 \
    --set ph.subtract.method=sfft
  assert_success
  assert_output --partial "19 of 38 steps to run"
}

@test "phrosty's threefile images (-ic manual_fits -is threefile, paths from the list's directory) end to end; # lines; list values that disagree with a header are warned about" {
  scene
  pypeer "$PH_TOP/tests/fixtures/threefile.py" . tf
  # a comment, and a list that disagrees with the images' headers
  sed -i '2i # the first science image' tf/science.csv
  obs=$(awk 'NR==3 {print $2}' tf/science.csv) sca=$(awk 'NR==3 {print $3}' tf/science.csv)
  lsca=$((sca % 18 + 1)) # another SCA in the list (ph-sim's are random)
  sed -i "3s/ $obs $sca \\([0-9.]*\\) / 99$obs $lsca \\1 /" tf/science.csv
  sed -i '2s/ \([0-9]*\)\.0 Y106$/ \1.5 Y106/' tf/templates.csv
  run ph-pipeline -c config.yaml --oid $OID -r "$RA" -d "$DEC" -b Y106 -t tf/templates.csv -s tf/science.csv \
    -p 2 -ic manual_fits -is threefile
  assert_success
  assert_line --index $((${#lines[@]} - 1)) "Results saved to $PWD/$LC"
  assert_line "ph-pipeline: warning: tf/science.csv line 3: observation_id 99$obs in the list, $obs in the header of sim_$obs (the header's is used)"
  assert_line "ph-pipeline: warning: tf/science.csv line 3: sca $lsca in the list, $sca in the header of sim_$obs (the header's is used)"
  assert_line --regexp "^ph-pipeline: warning: tf/templates.csv line 2: mjd [0-9]+\.5 in the list, [0-9]+ in the header of sim_10000 \(the header's is used\)$"
  [ "$(tail -n +2 "$LC" | wc -l)" -eq 6 ]
  [ "$(cut -d, -f20 "$LC" | grep -c True)" -eq 6 ]
  run sh -c "tail -n +2 $LC | cut -d, -f7,11,12 | sort -u | head -2"
  assert_output "$obs,sim_$obs,sim_10000
$obs,sim_$obs,sim_10001"
  # errors of the new options
  run ph-pipeline -c config.yaml --oid $OID -r "$RA" -d "$DEC" -b Y106 -t tf/templates.csv -s tf/science.csv -is threefile
  assert_failure 2
  assert_one_line_error "^ph-pipeline: -is threefile: goes with -ic manual_fits"
  run ph-pipeline -c config.yaml --oid $OID -r "$RA" -d "$DEC" -b Y106 -t tf/templates.csv -s tf/science.csv -ic snpitdb
  assert_failure 2
  assert_one_line_error "^ph-pipeline: -ic snpitdb: phrosty's database is not available here"
}

@test "--layout phrosty (ph.pipeline.layout): phrosty's files and seven stamp kinds, gzipped; mjd a float; log lines with time and level" {
  scene
  sed -i 's/^  pipeline:$/  pipeline:\n    layout: phrosty/' config.yaml
  run ph-config -c config.yaml get ph.pipeline.layout
  assert_output "phrosty"
  PH_LOG_FORMAT=phrosty run pipeline -p 2 -v
  assert_success
  assert_line --index $((${#lines[@]} - 1)) "Results saved to $PWD/$LC"
  # every stderr line stamped as phrosty's logger does
  for ((i = 0; i < ${#lines[@]} - 1; i++)); do
    [[ ${lines[$i]} =~ ^\[[0-9]{4}-[0-9]{2}-[0-9]{2}\ [0-9:]{8}\ -\ (INFO|WARNING|ERROR)\]\ -\ ph- ]] ||
      fail "not a log line: ${lines[$i]}"
  done
  # and the run's own log, and each step's
  run grep -c -v -E '^\[[0-9-]{10} [0-9:]{8} - (INFO|WARNING|ERROR)\] - ' phrosty_temp/ph-$OID-Y106/log/pipeline.log
  assert_output "0"
  grep -q "Results saved to" phrosty_temp/ph-$OID-Y106/log/pipeline.log
  # phrosty's names in dia_out_dir itself, beside today's files in dia_out_dir/OID
  S=$(awk 'NR==2 {print $1}' science.csv | xargs basename) T=$(awk 'NR==2 {print $1}' templates.csv | xargs basename)
  for p in decorr_diff_ decorr_zptimg_ decorr_psf_ diff_var_ diff_ stamp_decorr_diff_ stamp_decorr_zptimg_ \
           stamp_diff_var_ stamp_aligned_ stamp_diff_; do
    f=dia_out_dir/$p$S-$T
    [ -f "$f" ] || fail "no $f"
    [ "$(head -c 2 "$f" | od -An -tx1 | tr -d ' ')" = 1f8b ] || fail "$f is not gzip-compressed"
  done
  [ -f "dia_out_dir/stamp_$S" ] && [ -f "dia_out_dir/stamp_$T" ]
  [ "$(ls dia_out_dir | grep -c '^decorr_diff_')" -eq 6 ]
  [ "$(ls dia_out_dir/$OID/decorr_*.fits | wc -l)" -eq 6 ]
  s=${S%.fits.gz} t=${T%.fits.gz}
  run pypeer -c "
import numpy as np
from astropy.io import fits
m = fits.open('dia_out_dir/$OID/decorr_$s-$t.fits')
for p, h in (('decorr_diff_', 'DECORR_DIFF'), ('decorr_zptimg_', 'DECORR_SCI'), ('diff_var_', 'DIFF_VAR'), ('decorr_psf_', 'DECORR_PSF')):
    print(p, np.array_equal(fits.getdata('dia_out_dir/' + p + '$S-$T'), m[h].data))
print(fits.getdata('dia_out_dir/stamp_diff_$S-$T').shape)"
  assert_output "decorr_diff_ True
decorr_zptimg_ True
diff_var_ True
decorr_psf_ True
(100, 100)"
  # mjd reads back as a float
  run pypeer -c "import pandas as pd; print(pd.read_csv('$LC')['mjd'].dtype)"
  assert_output "float64"
  [[ $(awk -F, 'NR==2 {print $1}' "$LC") == *.* ]]
}

@test "threads a job follow the allotment (taskset); keep_intermediate null is phrosty's false" {
  command -v taskset >/dev/null || skip "taskset is not installed"
  [ "$(taskset -c 0,1 nproc 2>/dev/null)" = 2 ] || skip "needs two CPUs"
  scene
  sed -i 's/^\( *keep_intermediate:\).*/\1 null/; s/^\( *scratch_dir:\).*/\1 null/' config.yaml
  run taskset -c 0 env -u OMP_NUM_THREADS -u SLURM_CPUS_PER_TASK ph-pipeline -c config.yaml --oid $OID -r "$RA" -d "$DEC" \
    -b Y106 -t templates.csv -s science.csv -v --through-step sky_subtract
  assert_success
  assert_output --partial "make -j 1, 1 threads a job"
  run taskset -c 0,1 env -u OMP_NUM_THREADS -u SLURM_CPUS_PER_TASK ph-pipeline -c config.yaml --oid $OID -r "$RA" -d "$DEC" \
    -b Y106 -t templates.csv -s science.csv -v --through-step sky_subtract
  assert_output --partial "make -j 1, 2 threads a job"
  run ph-pipeline -c config.yaml --oid $OID -r "$RA" -d "$DEC" -b Y106 -t templates.csv -s science.csv -v \
    --through-step sky_subtract -p 2 -j 3
  assert_output --partial "make -j 2, 3 threads a job"
  [ ! -e phrosty_temp/scratch ]
}
