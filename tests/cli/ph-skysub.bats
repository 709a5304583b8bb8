#!/usr/bin/env bats
# ph-skysub: phrosty's sky subtraction and detection mask, checked against
# the peers phrosty runs (Debian's source-extractor and python3-sep), on
# generated scenes and on a real frame, plus the CLI, every option and
# every error.
load helpers

FIX="$PH_TOP/tests/fixtures/skysub"

setup_file() {
  cd "$BATS_FILE_TMPDIR" || return 1
  # An OpenUniverse2024-like frame (SCI float64, ERR = sky image, DQ) and
  # a single-HDU float32 frame; seconds to make.
  /usr/bin/python3 "$PH_TOP/tests/fixtures/skysub/scene.py" ou.fits --size 384 --nstars 40 \
      --ngal 60 --nblend 8 --seed 2 --flag-box --nan-box
  /usr/bin/python3 "$PH_TOP/tests/fixtures/skysub/scene.py" single.fits --size 256 --nstars 20 \
      --ngal 30 --nblend 4 --seed 4 --layout single
}

# Value of header key $2 in HDU $3 (default SCI) of $1.
key() {
  pypeer -c "from astropy.io import fits; print(fits.getheader('$1', '${3:-SCI}')['$2'])"
}

@test "--help lists every option and an example; --version" {
  run ph-skysub --help
  assert_success
  for o in --output --hdu --noise-hdu --flags-hdu --back-size --back-filtersize \
           --detect-thresh --detect-minarea --deblend-nthresh --deblend-mincont --[no-]clean \
           --clean-param --radius-cut --dilate --saturation --variance --gain --read-noise \
           --check-images --set --timing; do
    assert_output --partial -- "$o"
  done
  assert_output --partial "Example:"
  run ph-skysub --version
  assert_success
  assert_output --regexp "^ph-skysub \(phrosty-c\) [0-9]+\.[0-9]+\.[0-9]+"
}

@test "man page renders without warnings and states the memory" {
  run bash -c "groff -man -Tutf8 -ww -z '$PH_TOP/build/man/man1/ph-skysub.1' 2>&1"
  assert_success
  assert_output ""
  run man -P cat ph-skysub
  assert_success
  for s in NAME SYNOPSIS DESCRIPTION OPTIONS "EXIT STATUS" EXAMPLES MEMORY "SEE ALSO"; do
    assert_output --partial "$s"
  done
  assert_output --regexp "4088.4088"
}

@test "OpenUniverse2024 frame: ph image with SCI, VAR, MASK and phrosty's keys" {
  run ph-skysub -o out.fits "$BATS_FILE_TMPDIR/ou.fits"
  assert_success
  assert_output ""
  run pypeer - <<'PY'
from astropy.io import fits
import numpy as np
h = fits.open("out.fits")
assert [x.name for x in h] == ["PRIMARY", "SCI", "VAR", "MASK"], [x.name for x in h]
assert h["SCI"].data.dtype == np.dtype(">f4") and h["VAR"].data.dtype == np.dtype(">f4")
assert h["MASK"].data.dtype == np.uint8
s = h["SCI"].header
for k in ("SKYRMS", "SKYLEVEL", "SKYDIP", "SKYPEAK", "BACKSIZE", "BACKFILT", "DETTHRSH",
          "DETMINAR", "DEBNTHR", "DEBMINC", "RADCUT", "NDILATE", "NOBJ", "NOBJMASK", "VARTYPE",
          "FILTER", "MJD-OBS", "PH_NAME", "GAIN", "RDNOISE"):
    assert k in s, k
assert s["VARTYPE"] == "physical" and s["BACKSIZE"] == 64 and s["RADCUT"] == 2.0
assert s["FILTER"] == "Y106" and s["PH_NAME"] == "ou.fits"
assert 12.5 < s["SKYRMS"] < 14.5 and 105 < s["SKYLEVEL"] < 120  # sqrt(112 + 8.5^2) = 13.6
assert s["SKYDIP"] < s["SKYLEVEL"] < s["SKYPEAK"]
m = h["MASK"].data
assert set(np.unique(m)) <= {0, 1, 2, 3}
assert (m & 1).any() and ((m & 2) > 0).sum() == 20 * 30 + 10 * 10  # NaN box + DQ box
print("ok")
PY
  assert_success
  assert_output "ok"
}

