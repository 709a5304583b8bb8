#!/usr/bin/env bats
# ph-psf: PSF stamps from the analytic models, model files and the image's
# own stars, against independent truths: ph-sim's exact stamps (the images'
# PSF), the pixel-integrated Gaussian evaluated with scipy's erf, astropy's
# WCS for --ra/--dec; every error message.
load helpers

setup_file() {
  export S=$BATS_FILE_TMPDIR
  cd "$S" || return 1
  # A Y106 scene with its PSF files (pointing 777, SCA 3, constant jitter),
  # its ph image, and a crowded-enough H158 field drawn with a Gaussian PSF.
  ph-sim -q -b Y106 --size 512 --templates 1 --science 0 --jitter-vary 0 --no-transient \
    --sca 3 --pointing 777 -o sc
  ph-skysub -q sc/images/Y106/777/Roman_TDS_simple_model_Y106_777_3.fits.gz -o ph.fits
  ph-sim -q -b H158 --size 1024 --psf gaussian:1.4 --templates 1 --science 0 --no-transient \
    --nstars 400 --ngalaxies 100 --star-mags 17,22 --no-psf-files --sca 1 -o ep
  ph-sim -q -b Y106 --size 128 --templates 1 --science 0 --no-transient --nstars 3 \
    --ngalaxies 0 --no-psf-files --sca 1 -o few
}

IMG=sc/images/Y106/777/Roman_TDS_simple_model_Y106_777_3.fits.gz
PAT='file:sc/psf/{band}/{pointing}/Roman_TDS_psf_{band}_{pointing}_{sca}.fits'

# Print FITS facts with Python (a = stamp data, h = header of FILE).
fitsq() {
  local file=$1; shift
  pypeer -W ignore -c "
import sys
import numpy as np
from astropy.io import fits
a = fits.getdata(sys.argv[1]); h = fits.getheader(sys.argv[1])
$*" "$file"
}

relative_l2() { # A B: ||a - b|| / ||b|| after normalising both to sum 1
  pypeer -c "
import sys
import numpy as np
from astropy.io import fits
a, b = (fits.getdata(p).astype(float) for p in sys.argv[1:3])
a /= a.sum(); b /= b.sum()
print('%.3e' % (np.sqrt(((a - b) ** 2).sum() / (b ** 2).sum())))" "$1" "$2"
}

@test "ph-psf --help lists every option and an example; --version" {
  run ph-psf --help
  assert_success
  for o in --output --ra --dec --x --y --model --size --band --sca --pointing --at-position \
           --interp --jitter --nlambda --wfe --obscuration --diffusion --epsf-oversamp \
           --epsf-radius --epsf-order --epsf-stars --epsf-snr --epsf-thresh --epsf-iter --timing; do
    assert_output --partial -- "$o"
  done
  assert_output --partial "Example:"
  run ph-psf --version
  assert_success
  assert_output --regexp "^ph-psf \(phrosty-c\) [0-9]+\.[0-9]+\.[0-9]+"
}

@test "man ph-psf renders cleanly and states the memory at 4088x4088" {
  run groff -man -Tutf8 -ww -z "$PH_TOP/build/man/man1/ph-psf.1"
  assert_success
  assert_output ""
  run man -P cat ph-psf
  assert_success
  assert_output --partial "MEMORY"
  assert_output --partial "4088 x 4088"
}

@test "roman: odd, sum 1, centred, the header of the stamp contract" {
  cd "$S"
  run ph-psf -q "$IMG" --x 100.3 --y 200.8 -o $BATS_TEST_TMPDIR/r.fits
  assert_success
  assert_output ""
  run fitsq $BATS_TEST_TMPDIR/r.fits "
n = a.shape[0]; c = (n - 1) // 2
yy, xx = np.mgrid[:n, :n]
print(a.shape, a.dtype.name, abs(a.sum() - 1) < 1e-12, a.argmax() == c * n + c,
      abs((a * xx).sum() - c) < 1e-12, abs((a * yy).sum() - c) < 1e-12)
print(h['PSFX'], h['PSFY'], h['FILTER'], h['PSFMODEL'], h['OVERSAMP'], h['PSFNORM'],
      0.98 < h['PSFFRAC'] < 1, h['PSFDX'], h['PSFDY'], h['SCA_NUM'], h['OBSID'], h['PSFFWHM'])
print(-44.9 < h['PSFDEC'] < -44.7, 7.4 < h['PSFRA'] < 7.7)"
  assert_success
  assert_line -n 0 "(41, 41) float64 True True True True"
  assert_line -n 1 "100.3 200.8 Y106 roman 1 True True 0.0 0.0 3 777 1.1897159860876276"
  assert_line -n 2 "True True"
}

