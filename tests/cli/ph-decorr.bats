#!/usr/bin/env bats
# ph-decorr: the decorrelated file, every option, every error.
#
# Inputs are difference files made once per run by
# tests/fixtures/decorr_make_cases.py (ph-subtract's contract, simulated
# noise, elliptical Gaussian PSFs on a non-square 96x80 frame; the list is
# in that script); outputs are checked against an independent numpy
# evaluation of sfft-reference §6-7 (tests/fixtures/decorr_check.py).
load helpers

setup_file() {
  export F=$BATS_FILE_TMPDIR/cases
  /usr/bin/python3 "$BATS_TEST_DIRNAME/../fixtures/decorr_make_cases.py" "$F"
}

check() { pypeer "$PH_TOP/tests/fixtures/decorr_check.py" "$@"; }
# Print FITS facts with a Python expression list (f = fits.open(FILE)).
fitsq() {
  local file=$1; shift
  pypeer -c "
import sys
import numpy as np
from astropy.io import fits
f = fits.open(sys.argv[1])
$*" "$file"
}

@test "ph-decorr --help lists every option and an example; --version" {
  run ph-decorr --help
  assert_success
  for o in --output --science-psf --template-psf --conv-psf --target-psf --centred-psf --science-rms \
           --template-rms --match-kernel --quicklook --phrosty-dir \
           --match-kernel-file --psf-size --kernel-size --score --score-hdu --threads --timing; do
    assert_output --partial -- "$o"
  done
  assert_output --partial "Example:"
  run ph-decorr --version
  assert_success
  assert_output --regexp "^ph-decorr \(phrosty-c\) [0-9]+\.[0-9]+\.[0-9]+"
}

@test "man ph-decorr renders cleanly and states the memory at 4088x4088" {
  run groff -man -Tutf8 -ww -z "$PH_TOP/build/man/man1/ph-decorr.1"
  assert_success
  assert_output ""
  run man -P cat ph-decorr
  assert_success
  assert_output --partial "MEMORY"
  assert_output --partial "4088 x 4088"
}

@test "default run: the decorrelated file's HDUs, types, headers; numbers as numpy's" {
  run ph-decorr -q "$F/d.fits" -o out.fits
  assert_success
  assert_output ""
  run fitsq out.fits "
print(' '.join(h.name for h in f))
for n in ('DECORR_DIFF', 'DECORR_SCI', 'DIFF_VAR', 'DECORR_PSF', 'DECORR_KERNEL', 'MASK'):
    print(n, f[n].data.dtype.name, f[n].data.shape)
h = f['DECORR_DIFF'].header
print(h['CTYPE1'], h['FILTER'], h['TPLNAME'], h['TPLRMS'], h['KERHW'], h['DCSKYSCI'], h['DCSKYREF'], h['DCMATCH'])
p = f['DECORR_PSF']
print('psf sum %.12f' % p.data.sum(), p.header['PSFNORM'], 'PSFLOSS' in p.header)
print('var', (f['DIFF_VAR'].data > 0).all(), 'KSUM' in f['DECORR_KERNEL'].header)
print('same WCS on all planes', all(f[n].header['CRVAL1'] == 7.5 for n in ('DECORR_SCI', 'DIFF_VAR')))"
  assert_line --index 0 "PRIMARY DECORR_DIFF DECORR_SCI DIFF_VAR DECORR_PSF DECORR_KERNEL MASK"
  assert_line --index 1 "DECORR_DIFF float32 (80, 96)"
  assert_line --index 2 "DECORR_SCI float32 (80, 96)"
  assert_line --index 3 "DIFF_VAR float32 (80, 96)"
  assert_line --index 4 "DECORR_PSF float64 (15, 15)"
  assert_line --index 5 "DECORR_KERNEL float64 (31, 31)"
  assert_line --index 6 "MASK uint8 (80, 96)"
  assert_line --index 7 "RA---TAN R062 tpl.fits 2.0 9 3.0 2.0 False"
  assert_line --index 8 "psf sum 1.000000000000 True True"
  assert_line --index 9 "var True True"
  assert_line --index 10 "same WCS on all planes True"
  run check "$F/d.fits" out.fits
  assert_success
}

@test "every product equals an independent numpy evaluation (non-square, 31x31 PSFs, varying variance)" {
  run ph-decorr "$F/ns.fits" -o out.fits
  assert_success
  run check "$F/ns.fits" out.fits
  assert_success
  refute_output --partial FAIL
  assert_output --partial "DIFF_VAR: max error"
}

