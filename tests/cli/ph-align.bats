#!/usr/bin/env bats
# ph-align: the template resampled onto the science grid, its PSF carried
# into the science frame. Pairs with a known truth come from
# tests/fixtures/align_pair.py (scenes rendered analytically in both frames
# through astropy's WCS); peers: astropy's reproject and SWarp.
load helpers

SUITE="$PH_TOP/tests/fixtures/align_suite.py"

# One template per pair and option set; every numerical check then runs in
# one Python process (align_suite.py checks), whose verdicts the tests read.
al() {
  local n=$1 c=$2
  shift 2
  ph-align -q --science "$P/$c/sci.fits" --template "$P/$c/tpl.fits" -o "$P/out/$n.fits" "$@" ||
    echo "ph-align $* failed for $n"
}

make_outputs() {
  al default rot --template-psf "$P/rot/tpl_psf.fits"
  for c in rot rot92 flip scale tan tanscale same; do
    for k in bilinear bicubic lanczos3; do
      al $c-$k $c --interp $k
    done
  done
  al scale-affine scale --interp lanczos3 --psf-mode affine
  al flip-sfft flip --method phrosty --psf-mode sfft
  al rot-sfft rot --method phrosty --psf-mode sfft
  al rot-none-sq rot --method phrosty --flux-scale none
  al rot-none-lin rot --method phrosty --flux-scale none --var-weights linear
  al scale-jacobian scale --method phrosty --flux-scale jacobian
  al scale-none scale --method phrosty --flux-scale none
  al rot-exact rot --method phrosty --map-step 1
  al rot-fine rot --method phrosty --map-step 512 --map-tol 1e-7
  al rot-m09 rot --method phrosty --mask-threshold 0.9
  al rot-phrosty rot --method phrosty
  al rot-phrosty-psf rot --method phrosty --template-psf "$P/rot/tpl_psf.fits"
  for c in rot flip scale; do
    al $c-stars $c --template-psf "$P/$c/tpl_psf.fits"
  done
  al flip-j1 flip --interp lanczos3 -j 1
  al flip-j3 flip --interp lanczos3 --threads 3
  printf 'ph:\n  align:\n    interp: bicubic\n    map_step: 32\n' > "$P/cfg.yaml"
  al cfg-file rot -c "$P/cfg.yaml"
  al cfg-set rot -c "$P/cfg.yaml" --set ph.align.interp=lanczos3
  al cfg-cli rot -c "$P/cfg.yaml" --interp bilinear
  ph-align -q --science "$P/rot/sci.fits" "$P/bad/nan.fits" --method phrosty -o "$P/out/nan.fits"
}

setup_file() {
  export P=$BATS_FILE_TMPDIR
  /usr/bin/python3 -c 'import astropy, scipy' 2>/dev/null || return 0
  touch "$P/python.ok"
  /usr/bin/python3 "$SUITE" inputs "$P" > "$P/inputs.log" 2>&1 || return 0
  mkdir -p "$P/out"
  make_outputs > "$P/out.log" 2>&1
  /usr/bin/python3 "$SUITE" checks "$P" > "$P/checks.txt" 2>&1
}

need_pairs() {
  [ -e "$P/python.ok" ] || skip "Debian python3-astropy/scipy missing"
  [ -e "$P/rot/tpl.fits" ] || fail "pair generation failed: $(cat "$P/inputs.log")"
}

# The verdict of one check of align_suite.py (ok / not ok / skip).
assert_check() {
  need_pairs
  [ ! -s "$P/out.log" ] || fail "making the outputs failed: $(cat "$P/out.log")"
  local line
  line=$(grep -E "^(ok|not ok|skip) $1:" "$P/checks.txt")
  [ -n "$line" ] || fail "no verdict for $1: $(cat "$P/checks.txt")"
  echo "$line"
  case $line in
    "ok "*) ;;
    skip*) skip "${line#skip }" ;;
    *) fail "$line" ;;
  esac
}

@test "ph-align --help lists every option and an example" {
  run ph-align --help
  assert_success
  assert_output --partial "Usage: ph-align"
  for o in --science --template --template-psf --output --interp --var-weights --flux-scale --psf-mode --map-step \
           --map-tol --mask-threshold --threads --set --timing; do
    assert_output --partial -- "$o"
  done
  assert_output --partial "Example:"
}