@test "roman is ph-sim's exact stamp, centred or at the position's phase (--at-position)" {
  cd "$S"
  run ph-psf -q "$IMG" --x 100.3 --y 200.8 --size 25 -o $BATS_TEST_TMPDIR/c.fits
  ph-sim stamp -b Y106 --stamp-size 25 -o $BATS_TEST_TMPDIR/t0.fits
  run relative_l2 $BATS_TEST_TMPDIR/c.fits $BATS_TEST_TMPDIR/t0.fits
  [ "$(awk '{print ($1 < 1e-13)}' <<< "$output")" = 1 ] || fail "centred: rel L2 $output"
  ph-psf -q "$IMG" --x 100.3 --y 200.8 --size 25 --at-position -o $BATS_TEST_TMPDIR/p.fits
  ph-sim stamp -b Y106 --stamp-size 25 --phase 0.3,-0.2 -o $BATS_TEST_TMPDIR/t1.fits
  run relative_l2 $BATS_TEST_TMPDIR/p.fits $BATS_TEST_TMPDIR/t1.fits
  [ "$(awk '{print ($1 < 1e-13)}' <<< "$output")" = 1 ] || fail "phase: rel L2 $output"
  run fitsq $BATS_TEST_TMPDIR/p.fits "print(round(h['PSFDX'], 12), round(h['PSFDY'], 12))"
  assert_output "0.3 -0.2"
  # by default, beside the centred primary: PHASED_PSF, the stamp at the phase,
  # and EPSF, the model 8x oversampled
  ph-sim stamp -b Y106 --stamp-size 25 --phase -0.25,0 -o $BATS_TEST_TMPDIR/t2.fits
  run pypeer -c "
from astropy.io import fits
c, p = fits.open('$BATS_TEST_TMPDIR/c.fits'), fits.open('$BATS_TEST_TMPDIR/p.fits')
print([h.name for h in c], c[0].header['PSFPHASE'], c[1].header['PSFPHASE'], p[0].header['PSFPHASE'])
assert (c[1].data == p[0].data).all() and (p[1].data == p[0].data).all()
for k in ('PSFX', 'PSFY', 'PSFDX', 'PSFDY', 'PSFFRAC', 'PSFMODEL', 'FILTER'):
    assert c[1].header[k] == p[0].header[k], k
assert c[0].header['PSFDX'] == 0 and c[0].header['PSFFRAC'] != c[1].header['PSFFRAC']
# EPSF: the model oversampled 8x (roman), its phase-0 samples the centred stamp
e, o = c['EPSF'].data, c['EPSF'].header['OVERSAMP']
assert o == 8 and e.shape == (8 * 24 + 1,) * 2, (o, e.shape)
import numpy as np
assert np.allclose(e[::o, ::o], c[0].data, rtol=0, atol=1e-15)
# ... and the samples 0.25 px along x hold ph-sim's stamp at phase -0.25
t0, t2 = fits.getdata('$BATS_TEST_TMPDIR/t0.fits'), fits.getdata('$BATS_TEST_TMPDIR/t2.fits')
d = np.abs(e[::o, 2::o][:, :24] * t0.sum() - t2[:, :24]).max() / t2.max()
assert d < 1e-12, d"
  assert_success
  assert_output "['PRIMARY', 'PHASED_PSF', 'EPSF'] False True True"
}

@test "file: the scene's 9x PSF file reproduces the image's PSF at random positions (rel L2 < 1e-3)" {
  cd "$S"
  ph-sim stamp -b Y106 --stamp-size 41 -o t0.fits
  worst=0
  for xy in "17.2 301.45" "255.5 255.5" "400.91 12.07" "3.49 498.6" "333.33 77.77"; do
    set -- $xy
    dx=$(awk -v x=$1 'BEGIN {f = int(x + 0.5); print x - f}')
    dy=$(awk -v x=$2 'BEGIN {f = int(x + 0.5); print x - f}')
    ph-sim stamp -b Y106 --phase "$dx,$dy" -o t.fits
    run ph-psf -q "$IMG" --x $1 --y $2 -m "$PAT" --at-position -o f.fits
    assert_success
    e=$(relative_l2 f.fits t.fits)
    worst=$(awk -v a=$worst -v b=$e 'BEGIN {print (b > a ? b : a)}')
    run ph-psf -q "$IMG" --x $1 --y $2 -m "$PAT" -o fc.fits
    e=$(relative_l2 fc.fits t0.fits)
    worst=$(awk -v a=$worst -v b=$e 'BEGIN {print (b > a ? b : a)}')
  done
  echo "# worst rel L2 $worst" >&3
  [ "$(awk -v w=$worst 'BEGIN {print (w < 1e-3)}')" = 1 ] || fail "worst rel L2 $worst"
  run fitsq f.fits "print(h['PSFMODEL'].startswith('file:'), h['OVERSAMP'], h['PSFSRC'], round(h['PSFFWHM'], 4))"
  assert_output "True 9 Roman_TDS_psf_Y106_777_3.fits 1.1897"
}

@test "file: a ph image (ph-skysub output) as input; --band/--sca/--pointing fill the pattern" {
  cd "$S"
  run ph-psf -q ph.fits --x 10 --y 20 -m "$PAT" -o $BATS_TEST_TMPDIR/a.fits
  assert_success
  cp sc/psf/Y106/777/Roman_TDS_psf_Y106_777_3.fits $BATS_TEST_TMPDIR/m_H158_5_9.fits
  run ph-psf -q ph.fits --x 10 --y 20 --band H158 --sca 5 --pointing 9 \
    -m "file:$BATS_TEST_TMPDIR/m_{band}_{sca}_{pointing}.fits" -o $BATS_TEST_TMPDIR/b.fits
  assert_success
  run relative_l2 $BATS_TEST_TMPDIR/a.fits $BATS_TEST_TMPDIR/b.fits
  assert_output "0.000e+00"
  run fitsq $BATS_TEST_TMPDIR/b.fits "print(h['FILTER'])"
  assert_output "H158"
}