@test "--match-kernel uses the matching kernel (filter and variance); --psf-size, --kernel-size" {
  run ph-decorr "$F/mk.fits" -o out.fits --match-kernel --psf-size 41 --kernel-size 21
  assert_success
  run check "$F/mk.fits" out.fits --match --psf-size 41 --kernel-size 21
  assert_success
  refute_output --partial FAIL
  # without --match-kernel the result differs
  ph-decorr -q "$F/mk.fits" -o plain.fits --psf-size 41 --kernel-size 21
  run check "$F/mk.fits" plain.fits --match --psf-size 41 --kernel-size 21
  assert_failure
}

@test "reads a gzipped difference file and writes a gzipped output" {
  run ph-decorr -q "$F/d.fits.gz" -o out.fits.gz
  assert_success
  run check "$F/d.fits" out.fits.gz
  assert_success
  [ "$(head -c 2 out.fits.gz | od -An -tx1 | tr -d ' ')" = 1f8b ] # gzip's magic
}

@test "--match-kernel-file implies --match-kernel and wins over the HDU" {
  # mkflat.fits has a wrong (flat) MATCH_KERNEL HDU; mk_kernel.fits the right one
  run ph-decorr "$F/mkflat.fits" -o out.fits --match-kernel-file "$F/mk_kernel.fits"
  assert_success
  run check "$F/mk.fits" out.fits --match
  assert_success
}

@test "--score FILE and --score-hdu: SFFT's score with the rotated template PSF" {
  run ph-decorr "$F/src.fits" -o out.fits --score score.fits --score-hdu
  assert_success
  run check "$F/src.fits" out.fits --score score.fits --score hdu
  assert_success
  assert_output --partial "SCORE (score.fits): max error"
  assert_output --partial "SCORE (hdu): max error"
  run fitsq score.fits "
s = f['SCORE'].data
y, x = np.unravel_index(np.argmax(s), s.shape)
print(int(x), int(y), s.max() > 10, f['SCORE'].header['FILTER'])"
  assert_output "40 30 True R062"
}

@test "--science-rms and --template-rms override the header and replace missing keys" {
  run ph-decorr "$F/norms.fits" -o out.fits --science-rms 1.5 --template-rms 4
  assert_success
  run check "$F/norms.fits" out.fits --sci-rms 1.5 --ref-rms 4
  assert_success
  run ph-decorr "$F/d.fits" -o out2.fits --science-rms 1.5 --template-rms 4
  assert_success
  run check "$F/d.fits" out2.fits --sci-rms 1.5 --ref-rms 4
  assert_success
  cmp <(fitsq out2.fits "print(f[1].header['DCSKYSCI'], f[1].header['DCSKYREF'])") <(echo "1.5 4.0")
}

@test "--science-psf/--template-psf from files; CONV_PSF then recomputed, or taken from --conv-psf" {
  # psfT.fits holds transposed (wrong) PSF HDUs: only the files give psf.fits' answer
  run ph-decorr "$F/psfT.fits" -o out.fits --science-psf "$F/SCI_PSF.fits" --template-psf "$F/REF_PSF.fits"
  assert_success
  run check "$F/psf.fits" out.fits
  assert_success
  run ph-decorr "$F/psfT.fits" -o out2.fits --science-psf "$F/SCI_PSF.fits" \
      --template-psf "$F/REF_PSF.fits" --conv-psf "$F/CONV_PSF.fits"
  assert_success
  run check "$F/psf.fits" out2.fits
  assert_success
  # without options the wrong HDUs are used
  ph-decorr -q "$F/psfT.fits" -o out3.fits
  run check "$F/psf.fits" out3.fits
  assert_failure
}

@test "config keys ph.decorr.* and --set; the command line wins" {
  cat > cfg.yaml <<'YAML'
ph:
  decorr:
    psf_size: 31
    kernel_size: 11
    threads: 1
    score_hdu: true
    match_kernel: true
YAML
  run ph-decorr -q -c cfg.yaml "$F/d.fits" -o out.fits --kernel-size 13
  assert_success
  run fitsq out.fits "print(f['DECORR_PSF'].data.shape, f['DECORR_KERNEL'].data.shape, 'SCORE' in f, f[1].header['DCMATCH'])"
  assert_output "(31, 31) (13, 13) True True"
  run_rejects 2 "^ph-decorr: --set: ph.decorr.psf_size: 8 is even" ph-decorr -q --set ph.decorr.psf_size=8 "$F/d.fits" -o bad.fits
  assert_no_file bad.fits
  run_rejects 2 "ph.decorr.threads: 'x' is not a whole number" ph-decorr -q --set ph.decorr.threads=x "$F/d.fits" -o bad.fits
}

