#!/usr/bin/env bats
# ph-subtract: cross-convolution + SFFT subtraction. Numerical truths: a
# science image made from the reference with a known spatially varying
# kernel (tests/fixtures/subtract_synth.py, checked by subtract_check.py),
# a self-subtraction with Gaussian PSFs, SFFT's NIRCam test data, and (in
# tests/unit/test_sfft.c) brute-force least squares and SFFT's own fixtures.
load helpers

FIX="$PH_TOP/tests/fixtures"

# A small scene shared by the CLI tests (delta PSFs, 200 x 180, 60 stars).
setup_file() {
  export SMALL="$BATS_FILE_TMPDIR/small"
  /usr/bin/python3 "$FIX/subtract_synth.py" "$SMALL" --nx 200 --ny 180 --nstars 60 \
    --no-poisson --seed 3
}

sub_small() {
  ph-subtract -q --science "$SMALL/sci.fits" --science-psf "$SMALL/sci_psf.fits" --template "$SMALL/ref.fits" "$@"
}

# Edit a copy of a FITS file with astropy: fedit IN OUT 'python using f (HDUList)'
fedit() {
  pypeer - "$1" "$2" "$3" <<'PY'
import sys
import numpy as np
from astropy.io import fits
f = fits.open(sys.argv[1])
exec(sys.argv[3])
f.writeto(sys.argv[2], overwrite=True)
PY
}

@test "--help shows usage, every option and an example; --version" {
  run ph-subtract --help
  assert_success
  assert_output --partial "Usage: ph-subtract"
  for o in --science --science-psf --template --template-psf --output --kernel-halfwidth --kernel-order \
           --bg-order --[no-]const-phot-ratio --kernel-grid --min-rcond --device --threads \
           --gpu-lock --gpu-slots --timing; do
    assert_output --partial -- "$o"
  done
  assert_output --partial "Example:"
  run groff -man -Tutf8 -ww -z "$PH_TOP/build/man/man1/ph-subtract.1"
  assert_success
  assert_output ""
  run ph-subtract --version
  assert_success
  assert_output --regexp "^ph-subtract \(phrosty-c\) [0-9]+\.[0-9]+"
}

@test "synthetic truth: known order-2 kernel recovered (1e-3), DIFF/sigma std 1.00+-0.03, no 5-sigma star pixel (2000 stars)" {
  /usr/bin/python3 "$FIX/subtract_synth.py" big --nx 1024 --ny 1000 --nstars 2000 --no-poisson --seed 1
  run ph-subtract --device cpu --method sfft --science big/sci.fits --science-psf big/sci_psf.fits --template big/ref.fits -o big/diff.fits
  assert_success
  run pypeer "$FIX/subtract_check.py" big/diff.fits big/truth.npz --ratio 1.1 --coef-tol 1e-3
  echo "$output"
  assert_success
  assert_output --partial "std 0.99"
}

@test "self-subtraction with Gaussian PSFs: photometric ratio 1.3 and noise-consistent DIFF" {
  /usr/bin/python3 "$FIX/subtract_synth.py" psf --scenario psf --nx 512 --ny 480 --nstars 500 --no-poisson --seed 2
  run ph-subtract --device cpu --science psf/sci.fits --science-psf psf/sci_psf.fits --template psf/ref.fits -o psf/diff.fits
  assert_success
  # smooth images leave the delta basis ill-conditioned: the coefficients
  # are not unique (no coefficient check), the difference is
  run pypeer "$FIX/subtract_check.py" psf/diff.fits psf/truth.npz --ratio 1.3 --coef-tol 1e9
  echo "$output"
  assert_success
}