@test "--ra/--dec go through the image WCS (SIP) as astropy places them" {
  cd "$S"
  run pypeer -W ignore -c "
from astropy.io import fits
from astropy.wcs import WCS
w = WCS(fits.getheader('$IMG', 1))
ra, dec = w.all_pix2world([[123.4, 321.9]], 0)[0]
print('%.10f %.10f' % (ra, dec))"
  assert_success
  read -r ra dec <<< "$output"
  run ph-psf -q "$IMG" --ra $ra --dec $dec -o $BATS_TEST_TMPDIR/w.fits
  assert_success
  run fitsq $BATS_TEST_TMPDIR/w.fits "print(abs(h['PSFX'] - 123.4) < 1e-5, abs(h['PSFY'] - 321.9) < 1e-5)"
  assert_output "True True"
}

@test "gaussian:SIGMA is the pixel-integrated Gaussian (scipy erf)" {
  cd "$S"
  run ph-psf -q "$IMG" --x 50 --y 60.25 -m gaussian:1.7 --at-position --size 31 -o $BATS_TEST_TMPDIR/g.fits
  assert_success
  run fitsq $BATS_TEST_TMPDIR/g.fits "
from scipy.special import erf
s = 1.7; k = np.arange(31) - 15
f = lambda d: 0.5 * (erf((k - d + 0.5) / (np.sqrt(2) * s)) - erf((k - d - 0.5) / (np.sqrt(2) * s)))
t = np.outer(f(0.25), f(0.0)); t /= t.sum()
print(np.abs(a - t).max() < 1e-7 * t.max(), h['PSFMODEL'])"
  assert_output "True gaussian:1.7"
}

@test "epsf: the image's stars give back the PSF (rel L2 < 2%, FWHM within 1%)" {
  cd "$S"
  run ph-psf -q ep/images/H158/10000/Roman_TDS_simple_model_H158_10000_1.fits.gz \
    --x 500 --y 500 -m epsf --size 25 -o $BATS_TEST_TMPDIR/e.fits
  assert_success
  ph-psf -q ep/images/H158/10000/Roman_TDS_simple_model_H158_10000_1.fits.gz \
    --x 500 --y 500 -m gaussian:1.4 --size 25 -o $BATS_TEST_TMPDIR/t.fits
  e=$(relative_l2 $BATS_TEST_TMPDIR/e.fits $BATS_TEST_TMPDIR/t.fits)
  run fitsq $BATS_TEST_TMPDIR/e.fits "
t = fits.getheader('$BATS_TEST_TMPDIR/t.fits')
print('%.4f' % (h['PSFFWHM'] / t['PSFFWHM'] - 1), h['PSFMODEL'], h['OVERSAMP'], h['EPSFNSTR'] > 100, h['PSFNORM'])"
  echo "# epsf: rel L2 $e, FWHM error ${output%% *}" >&3
  [ "$(awk -v w=$e 'BEGIN {print (w < 0.02)}')" = 1 ] || fail "rel L2 $e"
  [ "$(awk -v w=${output%% *} 'BEGIN {print (w < 0.01 && w > -0.01)}')" = 1 ] || fail "FWHM $output"
  assert_output --partial "epsf 4 True True"
}

@test "epsf on a realistic field (ph-sim's OU2024 realism at 4088^2: density, unflagged cosmic rays and saturation, hot pixels): rel L2 < 3%, FWHM within 2%; its cut-out: too few stars, exit 1" {
  cd "$T"
  ph-sim -q -b Y106 --size 4088 --templates 1 --science 0 --jitter-vary 0 --no-transient \
    --no-host --sca 1 --seed 5 --no-psf-files -o f
  img=f/images/Y106/10000/Roman_TDS_simple_model_Y106_10000_1.fits.gz
  run ph-psf -v $img --x 2000.3 --y 1500.8 -m epsf -o e.fits
  assert_success
  assert_output --regexp "clipped at saturation"
  # the truth: that SCA's exact PSF, through its 9x model file (4e-4 of the exact stamp)
  ph-sim psf -q -b Y106 --sca 1 --jitter 0.014 -o model.fits
  ph-psf -q $img --x 2000.3 --y 1500.8 -m file:model.fits -o t.fits
  e=$(relative_l2 e.fits t.fits)
  run fitsq e.fits "
t = fits.getheader('t.fits')
print('%.4f' % (h['PSFFWHM'] / t['PSFFWHM'] - 1), h['EPSFNSTR'] >= 30, h['PSFFRAC'] <= 1 + 1e-9,
      0.5 < h['EPSFCHI2'] < 2)"
  echo "# realistic Y106 field: rel L2 $e, FWHM error ${output%% *}" >&3
  [ "$(awk -v w=$e 'BEGIN {print (w < 0.03)}')" = 1 ] || fail "rel L2 $e"
  [ "$(awk -v w=${output%% *} 'BEGIN {print (w < 0.02 && w > -0.02)}')" = 1 ] || fail "FWHM $output"
  assert_output --partial " True True True"
  # a 1024^2 cut-out of it holds a sixteenth of the stars: an error, no stamp
  pypeer -W ignore -c "
from astropy.io import fits
h = fits.open('$img')
for x in h[1:]:
    x.data = x.data[:1024, :1024]
h.writeto('cut.fits', overwrite=True)"
  run ph-psf cut.fits --x 500 --y 500 -m epsf -o c.fits
  assert_failure 1
  assert_one_line_error "^ph-psf: cut.fits: only [0-9]+ isolated unsaturated point-like stars with S/N >= 100 \(30 needed for an order-0 ePSF\)"
  assert_no_file c.fits
}