@test "variance: physical by default, phrosty's ERR^2, model, gain and read noise" {
  in="$BATS_FILE_TMPDIR/ou.fits"
  run ph-skysub -q -o phys.fits "$in"
  assert_success
  run ph-skysub -q -o err.fits --variance phrosty "$in"
  assert_success
  run ph-skysub -q -o gn.fits --gain 2 --read-noise 5 "$in"
  assert_success
  run ph-skysub -q -o mod.fits --variance model "$in"
  assert_success
  run pypeer - "$in" <<'PY'
import sys
from astropy.io import fits
import numpy as np
raw = fits.getdata(sys.argv[1], "SCI").astype(np.float32)
err = fits.getdata(sys.argv[1], "ERR").astype(np.float32)
ok = np.isfinite(raw)
v = fits.getdata("phys.fits", "VAR")
assert np.allclose(v[ok], np.maximum(raw[ok], 0) + 8.5**2, rtol=1e-6), "physical"
assert (v[~ok] == 0).all()
assert fits.getheader("err.fits", "SCI")["VARTYPE"] == "noise^2"
assert np.allclose(fits.getdata("err.fits", "VAR")[ok], err[ok] ** 2, rtol=1e-6), "ERR^2"
v = fits.getdata("gn.fits", "VAR")
assert np.allclose(v[ok], np.maximum(raw[ok], 0) / 2 + (5 / 2) ** 2, rtol=1e-6), "gain"
h = fits.getheader("mod.fits", "SCI")
assert h["VARTYPE"] == "rms^2+poisson", h["VARTYPE"]  # OpenUniverse2024: gain 1
print("ok")
PY
  assert_output "ok"
}

@test "single-HDU frame: model variance without a gain, then with --gain" {
  run ph-skysub -v -o s.fits "$BATS_FILE_TMPDIR/single.fits"
  assert_success
  assert_output --partial "no GAIN: VAR is the sky rms squared"
  run key s.fits VARTYPE
  assert_output "rms^2"
  run ph-skysub -q -o s2.fits --gain 4 "$BATS_FILE_TMPDIR/single.fits"
  run key s2.fits VARTYPE
  assert_output "rms^2+poisson"
}

@test "agreement with SExtractor and SEP on a generated scene" {
  command -v source-extractor >/dev/null || skip "source-extractor not installed"
  pypeer -c "import sep" 2>/dev/null || skip "python3-sep not installed"
  pypeer "$FIX/scene.py" scene.fits --size 1024 --nstars 250 --ngal 500 --nblend 60 --seed 11
  run ph-skysub -q -o out.fits --check-images chk scene.fits
  assert_success
  run pypeer "$FIX/peers.py" scene.fits out.fits chk out --require seg_iou=0.98 \
      --require detmask_iou=0.95 --require back_dev=0.02 --require rms_dev=0.02 \
      --require skyrms_dev=0.01 --require r50_agree=0.99 --margin 0
  echo "$output"
  assert_success
}

@test "agreement with SExtractor and SEP on a real frame (SEP's test image)" {
  need_shared sep-sextractor/image.fits
  command -v source-extractor >/dev/null || skip "source-extractor not installed"
  pypeer -c "import sep" 2>/dev/null || skip "python3-sep not installed"
  run ph-skysub -q -o out.fits --check-images chk "$PH_SHARED_DATA/sep-sextractor/image.fits"
  assert_success
  run pypeer -W ignore "$FIX/peers.py" "$PH_SHARED_DATA/sep-sextractor/image.fits" out.fits chk out \
      --require seg_iou=0.98 --require detmask_iou=0.95 --require back_dev=0.02 \
      --require rms_dev=0.02 --require skyrms_dev=0.01 --margin 0
  echo "$output"
  assert_success
}

