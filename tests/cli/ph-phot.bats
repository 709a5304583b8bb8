#!/usr/bin/env bats
# ph-phot: the photometry row, the zero point, stamps, every option, every
# error.
#
# Inputs: decorrelated files made once per run by
# tests/fixtures/phot_make_cases.py (ph-decorr's contract, a transient on
# noise, 100 stars at random positions, an asymmetric pixel-integrated PSF;
# the list is in that script). Fits are checked against photutils and
# astropy (tests/fixtures/phot_check.py), the zero point against ph-sim
# images and their truth catalogue (tests/fixtures/phot_from_sim.py).
load helpers

setup_file() {
  export F=$BATS_FILE_TMPDIR/cases
  /usr/bin/python3 "$BATS_TEST_DIRNAME/../fixtures/phot_make_cases.py" "$F"
}

check() { pypeer "$PH_TOP/tests/fixtures/phot_check.py" "$@"; }
# Print facts with a Python expression list (r = the row as a dict of strings).
rowq() {
  local file=$1; shift
  pypeer -c "
import csv, sys
import numpy as np
from astropy.io import fits
rows = list(csv.DictReader(open(sys.argv[1])))
assert len(rows) == 1, rows
r = rows[0]
$*" "$file"
}

HEADER="mjd,flux,flux_err,zpt,NEA,sky_rms,observation_id,sca,pix_x,pix_y,science_name,template_name,science_id,template_id,template_observation_id,template_sca,aperture_sum,mag,mag_err,success,zpt_source,zpt_nstars,zpt_scatter,res_nstars,res_zmed,res_zp90"

@test "ph-phot --help lists every option and an example; --version" {
  run ph-phot --help
  assert_success
  for o in --output --ra --dec --x --y --catalog --zpt --science-psf --catalog-format --mag-range --min-stars \
           --fit-size --annulus --aperture --aperture-subpixels --stamps --stamp-size --aligned --science-image --template-image --star-table \
           --device --gpu-lock --gpu-slots --timing; do
    assert_output --partial -- "$o"
  done
  assert_output --partial "Example:"
  run ph-phot --version
  assert_success
  assert_output --regexp "^ph-phot \(phrosty-c\) [0-9]+\.[0-9]+\.[0-9]+"
}

@test "a fit box the model does not describe is said (reduced chi^2), the flux still written; a clean one is not" {
  run ph-phot -v "$F/d.fits" --x 101.3 --y 87.6 -o row.csv
  assert_success
  assert_output --regexp "PSF fit: reduced chi\^2 (0|1)\.[0-9]+"
  refute_output --partial "warning"
  # a static star's subtraction residual 1.3 px from the transient: a
  # dipole of 30% of the transient's peak (11 sigma) each side
  pypeer - "$F/d.fits" resid.fits <<'PY'
import sys
import numpy as np
from astropy.io import fits
with fits.open(sys.argv[1]) as h:
    d = h["DECORR_DIFF"].data
    peak = d[86:90, 100:104].max()
    d[88, 102] += 0.3 * peak
    d[88, 103] -= 0.3 * peak
    h.writeto(sys.argv[2])
PY
  run ph-phot resid.fits --x 101.3 --y 87.6 -o row2.csv
  assert_success
  assert_line --regexp "^ph-phot: warning: resid.fits: the PSF fit at the transient leaves reduced chi\^2 [0-9.]+ over its 5x5 box .*look at the difference there$"
  [ "$(tail -1 row2.csv | cut -d, -f20)" = True ]
}

@test "man ph-phot renders cleanly and states the memory at 4088x4088" {
  run groff -man -Tutf8 -ww -z "$PH_TOP/build/man/man1/ph-phot.1"
  assert_success
  assert_output ""
  run man -P cat ph-phot
  assert_success
  assert_output --partial "MEMORY"
  assert_output --partial "4088 x 4088"
}

@test "default run: the 26 columns in order, identity from the header, success True" {
  run ph-phot "$F/d.fits" --x 101.3 --y 87.6 -o row.csv
  assert_success
  assert_output ""
  run head -1 row.csv
  assert_output "$HEADER"
  run rowq row.csv "
psf = fits.open('$F/d.fits')['DECORR_PSF'].data
nea = psf.sum() ** 2 / (psf ** 2).sum()
f, e = float(r['flux']), float(r['flux_err'])
assert abs(float(r['NEA']) / nea - 1) < 1e-12, (r['NEA'], nea)
assert abs(float(r['mag']) + 2.5 * np.log10(f)) < 1e-12
assert abs(float(r['mag_err']) - 2.5 / np.log(10) * e / f) < 1e-12
assert abs(f - 3000) < 4 * e, (f, e)
for k in ('mjd', 'zpt', 'sky_rms', 'observation_id', 'sca', 'pix_x', 'pix_y', 'science_name',
          'template_name', 'science_id', 'template_id', 'template_observation_id',
          'template_sca', 'success', 'zpt_source', 'zpt_nstars', 'zpt_scatter'):
    print(k, r[k])"
  assert_success
  assert_output "mjd 62455.25
zpt 32.6617
sky_rms 7.25
observation_id 35198
sca 3
pix_x 101.3
pix_y 87.6
science_name Roman_TDS_simple_model_Y106_35198_3.fits.gz
template_name Roman_TDS_simple_model_Y106_12000_5.fits.gz
science_id Roman_TDS_simple_model_Y106_35198_3
template_id Roman_TDS_simple_model_Y106_12000_5
template_observation_id 12000
template_sca 5
success True
zpt_source header
zpt_nstars 0
zpt_scatter nan"
}