@test "the default model, auto: epsf where the stars support it (PSFFRAC the optics' share, as the true PSF's), else romanfit, else roman with a warning" {
  cd "$T"
  # jitter 0.024", not the roman model's default 0.014": the default alone is 9% off
  ph-sim -q -b Y106 --size 4088 --templates 1 --science 0 --jitter 0.024 --jitter-vary 0 \
    --no-transient --no-host --sca 1 --seed 5 --no-psf-files -o f
  img=f/images/Y106/10000/Roman_TDS_simple_model_Y106_10000_1.fits.gz
  ph-psf -q $img --x 2000.3 --y 1500.8 -m epsf -o e.fits
  run ph-psf $img --x 2000.3 --y 1500.8 -o a.fits
  assert_success
  assert_output ""
  ph-sim psf -q -b Y106 --sca 1 --jitter 0.024 -o model.fits
  ph-psf -q $img --x 2000.3 --y 1500.8 -m file:model.fits -o t.fits
  run fitsq a.fits "
e = fits.open('e.fits'); t = fits.getheader('t.fits')
print(h['PSFMODEL'], h['PSFAUTO'], np.array_equal(a, e[0].data), np.array_equal(fits.getdata('a.fits', 'PHASED_PSF'), e['PHASED_PSF'].data))
# the share of the whole PSF inside the stamp: the optics', not 1
print('%.5f %.5f' % (h['PSFFRAC'], t['PSFFRAC']))"
  assert_line -n 0 "epsf True True True"
  read -r fa ft <<< "${lines[1]}"
  echo "# PSFFRAC: auto (epsf) $fa, the true PSF $ft" >&3
  [ "$(awk -v a=$fa -v t=$ft 'BEGIN {print (a < 0.999 && a - t < 0.002 && t - a < 0.002)}')" = 1 ]
  # a cut-out with a sixteenth of the stars: too few for an ePSF, enough to
  # fit the roman model's wavefront error and jitter (romanfit), with a notice
  pypeer -W ignore -c "
from astropy.io import fits
h = fits.open('$img')
for x in h[1:]:
    x.data = x.data[:1024, :1024]
h.writeto('cut.fits', overwrite=True)"
  run ph-psf cut.fits --x 500.3 --y 500.8 -o c.fits
  assert_success
  [ "${#lines[@]}" -eq 1 ] || fail "expected one notice line: $output"
  assert_line --regexp "^ph-psf: cut.fits: too few stars for an empirical PSF; the roman model fitted to [0-9]+ of them: wavefront error [0-9]+ nm, jitter 0.0[0-9]+\" \(median reduced chi\^2 [0-9.]+\)$"
  ph-psf -q cut.fits --x 500.3 --y 500.8 -m file:model.fits -o ct.fits
  e=$(relative_l2 c.fits ct.fits)
  ph-psf -q cut.fits --x 500.3 --y 500.8 -m roman -o cr.fits
  r=$(relative_l2 cr.fits ct.fits)
  run fitsq c.fits "print(h['PSFMODEL'], h['PSFAUTO'], h['PSFFITN'] >= 3, abs(h['PSFJITTR'] - 0.024) < 0.004, h['PSFFITC2'] < 2)"
  echo "# cut-out: romanfit rel L2 $e against the true PSF (the default roman: $r)" >&3
  assert_output "romanfit True True True True"
  [ "$(awk -v w=$e -v r=$r 'BEGIN {print (w < 0.02 && r > 0.05)}')" = 1 ] || fail "rel L2 $e, roman $r"
  # three stars in all: roman as it is, and a warning that says why
  run ph-psf "$S"/few/images/Y106/10000/Roman_TDS_simple_model_Y106_10000_1.fits.gz --x 60 --y 60 -o f.fits
  assert_success
  [ "${#lines[@]}" -eq 1 ] || fail "expected one warning line: $output"
  assert_line --regexp "^ph-psf: warning: .*Y106_10000_1.fits.gz: a 128x128 image is too small for an empirical PSF|^ph-psf: warning: .*: only [0-9]+ .*; the band's analytic PSF \(roman\) is used, which knows neither this image's jitter nor its optics"
  run fitsq f.fits "print(h['PSFMODEL'], h['PSFAUTO'])"
  assert_output "roman True"
  # an explicit model is never replaced
  run ph-psf -q cut.fits --x 500 --y 500 -m roman -o r.fits
  assert_success
  run fitsq r.fits "print(h['PSFMODEL'], 'PSFAUTO' in h)"
  assert_output "roman False"
}