@test "ph-align --version" {
  run ph-align --version
  assert_success
  assert_output --regexp "^ph-align \(phrosty-c\) [0-9]+\.[0-9]+\.[0-9]+"
}

@test "the man page renders cleanly" {
  command -v groff >/dev/null || skip "groff missing"
  run bash -c "groff -man -Tutf8 -ww -z '$PH_TOP/build/man/man1/ph-align.1' 2>&1"
  assert_success
  assert_output ""
}

@test "default run: planes, science WCS, template metadata, AL* keys" {
  assert_check default
}

@test "stars land on their science positions with their flux (< 0.01 px rms, < 0.1 %), every kernel and frame" {
  assert_check stars
}

@test "psf method: the template's stars fitted with its EPSF land exactly (< 0.001 px, < 0.02 %; lanczos3: 0.02 px, 0.1 %), PSF < 1e-4 L2" {
  assert_check stars-model
}

@test "the carried PSF matches the PSF rendered in the science frame (< 1 % L2 bicubic/lanczos3, affine for a zoom)" {
  assert_check psf
}

@test "a flipped template is mirrored: its PSF matches only with the flip" {
  assert_check flip
}

@test "agrees with astropy's reproject (bilinear) on TAN-SIP pairs" {
  assert_check reproject
}

@test "agrees with SWarp (LANCZOS3, flux scaled by pixel area) on TAN pairs within 0.5 %" {
  assert_check swarp
}

@test "identical WCSs: an exact copy" {
  assert_check identity
}

@test "--var-weights: squared (interpolated-pixel variance) or linear (SFFT)" {
  assert_check var
}

@test "--flux-scale mean|jacobian|none" {
  assert_check flux
}

@test "--psf-mode sfft: SFFT's unnormalised rotation; rotate is normalised" {
  assert_check sfft-mode
}

@test "--map-step and --map-tol: the exact map, and refinement to a tolerance" {
  assert_check map
}

@test "--mask-threshold sets the DETECTED cut on the resampled mask" {
  assert_check threshold
}

@test "--threads does not change the output" {
  assert_check threads
}

@test "the template's PSF HDU is used when --template-psf is not given" {
  assert_check psf-hdu
}

@test "options from the config file, --set, and the command line winning" {
  assert_check config
  printf 'ph:\n  align:\n    interp: nearest\n' > bad.yaml
  run_rejects 2 "^ph-align: .*bad.yaml.*ph.align.interp.*'nearest' is not one of" ph-align -c bad.yaml --science "$P/rot/sci.fits" "$P/rot/tpl.fits" -o x.fits
  assert_no_file x.fits
}

@test "NaN pixels in the template become BAD, never NaN output" {
  assert_check nan
}

@test "--timing, -v and -q" {
  need_pairs
  run ph-align --timing -q --science "$P/rot/sci.fits" "$P/rot/tpl.fits" -o t.fits
  assert_success
  for s in read map psf resample write total; do
    assert_line --regexp "^timing ph-align $s [0-9.]+ -$"
  done
  run ph-align -v --science "$P/rot/sci.fits" "$P/rot/tpl.fits" -o t.fits
  assert_success
  assert_output --regexp "mapping: step 64 px, error [0-9.e-]+ px"
  assert_output --regexp "overlap [01]\.[0-9]+, shift \(.*\) px, rotation 37\.[0-9]+ deg"
  run ph-align --science "$P/rot/sci.fits" "$P/rot/tpl.fits" --template-psf "$P/rot/tpl_psf.fits" -o t.fits
  assert_output ""
  # a template PSF without an oversampled model: its stars are interpolated, and it says so
  run ph-align --science "$P/rot/sci.fits" "$P/rot/tpl.fits" -o t.fits
  assert_success
  assert_output --regexp "tpl.fits: the template PSF has no EPSF HDU .*; its stars are interpolated"
  run ph-align --method phrosty --science "$P/rot/sci.fits" "$P/rot/tpl.fits" -o t.fits
  assert_output ""
}

# ---- errors: one line, the right status, no output file ----