@test "deterministic: identical files run to run; --threads 1 and 2 agree to rounding" {
  ph-decorr -q --threads 2 "$F/big.fits" -o a.fits
  ph-decorr -q --threads 2 "$F/big.fits" -o b.fits
  cmp a.fits b.fits
  ph-decorr -q --threads 1 "$F/big.fits" -o c.fits
  run fitsq a.fits "
c = fits.open('c.fits')
print(max(np.max(np.abs(f[n].data.astype(float) - c[n].data)) / np.max(np.abs(c[n].data)) for n in ('DECORR_DIFF', 'DIFF_VAR', 'DECORR_PSF')) < 1e-6)"
  assert_output "True"
}

@test "-v reports progress, --timing prints the step table, -q is silent" {
  run ph-decorr -v --timing "$F/d.fits" -o out.fits
  assert_success
  assert_output --partial "decorrelation filter: max gain"
  assert_output --partial "white-noise sigma 3.60555"
  assert_output --regexp "timing ph-decorr DIFF_VAR [0-9.]+"
  assert_output --regexp "timing ph-decorr total [0-9.]+"
  run ph-decorr -q "$F/d.fits" -o out.fits
  assert_success
  assert_output ""
}

# ---- usage errors (exit 2) ----

@test "usage errors: no input, two inputs, no -o, output = input, unknown option" {
  cp "$F/d.fits" d.fits
  run_rejects 2 "^ph-decorr: expected one difference file, got 0" ph-decorr -o out.fits
  run_rejects 2 "got 2" ph-decorr d.fits d.fits -o out.fits
  run_rejects 2 "^ph-decorr: no output: give -o FILE" ph-decorr d.fits
  run_rejects 2 "would replace the input" ph-decorr d.fits -o d.fits
  run_rejects 2 "name the same file" ph-decorr d.fits -o out.fits --score out.fits
  run_rejects 2 "score file d.fits would replace the input" ph-decorr d.fits -o out.fits --score d.fits
  run_rejects 2 "unknown" ph-decorr d.fits -o out.fits --bogus
  run_rejects 2 "needs a value" ph-decorr d.fits -o
  assert_no_file out.fits
}

@test "usage errors: bad numbers for every numeric option" {
  run_rejects 2 "^ph-decorr: --psf-size: 10 is even; it must be odd" ph-decorr "$F/d.fits" -o out.fits --psf-size 10
  run_rejects 2 "^ph-decorr: --kernel-size: 'abc' is not a whole number" ph-decorr "$F/d.fits" -o out.fits --kernel-size abc
  run_rejects 2 "out of range" ph-decorr "$F/d.fits" -o out.fits --kernel-size 0
  run_rejects 2 "^ph-decorr: --science-rms: -1 is not a finite non-negative sky rms" ph-decorr "$F/d.fits" -o out.fits --science-rms -1
  run_rejects 2 "^ph-decorr: --template-rms: inf is not a finite non-negative sky rms" ph-decorr "$F/d.fits" -o out.fits --template-rms inf
  run_rejects 2 "is not a number" ph-decorr "$F/d.fits" -o out.fits --template-rms x
  run_rejects 2 "^ph-decorr: --threads: -2 is out of range" ph-decorr "$F/d.fits" -o out.fits --threads -2
  assert_no_file out.fits
}

# ---- data errors (exit 1, no output) ----

@test "missing, non-FITS and truncated inputs" {
  run_rejects 1 "^ph-decorr: nothere.fits: cannot open" ph-decorr nothere.fits -o out.fits
  cp "$F/text.fits" "$F/trunc.fits" .
  run_rejects 1 "^ph-decorr: text.fits: not a readable FITS file" ph-decorr text.fits -o out.fits
  run_rejects 1 "^ph-decorr: trunc.fits: the file is truncated: HDU 1 \\(DIFF\\) claims 61440 bytes of data, ending at byte 70080, but the file has 11520 bytes$" ph-decorr trunc.fits -o out.fits
  assert_no_file out.fits
}

