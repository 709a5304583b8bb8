#!/usr/bin/env bats
# ph-pipeline end to end on a small ph-sim scene (256 px, 2 templates x 3
# science epochs): phrosty's command line, outputs and final line; re-runs
# that redo only what is missing; failed pairs as success False rows; config,
# list and step errors.
load ../cli/helpers

OID=20172782
HDR="mjd,flux,flux_err,zpt,NEA,sky_rms,observation_id,sca,pix_x,pix_y,science_name,template_name,science_id,template_id,template_observation_id,template_sca,aperture_sum,mag,mag_err,success,zpt_source,zpt_nstars,zpt_scatter"

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
  assert_output --regexp "\\[ *1/38\\] sky_subtract"
  assert_output --regexp "\\[38/38\\] make_lightcurve"
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
  assert_output --partial "0 of 38 steps to run"
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
  assert_output --partial "truncated or corrupt"
  [ "$(tail -n +2 "$LC" | wc -l)" -eq 6 ]
  [ "$(cut -d, -f20 "$LC" | grep -c True)" -eq 4 ]
  obs=$(awk 'NR==3 {print $2}' science.csv)
  run sh -c "awk -F, '\$7 == \"$obs\" {print \$2, \$20}' $LC"
  assert_output "nan False
nan False"
  # the failed rows keep the pair's identity: 23 columns, both template ids
  run sh -c "awk -F, '\$7 == \"$obs\" {print NF, \$15}' $LC | sort"
  assert_output "23 10000
23 10001"
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
  assert_output --partial "16 of 38 steps to run"
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
  assert_output --partial "0 of 38 steps to run"
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
  # 1 image x 3 steps (sky, PSF, phased PSF) + 2 pairs x 4 steps + the light curve
  assert_output --partial "12 of 38 steps to run"
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

@test "--catalog: each science image's truth catalogue gives ph-phot's zero point" {
  scene
  rm -rf images truth psf ./*.csv
  ph-sim -q --size 256 --templates 1 --science 2 --nstars 60 --seed 4 -o .
  run pipeline -p 2 --catalog 'truth/{band}/{pointing}/Roman_TDS_index_{band}_{pointing}_{sca}.txt'
  assert_success
  [ "$(cut -d, -f20,21 "$LC" | grep -c '^True,catalog$')" -eq 2 ]
  run pipeline --catalog 'truth/{band}/{pointing}/nothere_{sca}.txt'
  [ "$status" -eq 2 ]
  assert_one_line_error "^ph-pipeline: truth/Y106/10001/nothere_1.txt: no such catalogue \(--catalog for science.csv line 2\)$"
}

@test "phased PSFs: one per science image by default (ph-psf --at-position, ph-decorr --target-psf); ph.pipeline.phased_psf false: none" {
  scene
  run pipeline --through-step get_psfs --set ph.pipeline.phased_psf=false
  assert_success
  [ "$(ls phrosty_temp/ph-$OID-Y106/psf_*.fits | wc -l)" -eq 5 ]
  [ -z "$(ls phrosty_temp/ph-$OID-Y106/psfat_* 2>/dev/null)" ]
  run pipeline --through-step get_psfs -v
  assert_success
  assert_output --partial "3 of 13 steps to run"
  [ "$(ls phrosty_temp/ph-$OID-Y106/psfat_*.fits | wc -l)" -eq 3 ]
  run pipeline -n
  assert_output --regexp "ph-decorr .* --target-psf .*/psfat_"
  assert_output --regexp "ph-subtract .* --ra $RA --dec $DEC"
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
  assert_output --regexp "^ph-pipeline [0-9]+\.[0-9]+\.[0-9]+"
  errsetup
  mkdir -p images/Y106/1 images/Y106/2 && touch images/Y106/1/a.fits.gz images/Y106/2/b.fits.gz
  run e -c config.yaml -t t.csv -s s.csv -n
  assert_success
  assert_output --partial "ph-skysub"
  assert_output --partial "ph-subtract"
  assert_output --partial "ph-lc"
  assert_no_file dia_out_dir
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