@test "the output follows the Difference-file contract" {
  run sub_small --method sfft -o d.fits
  assert_success
  run pypeer - <<'PY'
import numpy as np
from astropy.io import fits
f = fits.open("d.fits")
names = [h.name for h in f]
assert names == ["PRIMARY", "DIFF", "CSCI", "CREF", "SCI_VAR", "REF_VAR", "MASK", "SCI_PSF",
                 "REF_PSF", "CONV_PSF", "MATCH_KERNEL", "KERNEL"], names
for n, t in [("DIFF", ">f8"), ("CSCI", ">f8"), ("CREF", ">f8"), ("SCI_VAR", ">f4"),
             ("REF_VAR", ">f4"), ("MASK", "uint8"), ("MATCH_KERNEL", ">f8")]:
    assert str(f[n].data.dtype) == t, (n, f[n].data.dtype)
h = f["DIFF"].header
for k in ["KERHW", "KERORDER", "BGORDER", "CONSTPHR", "NFITPIX", "KERSUM", "RCOND", "SOLVER",
          "DEVICE", "CTYPE1", "CRPIX1", "CD1_1", "FILTER", "MJD-OBS", "SKYRMS", "TPLNAME",
          "TPLID", "TPLMJD", "TPLRMS", "TPLBAND"]:
    assert k in h, k
assert h["KERHW"] == 9 and h["KERORDER"] == 2 and h["BGORDER"] == 0 and h["CONSTPHR"]
assert h["SUBMETH"] == "sfft" and h["NSTARFIX"] == 0
assert h["MJD-OBS"] == 60100 and h["TPLMJD"] == 60000 and h["TPLRMS"] == 3 and h["SKYRMS"] == 5
sci = fits.getdata("%s/sci.fits" % __import__("os").environ["SMALL"], "SCI").astype(float)
ref = fits.getdata("%s/ref.fits" % __import__("os").environ["SMALL"], "SCI").astype(float)
m = f["MASK"].data
# delta PSFs: the cross-convolved images are the inputs (NaN/BAD set to 0)
sci[~np.isfinite(sci)] = 0
assert np.allclose(f["CSCI"].data, sci, rtol=0, atol=1e-9 * abs(sci).max())
assert np.allclose(f["CREF"].data, ref, rtol=0, atol=1e-9 * abs(ref).max())
# MASK: the 24 OUTSIDE columns, 3 BAD pixels, DIFF 0 on OUTSIDE
assert (m[:, :24] & 4).all() and not (m[:, 24:] & 4).any()
assert np.count_nonzero(m & 2) == 3, np.count_nonzero(m & 2)
assert (f["DIFF"].data[:, :24] == 0).all()
assert (m & 1).sum() == h["NFITPIX"]
t = f["KERNEL"].data
assert len(t) == 2167 and list(t.columns.names) == ["TERM", "DX", "DY", "COEF", "BG", "PX", "PY"]
forb = (t["BG"] == 0) & (t["TERM"] > 0) & (t["DX"] == 0) & (t["DY"] == 0)
assert forb.sum() == 5 and (t["COEF"][forb] == 0).all()
assert t["BG"][-1] == 1 and t["DX"][-1] == -1 and t["DY"][-1] == -1
mk = f["MATCH_KERNEL"].data
assert mk.shape == (19, 19) and abs(mk.sum() - h["KERSUM"]) < 1e-12
assert abs(t["COEF"][(t["TERM"] == 0) & (t["DX"] == 0) & (t["DY"] == 0) & (t["BG"] == 0)][0] - h["KERSUM"]) < 1e-12
assert abs(f["CONV_PSF"].data.sum() - 1) < 1e-12 and f["CONV_PSF"].header["PSFNORM"]
print("ok")
PY
  echo "$output"
  assert_success
  assert_output "ok"
}

@test "the same inputs give a bit-identical file; --threads changes nothing in the data" {
  sub_small --threads 2 -o a.fits
  sub_small --threads 2 -o b.fits
  cmp a.fits b.fits
  sub_small --threads 1 -o c.fits
  run pypeer -c "
from astropy.io import fits
import numpy as np
a, c = fits.open('a.fits'), fits.open('c.fits')
assert all((a[n].data == c[n].data).all() for n in ['DIFF', 'CSCI', 'CREF', 'MATCH_KERNEL'])
print(c['DIFF'].header['DEVICE'])"
  assert_success
  assert_output "cpu (FFTW, 1 thread)"
}