@test "config: photometry.phrosty.psf.type and params, ph.psf.model, the command line wins" {
  cd "$S"
  printf 'photometry:\n  phrosty:\n    psf:\n      type: gaussian\n      params:\n        sigmax: 1.5\n' > g.yaml
  run ph-psf -q -c g.yaml "$IMG" --x 10 --y 10 -o $BATS_TEST_TMPDIR/1.fits
  assert_success
  run fitsq $BATS_TEST_TMPDIR/1.fits "print(h['PSFMODEL'])"
  assert_output "gaussian:1.5"
  printf 'photometry:\n  phrosty:\n    psf:\n      type: ou24PSF\n' > o.yaml
  ph-psf -q -c o.yaml "$IMG" --x 10 --y 10 -o $BATS_TEST_TMPDIR/2.fits
  run fitsq $BATS_TEST_TMPDIR/2.fits "print(h['PSFMODEL'])"
  assert_output "roman"
  printf 'photometry:\n  phrosty:\n    psf:\n      type: A25ePSF\n      params:\n        pattern: %s\n' \
    "sc/psf/{band}/{pointing}/Roman_TDS_psf_{band}_{pointing}_{sca}.fits" > a.yaml
  ph-psf -q -c a.yaml "$IMG" --x 10 --y 10 -o $BATS_TEST_TMPDIR/3.fits
  run fitsq $BATS_TEST_TMPDIR/3.fits "print(h['PSFMODEL'], h['OVERSAMP'])"
  assert_output "file:Roman_TDS_psf_{band}_{pointing}_{sca}.fits 9"
  run ph-psf -q -c a.yaml --set ph.psf.model=roman "$IMG" --x 10 --y 10 -o $BATS_TEST_TMPDIR/4.fits
  run fitsq $BATS_TEST_TMPDIR/4.fits "print(h['PSFMODEL'])"
  assert_output "roman"
  ph-psf -q -c a.yaml --set ph.psf.model=roman -m gaussian:2 "$IMG" --x 10 --y 10 -o $BATS_TEST_TMPDIR/5.fits
  run fitsq $BATS_TEST_TMPDIR/5.fits "print(h['PSFMODEL'])"
  assert_output "gaussian:2"
  printf 'photometry:\n  phrosty:\n    psf:\n      type: fancyPSF\n' > u.yaml
  run ph-psf -q -c u.yaml "$IMG" --x 10 --y 10 -o $BATS_TEST_TMPDIR/6.fits
  assert_failure 2
  assert_one_line_error "^ph-psf: u.yaml: photometry.phrosty.psf.type: unknown PSF type 'fancyPSF'"
  assert_no_file $BATS_TEST_TMPDIR/6.fits
  printf 'photometry:\n  phrosty:\n    psf:\n      type: gaussian\n      params:\n        sigmax: 1.5\n        sigmay: 2\n' > e.yaml
  run ph-psf -q -c e.yaml "$IMG" --x 10 --y 10 -o $BATS_TEST_TMPDIR/7.fits
  assert_failure 2
  assert_one_line_error "sigmax 1.5 and sigmay 2 differ"
  assert_no_file $BATS_TEST_TMPDIR/7.fits
}