@test "each required HDU missing is named" {
  for h in DIFF CSCI SCI_VAR REF_VAR MASK; do
    run_rejects 1 "^ph-decorr: .*omit_$h.fits: no $h HDU: not a difference file of ph-subtract$" ph-decorr "$F/omit_$h.fits" -o out.fits
    assert_no_file out.fits
  done
  run ph-decorr "$F/omit_SCI_PSF.fits" -o out.fits
  assert_one_line_error "omit_SCI_PSF.fits: no SCI_PSF HDU; give the PSF with --science-psf FILE$"
  run ph-decorr "$F/omit_REF_PSF.fits" -o out.fits
  assert_one_line_error "omit_REF_PSF.fits: no REF_PSF HDU; give the PSF with --template-psf FILE$"
  run_rejects 1 "omit_MATCH_KERNEL.fits: no MATCH_KERNEL HDU; give the matching kernel with --match-kernel-file FILE$" ph-decorr "$F/omit_MATCH_KERNEL.fits" -o out.fits --match-kernel
  assert_no_file out.fits
  # without --match-kernel the matching kernel is not needed, and without CONV_PSF it is computed
  run ph-decorr -q "$F/minimal.fits" -o out.fits
  assert_success
  run check "$F/d.fits" out.fits
  assert_success
}

@test "planes of different sizes" {
  run_rejects 1 "^ph-decorr: .*size.fits: SCI_VAR is 50x80 but DIFF is 96x80$" ph-decorr "$F/size.fits" -o out.fits
  assert_no_file out.fits
}

@test "non-finite pixels and negative variances are refused" {
  run_rejects 1 "nan.fits: DIFF has 1 non-finite pixel not flagged BAD or OUTSIDE in MASK \(first at x0 = 7, y0 = 5\); the FFT would spread them over the whole image$" ph-decorr "$F/nan.fits" -o out.fits
  run_rejects 1 "inf.fits: CSCI has 2 non-finite pixels not flagged BAD or OUTSIDE in MASK \(first at x0 = 3, y0 = 2\)" ph-decorr "$F/inf.fits" -o out.fits
  run_rejects 1 "negvar.fits: SCI_VAR has 1 negative pixel not flagged BAD or OUTSIDE in MASK \(first at x0 = 5, y0 = 3\); a variance cannot be negative$" ph-decorr "$F/negvar.fits" -o out.fits
  run_rejects 1 "refnan.fits: REF_VAR has 1 non-finite pixel not flagged BAD or OUTSIDE in MASK \(first at x0 = 0, y0 = 0\)" ph-decorr "$F/refnan.fits" -o out.fits
  assert_no_file out.fits
}

@test "non-finite or negative pixels flagged BAD or OUTSIDE in MASK count as 0, with a warning" {
  run ph-decorr "$F/flagged.fits" -o out.fits --score-hdu
  assert_success
  assert_line --index 0 --regexp "^ph-decorr: warning: .*flagged.fits: DIFF: 1 non-finite pixel flagged BAD or OUTSIDE in MASK set to 0$"
  assert_line --index 1 --partial "CSCI: 1 non-finite pixel flagged"
  assert_line --index 2 --partial "REF_VAR: 2 non-finite or negative pixels flagged"
  assert_line --index 3 --partial "SCI_VAR: 1 non-finite or negative pixel flagged"
  [ "${#lines[@]}" -eq 4 ] # DIFF read again for the score: no second warning
  run check "$F/flagged.fits" out.fits --score hdu
  assert_success
  run ph-decorr -q "$F/flagged.fits" -o out.fits
  assert_success
  assert_output ""
}

@test "sky rms missing or bad in the header; both zero" {
  run_rejects 1 "nosky.fits: no SKYRMS key in the DIFF header; give the value with --science-rms$" ph-decorr "$F/nosky.fits" -o out.fits
  run ph-decorr "$F/notpl.fits" -o out.fits
  assert_one_line_error "notpl.fits: no TPLRMS key in the DIFF header; give the value with --template-rms$"
  run ph-decorr "$F/negsky.fits" -o out.fits
  assert_one_line_error "negsky.fits: SKYRMS in the DIFF header is not a non-negative number; give the value with --science-rms$"
  run ph-decorr "$F/strsky.fits" -o out.fits
  assert_one_line_error "strsky.fits: SKYRMS in the DIFF header is not a non-negative number"
  run_rejects 1 "d.fits: decorrelation: the noise power vanishes at frequency \(kx, ky\) = \(0, 0\)" ph-decorr "$F/d.fits" -o out.fits --science-rms 0 --template-rms 0
  assert_no_file out.fits
}