@test "real frame with SEP's default.sex: SExtractor's catalogue, object for object" {
  need_shared sep-sextractor/image.cat
  # default.sex there: DEBLEND_MINCONT 1.0 (no deblending), the same filter
  run ph-skysub -q -o out.fits --deblend-mincont 1 --check-images chk \
      "$PH_SHARED_DATA/sep-sextractor/image.fits"
  assert_success
  run pypeer - "$PH_SHARED_DATA/sep-sextractor/image.cat" <<'PY'
import sys
import numpy as np
cat = np.loadtxt(sys.argv[1])
ours = np.genfromtxt("chk/out_cat.csv", delimiter=",", names=True, dtype=None, encoding="ascii")
assert len(ours) == len(cat), (len(ours), len(cat))
d = np.hypot(cat[:, 1][:, None] - ours["x_image"][None, :],
             cat[:, 2][:, None] - ours["y_image"][None, :])
assert d.min(1).max() < 0.01 and d.min(0).max() < 0.01, d.min(1).max()
print("ok", len(cat))
PY
  assert_output "ok 65"
}

@test "phrosty's own test: N(100, 10^2) 512x512 from numpy's default_rng(42)" {
  pypeer -c "
import numpy as np
from astropy.io import fits
fits.PrimaryHDU(np.random.default_rng(42).normal(100, 10, (512, 512))).writeto('g.fits')"
  run ph-skysub -q -o g_out.fits g.fits
  assert_success
  run pypeer - <<'PY'
from astropy.io import fits
import numpy as np
h = fits.open("g_out.fits")
rms = h["SCI"].header["SKYRMS"]
d = h["SCI"].data.astype(np.float64)
assert abs(rms - 10) <= 0.2, rms
assert abs(d.mean()) <= 5 * 10 / 512, d.mean()
assert abs(d.std() / 10 - 1) <= 0.05, d.std()
try:
    import sep
    b = sep.Background(fits.getdata("g.fits").astype(np.float64), bw=64, bh=64, fw=3, fh=3)
    assert abs(rms / np.median(b.rms()) - 1) < 1e-4, (rms, np.median(b.rms()))
except ImportError:
    pass
print("ok %.3f" % rms)
PY
  assert_success
  assert_output --regexp "^ok 9\.8"
}

@test ".fits.gz input gives the same planes; threefile layout; --hdu choices" {
  gzip -c "$BATS_FILE_TMPDIR/ou.fits" > ou.fits.gz
  run ph-skysub -q -o a.fits "$BATS_FILE_TMPDIR/ou.fits"
  assert_success
  run ph-skysub -q -o b.fits ou.fits.gz
  assert_success
  run key b.fits PH_NAME
  assert_output "ou.fits.gz"
  # threefile: PATH_image.fits, PATH_noise.fits, PATH_flags.fits
  pypeer -c "
from astropy.io import fits
h = fits.open('$BATS_FILE_TMPDIR/ou.fits')
fits.PrimaryHDU(h['SCI'].data, h['SCI'].header).writeto('tf_image.fits')
fits.PrimaryHDU(h['ERR'].data).writeto('tf_noise.fits')
fits.PrimaryHDU(h['DQ'].data).writeto('tf_flags.fits')"
  run ph-skysub -q -o c.fits --variance phrosty tf
  assert_success
  # any FITS: the planes chosen by HDU
  run ph-skysub -q -o d.fits --hdu 1 --noise-hdu ERR --flags-hdu 3 --variance noise \
      "$BATS_FILE_TMPDIR/ou.fits"
  assert_success
  run ph-skysub -q -o e.fits --flags-hdu none "$BATS_FILE_TMPDIR/ou.fits"
  assert_success
  run pypeer - <<'PY'
from astropy.io import fits
import numpy as np
a, b, c, d, e = (fits.open(f) for f in ("a.fits", "b.fits", "c.fits", "d.fits", "e.fits"))
for x in ("SCI", "VAR", "MASK"):
    assert np.array_equal(a[x].data, b[x].data), x
    assert np.array_equal(a[x].data, c[x].data) or x == "VAR", x
    assert np.array_equal(c[x].data, d[x].data), x
assert c["SCI"].header["VARTYPE"] == "noise^2"
assert ((a["MASK"].data & 2) > 0).sum() == ((e["MASK"].data & 2) > 0).sum() + 100
print("ok")
PY
  assert_output "ok"
}

