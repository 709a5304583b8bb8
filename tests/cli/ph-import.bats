#!/usr/bin/env bats
# ph-import: plain FITS files (image, noise/variance, masks, PSF) -> ph image.
load helpers

# Inputs: a 40 x 30 image with a TAN WCS, two NaNs, its noise, a bad-pixel
# mask, a detection mask and a 9 x 9 PSF (sum 2, to see the normalisation).
make_inputs() {
  pypeer - <<'PY'
import numpy as np
from astropy.io import fits
rng = np.random.default_rng(1)
img = rng.normal(0, 2, (30, 40))
img[3, 4] = img[20, 30] = np.nan
h = fits.Header()
h["CTYPE1"], h["CTYPE2"] = "RA---TAN", "DEC--TAN"
h["CRPIX1"], h["CRPIX2"], h["CRVAL1"], h["CRVAL2"] = 20, 15, 10.0, -5.0
h["CDELT1"], h["CDELT2"] = -1e-5, 1e-5
h["FILTER"], h["MJD-OBS"], h["EXTNAME"] = "F200W", 59885.5, "SCI"
fits.HDUList([fits.PrimaryHDU(), fits.ImageHDU(img.astype(np.float32), header=h)]).writeto("img.fits")
noise = np.full((30, 40), 2.0)
noise[5, 6] = 0.0
fits.PrimaryHDU(noise).writeto("noise.fits")
fits.PrimaryHDU(noise ** 2).writeto("var.fits")
bad = np.zeros((30, 40)); bad[7, 8] = 1
fits.PrimaryHDU(bad).writeto("bad.fits")
det = np.zeros((30, 40), np.float32); det[10:20, 10:20] = 1
fits.PrimaryHDU(det).writeto("det.fits")
y, x = np.mgrid[:9, :9]
psf = 2 * np.exp(-0.5 * ((x - 4) ** 2 + (y - 4) ** 2) / 1.5 ** 2)
psf *= 2 / psf.sum()
fits.PrimaryHDU(psf).writeto("psf.fits")
fits.PrimaryHDU(np.ones((30, 41))).writeto("wide.fits")
fits.PrimaryHDU(np.ones((8, 8))).writeto("even.fits")
fits.PrimaryHDU(np.full((30, 40), np.nan)).writeto("allnan.fits")
PY
}

setup() {
  T=$BATS_TEST_TMPDIR
  cd "$T" || return 1
  make_inputs
}

@test "--help and --version" {
  run ph-import --help
  assert_success
  assert_output --partial "Usage: ph-import"
  for o in --output --hdu --noise --var --mask --detmask --psf --psf-size --psf-out --skyrms \
           --nan-outside --band --mjd --zpt; do
    assert_output --partial -- "$o"
  done
  run groff -man -Tutf8 -ww -z "$PH_TOP/build/man/man1/ph-import.1"
  assert_success
  assert_output ""
  run ph-import --version
  assert_success
  assert_output --regexp "^ph-import \(phrosty-c\) "
}

@test "a ph image: SCI, VAR = noise^2, MASK bits, PSF HDU with sum 1, WCS and meta kept" {
  run ph-import img.fits --noise noise.fits --mask bad.fits --detmask det.fits --psf psf.fits \
    --psf-out p.fits -o out.fits
  assert_success
  run pypeer - <<'PY'
import numpy as np
from astropy.io import fits
f = fits.open("out.fits")
assert [h.name for h in f] == ["PRIMARY", "SCI", "VAR", "MASK", "PSF"]
s, v, m, p = (f[n].data for n in ["SCI", "VAR", "MASK", "PSF"])
img = fits.getdata("img.fits", 1)
h = f["SCI"].header
assert h["CTYPE1"] == "RA---TAN" and h["CRPIX1"] == 20 and h["FILTER"] == "F200W"
assert h["MJD-OBS"] == 59885.5 and h["SKYRMS"] == 2.0 and h["SKYRMSSR"] == "median noise"
ok = np.isfinite(img)
assert (s[ok] == img[ok]).all() and s[3, 4] == 0 and s[20, 30] == 0
assert m[3, 4] == 2 and m[20, 30] == 2 and m[5, 6] == 2 and m[7, 8] == 2
assert (m == 2).sum() == 4
assert ((m & 1) == 1).sum() == 100 and (m[10:20, 10:20] == 1).all()
assert v[5, 6] == 0 and (v[m == 0] == 4).all()
assert abs(p.sum() - 1) < 1e-12 and p.shape == (9, 9)
q = fits.open("p.fits")[0]
assert abs(q.data.sum() - 1) < 1e-12 and abs(q.header["PSFFRAC"] - 2) < 1e-12
assert q.header["PSFNORM"] and q.header["PSFMODEL"] == "file:psf.fits" and q.header["FILTER"] == "F200W"
print("ok")
PY
  echo "$output"
  assert_output "ok"
}