@test "bad PSFs and matching kernels" {
  run_rejects 1 "even.fits: PSF has even size 4; it must be odd" ph-decorr "$F/d.fits" -o out.fits --science-psf "$F/even.fits"
  run ph-decorr "$F/d.fits" -o out.fits --template-psf "$F/psfnan.fits"
  assert_one_line_error "psfnan.fits: PSF has a non-finite value at pixel \(2, 1\)$"
  run ph-decorr "$F/negconv.fits" -o out.fits
  assert_one_line_error "negconv.fits: PSF sums to -1"
  run_rejects 1 "d.fits: .*larger than the image 96x80$" ph-decorr "$F/d.fits" -o out.fits --science-psf "$F/bigpsf.fits"
  run ph-decorr "$F/d.fits" -o out.fits --psf-size 99
  assert_one_line_error "d.fits: decorrelated stamp size 99x99 is larger than the image 96x80$"
  run ph-decorr "$F/d.fits" -o out.fits --kernel-size 81
  assert_one_line_error "d.fits: decorrelation kernel size 81x81 is larger than the image 96x80$"
  run ph-decorr "$F/d.fits" -o out.fits --match-kernel-file "$F/mk35.fits"
  assert_one_line_error "mk35.fits: matching kernel is 5x3; it must be square and odd$"
  run ph-decorr "$F/mknan.fits" -o out.fits --match-kernel
  assert_one_line_error "mknan.fits: matching kernel has a non-finite value at pixel \(0, 0\)$"
  run ph-decorr "$F/d.fits" -o out.fits --match-kernel-file none.fits
  assert_one_line_error "^ph-decorr: none.fits: cannot open"
  assert_no_file out.fits
}

@test "an output that cannot be written leaves nothing behind" {
  run_rejects 1 "^ph-decorr: nodir/out.fits: cannot create output" ph-decorr "$F/d.fits" -o nodir/out.fits
  run_rejects 1 "^ph-decorr: nodir/score.fits: cannot create output" ph-decorr "$F/d.fits" -o out.fits --score nodir/score.fits
  assert_no_file out.fits
}

@test "--target-psf: DECORR_PSF made from the science PSF at the transient's phase, PSFPHASE T with its PSFX/PSFY" {
  pypeer - "$F/SCI_PSF.fits" target.fits <<'PY'
import sys
from astropy.io import fits
d = fits.getdata(sys.argv[1])
h = fits.Header()
h["PSFX"], h["PSFY"], h["PSFFRAC"] = 40.3, 30.8, 0.97
fits.writeto(sys.argv[2], d, h)
PY
  run ph-decorr "$F/psf.fits" -o t.fits --target-psf target.fits
  assert_success
  ph-decorr -q "$F/psf.fits" -o s.fits --science-psf "$F/SCI_PSF.fits"
  ph-decorr -q "$F/psf.fits" -o plain.fits
  run fitsq t.fits "
h = f['DECORR_PSF'].header
assert h['PSFPHASE'] is True and h['PSFX'] == 40.3 and h['PSFY'] == 30.8 and h['PSFFRAC'] == 0.97
s = fits.open('s.fits')['DECORR_PSF']
assert abs(f['DECORR_PSF'].data - s.data).max() < 1e-15
assert fits.open('plain.fits')['DECORR_PSF'].header['PSFPHASE'] is False
assert abs(f['DECORR_DIFF'].data - s.data.sum() * fits.open('s.fits')['DECORR_DIFF'].data).max() < 1e-4
"
  assert_success
  run_rejects 2 "target.fits: --target-psf and --conv-psf both give the PSF of the difference" ph-decorr "$F/psf.fits" -o u.fits --target-psf target.fits --conv-psf "$F/CONV_PSF.fits"
  run_rejects 1 "nothere.fits" ph-decorr "$F/psf.fits" -o u.fits --target-psf nothere.fits
  assert_no_file u.fits
}