@test "threads default to the allotment: affinity (taskset), OMP_NUM_THREADS, SLURM_CPUS_PER_TASK; -j wins" {
  command -v taskset >/dev/null || skip "taskset is not installed"
  [ "$(taskset -c 0,1 nproc 2>/dev/null)" = 2 ] || skip "needs two CPUs to tell 1 from the machine's"
  device() { pypeer -c "from astropy.io import fits; print(fits.getheader('$1', 'DIFF')['DEVICE'])"; }
  taskset -c 0,1 env -u OMP_NUM_THREADS -u SLURM_CPUS_PER_TASK ph-subtract -q --device cpu \
    --science "$SMALL/sci.fits" --science-psf "$SMALL/sci_psf.fits" --template "$SMALL/ref.fits" -o two.fits
  run device two.fits
  assert_output "cpu (FFTW, 2 threads)"
  taskset -c 0 env -u OMP_NUM_THREADS -u SLURM_CPUS_PER_TASK ph-subtract -q --device cpu \
    --science "$SMALL/sci.fits" --science-psf "$SMALL/sci_psf.fits" --template "$SMALL/ref.fits" -o one.fits
  run device one.fits
  assert_output "cpu (FFTW, 1 thread)"
  for v in OMP_NUM_THREADS SLURM_CPUS_PER_TASK; do
    taskset -c 0,1 env $v=1 ph-subtract -q --device cpu --science "$SMALL/sci.fits" \
      --science-psf "$SMALL/sci_psf.fits" --template "$SMALL/ref.fits" -o env.fits
    run device env.fits
    assert_output "cpu (FFTW, 1 thread)"
  done
  taskset -c 0 ph-subtract -q --device cpu -j 2 --science "$SMALL/sci.fits" \
    --science-psf "$SMALL/sci_psf.fits" --template "$SMALL/ref.fits" -o j2.fits
  run device j2.fits
  assert_output "cpu (FFTW, 2 threads)"
  # ph-config cpus says what every tool takes, and why
  run taskset -c 0 ph-config cpus
  assert_output "1"
  run taskset -c 0,1 env OMP_NUM_THREADS=1 ph-config -v cpus
  assert_line "1"
  assert_output --partial "affinity 2, cgroup quota"
  assert_output --partial "OMP_NUM_THREADS 1"
}

@test "--kernel-halfwidth, --kernel-order, --bg-order, --const-phot-ratio, --kernel-grid" {
  run sub_small --kernel-halfwidth 4 --kernel-order 1 --bg-order 1 --no-const-phot-ratio \
    --kernel-grid 3 -o d.fits
  assert_success
  run pypeer -c "
from astropy.io import fits
f = fits.open('d.fits')
h, t = f['DIFF'].header, f['KERNEL'].data
print(h['KERHW'], h['KERORDER'], h['BGORDER'], h['CONSTPHR'], len(t), h['NUNKNOWN'],
      f['MATCH_KERNEL'].data.shape, f['KERNEL_GRID'].data.shape, f['KERNEL_GRID'].header['KGRIDN'])"
  assert_success
  # 3 terms x 81 shifts + 3 background terms, nothing forbidden
  assert_output "4 1 1 False 246 246 (9, 9) (27, 27) 3"
}

@test "the kernel order comes from phrosty's config key; the command line wins" {
  printf 'photometry:\n  phrosty:\n    kerpolyorder: 1\nph:\n  subtract:\n    kernel_halfwidth: 5\n' > cfg.yaml
  run sub_small --method sfft -c cfg.yaml -o d.fits
  assert_success
  run pypeer -c "from astropy.io import fits; h = fits.getheader('d.fits', 'DIFF'); print(h['KERORDER'], h['KERHW'])"
  assert_output "1 5"
  run sub_small --method sfft -c cfg.yaml --kernel-order 0 -o d.fits
  run pypeer -c "from astropy.io import fits; print(fits.getheader('d.fits', 'DIFF')['KERORDER'])"
  assert_output "0"
  # phrosty's kerpolyorder is its SFFT kernel's: the psf method keeps order 0 unless told
  run sub_small -c cfg.yaml -o d.fits
  run pypeer -c "from astropy.io import fits; h = fits.getheader('d.fits', 'DIFF'); print(h['SUBMETH'], h['KERORDER'], h['KERHW'])"
  assert_output "psf 0 5"
  run sub_small -c cfg.yaml --kernel-order 1 -o d.fits
  run pypeer -c "from astropy.io import fits; print(fits.getheader('d.fits', 'DIFF')['KERORDER'])"
  assert_output "1"
}