@test "a25:DIR and phrosty's A25ePSF config read the A25 ePSF library (snappl's files): its samples, the grid rule, LTV" {
  cd "$S"
  A=$PH_TOP/tests/fixtures/a25epsf
  # A 64x64 Y106 cut-out of SCA 2 whose pixel (32, 32) is SCA pixel (1700, 800):
  # the nearest grid centres are 1788.5, 766.5.
  pypeer -W ignore -c "
import numpy as np
from astropy.io import fits
h = fits.Header({'FILTER': 'Y106', 'SCA_NUM': 2, 'LTV1': -1668, 'LTV2': -768})
fits.writeto('$T/cut.fits', np.zeros((64, 64), 'f4'), h, overwrite=True)
fits.writeto('$T/nosca.fits', np.zeros((64, 64), 'f4'), fits.Header({'FILTER': 'Y106'}), overwrite=True)"
  # The stamp at phase 0 and at a phase of a third of a pixel (--at-position) is every
  # third sample of the file (read here with PyYAML and base64) times 9, normalised;
  # PSFFRAC the sum of those samples times 9 (the file's own sum is its share of the PSF).
  run ph-psf -q $T/cut.fits --x 32 --y 32 -m a25:$A -o $T/a.fits
  assert_success
  run ph-psf -q $T/cut.fits --x 32.33333333333333 --y 31.666666666666668 --at-position -m a25:$A -s 31 -o $T/b.fits
  assert_success
  run pypeer -W ignore -c "
import base64, yaml
import numpy as np
from astropy.io import fits
y = yaml.safe_load(open('$A/Y106/2/511_1788.5_766.5_-_19.0_21.5_-_Y106_2.psf'))
d = np.frombuffer(base64.b64decode(y['data']), dtype=y['dtype']).reshape(y['shape0'], y['shape1'])
# the sample at the centre pixel: 38 at phase 0, 38 - 3 dx with the phase
for f, n, gx, gy in (('$T/a.fits', 41, 38, 38), ('$T/b.fits', 31, 37, 39)):
    a = fits.getdata(f); h = fits.getheader(f)
    t = np.zeros((n, n)); c = n // 2
    for j in range(n):
        for i in range(n):
            u, v = gx + 3 * (i - c), gy + 3 * (j - c)
            if 0 <= u < 77 and 0 <= v < 77:
                t[j, i] = 9 * d[v, u]
    print(f[-6:], np.abs(a - t / t.sum()).max() < 1e-12, abs(h['PSFFRAC'] - t.sum()) < 1e-12,
          h['PSFMODEL'].startswith('a25:'), h['PSFSRC'], h['OVERSAMP'], round(h['PSFFWHM'], 3))"
  assert_line "a.fits True True True 511_1788.5_766.5_-_19.0_21.5_-_Y106_2.psf 3 1.384"
  assert_line "b.fits True True True 511_1788.5_766.5_-_19.0_21.5_-_Y106_2.psf 3 1.384"
  # phrosty's config: type A25ePSF and system.paths.snappl.A25ePSF_path
  printf 'system:\n  paths:\n    snappl:\n      A25ePSF_path: %s\nphotometry:\n  phrosty:\n    psf:\n      type: A25ePSF\n      params: {}\n' "$A" > $T/a25.yaml
  run ph-psf -q -c $T/a25.yaml $T/cut.fits --x 32 --y 32 -o $T/c.fits
  assert_success
  cmp <(fitsq $T/a.fits "print(a.tobytes().hex())") <(fitsq $T/c.fits "print(a.tobytes().hex())")
  # The grid rule: SCA x 1533 lies half-way between the centres 1277.5 and 1788.5 and
  # takes the lower one, whose file the library lacks (exit 1); just above, the upper.
  pypeer -W ignore -c "
import numpy as np
from astropy.io import fits
h = fits.Header({'FILTER': 'Y106', 'SCA_NUM': 2, 'LTV1': -1501, 'LTV2': -768})
fits.writeto('$T/tie.fits', np.zeros((64, 64), 'f4'), h, overwrite=True)"
  run ph-psf -q -c $T/a25.yaml $T/tie.fits --x 32 --y 32 -o $T/d.fits
  assert_failure 1
  assert_one_line_error "^ph-psf: $A/Y106/2/511_1277.5_766.5_-_19.0_21.5_-_Y106_2.psf: A25 ePSF library file not found$"
  assert_no_file $T/d.fits
  run ph-psf -q -c $T/a25.yaml $T/tie.fits --x 32.001 --y 32 -o $T/e.fits
  assert_success
  run ph-psf -q -m a25:$A $T/cut.fits --x 32 --y 32 --sca 7 -o $T/d.fits
  assert_failure 1
  assert_one_line_error "^ph-psf: $A/Y106/7/511_1788.5_766.5_-_19.0_21.5_-_Y106_7.psf: A25 ePSF library file not found$"
  run ph-psf -q -m a25:$T/nolibrary $T/cut.fits --x 32 --y 32 -o $T/d.fits
  assert_failure 1
  assert_one_line_error "^ph-psf: $T/nolibrary/Y106/2/511_1788.5_766.5_-_19.0_21.5_-_Y106_2.psf: A25 ePSF library file not found$"
  run ph-psf -q -m a25:$A $T/nosca.fits --x 32 --y 32 -o $T/d.fits
  assert_failure 1
  assert_one_line_error "^ph-psf: $T/nosca.fits: the A25 ePSF library needs the detector but the image has no SCA_NUM; give --sca$"
  # a small image without LTV: its positions are the SCA's, with a warning
  run ph-psf -m a25:$A $T/nosca.fits --x 32 --y 32 --sca 2 -o $T/d.fits
  assert_failure 1
  assert_line --index 0 --partial "a 64x64 image without LTV1/LTV2: its pixel positions are taken as the SCA's"
  assert_line --index 1 --regexp "511_255.5_255.5_-_19.0_21.5_-_Y106_2.psf: A25 ePSF library file not found$"
  # a file that is not an A25 ePSF: one line naming it
  mkdir -p $T/lib/Y106/2 && echo "x0: [1" > $T/lib/Y106/2/511_1788.5_766.5_-_19.0_21.5_-_Y106_2.psf
  run ph-psf -q -m a25:$T/lib $T/cut.fits --x 32 --y 32 -o $T/d.fits
  assert_failure 1
  assert_one_line_error "^ph-psf: $T/lib/Y106/2/511_1788.5_766.5_-_19.0_21.5_-_Y106_2.psf: not an A25 ePSF file: malformed YAML at line"
  assert_no_file $T/d.fits
  # never another model in its place: no library path (exit 2)
  printf 'photometry:\n  phrosty:\n    psf:\n      type: A25ePSF\n' > $T/nopath.yaml
  run ph-psf -q -c $T/nopath.yaml $T/cut.fits --x 32 --y 32 -o $T/d.fits
  assert_failure 2
  assert_one_line_error "^ph-psf: $T/nopath.yaml: photometry.phrosty.psf.type A25ePSF needs system.paths.snappl.A25ePSF_path \(the A25 ePSF library\), or photometry.phrosty.psf.params.pattern, or --model$"
  printf 'photometry:\n  phrosty:\n    psf:\n      type: OversampledImagePSF\n' > $T/ov.yaml
  run ph-psf -q -c $T/ov.yaml $T/cut.fits --x 32 --y 32 -o $T/d.fits
  assert_failure 2
  assert_one_line_error "photometry.phrosty.psf.type OversampledImagePSF needs photometry.phrosty.psf.params.pattern"
  assert_no_file $T/d.fits
}

