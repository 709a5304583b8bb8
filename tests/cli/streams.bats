#!/usr/bin/env bats
# "-" is standard input or output for every FITS input and output (as in
# cfitsio): the chain ph-skysub | ph-psf ... ph-align | ph-subtract |
# ph-decorr | ph-phot through pipes gives the light-curve row of the chain
# through files; an output that cannot be a stream says so (exit 2); no
# file named "-" is ever made; a failure writes nothing on stdout.
load helpers

setup_file() {
  cd "$BATS_FILE_TMPDIR" || return 1
  ph-sim -q --size 192 --templates 1 --science 1 --seed 5 -o scene || return 1
  printf 'ph:\n  psf:\n    model: "file:%s/scene/psf/{band}/{pointing}/Roman_TDS_psf_{band}_{pointing}_{sca}.fits"\n' \
    "$BATS_FILE_TMPDIR" > cfg.yaml
}

# sets S, T (input images), RA, DEC; SNPIT_CONFIG names the PSF models
inputs() {
  local sc=$BATS_FILE_TMPDIR/scene
  S=$sc/images/$(awk 'NR==2 {print $1}' "$sc/science.csv")
  T=$sc/images/$(awk 'NR==2 {print $1}' "$sc/templates.csv")
  RA=$(awk -F, 'NR==2 {print $10}' "$sc"/truth/transient_*_Y106.csv)
  DEC=$(awk -F, 'NR==2 {print $11}' "$sc"/truth/transient_*_Y106.csv)
  export SNPIT_CONFIG=$BATS_FILE_TMPDIR/cfg.yaml
}

@test "skysub, psf, align, subtract, decorr, phot through pipes: the file chain's light-curve row, no file named -" {
  inputs
  # through files
  ph-skysub -q "$S" -o s.fits
  ph-skysub -q "$T" -o t.fits
  ph-psf -q s.fits --ra "$RA" --dec "$DEC" -o s_psf.fits
  ph-psf -q t.fits --ra "$RA" --dec "$DEC" -o t_psf.fits
  ph-psf -q s.fits --ra "$RA" --dec "$DEC" --at-position -o s_psfat.fits
  ph-align -q --science s.fits --template t.fits --template-psf t_psf.fits -o al.fits
  ph-subtract -q --device cpu --science s.fits --science-psf s_psf.fits --template al.fits \
    --ra "$RA" --dec "$DEC" -o diff.fits
  ph-decorr -q diff.fits --target-psf s_psfat.fits -o dec.fits
  ph-phot -q dec.fits --ra "$RA" --dec "$DEC" -o files.csv
  # through pipes: every step that has one FITS input and output streams
  mkdir p && cd p
  set -o pipefail
  ph-skysub -q "$S" -o - | tee s.fits | ph-psf -q - --ra "$RA" --dec "$DEC" -o s_psf.fits
  cat "$T" | ph-skysub -q - --name "$(basename "$T")" -o - | tee t.fits |
    ph-psf -q - --ra "$RA" --dec "$DEC" -o - > t_psf.fits
  ph-psf -q - --ra "$RA" --dec "$DEC" --at-position -o s_psfat.fits < s.fits
  ph-align -q --science s.fits --template - --template-psf t_psf.fits -o - < t.fits |
    ph-subtract -q --device cpu --science s.fits --science-psf s_psf.fits --template - \
      --ra "$RA" --dec "$DEC" -o - |
    ph-decorr -q - --target-psf s_psfat.fits -o - |
    ph-phot -q - --ra "$RA" --dec "$DEC" -o - > ../pipes.csv
  cd ..
  run diff files.csv pipes.csv
  assert_success
  [ "$(tail -n +2 pipes.csv | cut -d, -f20)" = True ]
  # the products themselves, bar the settings they record
  run pypeer -c "
from astropy.io import fits
import numpy as np
for a in ('s.fits', 't.fits', 's_psf.fits'):
    x, y = fits.open(a), fits.open('p/' + a)
    print(a, all(np.array_equal(u.data, v.data) for u, v in zip(x, y)))"
  assert_output "s.fits True
t.fits True
s_psf.fits True"
  [ -z "$(find . -name '-')" ] || fail "a file named - was made"
}

@test "stdin read once and from a redirect; gzip streams; --name keeps the pointing" {
  inputs
  ph-skysub -q "$S" -o a.fits
  ph-skysub -q - --name "$(basename "$S")" -o b.fits < "$S"
  gunzip -c "$S" | ph-skysub -q - --name "$(basename "$S")" -o c.fits
  run pypeer -c "
from astropy.io import fits
import numpy as np
a = fits.open('a.fits')
for n in ('b.fits', 'c.fits'):
    b = fits.open(n)
    print(all(np.array_equal(a[i].data, b[i].data) for i in (1, 2, 3)), b[1].header['OBSID'] == a[1].header['OBSID'],
          b[1].header['PH_NAME'] == a[1].header['PH_NAME'])"
  assert_output "True True True
True True True"
  # the PSF header is streamed from a pipe (a .fits.gz too)
  cat "$S" | ph-psf -q - --pointing "$(basename "$S" | cut -d_ -f6)" --ra "$RA" --dec "$DEC" -o p.fits
  [ -s p.fits ]
}