@test "saturation: SATURATE key or --saturation, BAD and detected; none disables" {
  pypeer "$FIX/scene.py" sat.fits --size 256 --nstars 30 --ngal 10 --nblend 0 --seed 5 \
      --saturate 3000
  run ph-skysub -q -o s1.fits --check-images chk sat.fits
  assert_success
  run ph-skysub -q -o s2.fits --saturation 1500 sat.fits
  assert_success
  run ph-skysub -q -o s3.fits --saturation none sat.fits
  assert_success
  run pypeer - <<'PY'
from astropy.io import fits
import numpy as np
raw = fits.getdata("sat.fits", "SCI")
h1, h2, h3 = (fits.open(f) for f in ("s1.fits", "s2.fits", "s3.fits"))
bad = lambda h: (h["MASK"].data & 2) > 0
assert h1["SCI"].header["SATLEVEL"] == 3000 and "ESATUR" in h1["SCI"].header
assert bad(h1)[raw >= 3000].all() and bad(h1).sum() == (raw >= 3000).sum() > 0
assert bad(h2).sum() == (raw >= 1500).sum() > bad(h1).sum()
assert bad(h3).sum() == 0 and "SATLEVEL" not in h3["SCI"].header
assert (fits.getdata("chk/s1_seg.fits")[raw >= 3000] > 0).all()  # counted as detected
print("ok")
PY
  assert_output "ok"
}