@test "--science-psf defaults to the science PSF HDU; --template-psf overrides the PSF HDU" {
  fedit "$SMALL/sci.fits" sci.fits "f.append(fits.ImageHDU(fits.getdata('$SMALL/sci_psf.fits'), name='PSF'))"
  run ph-subtract -q --science sci.fits --template "$SMALL/ref.fits" -o a.fits
  assert_success
  run ph-subtract -q --science sci.fits --template "$SMALL/ref.fits" --template-psf "$SMALL/sci_psf.fits" -o b.fits
  assert_success
  run pypeer -c "
from astropy.io import fits
print(fits.getheader('a.fits', 'DIFF')['SCIPSF'], fits.getheader('b.fits', 'DIFF')['REFPSF'])"
  assert_output "sci.fits sci_psf.fits"
}

@test "--device: cpu runs on the CPU; auto falls back with one notice; gpu without a GPU is an error" {
  run sub_small --device cpu -o a.fits
  assert_success
  assert_output ""
  if ph-subtract -q --device gpu --science "$SMALL/sci.fits" --science-psf "$SMALL/sci_psf.fits" --template "$SMALL/ref.fits" -o g.fits 2>/dev/null; then
    skip "a GPU is usable here: the fallback cannot be tested"
  fi
  run ph-subtract --device auto --science "$SMALL/sci.fits" --science-psf "$SMALL/sci_psf.fits" --template "$SMALL/ref.fits" -o b.fits
  assert_success
  assert_output --regexp "^ph-subtract: no usable GPU \(.*\); running on the CPU$"
  run_rejects 1 "^ph-subtract: --device gpu: no usable GPU: " sub_small --device gpu -o c.fits
  assert_no_file c.fits
  run_rejects 2 "^ph-subtract: --device: 'tpu' is not one of auto\|cpu\|gpu$" sub_small --device tpu -o c.fits
}

@test "CPU and GPU agree to 1e-10 on DIFF (needs a GPU)" {
  if ! ph-subtract -q --device gpu --science "$SMALL/sci.fits" --science-psf "$SMALL/sci_psf.fits" --template "$SMALL/ref.fits" -o g0.fits 2>/dev/null; then
    skip "no usable GPU here (ph-subtract --device gpu fails)"
  fi
  /usr/bin/python3 "$FIX/subtract_synth.py" big --nx 1024 --ny 1000 --nstars 2000 --scenario psf --seed 4
  ph-subtract -q --device cpu --science big/sci.fits --science-psf big/sci_psf.fits --template big/ref.fits -o cpu.fits
  ph-subtract -q --device gpu --gpu-lock none --science big/sci.fits --science-psf big/sci_psf.fits --template big/ref.fits -o gpu.fits
  run pypeer -c "
from astropy.io import fits
import numpy as np
c, g = fits.open('cpu.fits'), fits.open('gpu.fits')
s = np.abs(c['CSCI'].data).max()
for n in ['DIFF', 'CSCI', 'CREF']:
    e = np.abs(c[n].data - g[n].data).max() / s
    print(n, e)
    assert e < 1e-10, n
assert g['DIFF'].header['DEVICE'].startswith('gpu')"
  echo "$output"
  assert_success
}

@test "the GPU lock options are accepted; the lock is taken only on the GPU" {
  run sub_small --device cpu --gpu-lock "$BATS_TEST_TMPDIR/lk" --gpu-slots 2 -o a.fits
  assert_success
  assert_no_file "$BATS_TEST_TMPDIR/lk.0"
  run_rejects 2 "^ph-subtract: --gpu-slots: 0 is out of range \[1, 64\]$" sub_small --gpu-slots 0 -o a.fits
}