@test "usage errors exit 2" {
  run_rejects 2 "^ph-align: --template TEMPLATE is required" ph-align
  run_rejects 2 "^ph-align: --science SCIENCE is required" ph-align tpl.fits -o x.fits
  run_rejects 2 "^ph-align: -o/--output FILE is required" ph-align --science s.fits tpl.fits
  run_rejects 2 "got 2 arguments" ph-align --science s.fits a.fits b.fits -o x.fits
  for bad in "--interp nearest" "--interp=spline" "--var-weights cubed" "--flux-scale area" \
             "--psf-mode zoom" "--map-step 0" "--map-step 2000" "--map-step x" "--map-tol 0" \
             "--map-tol abc" "--mask-threshold 2" "--mask-threshold -0.1" "-j -1" "--threads x"; do
    run_rejects 2 "^ph-align: --[a-z-]+: " ph-align $bad --science s.fits t.fits -o x.fits
  done
  assert_no_file x.fits
}

@test "unreadable inputs exit 1 and name the file" {
  need_pairs
  run_rejects 1 "^ph-align: nothere.fits: cannot open" ph-align --science "$P/rot/sci.fits" nothere.fits -o x.fits
  run_rejects 1 "^ph-align: .*trunc.fits: the file is truncated: HDU 1 \\(SCI\\) claims" ph-align --science "$P/rot/sci.fits" "$P/bad/trunc.fits" -o x.fits
  run_rejects 1 "tpl_psf.fits: no SCI HDU: not a ph image" ph-align --science "$P/rot/tpl_psf.fits" "$P/rot/tpl.fits" -o x.fits
  run_rejects 1 "^ph-align: .*novar.fits: .*VAR" ph-align --science "$P/rot/sci.fits" "$P/bad/novar.fits" -o x.fits
  run_rejects 1 "^ph-align: /nonexistent/dir/x.fits: cannot create" ph-align --science "$P/rot/sci.fits" "$P/rot/tpl.fits" --template-psf "$P/rot/tpl_psf.fits" -o /nonexistent/dir/x.fits
  assert_no_file x.fits
}

@test "missing WCS in either image is an error" {
  need_pairs
  run_rejects 1 "^ph-align: .*sci_nowcs.fits: no (usable|celestial) WCS" ph-align --science "$P/bad/sci_nowcs.fits" "$P/rot/tpl.fits" -o x.fits
  run_rejects 1 "^ph-align: .*tpl_nowcs.fits: no (usable|celestial) WCS" ph-align --science "$P/rot/sci.fits" "$P/bad/tpl_nowcs.fits" -o x.fits
  assert_no_file x.fits
}

@test "images that do not overlap are an error" {
  need_pairs
  run_rejects 1 "^ph-align: .*far.fits: the template does not overlap the science image" ph-align --science "$P/rot/sci.fits" "$P/bad/far.fits" -o x.fits
  run_rejects 1 "^ph-align: .*far100.fits: the template does not overlap the science image" ph-align --science "$P/rot/sci.fits" "$P/bad/far100.fits" -o x.fits
  assert_no_file x.fits
}

@test "a PSF of even size, rotated off its stamp, or no PSF at all, is an error" {
  need_pairs
  run_rejects 1 "^ph-align: .*even.fits: PSF has even size 40; it must be odd" ph-align --science "$P/rot/sci.fits" "$P/rot/tpl.fits" --template-psf "$P/bad/even.fits" -o x.fits
  run_rejects 1 "^ph-align: .*corner.fits: the PSF has no positive flux after rotation into the science frame" ph-align --method phrosty --science "$P/rot/sci.fits" "$P/rot/tpl.fits" --template-psf "$P/bad/corner.fits" -o x.fits
  run_rejects 2 "^ph-align: .*nopsf.fits: the template has no PSF HDU; give its PSF stamp with --template-psf FILE" ph-align --science "$P/rot/sci.fits" "$P/bad/nopsf.fits" -o x.fits
  assert_no_file x.fits
}

@test "a band mismatch is an error" {
  need_pairs
  run_rejects 1 "^ph-align: .*f184.fits: template band F184 differs from the science band R062" ph-align --science "$P/rot/sci.fits" "$P/bad/f184.fits" -o x.fits
  assert_no_file x.fits
}