@test "--var, --psf-size, --hdu, --band, --mjd, --zpt, --skyrms" {
  run ph-import img.fits --hdu SCI --var var.fits --psf psf.fits --psf-size 5 --band J129 \
    --mjd 60000.25 --zpt 25.5 --skyrms 3 -o out.fits
  assert_success
  run pypeer -c "
from astropy.io import fits
f = fits.open('out.fits'); h = f['SCI'].header
print(f['PSF'].data.shape, h['FILTER'], h['MJD-OBS'], h['ZPT'], h['SKYRMS'], h['SKYRMSSR'], f['VAR'].data[0, 0])"
  assert_output "(5, 5) J129 60000.25 25.5 3.0 option 4.0"
}

@test "no noise map: VAR is SKYRMS^2 from the image's robust sigma; --detmask all/none; --nan-outside" {
  run ph-import img.fits -o a.fits
  assert_success
  run pypeer -c "
from astropy.io import fits; import numpy as np
f = fits.open('a.fits'); v, m, h = f['VAR'].data, f['MASK'].data, f['SCI'].header
img = fits.getdata('img.fits', 1); x = img[np.isfinite(img)]
q1, q3 = np.percentile(x, [25, 75])
assert abs(h['SKYRMS'] - (q3 - q1) / 1.3489795003921634) < 1e-9 * h['SKYRMS'], h['SKYRMS']
assert np.allclose(v, h['SKYRMS'] ** 2, rtol=1e-6) and h['SKYRMSSR'] == 'image IQR sigma'
assert (m == 1).sum() == 1198 and (m == 2).sum() == 2
print('ok')"
  assert_output "ok"
  run ph-import img.fits --detmask none --nan-outside -o b.fits
  assert_success
  assert_output "ph-import: warning: img.fits: no pixel is DETECTED: ph-subtract needs a detection mask to fit"
  run pypeer -c "
from astropy.io import fits
m = fits.getdata('b.fits', 'MASK'); print((m == 4).sum(), (m == 0).sum())"
  assert_output "2 1198"
}

@test "--timing prints the steps" {
  run ph-import --timing img.fits -o out.fits
  assert_success
  for s in read build write total; do
    assert_output --regexp "timing ph-import $s [0-9.]+"
  done
}

@test "usage errors exit 2" {
  run ph-import -o out.fits
  assert_failure 2
  assert_one_line_error "^ph-import: expected one IMAGE"
  run ph-import img.fits
  assert_failure 2
  assert_one_line_error "^ph-import: -o OUT.fits is required$"
  run ph-import img.fits --noise noise.fits --var var.fits -o out.fits
  assert_failure 2
  assert_one_line_error "^ph-import: give --noise or --var, not both$"
  run ph-import img.fits --psf-out p.fits -o out.fits
  assert_failure 2
  assert_one_line_error "^ph-import: --psf-out needs --psf$"
  run ph-import img.fits --psf-size 5 -o out.fits
  assert_failure 2
  assert_one_line_error "^ph-import: --psf-size needs --psf$"
  run ph-import img.fits --psf psf.fits --psf-size 4 -o out.fits
  assert_failure 2
  assert_one_line_error "^ph-import: --psf-size: 4 is even; it must be odd \\(centred on a pixel\\)$"
  run ph-import img.fits --skyrms -1 -o out.fits
  assert_failure 2
  assert_one_line_error "^ph-import: --skyrms: -1 is not positive$"
  assert_no_file out.fits
}

@test "bad data exits 1 with one line and no output" {
  run ph-import nothere.fits -o out.fits
  assert_failure 1
  assert_one_line_error "^ph-import: nothere.fits: cannot open"
  run ph-import img.fits --noise wide.fits -o out.fits
  assert_failure 1
  assert_one_line_error "^ph-import: wide.fits: is 41x30 but the image is 40x30$"
  run ph-import img.fits --psf even.fits -o out.fits
  assert_failure 1
  assert_one_line_error "^ph-import: even.fits: PSF has even size 8"
  run ph-import img.fits --psf psf.fits --psf-size 11 -o out.fits
  assert_failure 1
  assert_one_line_error "^ph-import: psf.fits: --psf-size 11 is larger than the PSF \(9\)$"
  run ph-import allnan.fits -o out.fits
  assert_failure 1
  assert_one_line_error "^ph-import: allnan.fits: no usable pixel"
  run ph-import img.fits --hdu ERR -o out.fits
  assert_failure 1
  assert_one_line_error "^ph-import: img.fits: no HDU named ERR$"
  head -c 3000 img.fits > trunc.fits
  run ph-import trunc.fits -o out.fits
  assert_failure 1
  assert_one_line_error "^ph-import: trunc.fits: "
  run ph-import img.fits --psf psf.fits --psf-out p.fits --noise wide.fits -o out.fits
  assert_failure 1
  assert_no_file out.fits
  assert_no_file p.fits
}