@test "--timing prints the steps; -v reports the fit" {
  run sub_small --timing -o d.fits
  assert_success
  for s in read setup crossconv fit difference write total; do
    assert_output --regexp "timing ph-subtract $s [0-9.]+"
  done
  run ph-subtract -v --device cpu --method sfft --science "$SMALL/sci.fits" --science-psf "$SMALL/sci_psf.fits" --template "$SMALL/ref.fits" -o d.fits
  assert_output --regexp "fitting pixels"
  assert_output --regexp "SFFT: 2162 unknowns, reciprocal condition"
  run ph-subtract -v --device cpu --sci "$SMALL/sci.fits" --sci-psf "$SMALL/sci_psf.fits" --ref "$SMALL/ref.fits" -o d.fits
  assert_output --regexp "SFFT: 362 unknowns, reciprocal condition"
  refute_output --partial "kerpolyorder"
}

@test "usage errors exit 2 with one line" {
  run_rejects 2 "^ph-subtract: --science, --template and -o are required" ph-subtract --template "$SMALL/ref.fits" -o d.fits
  run_rejects 2 "unexpected argument 'extra'" ph-subtract --science "$SMALL/sci.fits" --template "$SMALL/ref.fits" -o d.fits extra
  run_rejects 2 "^ph-subtract: --kernel-order: 11 is out of range \[0, 10\]$" sub_small --kernel-order 11 -o d.fits
  run_rejects 2 "^ph-subtract: --kernel-halfwidth: 'x' is not a whole number$" sub_small --kernel-halfwidth x -o d.fits
  run_rejects 2 "not true or false" sub_small --const-phot-ratio=maybe -o d.fits
  run sub_small --min-rcond 2 -o d.fits
  assert_failure 2
  run_rejects 2 "unknown or needs a value" sub_small --nope -o d.fits
  assert_no_file d.fits
}

@test "bad data: missing file, truncated FITS, missing HDU, no PSF" {
  run_rejects 1 "^ph-subtract: nothere.fits: cannot open" ph-subtract -q --science nothere.fits --science-psf "$SMALL/sci_psf.fits" --template "$SMALL/ref.fits" -o d.fits
  head -c 20000 "$SMALL/ref.fits" > trunc.fits
  run_rejects 1 "^ph-subtract: trunc.fits: .*(truncated|corrupt)" ph-subtract -q --science "$SMALL/sci.fits" --science-psf "$SMALL/sci_psf.fits" --template trunc.fits -o d.fits
  fedit "$SMALL/ref.fits" novar.fits "del f['VAR']"
  run_rejects 1 "^ph-subtract: novar.fits: no HDU named VAR$" ph-subtract -q --science "$SMALL/sci.fits" --science-psf "$SMALL/sci_psf.fits" --template novar.fits -o d.fits
  fedit "$SMALL/ref.fits" nopsf.fits "del f['PSF']"
  run_rejects 2 "^ph-subtract: nopsf.fits: no PSF HDU .*give --template-psf$" ph-subtract -q --science "$SMALL/sci.fits" --science-psf "$SMALL/sci_psf.fits" --template nopsf.fits -o d.fits
  run_rejects 2 "^ph-subtract: .*sci.fits: no PSF HDU: give the science PSF with --science-psf$" ph-subtract -q --science "$SMALL/sci.fits" --template "$SMALL/ref.fits" -o d.fits
  assert_no_file d.fits
}