@test "PHASED_PSF (ph-psf's, carried by ph-subtract) makes DECORR_PSF by default, as --target-psf; --science-psf's own; --centred-psf ignores it" {
  pypeer - "$F/SCI_PSF.fits" "$F/psf.fits" <<'PY'
import sys
from astropy.io import fits
d = fits.getdata(sys.argv[1])
h = fits.Header()
h["PSFX"], h["PSFY"], h["PSFFRAC"], h["PSFPHASE"] = 40.3, 30.8, 0.97, True
fits.writeto("target.fits", d, h)
ph = fits.ImageHDU(d, h, name="PHASED_PSF")
# the difference file with the HDU ph-subtract carries
f = fits.open(sys.argv[2])
f.append(ph)
f.writeto("pd.fits")
# ph-psf's file: the centred stamp, then PHASED_PSF
fits.HDUList([fits.PrimaryHDU(d), ph]).writeto("psffile.fits")
PY
  ph-decorr -q "$F/psf.fits" -o t.fits --target-psf target.fits
  ph-decorr -q "$F/psf.fits" -o plain.fits
  run ph-decorr pd.fits -o a.fits
  assert_success
  assert_output ""
  ph-decorr -q pd.fits --centred-psf -o c.fits
  ph-decorr -q "$F/psf.fits" --target-psf psffile.fits -o b.fits
  ph-decorr -q "$F/psf.fits" --science-psf psffile.fits -o s.fits
  run fitsq a.fits "
t, p = fits.open('t.fits')['DECORR_PSF'], fits.open('plain.fits')['DECORR_PSF']
h = f['DECORR_PSF'].header
assert h['PSFPHASE'] is True and h['PSFX'] == 40.3 and h['PSFFRAC'] == 0.97, h
assert f['DECORR_DIFF'].header['DCPSFPHS'] == 'HDU PHASED_PSF'
for n in ('a.fits', 'b.fits', 's.fits'):
    d = fits.open(n)['DECORR_PSF']
    assert (d.data == t.data).all() and d.header['PSFPHASE'] is True, n
c = fits.open('c.fits')['DECORR_PSF']
assert (c.data == p.data).all() and c.header['PSFPHASE'] is False
assert 'DCPSFPHS' not in fits.open('c.fits')['DECORR_DIFF'].header
print(fits.open('b.fits')['DECORR_DIFF'].header['DCPSFPHS'], fits.open('s.fits')['DECORR_DIFF'].header['DCPSFPHS'])"
  assert_success
  assert_output "psffile.fits psffile.fits[PHASED_PSF]"
  run_rejects 2 "target.fits: --target-psf and --centred-psf contradict each other; give one" ph-decorr pd.fits --centred-psf --target-psf target.fits -o u.fits
  assert_no_file u.fits
}

@test "--phrosty-dir: phrosty's files under its names, the planes of the multi-HDU file; gzip by name" {
  pypeer -c "
from astropy.io import fits
f = fits.open('$F/d.fits')
f['DIFF'].header['PH_NAME'] = 'Roman_TDS_simple_model_Y106_35198_2.fits.gz'
f['DIFF'].header['TPLNAME'] = 'Roman_TDS_simple_model_Y106_5934_3.fits.gz'
f.writeto('named.fits')"
  ph-decorr -q named.fits --phrosty-dir pd -o - > out.fits
  S=Roman_TDS_simple_model_Y106_35198_2.fits.gz T=Roman_TDS_simple_model_Y106_5934_3.fits.gz
  run ls pd
  assert_output "decorr_diff_$S-$T
decorr_psf_$S-$T
decorr_zptimg_$S-$T
diff_$S-$T
diff_var_$S-$T"
  for f in pd/*; do
    [ "$(head -c 2 "$f" | od -An -tx1 | tr -d ' ')" = 1f8b ] || fail "$f is not gzip-compressed"
  done
  run pypeer -c "
import numpy as np
from astropy.io import fits
o, i = fits.open('out.fits'), fits.open('named.fits')
for p, h in (('decorr_diff_', o['DECORR_DIFF']), ('decorr_zptimg_', o['DECORR_SCI']),
             ('diff_var_', o['DIFF_VAR']), ('decorr_psf_', o['DECORR_PSF']), ('diff_', i['DIFF'])):
    g = fits.open('pd/' + p + '$S-$T')
    print(p, len(g), np.array_equal(g[0].data, h.data), g[0].header.get('CTYPE1') == h.header.get('CTYPE1'))"
  assert_output "decorr_diff_ 1 True True
decorr_zptimg_ 1 True True
diff_var_ 1 True True
decorr_psf_ 1 True True
diff_ 1 True True"
  # names without .gz: plain FITS
  ph-decorr -q "$F/d.fits" --phrosty-dir pd2 -o o2.fits
  [ "$(head -c 6 pd2/decorr_diff_sci.fits-tpl.fits)" = SIMPLE ]
  run_rejects 2 "^ph-decorr: --phrosty-dir: - \(standard output\) cannot hold a directory of files" ph-decorr "$F/d.fits" --phrosty-dir - -o o3.fits
  assert_no_file o3.fits
}