@test "outputs that cannot be streams: one line, exit 2, nothing written" {
  inputs
  ph-skysub -q "$S" -o s.fits
  run ph-skysub -q "$S" --check-images - -o x.fits
  assert_failure 2
  assert_one_line_error "^ph-skysub: --check-images: - \(standard output\) cannot hold a directory of files; give a directory$"
  run ph-sim -q --size 64 --science 1 -o -
  assert_failure 2
  assert_one_line_error "^ph-sim: -o -: a scene is a directory of files and cannot go to standard output"
  printf 'mjd,flux,flux_err,zpt,NEA,sky_rms,observation_id,sca,pix_x,pix_y,science_name,template_name,science_id,template_id,template_observation_id,template_sca,aperture_sum,mag,mag_err,success,zpt_source,zpt_nstars,zpt_scatter\n62000.5,1,1,30,1,1,1,1,1,1,s,t,s,t,2,1,1,1,1,True,header,0,nan\n' > row.csv
  run ph-lc -q row.csv --no-meta -o lc.csv --plot -
  assert_failure 2
  assert_one_line_error "^ph-lc: --plot: the plot cannot go to standard output"
  # one stream each way
  ph-psf -q s.fits --ra "$RA" --dec "$DEC" -o psf.fits
  run ph-align --science - --template - -o al.fits < s.fits
  assert_failure 2
  assert_one_line_error "^ph-align: only one input can be - \(standard input\)$"
  run ph-import -o - --psf psf.fits --psf-out - s.fits
  assert_failure 2
  assert_one_line_error "^ph-import: only one output can be - \(standard output\)$"
  run ph-skysub - < s.fits
  assert_failure 2
  assert_one_line_error "^ph-skysub: the image is standard input: give -o FILE"
  [ -z "$(find . -name '-')" ] || fail "a file named - was made"
  [ ! -e x.fits ] && [ ! -e al.fits ]
}

@test "stdin and stdout errors: one line, exit 1; a failed run writes nothing on stdout" {
  run ph-skysub -q - -o x.fits < /dev/null
  assert_failure 1
  assert_one_line_error "^ph-skysub: -: standard input is empty$"
  echo "not a FITS file" > bad.fits
  ph-skysub -q - -o - < bad.fits > out.fits 2> err.txt && fail "ph-skysub accepted a text file"
  [ ! -s out.fits ] || fail "a failed run wrote $(stat -c %s out.fits) bytes on stdout"
  [ "$(wc -l < err.txt)" -eq 1 ] && grep -q "^ph-skysub: -: " err.txt || fail "$(cat err.txt)"
  ph-sim stamp -q -b Y106 -o - > st.fits
  run pypeer -c "from astropy.io import fits; print(fits.getdata('st.fits').shape)"
  assert_output "(41, 41)"
}

@test "a stream is still an input: never the output, by device and inode (< input, >> input)" {
  inputs
  ph-skysub -q "$S" -o s.fits
  cp s.fits keep.fits
  # standard input redirected from the file the output names
  run ph-skysub -q - -o s.fits < s.fits
  assert_failure 2
  assert_one_line_error "^ph-skysub: s.fits: is the same file as the input - \(standard input\): refusing to overwrite it"
  cmp s.fits keep.fits
  # standard output appended to an input
  run sh -c 'ph-psf -q s.fits --ra "$1" --dec "$2" -o - >> s.fits' _ "$RA" "$DEC"
  assert_failure 2
  assert_one_line_error "^ph-psf: -: standard output is the same file as the input s.fits: refusing to write over it"
  cmp s.fits keep.fits
  # a CSV output too
  printf 'mjd,flux,flux_err,zpt,NEA,sky_rms,observation_id,sca,pix_x,pix_y,science_name,template_name,science_id,template_id,template_observation_id,template_sca,aperture_sum,mag,mag_err,success,zpt_source,zpt_nstars,zpt_scatter\n62000.5,1,1,30,1,1,1,1,1,1,s,t,s,t,2,1,1,1,1,True,header,0,nan\n' > row.csv
  cp row.csv row0.csv
  run sh -c 'ph-lc -q row.csv --no-meta -o - >> row.csv'
  assert_failure 2
  assert_one_line_error "^ph-lc: -: standard output is the same file as the input row.csv"
  cmp row.csv row0.csv
}