@test "the transient: flux and flux_err as photutils + astropy, aperture_sum as photutils' exact" {
  ph-phot -q "$F/d.fits" --x 101.3 --y 87.6 -o row.csv
  run check row "$F/d.fits" row.csv
  assert_success
  echo "$output"
  ph-phot -q "$F/d.fits" --x 101.3 --y 87.6 --annulus none -o row0.csv
  run check row "$F/d.fits" row0.csv --no-sky
  assert_success
  ph-phot -q "$F/d.fits" --x 101.3 --y 87.6 --aperture-subpixels 5 -o row5.csv
  run check row "$F/d.fits" row5.csv --subpixels 5
  assert_success
  run check row "$F/d.fits" row5.csv
  assert_failure
}

@test "100 random positions: flux within 0.1% and flux_err within 1% of photutils (issue 8)" {
  ph-phot -q --device cpu "$F/d.fits" --x 101.3 --y 87.6 --catalog "$F/stars.csv" --zpt-aperture psf --star-table st.csv -o row.csv
  run check stars "$F/d.fits" st.csv
  assert_success
  assert_output --regexp "^n 100 flux "
  echo "$output"
}

@test "--ra/--dec go through the WCS: the same row as --x/--y at astropy's pixel" {
  read -r ra dec < <(pypeer -c "
from astropy.io import fits
from astropy.wcs import WCS
w = WCS(fits.getheader('$F/d.fits', 'DECORR_DIFF'))
print(*w.all_pix2world([[101.3, 87.6]], 0)[0])")
  ph-phot -q "$F/d.fits" --ra "$ra" --dec "$dec" -o sky.csv
  run rowq sky.csv "
assert abs(float(r['pix_x']) - 101.3) < 1e-6 and abs(float(r['pix_y']) - 87.6) < 1e-6, r
print(r['success'])"
  assert_output "True"
}

@test "catalogue zero point: CSV and truth formats agree, near the header ZPT; nstars and scatter" {
  ph-phot -q "$F/d.fits" --x 101.3 --y 87.6 --catalog "$F/stars.csv" -o a.csv
  ph-phot -q "$F/d.fits" --x 101.3 --y 87.6 --catalog "$F/truth.txt" -o b.csv
  ph-phot -q "$F/d.fits" --x 101.3 --y 87.6 --catalog "$F/stars.csv" --mag-range 15,30 -o c.csv
  run rowq a.csv "
b = list(csv.DictReader(open('b.csv')))[0]
c = list(csv.DictReader(open('c.csv')))[0]
assert r['zpt_source'] == b['zpt_source'] == 'catalog'
assert abs(float(r['zpt']) - float(b['zpt'])) < 1e-9
assert abs(float(r['zpt']) - 32.6617) < 0.005, r['zpt']
assert 0 < float(r['zpt_scatter']) < 0.02
print(r['zpt_nstars'], b['zpt_nstars'], c['zpt_nstars'], r['success'])"
  assert_success
  assert_output "11 11 100 True"
}

@test "the star table: one row per catalogue star, used stars give the zero point" {
  ph-phot -q "$F/d.fits" --x 101.3 --y 87.6 --catalog "$F/truth.txt" --star-table st.csv -o r.csv
  run rowq r.csv "
t = list(csv.DictReader(open('st.csv')))
print(len(t), sum(s['used'] == 'True' for s in t), list(t[0]))
z = [float(s['zpt']) for s in t if s['used'] == 'True']
assert abs(np.median(z) - float(r['zpt'])) < 1e-12"
  assert_success
  assert_output "100 11 ['ra', 'dec', 'mag', 'x', 'y', 'flux', 'flux_err', 'sky', 'npix', 'status', 'used', 'zpt']"
}

@test "zero point within 0.005 mag on a ph-sim image with its truth catalogue, also cross-convolved (issue 8)" {
  ph-sim -q -o sim --size 1024 --templates 1 --science 1 --band H158 --jitter-vary 0 \
    --nstars 600 --star-mags 18,22 --sca 1
  ph-sim stamp -q -b H158 --jitter 0.014 --stamp-size 41 -o stamp.fits
  pypeer "$PH_TOP/tests/fixtures/phot_from_sim.py" sim/images/H158/10001/*.fits.gz stamp.fits d.fits
  pypeer "$PH_TOP/tests/fixtures/phot_from_sim.py" sim/images/H158/10001/*.fits.gz stamp.fits dx.fits --cross
  for f in d dx; do
    ph-phot -q --device cpu $f.fits --x 500 --y 500 --catalog sim/truth/H158/10001/Roman_TDS_index_H158_10001_1.txt -o $f.csv
    run rowq $f.csv "
zp = 15.0741 + 2.5 * np.log10(302.275 * 37570)
print(r['zpt_source'], int(r['zpt_nstars']) > 300, abs(float(r['zpt']) - zp) < 0.005, float(r['zpt']) - zp)"
    assert_success
    assert_output --regexp "^catalog True True "
    echo "$f: $output"
  done
}

@test "off the image: a success False row with NaN measurements, one error line, exit 1" {
  run ph-phot "$F/d.fits" --x 300 --y 50 -o row.csv
  assert_failure 1
  assert_one_line_error "^ph-phot: .*d.fits: transient at pixel \(300.000, 50.000\) of 240x200: position off the image$"
  run rowq row.csv "print(r['success'], r['flux'], r['flux_err'], r['mag'], r['aperture_sum'], r['zpt'], r['NEA'], r['science_name'], r['mjd'])"
  assert_output "False nan nan nan nan nan nan Roman_TDS_simple_model_Y106_35198_3.fits.gz 62455.25"
  run ph-phot "$F/d.fits" --x -0.6 --y 50 -o row.csv
  assert_one_line_error "position off the image$"
}

@test "in a masked region (BAD, OUTSIDE): a success False row, one error line, exit 1" {
  run ph-phot "$F/d.fits" --x 15 --y 155 -o bad.csv
  assert_failure 1
  assert_one_line_error "^ph-phot: .*d.fits: transient at pixel \(15.000, 155.000\) of 240x200: position on a masked \(BAD or OUTSIDE\) or unusable pixel$"
  run ph-phot "$F/d.fits" --x 235 --y 50 -o out.csv
  assert_failure 1
  assert_one_line_error "position on a masked"
  run rowq out.csv "print(r['success'], r['flux'])"
  assert_output "False nan"
}

@test "too few zero-point stars: the header zero point with a warning (success True); none at all keeps the flux but fails" {
  run ph-phot -q "$F/d.fits" --x 101.3 --y 87.6 -o header.csv
  assert_success
  run ph-phot "$F/d.fits" --x 101.3 --y 87.6 --catalog "$F/stars.csv" --min-stars 500 --device cpu -o row.csv
  assert_success
  assert_output --regexp "^ph-phot: warning: .*stars.csv: only 11 catalogue stars with 19 < mag < 21.5 measured on DECORR_SCI \(--min-stars 500\): using the header zero point [0-9.]+ \(zpt_source header\)$"
  [ "${#lines[@]}" -eq 1 ]
  run rowq row.csv "h = next(csv.DictReader(open('header.csv'))); print(r['success'], r['flux'] == h['flux'], r['zpt'] == h['zpt'], r['zpt_source'], r['zpt_nstars'], r['zpt_scatter'])"
  assert_output "True True True header 11 nan"
  # nothing to fall back on: the flux is kept, the row fails
  run ph-phot "$F/nozpt.fits" --x 101.3 --y 87.6 --catalog "$F/stars.csv" --min-stars 500 -o row.csv
  assert_failure 1
  assert_one_line_error "^ph-phot: .*stars.csv: only 11 catalogue stars with 19 < mag < 21.5 measured on DECORR_SCI \(--min-stars 500\), and no header zero point$"
  run rowq row.csv "print(r['success'], r['flux'] != 'nan', r['zpt'])"
  assert_output "False True nan"
  run ph-phot "$F/nozpt.fits" --x 101.3 --y 87.6 -o row.csv
  assert_failure 1
  assert_one_line_error "^ph-phot: .*nozpt.fits: no zero point: the header has no ZPT and no band/EXPTIME to make one \(give --catalog or --zpt\)$"
  run ph-phot "$F/nozpt.fits" --x 101.3 --y 87.6 --catalog "$F/truth.txt" --device cpu -o row.csv
  assert_one_line_error "^ph-phot: .*truth.txt: truth magnitudes lack ZPTMAG and the image has no EXPTIME to make it$"
  # a plain CSV needs no EXPTIME
  run ph-phot -q "$F/nozpt.fits" --x 101.3 --y 87.6 --catalog "$F/stars.csv" -o row.csv
  assert_success
}

@test "zero point once per science image: ph-phot SKY --science-psf --catalog writes the zero-point file; --zpt puts it in the row" {
  ZPTH="science_name,observation_id,sca,band,mjd,zpt,zpt_source,zpt_nstars,zpt_scatter,zpt_header,ncatalog,method,catalog"
  run ph-phot "$F/sky.fits" --science-psf "$F/psf.fits" --catalog "$F/stars.csv" --star-table st.csv -o zpt.csv
  assert_success
  assert_output ""
  run head -1 zpt.csv
  assert_output "$ZPTH"
  # DECORR_SCI of d.fits is the same star field with the same PSF: the
  # per-pair catalogue zero point is the same number, from the same stars
  ph-phot -q "$F/d.fits" --x 101.3 --y 87.6 --catalog "$F/stars.csv" -o pair.csv
  run rowq zpt.csv "
p = next(csv.DictReader(open('pair.csv')))
for k in ('zpt', 'zpt_source', 'zpt_nstars', 'zpt_scatter'):
    assert r[k] == p[k], (k, r[k], p[k])
assert abs(float(r['zpt']) - 32.6617) < 0.01, r['zpt']
print(r['science_name'], r['observation_id'], r['sca'], r['band'], r['mjd'], r['zpt_source'], r['zpt_header'], r['ncatalog'], r['method'], r['catalog'])"
  assert_output "Roman_TDS_simple_model_Y106_35198_3.fits.gz 35198 3 Y106 62455.25 catalog 32.6617 100 aperture:4 stars.csv"
  run head -1 st.csv
  assert_output "ra,dec,mag,x,y,flux,flux_err,sky,npix,status,used,zpt"
  # the image's own PSF HDU serves when --science-psf is not given
  ph-phot -q "$F/sky_psf.fits" --catalog "$F/stars.csv" -o zpt2.csv
  cmp zpt.csv zpt2.csv
  # per pair: the file's zero point, the flux untouched
  ph-phot -q "$F/d.fits" --x 101.3 --y 87.6 -o plain.csv
  run ph-phot "$F/d.fits" --x 101.3 --y 87.6 --zpt zpt.csv -o row.csv
  assert_success
  assert_output ""
  run rowq row.csv "
z, p = next(csv.DictReader(open('zpt.csv'))), next(csv.DictReader(open('plain.csv')))
assert r['flux'] == p['flux'] and r['flux_err'] == p['flux_err'] and r['success'] == 'True'
print([r[k] == z[k] for k in ('zpt', 'zpt_source', 'zpt_nstars', 'zpt_scatter')])"
  assert_output "[True, True, True, True]"
}

@test "zero-point file: too few stars falls back to the header with a warning; another image's file, a bad file and misused options are errors" {
  run ph-phot "$F/sky.fits" --science-psf "$F/psf.fits" --catalog "$F/stars.csv" --min-stars 500 -o zpt.csv
  assert_success
  assert_output --regexp "^ph-phot: warning: .*stars.csv: only [0-9]+ catalogue stars with 19 < mag < 21.5 measured on .*sky.fits \(--min-stars 500\): using the header zero point 32.6617 \(zpt_source header\)$"
  run rowq zpt.csv "print(r['zpt'], r['zpt_source'], r['zpt_scatter'])"
  assert_output "32.6617 header nan"
  # the zero point of another science image
  ph-phot -q "$F/sky_other.fits" --science-psf "$F/psf.fits" --catalog "$F/stars.csv" -o other.csv
  run ph-phot "$F/d.fits" --x 101.3 --y 87.6 --zpt other.csv -o row.csv
  assert_failure 1
  assert_one_line_error "^ph-phot: other.csv: the zero point of science image Roman_TDS_simple_model_Y106_35198_3.fits.gz \(observation 35199, SCA 3\), but .*d.fits's science image is Roman_TDS_simple_model_Y106_35198_3.fits.gz \(observation 35198, SCA 3\)$"
  run rowq row.csv "print(r['success'], r['flux'] != 'nan')"
  assert_output "False True"
  run ph-phot "$F/d.fits" --x 101.3 --y 87.6 --zpt "$F/stars.csv" -o row.csv
  assert_failure 1
  assert_one_line_error "^ph-phot: .*stars.csv: no column science_name: not a zero-point file of ph-phot$"
  run ph-phot "$F/d.fits" --x 101.3 --y 87.6 --zpt nothere.csv -o row.csv
  assert_failure 1
  assert_one_line_error "^ph-phot: nothere.csv: "
  # usage
  run ph-phot "$F/sky.fits" --science-psf "$F/psf.fits" -o z.csv
  assert_failure 2
  assert_one_line_error "^ph-phot: a ph image is given: ph-phot measures its zero point, which needs --catalog STARS"
  run ph-phot "$F/sky.fits" --catalog "$F/stars.csv" -o z.csv
  assert_failure 2
  assert_one_line_error "^ph-phot: .*sky.fits: no PSF HDU: give the image's PSF stamp with --science-psf$"
  run ph-phot "$F/sky.fits" --science-psf "$F/psf.fits" --catalog "$F/stars.csv" --ra 7.55 --dec -44.8 -o z.csv
  assert_failure 2
  assert_one_line_error "^ph-phot: --ra/--dec is for a decorrelated file; a ph image only gets its zero point$"
  run ph-phot "$F/d.fits" --x 101.3 --y 87.6 --zpt zpt.csv --catalog "$F/stars.csv" -o row.csv
  assert_failure 2
  assert_one_line_error "^ph-phot: --zpt and --catalog both give the zero point; give one$"
  run ph-phot "$F/d.fits" --x 101.3 --y 87.6 --science-psf "$F/psf.fits" -o row.csv
  assert_failure 2
  assert_one_line_error "^ph-phot: --science-psf is for the zero point of a ph image"
  assert_no_file z.csv
}

@test "--stamps: phrosty's names and geometry, NaN outside, CRPIX shifted; --aligned adds its stamp" {
  ph-phot -q "$F/d.fits" --x 101.3 --y 87.6 --stamps st --aligned "$F/aligned.fits" -o r.csv
  S=Roman_TDS_simple_model_Y106_35198_3.fits.gz T=Roman_TDS_simple_model_Y106_12000_5.fits.gz
  run ls st
  assert_output "stamp_aligned_$S-$T
stamp_decorr_diff_$S-$T
stamp_decorr_zptimg_$S-$T
stamp_diff_var_$S-$T"
  run pypeer -c "
import numpy as np
from astropy.io import fits
d = fits.open('$F/d.fits')
a = fits.open('$F/aligned.fits')
for name, src in (('decorr_diff', d['DECORR_DIFF']), ('diff_var', d['DIFF_VAR']),
                  ('decorr_zptimg', d['DECORR_SCI']), ('aligned', a['SCI'])):
    s = fits.open('st/stamp_' + name + '_$S-$T')[0]
    assert s.data.shape == (100, 100)
    p, q = int(101.3 - 0.5), int(87.6 - 0.5)
    assert np.array_equal(s.data, src.data[q - 50:q + 50, p - 50:p + 50].astype(np.float32), equal_nan=True)
    assert s.header['CRPIX1'] == src.header['CRPIX1'] - (p - 50)
print('ok')"
  assert_output "ok"
  # names ending in .gz are gzip-compressed, as phrosty's are
  for f in st/*; do
    [ "$(head -c 2 "$f" | od -An -tx1 | tr -d ' ')" = 1f8b ] || fail "$f is not gzip-compressed"
  done
  # near the edge: NaN outside
  ph-phot -q "$F/d.fits" --x 20.2 --y 190.7 --stamps st2 -o r2.csv
  run pypeer -c "
import numpy as np
from astropy.io import fits
s = fits.getdata('st2/stamp_decorr_diff_$S-$T')
d = fits.getdata('$F/d.fits', 'DECORR_DIFF')
e = np.full((100, 100), np.nan, np.float32)
p, q = int(20.2 - 0.5) - 50, int(190.7 - 0.5) - 50
e[:200 - q, -p:] = d[q:, :100 + p]
print(np.array_equal(s, e, equal_nan=True), np.isnan(s[:, :31]).all(), np.isnan(s[60:]).all())"
  assert_output "True True True"
}

@test "--diff: phrosty's stamp_diff_ from ph-subtract's DIFF HDU or a single-image file" {
  S=Roman_TDS_simple_model_Y106_35198_3.fits.gz T=Roman_TDS_simple_model_Y106_12000_5.fits.gz
  pypeer -c "
from astropy.io import fits
import numpy as np
d = fits.open('$F/d.fits')['DECORR_DIFF']
x = (d.data * 2 + 1).astype(np.float64)
fits.HDUList([fits.PrimaryHDU(), fits.ImageHDU(x * 0, d.header, name='CSCI'), fits.ImageHDU(x, d.header, name='DIFF')]).writeto('multi.fits')
fits.PrimaryHDU(x, d.header).writeto('single.fits')"
  ph-phot -q "$F/d.fits" --x 101.3 --y 87.6 --stamps a --diff multi.fits -o a.csv
  ph-phot -q "$F/d.fits" --x 101.3 --y 87.6 --stamps b --diff single.fits -o b.csv
  run pypeer -c "
import numpy as np
from astropy.io import fits
x = fits.getdata('single.fits')
p, q = int(101.3 - 0.5), int(87.6 - 0.5)
for d in 'ab':
    s = fits.getdata(d + '/stamp_diff_$S-$T')
    print(np.array_equal(s, x[q - 50:q + 50, p - 50:p + 50].astype(np.float32)))"
  assert_output "True
True"
  pypeer -c "from astropy.io import fits; fits.PrimaryHDU(fits.getdata('single.fits')[:50]).writeto('small.fits')"
  run ph-phot "$F/d.fits" --x 101.3 --y 87.6 --stamps c --diff small.fits -o c.csv
  assert_failure 1
  assert_output --regexp "small.fits: the difference is ([0-9]+)x50, DECORR_DIFF [0-9]+x200"
  run ph-phot "$F/d.fits" --x 101.3 --y 87.6 --diff single.fits -o r.csv
  assert_failure 2
  assert_one_line_error "^ph-phot: --diff is only read for --stamps$"
}

@test "--science-image, --template-image: stamps of the original images, each through its own WCS" {
  ph-phot -q "$F/d.fits" --x 101.3 --y 87.6 --stamps st --template-image "$F/orig_tpl.fits" --science-image "$F/orig_tpl.fits" -o r.csv
  run ls st
  assert_output --partial "stamp_Roman_TDS_simple_model_Y106_12000_5.fits.gz"
  assert_output --partial "stamp_Roman_TDS_simple_model_Y106_35198_3.fits.gz"
  run pypeer -c "
import numpy as np
from astropy.io import fits
from astropy.wcs import WCS
ra, dec = WCS(fits.getheader('$F/d.fits', 'DECORR_DIFF')).all_pix2world([[101.3, 87.6]], 0)[0]
o = fits.open('$F/orig_tpl.fits')['SCI']
x, y = WCS(o.header).all_world2pix([[ra, dec]], 0)[0]
p, q = int(x - 0.5), int(y - 0.5)
s = fits.getdata('st/stamp_Roman_TDS_simple_model_Y106_12000_5.fits.gz')
print(s.shape, np.array_equal(s, o.data[q - 50:q + 50, p - 50:p + 50].astype(np.float32)))"
  assert_output "(100, 100) True"
  run ph-phot "$F/d.fits" --x 101.3 --y 87.6 --template-image "$F/orig_tpl.fits" -o r.csv
  assert_failure 2
  assert_one_line_error "^ph-phot: --template-image is only read for --stamps$"
}

@test "--fit-size, --annulus none, --aperture change the measurement as asked" {
  ph-phot -q "$F/d.fits" --x 101.3 --y 87.6 -o a.csv
  ph-phot -q "$F/d.fits" --x 101.3 --y 87.6 --fit-size 7 --aperture 4 -o b.csv
  ph-phot -q "$F/d.fits" --x 101.3 --y 87.6 --set ph.phot.fit_size=7 --set ph.phot.aperture=4 -o c.csv
  run rowq a.csv "
b = list(csv.DictReader(open('b.csv')))[0]
c = list(csv.DictReader(open('c.csv')))[0]
print(float(b['flux_err']) < float(r['flux_err']), float(b['aperture_sum']) > float(r['aperture_sum']), b == c)"
  assert_output "True True True"
}

@test "--device: cpu and auto give the same row; gpu without a GPU is an error (with a row)" {
  ph-phot -q "$F/d.fits" --x 101.3 --y 87.6 --catalog "$F/stars.csv" --device cpu -o c.csv
  ph-phot -q "$F/d.fits" --x 101.3 --y 87.6 --catalog "$F/stars.csv" --device auto -o a.csv
  run cmp c.csv a.csv
  assert_success
  if ph-phot -q "$F/d.fits" --x 101.3 --y 87.6 --device gpu -o g.csv 2>/dev/null; then
    skip "a GPU is usable here: the error cannot be tested"
  fi
  run ph-phot "$F/d.fits" --x 101.3 --y 87.6 --catalog "$F/stars.csv" --zpt-aperture psf -o n.csv
  assert_success
  assert_output --regexp "^ph-phot: no usable GPU \(.*\); running on the CPU$"
  # the aperture zero point does not use the device: no probe, no notice
  run ph-phot "$F/d.fits" --x 101.3 --y 87.6 --catalog "$F/stars.csv" -o n2.csv
  assert_success
  assert_output ""
  run ph-phot "$F/d.fits" --x 101.3 --y 87.6 --device gpu -o g.csv
  assert_failure 1
  assert_one_line_error "^ph-phot: --device gpu: no usable GPU: "
  run rowq g.csv "print(r['success'])"
  assert_output "False"
}

@test "CPU and GPU star fits agree to 1e-10 (needs a GPU)" {
  if ! ph-phot -q "$F/d.fits" --x 101.3 --y 87.6 --device gpu -o g0.csv 2>/dev/null; then
    skip "no usable GPU here (ph-phot --device gpu fails)"
  fi
  for dev in cpu gpu; do
    ph-phot -q "$F/d.fits" --x 101.3 --y 87.6 --catalog "$F/stars.csv" --zpt-aperture psf --device $dev --gpu-lock none --star-table $dev.csv -o $dev.row
  done
  run pypeer -c "
import numpy as np, pandas as pd
c, g = pd.read_csv('cpu.csv'), pd.read_csv('gpu.csv')
assert (c['status'] == g['status']).all()
for k in ('flux', 'flux_err', 'sky'):
    d = np.nanmax(np.abs(c[k] - g[k]) / np.maximum(np.abs(c[k]), 1))
    assert d < 1e-10, (k, d)
print('ok')"
  assert_output "ok"
}

@test "--timing prints the step table" {
  run ph-phot -q --timing "$F/d.fits" --x 101.3 --y 87.6 --catalog "$F/stars.csv" --zpt-aperture psf -o r.csv
  assert_success
  assert_output --partial "timing ph-phot"
  assert_output --partial "star fits"
  assert_output --partial "transient"
  run ph-phot -q --timing "$F/d.fits" --x 101.3 --y 87.6 --catalog "$F/stars.csv" -o r.csv
  assert_success
  assert_output --partial "star apertures"
  refute_output --partial "star fits"
}

@test "usage errors: exit 2, one line, no file" {
  run ph-phot "$F/d.fits" -o r.csv
  assert_failure 2
  assert_one_line_error "^ph-phot: no position: give --ra and --dec \(or --x and --y\)$"
  run ph-phot "$F/d.fits" --ra 7.55 --dec -44.8 --x 3 --y 4 -o r.csv
  assert_one_line_error "^ph-phot: give --ra/--dec or --x/--y, not both$"
  run ph-phot "$F/d.fits" --ra 7.55 -o r.csv
  assert_one_line_error "^ph-phot: --ra and --dec go together$"
  run ph-phot "$F/d.fits" --x 7.55 -o r.csv
  assert_one_line_error "^ph-phot: --x and --y go together$"
  run ph-phot "$F/d.fits" --x 1 --y 1
  assert_one_line_error "^ph-phot: no output: give -o FILE$"
  run ph-phot "$F/d.fits" "$F/d.fits" --x 1 --y 1 -o r.csv
  assert_one_line_error "^ph-phot: expected one decorrelated file, got 2 \(try --help\)$"
  run ph-phot "$F/d.fits" --x 1 --y 1 -o "$F/d.fits"
  assert_one_line_error "^ph-phot: the output .*d.fits would replace the input$"
  run ph-phot "$F/d.fits" --x 1 --y 1 --fit-size 4 -o r.csv
  assert_one_line_error "^ph-phot: --fit-size: 4 is even; it must be odd \\(centred on a pixel\\)$"
  run ph-phot "$F/d.fits" --x 1 --y 1 --annulus 25,15 -o r.csv
  assert_one_line_error "^ph-phot: --annulus: '25,15': the first value must be below the second$"
  run ph-phot "$F/d.fits" --x 1 --y 1 --annulus 5 -o r.csv
  assert_one_line_error "^ph-phot: --annulus: '5' is not two numbers LO,HI$"
  run ph-phot "$F/d.fits" --x 1 --y 1 --mag-range a,b -o r.csv
  assert_one_line_error "^ph-phot: --mag-range: 'a,b' is not two numbers LO,HI$"
  run ph-phot "$F/d.fits" --x 1 --y 1 --star-table t.csv -o r.csv
  assert_one_line_error "^ph-phot: --star-table needs --catalog$"
  run ph-phot "$F/d.fits" --x 1 --y 1 --aligned "$F/aligned.fits" -o r.csv
  assert_one_line_error "^ph-phot: --aligned is only read for --stamps$"
  run ph-phot "$F/d.fits" --x 1 --y 1 --device tpu -o r.csv
  assert_one_line_error "^ph-phot: --device: 'tpu' is not one of auto\|cpu\|gpu$"
  run ph-phot "$F/d.fits" --x 1 --y 1 --catalog-format fits -o r.csv
  assert_one_line_error "^ph-phot: --catalog-format: "
  run ph-phot "$F/d.fits" --ra 7.55 --dec 95 -o r.csv
  assert_one_line_error "^ph-phot: --dec: "
  run ph-phot "$F/d.fits" --x 1 --y 1 --gpu-slots 0 -o r.csv
  assert_one_line_error "^ph-phot: --gpu-slots: 0 is out of range"
  assert_failure 2
  assert_no_file r.csv
}

@test "bad input files: one error line naming the file, exit 1, a success False row" {
  run ph-phot "$F/text.fits" --x 1 --y 1 -o r.csv
  assert_failure 1
  assert_one_line_error "^ph-phot: .*text.fits: not a readable FITS file"
  run ph-phot nofile.fits --x 1 --y 1 -o r.csv
  assert_one_line_error "^ph-phot: nofile.fits: cannot open"
  for h in DECORR_DIFF DIFF_VAR MASK DECORR_PSF DECORR_SCI; do
    run ph-phot "$F/omit_$h.fits" --x 1 --y 1 -o r.csv
    assert_failure 1
    assert_one_line_error "^ph-phot: .*omit_$h.fits: no $h HDU: not a decorrelated file of ph-decorr$"
  done
  run ph-phot "$F/size.fits" --x 1 --y 1 -o r.csv
  assert_one_line_error "^ph-phot: .*size.fits: DIFF_VAR is 50x200 but DECORR_DIFF is 240x200$"
  run ph-phot "$F/psf3.fits" --x 100 --y 80 -o r.csv
  assert_one_line_error "^ph-phot: .*psf3.fits: DECORR_PSF: PSF stamp 3x3: the fit needs an odd size of at least 5$"
  run ph-phot "$F/nowcs.fits" --ra 7.55 --dec -44.8 -o r.csv
  assert_one_line_error "^ph-phot: .*nowcs.fits: no celestial WCS"
  run rowq r.csv "print(r['success'], r['flux'], r['science_name'])"
  assert_output "False nan Roman_TDS_simple_model_Y106_35198_3.fits.gz"
}

@test "bad catalogues: one error line naming the file and line" {
  run ph-phot "$F/d.fits" --x 101.3 --y 87.6 --device cpu --catalog nocat.csv -o r.csv
  assert_failure 1
  assert_one_line_error "^ph-phot: nocat.csv: cannot read the catalogue: No such file or directory$"
  run ph-phot "$F/d.fits" --x 101.3 --y 87.6 --device cpu --catalog "$F/text.fits" -o r.csv
  assert_one_line_error "^ph-phot: .*text.fits: the first line is data: no header line naming the columns ra, dec and mag"
  printf 'ra,dec,mag\n7.55,-44.8,20\n7.55,abc,20\n' > badnum.csv
  run ph-phot "$F/d.fits" --x 101.3 --y 87.6 --device cpu --catalog badnum.csv -o r.csv
  assert_one_line_error "^ph-phot: badnum.csv: line 3: column dec: 'abc' is not a number$"
  printf 'ra,dec,mag\n7.55,-44.8\n' > short.csv
  run ph-phot "$F/d.fits" --x 101.3 --y 87.6 --device cpu --catalog short.csv -o r.csv
  assert_one_line_error "^ph-phot: short.csv: line 2: 2 fields, the header has 3$"
  printf 'ra,dec,flux\n7.55,-44.8,3\n' > nomag.csv
  run ph-phot "$F/d.fits" --x 101.3 --y 87.6 --device cpu --catalog nomag.csv -o r.csv
  assert_one_line_error "^ph-phot: nomag.csv: line 1: no mag column$"
  : > empty.csv
  run ph-phot "$F/d.fits" --x 101.3 --y 87.6 --device cpu --catalog empty.csv -o r.csv
  assert_one_line_error "^ph-phot: empty.csv: empty: no header line naming the columns ra, dec and mag"
  run rowq r.csv "print(r['success'], r['flux'] != 'nan')"
  assert_output "False True"
}

@test "an unwritable output or stamp directory: one error line" {
  run ph-phot "$F/d.fits" --x 101.3 --y 87.6 -o nodir/r.csv
  assert_failure 1
  assert_one_line_error "^ph-phot: nodir/r.csv: "
  touch plain
  run ph-phot "$F/d.fits" --x 101.3 --y 87.6 --stamps plain/st -o r.csv
  assert_failure 1
  assert_one_line_error "^ph-phot: plain/st: cannot create directory"
}

@test "ph-lc reads ph-phot's rows, successful and failed" {
  ph-phot -q "$F/d.fits" --x 101.3 --y 87.6 -o a.csv
  run ph-phot -q "$F/d.fits" --x 300 --y 87.6 -o b.csv
  assert_failure 1
  run ph-lc -q a.csv -o lc.csv --no-meta
  assert_success
  run ph-lc -q b.csv -o lc2.csv --no-meta
  assert_success
  run pypeer -c "
import pandas as pd
a, b = pd.read_csv('lc.csv'), pd.read_csv('lc2.csv')
print(len(a.columns), a['success'][0], b['success'][0], a['flux'][0] > 0)"
  assert_output "26 True False True"
}

@test "a phased DECORR_PSF (ph-decorr from PHASED_PSF) is fitted unshifted at its own position; PSFFRAC, PSFLOSS correct the flux" {
  pypeer - "$F/d.fits" <<'PY'
import sys
from astropy.io import fits
f = fits.open(sys.argv[1])
h = f["DECORR_PSF"].header
h["PSFPHASE"], h["PSFX"], h["PSFY"] = True, 101.3, 87.6
f.writeto("phased.fits")
h["PSFX"] = 60.0
f.writeto("elsewhere.fits")
h["PSFX"], h["PSFPHASE"], h["PSFFRAC"], h["PSFLOSS"] = 101.3, False, 0.98, 0.01
f.writeto("frac.fits")
PY
  ph-phot "$F/d.fits" --x 101.3 --y 87.6 -o shifted.csv
  ph-phot phased.fits --x 101.3 --y 87.6 -o phased.csv
  ph-phot frac.fits --x 101.3 --y 87.6 -o frac.csv
  ph-phot frac.fits --x 101.3 --y 87.6 --no-aperture-correction -o nocorr.csv
  # the phased fit is the centred spline fit made at the centre pixel (101, 88)
  ph-phot "$F/d.fits" --x 101 --y 88 -o atpixel.csv
  run pypeer - <<'PY'
import csv
r = {n: next(csv.DictReader(open(n + ".csv"))) for n in ("shifted", "phased", "frac", "nocorr", "atpixel")}
f = {n: float(v["flux"]) for n, v in r.items()}
assert f["phased"] == f["atpixel"] and f["phased"] != f["shifted"], f
assert r["phased"]["aperture_sum"] == r["shifted"]["aperture_sum"]
assert abs(f["frac"] * 0.98 * 0.99 / f["shifted"] - 1) < 1e-12, f
assert f["nocorr"] == f["shifted"]
assert abs(float(r["frac"]["flux_err"]) * 0.98 * 0.99 / float(r["shifted"]["flux_err"]) - 1) < 1e-12
PY
  assert_success
  run ph-phot elsewhere.fits --x 101.3 --y 87.6 -o e.csv
  assert_failure 1
  assert_one_line_error "elsewhere.fits: DECORR_PSF was drawn for pixel .60.000, 87.600. but the transient is at .101.300, 87.600.; make the science PSF .ph-psf. at the transient's position"
}

@test "Y106 (undersampled): the aperture zero point within 0.005 mag, the PSF-fit one (--zpt-aperture psf) is not" {
  ph-sim -q -o sim --size 1024 --templates 1 --science 1 --band Y106 --jitter-vary 0 \
    --nstars 600 --star-mags 18,22 --sca 1
  ph-sim stamp -q -b Y106 --stamp-size 41 -o stamp.fits
  pypeer "$PH_TOP/tests/fixtures/phot_from_sim.py" sim/images/Y106/10001/*.fits.gz stamp.fits d.fits
  pypeer "$PH_TOP/tests/fixtures/phot_from_sim.py" sim/images/Y106/10001/*.fits.gz stamp.fits dx.fits --cross
  T=sim/truth/Y106/10001/Roman_TDS_index_Y106_10001_1.txt
  ph-phot -q d.fits --x 500 --y 500 --catalog $T -o ap.csv
  ph-phot -q dx.fits --x 500 --y 500 --catalog $T -o apx.csv
  ph-phot -q d.fits --x 500 --y 500 --catalog $T --zpt-aperture psf -o psf.csv
  run pypeer -c "
import csv, math
zp = 15.0236 + 2.5 * math.log10(302.275 * 37570)
d = {n: float(next(csv.DictReader(open(n + '.csv')))['zpt']) - zp for n in ('ap', 'apx', 'psf')}
assert abs(d['ap']) < 0.005 and abs(d['apx']) < 0.005, d
assert abs(d['psf']) > 0.05, d
print(d)"
  assert_success
  echo "$output"
  run ph-phot d.fits --x 500 --y 500 --catalog $T --zpt-aperture 0.1 -o bad.csv
  assert_failure 2
  assert_one_line_error "zpt-aperture"
}
