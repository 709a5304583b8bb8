#!/usr/bin/env bats
# Outputs that are not regular files (common/io/atomicfile.c, common/io/fits.c):
# a text output such as ph-lc's CSV is written straight into a fifo or
# device, never renamed over it (as root, `-o /dev/null` used to replace
# /dev/null with a plain file); a FITS output refuses one. A fifo stands in
# for /dev/null so that a failure cannot break the machine.
load helpers

HDR="mjd,flux,flux_err,zpt,NEA,sky_rms,observation_id,sca,pix_x,pix_y,science_name,template_name,science_id,template_id,template_observation_id,template_sca,aperture_sum,mag,mag_err,success,zpt_source,zpt_nstars,zpt_scatter,res_nstars,res_zmed,res_zp90"

@test "a text output that is a fifo is written into it, and stays a fifo" {
  { echo "$HDR"
    echo "62000.5,120,10,32.6617,12.5,18.7,101,2,100.5,200.25,s.fits,t.fits,s,t,900,3,120,nan,nan,True,header,0,nan,nan,nan,nan"
  } > row.csv
  mkfifo out.csv
  cat out.csv > got.csv &
  reader=$!
  run ph-lc -q --no-meta -o out.csv row.csv
  wait $reader
  assert_success
  [ -p out.csv ] || fail "out.csv was replaced by a plain file"
  run head -1 got.csv
  assert_output "$HDR"
  ! ls -A | grep -q '^\.out.csv' || fail "a temporary was left behind"
}

@test "a FITS output that is not a regular file: one-line error, exit 1, left as it was" {
  mkfifo psf.fits
  run ph-sim stamp -q -b Y106 -o psf.fits
  [ "$status" -eq 1 ]
  assert_one_line_error "^ph-sim: psf.fits: not a regular file: FITS outputs are written to a temporary and renamed into place, give a file name$"
  [ -p psf.fits ]
  ! ls -A | grep -q '^\.psf' || fail "a temporary was left behind"
}