@test "--timing prints the step table" {
  cd "$S"
  run ph-psf -q --timing "$IMG" --x 10 --y 10 -o $BATS_TEST_TMPDIR/t.fits
  assert_success
  assert_line --regexp "^timing ph-psf read [0-9.]+ -"
  assert_line --regexp "^timing ph-psf model [0-9.]+ -"
  assert_line --regexp "^timing ph-psf total [0-9.]+ -"
}

@test "usage errors: one line, exit 2, no output" {
  cd "$S"
  o=$BATS_TEST_TMPDIR/u.fits
  run ph-psf "$IMG" --x 1 --y 1 --size 40 -o $o
  assert_failure 2
  assert_one_line_error "^ph-psf: --size: 40 is even; it must be odd"
  run ph-psf "$IMG" --x 1 --y 1 --size 1 -o $o
  assert_failure 2
  assert_one_line_error "^ph-psf: --size: "
  run ph-psf "$IMG" --x 1 --y 1 --band Q999 -o $o
  assert_failure 2
  assert_one_line_error "^ph-psf: --band: unknown band 'Q999'"
  run ph-psf "$IMG" --x 1 --y 1 -m moffat -o $o
  assert_failure 2
  assert_one_line_error "^ph-psf: --model: unknown PSF model 'moffat'"
  run ph-psf "$IMG" --x 1 --y 1 -m "file:p_{filter}.fits" -o $o
  assert_failure 2
  assert_one_line_error "unknown placeholder"
  run ph-psf "$IMG" --x 1 --y 1
  assert_failure 2
  assert_one_line_error "^ph-psf: -o/--output FILE is required"
  run ph-psf "$IMG" -o $o
  assert_failure 2
  assert_one_line_error "^ph-psf: give the position as either --ra/--dec or --x/--y"
  run ph-psf "$IMG" --x 1 --y 1 --ra 7 --dec -44 -o $o
  assert_failure 2
  assert_one_line_error "either --ra/--dec or --x/--y"
  run ph-psf "$IMG" --x 1 -o $o
  assert_failure 2
  assert_one_line_error "^ph-psf: give --ra with --dec, and --x with --y"
  run ph-psf --x 1 --y 1 -o $o
  assert_failure 2
  assert_one_line_error "^ph-psf: expected one IMAGE, got 0"
  assert_no_file $o
}

@test "data errors: off the image, no band, missing / zero-sum / NaN model, too few stars" {
  cd "$S"
  o=$BATS_TEST_TMPDIR/d.fits
  run ph-psf "$IMG" --x 600 --y 10 -o $o
  assert_failure 1
  assert_one_line_error "^ph-psf: .*Y106_777_3.fits.gz: position \(600.000, 10.000\) is off the 512x512 image"
  run ph-psf "$IMG" --ra 100 --dec 10 -o $o
  assert_failure 1
  assert_one_line_error "cannot be placed on the image|is off the"
  pypeer -W ignore -c "
import numpy as np
from astropy.io import fits
fits.writeto('nofilter.fits', np.zeros((64, 64), 'f4'), overwrite=True)
fits.writeto('zero.fits', np.zeros((45, 45)), fits.Header({'OVERSAMP': 9}), overwrite=True)
z = np.ones((45, 45)); z[3, 4] = np.nan
fits.writeto('nan.fits', z, overwrite=True)"
  run ph-psf nofilter.fits --x 3 --y 3 -o $o
  assert_failure 1
  assert_one_line_error "^ph-psf: nofilter.fits: the image has no FILTER; give --band"
  run ph-psf "$IMG" --x 3 --y 3 -m file:nothere.fits -o $o
  assert_failure 1
  assert_one_line_error "^ph-psf: nothere.fits: PSF model file not found"
  run ph-psf "$IMG" --x 3 --y 3 -m file:zero.fits -o $o
  assert_failure 1
  assert_one_line_error "^ph-psf: zero.fits: PSF model plane 0 sums to 0; it must be positive"
  run ph-psf "$IMG" --x 3 --y 3 -m file:nan.fits -o $o
  assert_failure 1
  assert_one_line_error "^ph-psf: nan.fits: PSF model plane 0 has a non-finite value at \(4, 3\)"
  run ph-psf few/images/Y106/10000/Roman_TDS_simple_model_Y106_10000_1.fits.gz --x 3 --y 3 -m epsf --size 15 -o $o
  assert_failure 1
  assert_one_line_error "only [0-9]+ isolated unsaturated point-like stars with S/N >= 100 \(30 needed for an order-0 ePSF\); lower --epsf-snr, or use a PSF model"
  assert_no_file $o
}

@test "file: PSFFRAC is the share of the whole PSF (the model file's own PSFFRAC times the stamp's share of the model)" {
  cd "$S"
  run ph-psf "$IMG" --x 200.3 --y 300.6 -m "$PAT" -o f.fits
  assert_success
  run ph-sim stamp -b Y106 --jitter-vary 0 --phase 0,0 -o exact.fits
  assert_success
  run pypeer -c "
from astropy.io import fits
import glob
m = fits.getheader(glob.glob('$S/sc/psf/Y106/777/*.fits')[0])
f, e = fits.getheader('f.fits'), fits.getheader('exact.fits')
assert 0.98 < m['PSFFRAC'] < 0.999, m['PSFFRAC']
# the stamp holds the model's whole extent (41 px): its share is the model's
assert abs(f['PSFFRAC'] - m['PSFFRAC']) < 1e-4, (f['PSFFRAC'], m['PSFFRAC'])
assert abs(f['PSFFRAC'] - e['PSFFRAC']) < 1e-4, (f['PSFFRAC'], e['PSFFRAC'])
"
  assert_success
  # a model file with a nonsense PSFFRAC is refused
  pypeer -c "
from astropy.io import fits
import glob
f = fits.open(glob.glob('$S/sc/psf/Y106/777/*.fits')[0])
f[0].header['PSFFRAC'] = 1.5
f.writeto('badfrac.fits')"
  run ph-psf "$IMG" --x 200 --y 300 -m file:badfrac.fits -o g.fits
  assert_failure 1
  assert_one_line_error "badfrac.fits: PSFFRAC = 1.5 is not a flux fraction in \(0, 1\]"
  assert_no_file g.fits
}