@test "every detection and mask option changes what it should" {
  in="$BATS_FILE_TMPDIR/ou.fits"
  opts=("" "--back-size 32" "--back-filtersize 1" "--detect-thresh 3" "--detect-minarea 12"
        "--deblend-nthresh 1" "--deblend-mincont 0.5" "--no-clean" "--clean-param 3"
        "--radius-cut 1" "--radius-cut none" "--dilate 0")
  for i in "${!opts[@]}"; do
    run ph-skysub -q -o "opt$i.fits" ${opts[$i]} "$in"
    assert_success
  done
  run pypeer - "${#opts[@]}" <<'PY'
import sys
from astropy.io import fits
for i in range(int(sys.argv[1])):
    h = fits.getheader("opt%d.fits" % i, "SCI")
    print(h["NOBJ"], h["NOBJMASK"], h["DETMFRAC"], h["SKYRMS"], h["RADCUT"], h["NDILATE"])
PY
  assert_success
  base=${lines[0]}
  for i in $(seq 1 $((${#opts[@]} - 1))); do
    [ "${lines[$i]}" != "$base" ] || fail "${opts[$i]} changed nothing (${lines[$i]})"
  done
  [[ ${lines[10]} == *" none 2" ]] || fail "--radius-cut none: ${lines[10]}"
  [[ ${lines[11]} == *" 0" ]] || fail "--dilate 0: ${lines[11]}"
}

@test "YAML null is phrosty's None: radius_cut_detmask null puts every segment in the detection mask" {
  in="$BATS_FILE_TMPDIR/ou.fits"
  printf 'photometry:\n  phrosty:\n    sfft:\n      radius_cut_detmask: null\n' > null.yaml
  printf 'photometry:\n  phrosty:\n    sfft:\n      radius_cut_detmask: ~\n' > tilde.yaml
  ph-skysub -q -c null.yaml -o n.fits "$in"
  ph-skysub -q -c tilde.yaml -o t.fits "$in"
  ph-skysub -q --radius-cut none -o none.fits "$in"
  ph-skysub -q -o two.fits "$in"
  run key n.fits RADCUT
  assert_output "none"
  run pypeer -c "
from astropy.io import fits
import numpy as np
m = {n: fits.getdata(n + '.fits', 'MASK') & 1 for n in ('n', 't', 'none', 'two')}
h = {n: fits.getheader(n + '.fits', 'SCI') for n in ('n', 'two')}
print(np.array_equal(m['n'], m['none']), np.array_equal(m['t'], m['none']), not np.array_equal(m['n'], m['two']),
      h['n']['NOBJMASK'] == h['n']['NOBJ'], h['two']['NOBJMASK'] < h['two']['NOBJ'])"
  assert_output "True True True True True"
  # --set with an empty value is a null too
  ph-skysub -q --set photometry.phrosty.sfft.radius_cut_detmask= -o s.fits "$in"
  run key s.fits RADCUT
  assert_output "none"
}

@test "--print-meta: the band, observation_id, sca and mjd the tools read (OpenUniverse2024 name, threefile, stdin --name)" {
  ph-sim -q --size 64 --templates 0 --science 1 --seed 4 --sca 1 -o sc
  img=$(ls sc/images/Y106/*/*.fits.gz)
  obs=$(basename "$(dirname "$img")")
  run ph-skysub --print-meta "$img"
  assert_success
  assert_output "band=Y106 observation_id=$obs sca=1 mjd=62450 name=$(basename "$img")"
  run ph-skysub --print-meta - --name "$(basename "$img")" < "$img"
  assert_output "band=Y106 observation_id=$obs sca=1 mjd=62450 name=$(basename "$img")"
  pypeer -c "
from astropy.io import fits
h = fits.open('$img')['SCI'].header.copy()
for k in ('FILTER', 'MJD-OBS', 'SCA_NUM'): del h[k]
h['BAND'], h['MJD'], h['POINTING'], h['SCA'] = 'J129', 62000.25, 777, 9
fits.PrimaryHDU(fits.getdata('$img', 'SCI'), h).writeto('tf_image.fits')"
  run ph-skysub --print-meta tf
  assert_output "band=J129 observation_id=777 sca=9 mjd=62000.25 name=tf"
  [ ! -e out.fits ] && [ -z "$(ls ./*_skysub.fits 2>/dev/null)" ]
}

@test "options from the config file, --set, and the command line winning" {
  in="$BATS_FILE_TMPDIR/ou.fits"
  cat > cfg.yaml <<'YAML'
photometry:
  phrosty:
    sfft:
      radius_cut_detmask: 1
ph:
  skysub:
    back_size: 32
    dilate: 1
YAML
  run ph-skysub -q -c cfg.yaml -o c1.fits "$in"
  assert_success
  run pypeer -c "from astropy.io import fits; h = fits.getheader('c1.fits', 'SCI'); print(h['BACKSIZE'], h['RADCUT'], h['NDILATE'])"
  assert_output "32 1.0 1"
  run ph-skysub -q -c cfg.yaml --set ph.skysub.back_size=48 --dilate 3 -o c2.fits "$in"
  assert_success
  run pypeer -c "from astropy.io import fits; h = fits.getheader('c2.fits', 'SCI'); print(h['BACKSIZE'], h['NDILATE'])"
  assert_output "48 3"
  run_rejects 2 "^ph-skysub: --set: ph.skysub.back_size: 'abc' is not a whole number" ph-skysub -q --set ph.skysub.back_size=abc -o c3.fits "$in"
  assert_no_file c3.fits
}

@test "--check-images writes the sky, rms, segmentation and catalogue; --timing" {
  run ph-skysub -q --timing -o o.fits --check-images chk "$BATS_FILE_TMPDIR/ou.fits"
  assert_success
  assert_output --partial "timing ph-skysub detection"
  assert_output --partial "timing ph-skysub total"
  for f in o_sky.fits o_skyrms.fits o_seg.fits o_cat.csv; do
    [ -s "chk/$f" ] || fail "chk/$f missing"
  done
  run pypeer - <<'PY'
from astropy.io import fits
import numpy as np
seg = fits.getdata("chk/o_seg.fits")
cat = np.genfromtxt("chk/o_cat.csv", delimiter=",", names=True, dtype=None, encoding="ascii")
h = fits.getheader("o.fits", "SCI")
assert seg.max() == len(cat) == h["NOBJ"]
assert (np.bincount(seg.ravel())[1:] == cat["npix"]).all()
assert cat["in_detmask"].sum() == h["NOBJMASK"]
print("ok")
PY
  assert_output "ok"
}

@test "default output name" {
  cp "$BATS_FILE_TMPDIR/single.fits" frame.fits
  run ph-skysub -q frame.fits
  assert_success
  [ -s frame_skysub.fits ] || fail "no frame_skysub.fits"
}

# ---- errors: one line, the right exit status, no output file ----------------

@test "error: missing file, no image HDU, all-NaN image" {
  run_rejects 1 "^ph-skysub: nothere.fits: cannot open: No such file or directory$" ph-skysub -o o.fits nothere.fits
  assert_no_file o.fits
  pypeer -c "
import numpy as np
from astropy.io import fits
fits.HDUList([fits.PrimaryHDU(), fits.BinTableHDU.from_columns(
    [fits.Column(name='a', format='D', array=np.arange(3.))])]).writeto('table.fits')
fits.PrimaryHDU(np.full((100, 100), np.nan, np.float32)).writeto('nan.fits')
fits.PrimaryHDU(np.ones((40, 50), np.float32)).writeto('small.fits')"
  run_rejects 1 "^ph-skysub: table.fits: no 2-D image HDU$" ph-skysub -o o.fits table.fits
  run_rejects 1 "^ph-skysub: nan.fits: the image has no finite pixel" ph-skysub -o o.fits nan.fits
  assert_no_file o.fits
}

@test "error: image smaller than one mesh" {
  pypeer -c "
import numpy as np
from astropy.io import fits
fits.PrimaryHDU(np.ones((40, 50), np.float32)).writeto('small.fits')"
  run_rejects 1 "^ph-skysub: small.fits: the image \(50x40\) is smaller than one background mesh \(64x64\); use a smaller --back-size$" ph-skysub -o o.fits small.fits
  assert_no_file o.fits
  run ph-skysub -q -o o.fits --back-size 16 small.fits
  assert_success
}

@test "error: truncated FITS, truncated or corrupt gzip" {
  head -c 40000 "$BATS_FILE_TMPDIR/ou.fits" > trunc.fits
  run_rejects 1 "^ph-skysub: trunc.fits: .*(truncated|corrupt)" ph-skysub -o o.fits trunc.fits
  assert_no_file o.fits
  gzip -c "$BATS_FILE_TMPDIR/ou.fits" | head -c 100000 > trunc.fits.gz
  run_rejects 1 "^ph-skysub: trunc.fits.gz: (the gzip data are truncated or corrupt|the file is truncated: HDU 1 \\(SCI\\) claims .*)$" ph-skysub -o o.fits trunc.fits.gz
  assert_no_file o.fits
  printf '\037\213garbage' > bad.fits.gz
  mkdir tmp
  TMPDIR=$PWD/tmp run ph-skysub -o o.fits bad.fits.gz
  assert_failure 1
  assert_one_line_error "^ph-skysub: bad.fits.gz: "
  [ -z "$(ls -A tmp)" ] || fail "a temporary was left in \$TMPDIR: $(ls -A tmp)"
  gzip -c "$BATS_FILE_TMPDIR/ou.fits" > ok.fits.gz
  TMPDIR=$PWD/tmp run ph-skysub -q -o o.fits ok.fits.gz
  assert_success
  [ -z "$(ls -A tmp)" ] || fail "the inflated temporary was not removed"
}

@test "error: HDUs that are not there, variance without what it needs" {
  in="$BATS_FILE_TMPDIR/ou.fits"
  run_rejects 1 "^ph-skysub: .*ou.fits: no HDU number 9 \(the file has 4\)$" ph-skysub -o o.fits --hdu 9 "$in"
  run_rejects 1 "^ph-skysub: .*ou.fits: no HDU named NOISE$" ph-skysub -o o.fits --noise-hdu NOISE "$in"
  run_rejects 1 "no HDU number 7" ph-skysub -o o.fits --flags-hdu 7 "$in"
  run_rejects 2 "^ph-skysub: .*single.fits: the variance from the noise plane needs one" ph-skysub -o o.fits --variance phrosty "$BATS_FILE_TMPDIR/single.fits"
  run_rejects 2 "^ph-skysub: .*single.fits: the physical variance needs the gain and read noise" ph-skysub -o o.fits --variance physical "$BATS_FILE_TMPDIR/single.fits"
  assert_no_file o.fits
}

@test "error: bad option values and usage (exit 2)" {
  in="$BATS_FILE_TMPDIR/single.fits"
  run_rejects 2 "^ph-skysub: --back-size: 'abc' is not a whole number$" ph-skysub -o o.fits --back-size abc "$in"
  run_rejects 2 "^ph-skysub: --detect-thresh: " ph-skysub -o o.fits --detect-thresh 1.5x "$in"
  run_rejects 2 "^ph-skysub: --back-filtersize: " ph-skysub -o o.fits --back-filtersize 0 "$in"
  run_rejects 2 "^ph-skysub: --variance: 'frob' is not one of auto\|physical\|phrosty\|noise\|model$" ph-skysub -o o.fits --variance frob "$in"
  run_rejects 2 "^ph-skysub: --clean: " ph-skysub -o o.fits --clean=maybe "$in"
  run ph-skysub -o o.fits --radius-cut -1 "$in"
  assert_failure 2
  run ph-skysub -o o.fits --saturation lots "$in"
  assert_failure 2
  run ph-skysub -o o.fits --gain 0 "$in"
  assert_failure 2
  run ph-skysub -o o.fits --deblend-mincont 2 "$in"
  assert_failure 2
  run ph-skysub -o o.fits --deblend-nthresh 65 "$in"
  assert_failure 2
  run ph-skysub -o o.fits --detect-minarea 0 "$in"
  assert_failure 2
  run ph-skysub -o o.fits --clean-param 50 "$in"
  assert_failure 2
  run ph-skysub -o o.fits --dilate -2 "$in"
  assert_failure 2
  run ph-skysub -o o.fits --read-noise x "$in"
  assert_failure 2
  assert_no_file o.fits
  run_rejects 2 "^ph-skysub: expected one input image, got 0 \(try --help\)$" ph-skysub
  run_rejects 2 "got 2" ph-skysub a.fits b.fits
  run_rejects 2 "option --frobnicate is unknown" ph-skysub --frobnicate "$in"
}

@test "error: output that cannot be written leaves nothing behind" {
  run_rejects 1 "^ph-skysub: /nonexistent/dir/o.fits: cannot create output" ph-skysub -o /nonexistent/dir/o.fits "$BATS_FILE_TMPDIR/single.fits"
  run_rejects 1 "^ph-skysub: /dev/null/x" ph-skysub -o chk.fits --check-images /dev/null/x "$BATS_FILE_TMPDIR/single.fits"
  assert_no_file chk.fits
}

@test "error: read-only output directory" {
  mkdir ro && chmod a-w ro
  if [ -w ro ]; then skip "running as root: permissions not enforced"; fi
  run_rejects 1 "^ph-skysub: ro/o.fits: cannot create output" ph-skysub -o ro/o.fits "$BATS_FILE_TMPDIR/single.fits"
  assert_no_file ro/o.fits
}