@test "mismatched grids, mismatched WCS, band mismatch" {
  fedit "$SMALL/ref.fits" small.fits "
for n in ['SCI', 'VAR', 'MASK']: f[n].data = f[n].data[:170]"
  run_rejects 1 "^ph-subtract: small.fits: mismatched grids: the reference is 200x170 but the science image is 200x180; resample it onto the science grid with ph-align$" ph-subtract -q --science "$SMALL/sci.fits" --science-psf "$SMALL/sci_psf.fits" --template small.fits -o d.fits
  fedit "$SMALL/ref.fits" shifted.fits "f['SCI'].header['CRPIX1'] += 0.5"
  run_rejects 1 "^ph-subtract: shifted.fits: not on the science pixel grid: science pixel \(0.0, 0.0\) is at \(0.500, -?0.000\) here" ph-subtract -q --science "$SMALL/sci.fits" --science-psf "$SMALL/sci_psf.fits" --template shifted.fits -o d.fits
  fedit "$SMALL/ref.fits" nowcs.fits "
for k in ['CTYPE1', 'CTYPE2']: del f['SCI'].header[k]"
  run_rejects 1 "^ph-subtract: nowcs.fits: no WCS \(CTYPE1/CTYPE2\) while the other image has one" ph-subtract -q --science "$SMALL/sci.fits" --science-psf "$SMALL/sci_psf.fits" --template nowcs.fits -o d.fits
  fedit "$SMALL/ref.fits" band.fits "f['SCI'].header['FILTER'] = 'J129'"
  run_rejects 1 "^ph-subtract: band.fits: band J129 differs from the science image's Y106$" ph-subtract -q --science "$SMALL/sci.fits" --science-psf "$SMALL/sci_psf.fits" --template band.fits -o d.fits
  assert_no_file d.fits
}

@test "NaN in an unmasked pixel is an error; NaN in a BAD pixel is not" {
  fedit "$SMALL/sci.fits" nan.fits "f['SCI'].data[10, 20] = np.nan"
  run_rejects 1 "^ph-subtract: nan.fits: SCI is NaN at pixel \(20, 10\) \(0-based x, y\) but MASK does not flag it BAD or OUTSIDE$" ph-subtract -q --science nan.fits --science-psf "$SMALL/sci_psf.fits" --template "$SMALL/ref.fits" -o d.fits
  fedit "$SMALL/ref.fits" vnan.fits "f['VAR'].data[11, 30] = np.inf"
  run_rejects 1 "^ph-subtract: vnan.fits: VAR is infinite at pixel \(30, 11\)" ph-subtract -q --science "$SMALL/sci.fits" --science-psf "$SMALL/sci_psf.fits" --template vnan.fits -o d.fits
  fedit "$SMALL/sci.fits" nanbad.fits "f['SCI'].data[10, 20] = np.nan; f['MASK'].data[10, 20] = 2"
  run ph-subtract -q --science nanbad.fits --science-psf "$SMALL/sci_psf.fits" --template "$SMALL/ref.fits" -o d.fits
  assert_success
  assert_no_file nothing
}

@test "empty fitting mask and a singular system are errors" {
  fedit "$SMALL/sci.fits" nodet.fits "f['MASK'].data &= 6"
  run_rejects 1 "^ph-subtract: the fitting mask is empty: no pixel is DETECTED in both images" ph-subtract -q --method sfft --science nodet.fits --science-psf "$SMALL/sci_psf.fits" --template "$SMALL/ref.fits" -o d.fits
  # the psf method fits every good pixel: empty when every one is BAD (or near one)
  fedit "$SMALL/sci.fits" allbad.fits "f['MASK'].data[::20, ::20] |= 2"
  run_rejects 1 "^ph-subtract: the fitting mask is empty: every pixel is BAD or OUTSIDE in one of the images, or within 13 px of such a pixel or of the border" ph-subtract -q --sci allbad.fits --sci-psf "$SMALL/sci_psf.fits" --ref "$SMALL/ref.fits" -o d.fits
  # one detected pixel cannot constrain 2162 unknowns
  fedit "$SMALL/sci.fits" onedet.fits "
r = fits.getdata('$SMALL/ref.fits', 'MASK'); y, x = np.argwhere(r & 1)[0]
f['MASK'].data &= 6; f['MASK'].data[y, x] |= 1"
  run_rejects 1 "^ph-subtract: the SFFT system is singular" ph-subtract -q --method sfft --science onedet.fits --science-psf "$SMALL/sci_psf.fits" --template "$SMALL/ref.fits" -o d.fits
  run_rejects 1 "^ph-subtract: the SFFT system is singular \(reciprocal condition .* < 0.5\)" sub_small --min-rcond 0.5 -o d.fits
  assert_no_file d.fits
}