@test ".fits.gz: the stamp pixels are byte-identical to the uncompressed image's; only the headers are read" {
  cd "$S"
  # (the same name: ph-sim's images carry the observation id in it)
  mkdir -p $BATS_TEST_TMPDIR/plain
  plain=$BATS_TEST_TMPDIR/plain/$(basename "$IMG" .gz)
  gunzip -c "$IMG" > $plain
  gzip -c ph.fits > $BATS_TEST_TMPDIR/ph.fits.gz
  for m in roman "$PAT" gaussian:1.3; do
    for pair in "$IMG $plain" "$BATS_TEST_TMPDIR/ph.fits.gz ph.fits"; do
      set -- $pair
      ph-psf -q "$1" --x 200.3 --y 300.6 --at-position -m "$m" -o $BATS_TEST_TMPDIR/z.fits
      ph-psf -q "$2" --x 200.3 --y 300.6 --at-position -m "$m" -o $BATS_TEST_TMPDIR/p.fits
      run pypeer -c "
import sys
from astropy.io import fits
a, b = (fits.open(p)[0] for p in sys.argv[1:3])
print(a.data.tobytes() == b.data.tobytes(), a.data.shape, a.header['PSFRA'] == b.header['PSFRA'],
      a.header['FILTER'], a.header['SCA_NUM'])" $BATS_TEST_TMPDIR/z.fits $BATS_TEST_TMPDIR/p.fits
      assert_success
      assert_output "True (41, 41) True Y106 3"
    done
  done
  # the data after SCI's header are never inflated: a stream cut half-way still serves
  size=$(stat -c %s "$IMG")
  mkdir -p $BATS_TEST_TMPDIR/half
  half=$BATS_TEST_TMPDIR/half/$(basename "$IMG")
  head -c $((size / 2)) "$IMG" > $half
  run ph-psf -q $half --x 200.3 --y 300.6 -m "$PAT" -o $BATS_TEST_TMPDIR/h.fits
  assert_success
  ph-psf -q "$IMG" --x 200.3 --y 300.6 -m "$PAT" -o $BATS_TEST_TMPDIR/w.fits
  run fitsq $BATS_TEST_TMPDIR/h.fits "print(a.tobytes() == fits.getdata('$BATS_TEST_TMPDIR/w.fits').tobytes())"
  assert_output "True"
}

@test "bad images: truncated or corrupt gzip, not FITS, header without END, no image, SCI a table" {
  cd "$S"
  o=$BATS_TEST_TMPDIR/e.fits
  head -c 1000 "$IMG" > trunc.fits.gz
  printf '\037\213garbage' > bad.fits.gz
  echo "hello, not FITS" | gzip > text.fits.gz
  : > empty.fits
  pypeer -W ignore -c "
import gzip
import numpy as np
from astropy.io import fits
fits.writeto('img.fits', np.ones((64, 64), 'f4'), fits.Header({'FILTER': 'Y106'}), overwrite=True)
b = bytearray(open('img.fits', 'rb').read())
e = b.find(b'END     ', 0, 2880)
b[e:e + 80] = b' ' * 80
open('noend.fits.gz', 'wb').write(gzip.compress(bytes(b)))
t = fits.BinTableHDU.from_columns([fits.Column('A', 'D', array=[1.0, 2.0])], name='CAT')
fits.HDUList([fits.PrimaryHDU(), t]).writeto('table.fits', overwrite=True)
t.name = 'SCI'
fits.HDUList([fits.PrimaryHDU(), t]).writeto('scitable.fits.gz', overwrite=True)
open('cuthead.fits', 'wb').write(open('table.fits', 'rb').read()[:2880 + 400])"
  cases=(
    "trunc.fits.gz: the gzip data are truncated or corrupt"
    "bad.fits.gz: the gzip data are truncated or corrupt"
    "text.fits.gz: not a readable FITS file: HDU 0: it does not start with SIMPLE"
    "empty.fits: not a readable FITS file: it is empty"
    "noend.fits.gz: not a readable FITS file: HDU 0: its header has no END card"
    "table.fits: no 2-D image HDU"
    "scitable.fits.gz: HDU SCI is a table, not an image"
    "cuthead.fits: HDU 1 cannot be read: its header is cut short \(no END card\): the file is truncated or corrupt"
  )
  for c in "${cases[@]}"; do
    run ph-psf "${c%%: *}" --x 3 --y 3 -m roman -o $o
    assert_failure 1
    assert_one_line_error "^ph-psf: $c\$"
  done
  assert_no_file $o
}