@test "even-size PSF, PSF larger than the image, image too small for the kernel" {
  pypeer -c "
from astropy.io import fits; import numpy as np
fits.PrimaryHDU(np.ones((4, 4))).writeto('even.fits')
fits.PrimaryHDU(np.ones((201, 201))).writeto('huge.fits')"
  run_rejects 1 "^ph-subtract: even.fits: PSF has even size 4; it must be odd" ph-subtract -q --science "$SMALL/sci.fits" --science-psf even.fits --template "$SMALL/ref.fits" -o d.fits
  run_rejects 1 "^ph-subtract: huge.fits: the PSF \(201 px\) is larger than the image$" ph-subtract -q --science "$SMALL/sci.fits" --science-psf huge.fits --template "$SMALL/ref.fits" -o d.fits
  run_rejects 1 "sci.fits: the image is 200x180; a kernel of half-width 45 needs at least 182x182$" sub_small --kernel-halfwidth 45 -o d.fits
  assert_no_file d.fits
}

@test "JWST NIRCam (sfft-nircam): ph-import + ph-subtract, the fit converges (the SNR map: tests/e2e/nircam.bats)" {
  need_shared sfft-nircam
  N="$PH_SHARED_DATA/sfft-nircam"
  R=jw01324001001-01324-o001_t001_nircam_clear-f200w_i2d_stamp
  S=jw02561001002-02561-o001_t003_nircam_clear-f200w_i2d_stamp
  # Recorded parameters: SFFT's notebook used GKerHW 11 (its B-spline
  # variant); here the polynomial flow phrosty runs with w 11, order 2,
  # background 0, constant photometric ratio; SFFT's fit mask as the
  # detection mask of both images; the ERR maps as noise; WebbPSF models.
  ph-import -q "$N/input_data/$R.fits" --noise "$N/auxiliary/$R.noise.fits" \
    --detmask "$N/auxiliary/$S.mask4sfft.fits" --psf "$N/auxiliary/$R.WebbPSF.fits" -o ref.fits
  ph-import -q "$N/input_data/$S.fits" --noise "$N/auxiliary/$S.noise.fits" \
    --detmask "$N/auxiliary/$S.mask4sfft.fits" --psf "$N/auxiliary/$S.WebbPSF.fits" \
    --psf-out sci_psf.fits -o sci.fits
  run ph-subtract -v --device cpu --method sfft --kernel-halfwidth 11 --kernel-order 2 --bg-order 0 \
    --science sci.fits --science-psf sci_psf.fits --template ref.fits -o diff.fits
  echo "$output"
  assert_success
  assert_output --partial "102910 fitting pixels"
  # residual rms at unmasked, undetected pixels vs the propagated noise
  run pypeer -c "
from astropy.io import fits; import numpy as np
f = fits.open('diff.fits')
d, m = f['DIFF'].data, f['MASK'].data
v = f['SCI_VAR'].data + f['DIFF'].header['KERSUM'] ** 2 * f['REF_VAR'].data
sel = (m == 0); sel[:30] = sel[-30:] = False; sel[:, :30] = sel[:, -30:] = False
k = d[sel] / np.sqrt(v[sel])
q1, q3 = np.percentile(k, [25, 75])
print('KERSUM %.4f undecorrelated z-IQR-sigma %.3f' % (f['DIFF'].header['KERSUM'], (q3 - q1) / 1.349))
assert abs(f['DIFF'].header['KERSUM'] - 1) < 0.01
assert 0.2 < (q3 - q1) / 1.349 < 1.2"
  echo "$output"
  assert_success
}

@test "--ra/--dec keep the transient's circle out of the fit (EXCLX/EXCLY/EXCLR); --exclude-radius 0 is phrosty's fit" {
  # one fit (--clip 0): the outliers a second fit leaves out would differ
  sub_small --clip 0 -o a.fits
  sub_small --clip 0 --ra 7.5 --dec -44.0 --exclude-radius 12 -o b.fits
  sub_small --clip 0 --ra 7.5 --dec -44.0 --exclude-radius 0 -o c.fits
  run pypeer - <<'PY'
import numpy as np
from astropy.io import fits
a, b, c = (fits.open(f) for f in ("a.fits", "b.fits", "c.fits"))
hb = b["DIFF"].header
# the synthetic WCS puts RA 7.5, Dec -44 at the centre of CRPIX: 0-based (99.5, 89.5)
assert abs(hb["EXCLX"] - 99.5) < 1e-6 and abs(hb["EXCLY"] - 89.5) < 1e-6, (hb["EXCLX"], hb["EXCLY"])
assert hb["EXCLR"] == 12
y, x = np.mgrid[:180, :200]
inside = (x - 99.5) ** 2 + (y - 89.5) ** 2 <= 144
fa, fb = (a["MASK"].data & 1) > 0, (b["MASK"].data & 1) > 0
assert fa[inside].sum() > 0, "no fitting pixel in the circle: the test proves nothing"
assert not fb[inside].any()
assert (fa[~inside] == fb[~inside]).all()
assert a["DIFF"].header["NFITPIX"] - hb["NFITPIX"] == fa[inside].sum()
assert "EXCLR" not in c["DIFF"].header
assert c["DIFF"].header["NFITPIX"] == a["DIFF"].header["NFITPIX"]
assert np.array_equal(a["DIFF"].data, c["DIFF"].data)
PY
  assert_success
  run_rejects 2 "^ph-subtract: --ra and --dec go together$" sub_small --ra 7.5 -o d.fits
  run_rejects 2 "exclude-radius" sub_small --ra 7.5 --dec -44 --exclude-radius -1 -o d.fits
  assert_no_file d.fits
}

@test "PHASED_PSF of the --science-psf file (ph-psf's) is carried into the difference file; one warning when it was drawn elsewhere" {
  fedit "$SMALL/sci_psf.fits" psf.fits '
d = f[0].data.copy()
h = fits.Header()
h["PSFX"], h["PSFY"], h["PSFPHASE"], h["PSFFRAC"] = 99.5, 89.5, True, 0.98
f.append(fits.ImageHDU(d[::-1], h, name="PHASED_PSF"))'
  fedit psf.fits far.fits 'f["PHASED_PSF"].header["PSFX"] = 60.0'
  run ph-subtract --science "$SMALL/sci.fits" --science-psf psf.fits --template "$SMALL/ref.fits" --ra 7.5 --dec -44.0 -o d.fits --device cpu
  assert_success
  assert_output ""
  sub_small -o plain.fits
  run pypeer - <<'PY'
import numpy as np
from astropy.io import fits
d, p, s = fits.open("d.fits"), fits.open("plain.fits"), fits.open("psf.fits")
assert "PHASED_PSF" not in [h.name for h in p]
names = [h.name for h in d]
assert names.index("PHASED_PSF") == names.index("CONV_PSF") + 1, names
h = d["PHASED_PSF"].header
assert (d["PHASED_PSF"].data == s["PHASED_PSF"].data).all()
assert h["PSFX"] == 99.5 and h["PSFPHASE"] is True and h["PSFFRAC"] == 0.98
assert (d["SCI_PSF"].data == s[0].data).all()
PY
  assert_success
  run ph-subtract --science "$SMALL/sci.fits" --science-psf far.fits --template "$SMALL/ref.fits" --ra 7.5 --dec -44.0 -o e.fits --device cpu
  assert_success
  assert_output --regexp "^ph-subtract: warning: far.fits: PHASED_PSF was drawn at pixel \(60.000, 89.500\) but the transient is at \(99.500, 89.500\): make the science PSF at --ra/--dec$"
  [ "${#lines[@]}" -eq 1 ]
}
