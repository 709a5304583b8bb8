#!/usr/bin/env bats
# ph-sim: scenes in the OpenUniverse2024 layout, PSF files, stamps, errors.
load helpers

img() { ls "$1"/images/*/"$2"/*.fits.gz; }
# A whole OpenUniverse2024 look-alike SCA (real geometry, cosmic rays, bad pixels).
LA_FULL=$PH_SHARED_DATA/ou2024-lookalike/full/images/simple_model/Y106/35198/Roman_TDS_simple_model_Y106_35198_2.fits.gz

@test "ph-sim --help lists commands, options and an example" {
  run ph-sim --help
  assert_success
  assert_output --partial "Usage: ph-sim"
  assert_output --partial "stamp"
  assert_output --partial "--no-noise"
  assert_output --partial "--inject FILE"
  assert_output --partial "Example:"
}

@test "ph-sim --version" {
  run ph-sim --version
  assert_success
  assert_output --regexp "^ph-sim \(phrosty-c\) [0-9]+\.[0-9]+\.[0-9]+"
}

@test "a scene: OpenUniverse2024 layout, lists, truth, light curve, PSF files" {
  run ph-sim --size 96 --templates 2 --science 3 --seed 4 --sca 1 -o s
  assert_success
  assert_output ""
  [ "$(ls s/images/Y106 | wc -l)" -eq 5 ]
  [ -f s/images/Y106/10000/Roman_TDS_simple_model_Y106_10000_1.fits.gz ]
  [ -f s/truth/Y106/10004/Roman_TDS_index_Y106_10004_1.txt ]
  [ -f s/psf/Y106/10004/Roman_TDS_psf_Y106_10004_1.fits ]
  run cat s/templates.csv
  assert_line --index 0 "path observation_id sca mjd band"
  assert_line --index 1 "Y106/10000/Roman_TDS_simple_model_Y106_10000_1.fits.gz 10000 1 62085.00000 Y106"
  [ "$(wc -l < s/science.csv)" -eq 4 ]
  run head -1 s/truth/transient_20172782_Y106.csv
  assert_output "mjd,observation_id,sca,flux,mag,x,y,realized_flux,is_template,ra,dec,zpt"
  run head -1 s/truth/Y106/10000/Roman_TDS_index_Y106_10000_1.txt
  assert_output --regexp "^# +object_id +ra +dec +x +y +realized_flux +flux +mag +obj_type$"
  # the transient is listed on science epochs only
  run grep -c " transient$" s/truth/Y106/10000/Roman_TDS_index_Y106_10000_1.txt
  assert_output "0"
  run grep -c " transient$" s/truth/Y106/10003/Roman_TDS_index_Y106_10003_1.txt
  assert_output "1"
}

@test "astropy reads the files: HDUs, types, header, truth positions through the SIP WCS" {
  pypeer -c 'import astropy' 2>/dev/null || skip "no astropy"
  ph-sim --size 160 --science 2 --seed 9 --distortion 40 --rotate 40 -o s
  run pypeer - <<'PY'
import glob, math, numpy as np, warnings
from astropy.io import fits
from astropy.wcs import WCS
warnings.simplefilter("ignore")
for f in sorted(glob.glob("s/images/Y106/*/*.fits.gz")):
    h = fits.open(f)
    assert [x.name for x in h] == ["PRIMARY", "SCI", "ERR", "DQ"], [x.name for x in h]
    assert h["SCI"].data.dtype.kind == "f" and h["SCI"].data.dtype.itemsize == 8
    assert h["ERR"].data.dtype.itemsize == 4 and h["DQ"].data.dtype == np.uint32
    s = h["SCI"].header
    assert s["CTYPE1"] == "RA---TAN-SIP" and s["CRPIX1"] == 80.0 and s["A_ORDER"] == 3
    assert abs(s["ZPTMAG"] - 2.5 * math.log10(302.275 * 37570)) < 1e-9
    for k in ("FILTER", "MJD-OBS", "SCA_NUM", "EXPTIME", "SKY_MEAN", "RA_TARG", "DEC_TARG"):
        assert h["ERR"].header[k] == s[k] == h["DQ"].header[k], k
    t = f.replace("images", "truth").replace("simple_model", "index").replace(".fits.gz", ".txt")
    cat = np.genfromtxt(t, dtype=None, encoding=None, comments="#")
    w = WCS(s)
    x, y = w.all_world2pix(cat["f1"], cat["f2"], 1, tolerance=1e-10)
    err = max(np.abs(x - cat["f3"]).max(), np.abs(y - cat["f4"]).max())
    assert err < 1e-4, err
    mag = -2.5 * np.log10(cat["f6"]) + 15.0236
    assert np.abs(mag - cat["f7"]).max() < 2e-4
print("ok")
PY
  assert_success
  assert_output "ok"
}

@test "the same seed gives the same files, another seed others" {
  ph-sim --size 64 --science 1 --seed 11 -o a
  ph-sim --size 64 --science 1 --seed 11 -o b
  ph-sim --size 64 --science 1 --seed 12 -o c
  run diff -r a b
  assert_success
  run cmp "$(img a 10001)" "$(img c 10001)"
  assert_failure
}

@test "truth: an isolated star's box flux is its catalogue flux (noise-free)" {
  pypeer -c 'import astropy' 2>/dev/null || skip "no astropy"
  printf 'ra dec mag obj_type\n7.5502 -44.7999 19.5 star\n' > cat.txt
  ph-sim --size 128 --catalog cat.txt --no-host --no-transient --no-noise --sky 0 --dark 0 \
    --hot-pixels 0 --bad-pixels 0 --templates 1 --science 0 -o s
  run pypeer - <<'PY'
import glob, numpy as np
from astropy.io import fits
f = glob.glob("s/images/Y106/*/*.fits.gz")[0]
d = fits.getdata(f, "SCI")
t = np.genfromtxt(glob.glob("s/truth/Y106/*/*.txt")[0], dtype=None, encoding=None)
x, y, flux = float(t["f3"]) - 1, float(t["f4"]) - 1, float(t["f6"])
box = d[int(y) - 30:int(y) + 31, int(x) - 30:int(x) + 31].sum()
print("%.6f" % (box / flux))
assert abs(box / flux - 1) < 0.002
PY
  assert_success
}

@test "options reach the files: band, size, sky, noise, defects, SCA, PSF keys" {
  pypeer -c 'import astropy' 2>/dev/null || skip "no astropy"
  printf 'ra dec flux\n150.0001 2.0001 5000\n' > inj.txt
  ph-sim -b F129 --size 80x64 --templates 1 --science 1 --sca random --pointing 500 --mjd 60000 \
    --cadence 2 --template-mjd 59000 --exptime 100 --sky 50 --sky-gradient 3,-2 --read-noise 5 \
    --dark 0.1 --saturate 60000 --bad-pixels 20000 --bad-columns 200 --hot-pixels 0 \
    --distortion 0 --rotation 30 \
    --rotate 0 --dither 0 --model gaussian:1.5 --jitter-vary 0 --nstars 3 --ngalaxies 2 \
    --star-mags 20,21 --galaxy-mags 21,22 --inject inj.txt --oid 77 --sn-mag 21 --sn-peak 60001 \
    --sn-rise 5 --sn-fall 9 --sn-offset 0.5,0 --ra 150 --dec 2 -o s
  run pypeer - <<'PY'
import glob, numpy as np
from astropy.io import fits
fs = sorted(glob.glob("s/images/J129/*/*.fits.gz"))
assert [f.split("/")[3] for f in fs] == ["500", "501"], fs
h = fits.open(fs[1]); s = h["SCI"].header
assert h["SCI"].data.shape == (64, 80)
assert s["FILTER"] == "J129" and s["EXPTIME"] == 100 and s["MJD-OBS"] == 60000
assert 1 <= s["SCA_NUM"] <= 18 and s["CTYPE1"] == "RA---TAN"
assert abs(s["SKY_MEAN"] - 60) < 1e-9 and s["SIMRDNS"] == 5 and s["SIMSATUR"] == 60000
assert s["SIMPSF"] == "gaussian:1.5" and s["SIMGRADX"] == 3 and s["SIMGRADY"] == -2
assert abs(s["CD1_2"] / s["CD2_2"] - np.tan(np.radians(30))) < 1e-9
assert abs(s["CRVAL1"] - 150) < 1e-9 and abs(s["CRVAL2"] - 2) < 1e-9
dq = h["DQ"].data
assert (dq & 1).sum() >= 64 and (h["SCI"].data[(dq & 1) == 1] == 0).all()
ids = lambda p: [l.split()[0] for l in open(glob.glob(p)[0]) if not l.startswith("#")]
assert "9000000" in ids("s/truth/J129/501/*.txt") and "77" in ids("s/truth/J129/501/*.txt")
assert "9000000" not in ids("s/truth/J129/500/*.txt") and "77" not in ids("s/truth/J129/500/*.txt")
lc = open("s/truth/transient_77_J129.csv").read().splitlines()
assert lc[1].split(",")[8] == "True" and lc[1].split(",")[3] == "0"
print("ok")
PY
  assert_success
  assert_output "ok"
}

@test "--no-host --no-transient, --no-psf-files, config keys, --nlambda/--wfe/--obscuration/--jitter/--diffusion" {
  run ph-sim --size 64 --science 1 --no-host --no-transient --no-psf-files -o s \
    --set ph.sim.seed=3
  assert_success
  assert_no_file s/truth/transient_20172782_Y106.csv
  assert_no_file s/psf
  ph-sim --size 64 --science 1 --no-transient --nlambda 3 --wfe 50 --obscuration 0.3 \
    --jitter 0.02 --diffusion 0.2 --sca 1 -o p
  run grep -a -o "NLAMBDA =                    3" p/psf/Y106/10001/Roman_TDS_psf_Y106_10001_1.fits
  assert_success
  run grep -a -o "WFE     =                  50." p/psf/Y106/10001/Roman_TDS_psf_Y106_10001_1.fits
  assert_success
}

@test "psf: the oversampled model file; stamp: the exact native stamp" {
  pypeer -c 'import astropy' 2>/dev/null || skip "no astropy"
  run ph-sim psf -b H158 --psf-oversamp 5 --psf-size 21 -o m.fits
  assert_success
  run ph-sim stamp -b H158 --phase 0.2,-0.4 --stamp-size 21 -o st.fits
  assert_success
  run pypeer - <<'PY'
from astropy.io import fits
import numpy as np
m = fits.open("m.fits")[0]; s = fits.open("st.fits")[0]
assert m.data.shape == (105, 105) and m.header["OVERSAMP"] == 5 and m.header["PSFNATIV"] == 21
assert m.header["FILTER"] == "H158" and m.header["PSFMODEL"] == "roman"
assert s.data.shape == (21, 21) and s.header["PSFNORM"] is False
assert abs(s.data.sum() - s.header["PSFFRAC"]) < 1e-12 and 0.9 < s.data.sum() < 1
# the phase moves the light: more on the +x, -y side
assert s.data[10, 11] > s.data[10, 9] and s.data[9, 10] > s.data[11, 10]
# decimating the model at phase 0 gives the stamp at phase 0 (centre sample)
print("ok")
PY
  assert_output "ok"
}

@test "bad band, bad size, bad values: usage errors, one line, exit 2" {
  run ph-sim -b X100 -o s
  assert_failure 2
  assert_one_line_error "^ph-sim: --band: unknown band 'X100' \(bands: R062 Z087"
  run ph-sim --size 5000 -o s
  assert_failure 2
  assert_one_line_error "image size 5000x5000 is outside 16 ... 4088"
  run ph-sim --size 12x-3 -o s
  assert_failure 2
  run ph-sim --size big -o s
  assert_failure 2
  assert_one_line_error "expected NX or NXxNY, got 'big'"
  run ph-sim --model moffat -o s
  assert_failure 2
  assert_one_line_error "PSF model 'moffat' is not roman or gaussian:SIGMA"
  run ph-sim stamp --phase 0.7,0 -o st.fits
  assert_failure 2
  assert_one_line_error "each component must be within -0.5 ... 0.5"
  run ph-sim stamp --stamp-size 40 -o st.fits
  assert_failure 2
  assert_one_line_error "^ph-sim: --stamp-size: 40 is even; it must be odd"
  run ph-sim psf --psf-oversamp 4 -o m.fits
  assert_failure 2
  assert_one_line_error "^ph-sim: --psf-oversamp: 4 is even; it must be odd"
  run ph-sim --sky-gradient 3 -o s
  assert_failure 2
  assert_one_line_error "^ph-sim: --sky-gradient: '3' is not two numbers GX,GY$"
  run ph-sim --star-mags 24,18 -o s
  assert_failure 2
  assert_one_line_error "magnitude ranges must be LO,HI"
  run ph-sim --seed -1 -o s
  assert_failure 2
  assert_no_file s
}

@test "missing output, unknown command, no epochs" {
  run ph-sim --size 64
  assert_failure 2
  assert_one_line_error "^ph-sim: no output: give -o DIR"
  run ph-sim frob -o s
  assert_failure 2
  assert_one_line_error "unknown command 'frob' \(scene, psf or stamp\)"
  run ph-sim --size 64 --templates 0 --science 0 -o s
  assert_failure 2
  assert_one_line_error "no epochs"
}

@test "unwritable output: exit 1, nothing left behind" {
  touch afile
  run ph-sim --size 64 --science 1 -o afile/sub
  assert_failure 1
  assert_one_line_error "^ph-sim: afile"
  run ph-sim stamp -o /nonexistent/dir/st.fits
  assert_failure 1
  assert_one_line_error "^ph-sim: /nonexistent/dir/st.fits: cannot create output"
  mkdir ro && chmod 555 ro
  if [ "$(id -u)" -ne 0 ]; then
    run ph-sim psf -o ro/m.fits
    assert_failure 1
    assert_no_file ro/m.fits
  fi
}

# A bad --catalog or --inject list: OPTION FILE TEXT RE writes TEXT
# (backslash escapes read as printf's) to FILE; ph-sim fails with exit 1 and
# one line of error matching RE.
sim_list_rejects() {
  printf '%b' "$3" > "$2"
  run_rejects 1 "$4" ph-sim --size 64 "$1" "$2" -o s
}

@test "bad catalogues and injection lists: the file and line are named" {
  run ph-sim --size 64 --catalog nothere.txt -o s
  assert_failure 1
  assert_one_line_error "^ph-sim: nothere.txt: "
  sim_list_rejects --catalog nomag.txt 'ra dec\n1 2\n' "nomag.txt: needs the columns ra dec and mag or flux"
  sim_list_rejects --catalog badnum.txt 'ra dec mag\n7.55 -44.8 abc\n' "badnum.txt: line 2: mag 'abc' is not a number"
  sim_list_rejects --catalog empty.txt 'ra dec mag\n' "empty.txt: no objects in the catalogue"
  sim_list_rejects --catalog badtype.txt 'ra dec mag obj_type\n7.55 -44.8 20 quasar\n' "line 2: obj_type 'quasar' is not star or galaxy"
  sim_list_rejects --catalog badn.txt 'ra dec mag obj_type sersic_n\n7.55 -44.8 20 galaxy 12\n' "line 2: galaxy needs re_arcsec > 0"
  sim_list_rejects --inject negflux.txt 'ra dec flux\n7.55 -44.8 -5\n' "negflux.txt: line 2: flux must be positive"
  sim_list_rejects --inject nofluxcol.txt 'ra dec mag\n7.55 -44.8 20\n' "needs the columns ra dec flux"
  assert_no_file s/templates.csv
}

@test "defaults as Roman data: a random SCA and any roll per epoch, in names, lists and WCS" {
  pypeer -c 'import astropy' 2>/dev/null || skip "no astropy"
  ph-sim --size 32 --templates 4 --science 20 --seed 8 -o s
  ph-sim --size 32 --templates 1 --science 2 --seed 8 --rotation 30 --rotate 0 --sca 5 -o p
  run pypeer - <<'PY'
import glob, math, re, numpy as np
from astropy.io import fits
def epochs(d):
    out = []
    lists = {l.split()[0]: l.split() for n in ("templates", "science")
             for l in open(f"{d}/{n}.csv").read().splitlines()[1:]}
    for f in sorted(glob.glob(f"{d}/images/Y106/*/*.fits.gz")):
        h = fits.getheader(f, "SCI")
        sca = int(re.search(r"_(\d+)\.fits\.gz$", f).group(1))
        row = lists[f.split("images/")[1]]
        assert h["SCA_NUM"] == sca == int(row[2]), (f, h["SCA_NUM"], row)
        # the +y axis points at PA_OBSY east of north
        pa = math.degrees(math.atan2(h["CD1_2"], h["CD2_2"]))
        assert abs((pa - h["PA_OBSY"] + 540) % 360 - 180) < 1e-6, (pa, h["PA_OBSY"])
        out.append((sca, h["PA_OBSY"] % 360))
    return out
e = epochs("s")
scas = {s for s, _ in e}; quads = {int(p // 90) for _, p in e}
print(len(e), "epochs:", len(scas), "SCAs, rolls in", len(quads), "quadrants")
assert len(e) == 24 and len(scas) >= 8 and quads == {0, 1, 2, 3}
p = epochs("p")
assert all(s == 5 and abs(r - 30) < 1e-9 for s, r in p), p
print("ok")
PY
  assert_success
  assert_line "ok"
}

@test "--rolls: each epoch's roll in its WCS, the other draws unchanged; a wrong count is a usage error" {
  ph-sim -q --size 128 --templates 1 --science 2 --seed 9 --rotation 30 --rolls 0,45,-170 -o r
  ph-sim -q --size 128 --templates 1 --science 2 --seed 9 --rotation 30 -o d
  run pypeer - <<'PY'
import glob, math
from astropy.io import fits
for want, f, g in zip((30, 75, -140), sorted(glob.glob("r/images/Y106/*/*.fits.gz")),
                      sorted(glob.glob("d/images/Y106/*/*.fits.gz"))):
    h, k = fits.getheader(f, "SCI"), fits.getheader(g, "SCI")
    pa = math.degrees(math.atan2(h["CD1_2"], h["CD2_2"]))
    assert abs((pa - want + 540) % 360 - 180) < 1e-6, (f, pa, want)
    assert abs((h["PA_OBSY"] - want + 540) % 360 - 180) < 1e-9, (f, h["PA_OBSY"])
    assert h["SCA_NUM"] == k["SCA_NUM"] and f.split("/")[-1] == g.split("/")[-1]
print("ok")
PY
  assert_success
  assert_output "ok"
  run ph-sim -q --size 128 --templates 1 --science 2 --rolls 0,45 -o x
  assert_failure 2
  assert_one_line_error "^ph-sim: --rolls: 2 values for 3 epochs \\(1 templates, then 2 science\\)$"
  assert_no_file x
  run ph-sim -q --size 128 --rolls 0,abc -o x
  assert_failure 2
  assert_one_line_error "^ph-sim: --rolls: 'abc' is not a roll in degrees \\(-360 \\.\\.\\. 360\\)$"
}

@test "SCA geometry: ph-sim's SCA 2 pixels on the sky are OU2024's (the look-alike's WCS)" {
  pypeer -c 'import astropy' 2>/dev/null || skip "no astropy"
  la=$LA_FULL
  [ -f "$la" ] || skip "no $la"
  ph-sim --size 64 --templates 1 --science 0 --sca 2 --distortion 0 -o s
  ph-sim --size 64 --templates 1 --science 0 --sca 11 --distortion 0 -o m
  ph-sim --size 64 --templates 1 --science 0 --sca 2 --square-pixels -o q
  run pypeer - "$la" <<'PY'
import glob, sys, numpy as np
from astropy.io import fits
def steps(h):
    cd = np.array([[h["CD1_1"], h["CD1_2"]], [h["CD2_1"], h["CD2_2"]]]) * 3600
    sx, sy = np.hypot(*cd[:, 0]), np.hypot(*cd[:, 1])
    return sx, sy, cd[:, 0] @ cd[:, 1] / sx / sy
la = steps(fits.getheader(sys.argv[1], "SCI"))
ours = steps(fits.getheader(glob.glob("s/images/Y106/*/*.fits.gz")[0], "SCI"))
mirror = steps(fits.getheader(glob.glob("m/images/Y106/*/*.fits.gz")[0], "SCI"))
square = steps(fits.getheader(glob.glob("q/images/Y106/*/*.fits.gz")[0], "SCI"))
print("look-alike SCA 2: %.5f\" x %.5f\", cos %.4f; ph-sim: %.5f\" x %.5f\", cos %.4f" % (la + ours))
assert abs(ours[0] / la[0] - 1) < 2e-3 and abs(ours[1] / la[1] - 1) < 2e-3
assert abs(ours[2] - la[2]) < 3e-3
assert abs(mirror[0] - ours[0]) < 1e-9 and abs(mirror[2] + ours[2]) < 1e-9
assert abs(square[0] - 0.11) < 1e-9 and abs(square[1] - 0.11) < 1e-9 and abs(square[2]) < 1e-12
print("ok")
PY
  assert_success
  assert_line "ok"
}

@test "cosmic rays, hot and dead pixels as in the look-alike sample; --flag-cosmic-rays flags DQ 4" {
  pypeer -c 'import scipy, astropy' 2>/dev/null || skip "no scipy/astropy"
  la=$LA_FULL
  [ -f "$la" ] || skip "no $la"
  ph-sim -q --size 2048 --templates 1 --science 0 --sca 2 --flag-cosmic-rays --no-psf-files -o f
  ph-sim -q --size 2048 --templates 1 --science 0 --sca 2 --no-psf-files -o u
  run pypeer - "$la" <<'PY'
import glob, sys, numpy as np
from astropy.io import fits
from scipy import ndimage as nd
def stats(path, scale):
    h = fits.open(path); sci = h["SCI"].data; err = h["ERR"].data.astype(float); dq = h["DQ"].data
    lab, n = nd.label((dq & 4) > 0, structure=np.ones((3, 3)))
    npix = np.bincount(lab.ravel())[1:]
    lev = nd.mean(sci - err, lab, range(1, n + 1))
    bad = (dq & 1) > 0; dead = bad & (sci == 0); hot = bad & (sci != 0)
    return dict(tracks=n * scale, px_per_track=npix.mean(), two_px=np.mean(npix == 2),
                level=np.median(lev), bad=bad.sum() * scale, dead=dead.sum() * scale,
                hot_median=np.median((sci - err)[hot]), dq=set(np.unique(dq)))
la = stats(sys.argv[1], 1.0)
f = glob.glob("f/images/Y106/*/*.fits.gz")[0]
ours = stats(f, 4.0)  # a quarter of an SCA
for k in ("tracks", "px_per_track", "two_px", "level", "bad", "dead", "hot_median"):
    print("%-12s look-alike %9.2f  ph-sim %9.2f" % (k, la[k], ours[k]))
tol = dict(px_per_track=0.1, two_px=0.2, level=0.12, hot_median=0.2)
for k, t in tol.items():
    assert abs(ours[k] / la[k] - 1) < t, k
for k in ("tracks", "bad", "dead"):  # counts in a quarter SCA: Poisson
    assert abs(ours[k] - la[k]) / 4 < 4 * (la[k] / 4) ** 0.5, k
assert ours["dq"] == {0, 1, 4} == la["dq"]
h = fits.getheader(f, "SCI")
assert h["SIMCRDQ"] is True and h["SIMNCR"] == round(900 * (2048 / 4088) ** 2) and h["SIMSATDQ"] is False
# Unflagged (OU2024's convention): the same charge, DQ without bit 4.
u = fits.open(glob.glob("u/images/Y106/*/*.fits.gz")[0])
g = fits.open(f)
assert (u["SCI"].data == g["SCI"].data).all() and set(np.unique(u["DQ"].data)) == {0, 1}
assert fits.getheader(glob.glob("u/images/Y106/*/*.fits.gz")[0], "SCI")["SIMCRDQ"] is False
print("ok")
PY
  assert_success
  assert_line "ok"
}

@test "saturation: clipped at --saturate without a flag, as OU2024; --flag-saturated sets DQ 2" {
  pypeer -c 'import astropy' 2>/dev/null || skip "no astropy"
  printf 'ra dec mag obj_type\n7.55 -44.8 12 star\n' > bright.txt
  common="--size 64 --catalog bright.txt --no-host --no-transient --templates 1 --science 0 --dither 0 --hot-pixels 0 --bad-pixels 0 --cosmic-rays 0"
  ph-sim $common -o n
  ph-sim $common --flag-saturated -o f
  la=$PH_SHARED_DATA/ou2024-lookalike/cut/images/simple_model/Y106/35967/Roman_TDS_simple_model_Y106_35967_3.fits.gz
  run pypeer - "$la" <<'PY'
import glob, os, sys, numpy as np
from astropy.io import fits
n = fits.open(glob.glob("n/images/Y106/*/*.fits.gz")[0]); f = fits.open(glob.glob("f/images/Y106/*/*.fits.gz")[0])
sat = n["SCI"].data > 1e5 - 50
print("clipped pixels", sat.sum(), "max", n["SCI"].data.max())
assert sat.sum() >= 9 and abs(n["SCI"].data.max() - 1e5) < 50  # the clip, then read noise
assert (n["DQ"].data == 0).all() and n["SCI"].header["SIMSATDQ"] is False
flag = f["DQ"].data == 2  # every clipped pixel (a pixel just below the clip may read above 1e5 - 50)
assert (flag <= sat).all() and (sat & ~flag).sum() <= 2 and (f["SCI"].data == n["SCI"].data).all()
if os.path.exists(sys.argv[1]):  # the look-alike (OU2024's convention): clipped, DQ 0
    la = fits.open(sys.argv[1]); s = la["SCI"].data > 1e5 - 50
    assert s.sum() > 0 and (la["DQ"].data[s] == 0).all() and abs(la["SCI"].data.max() - 1e5) < 50
print("ok")
PY
  assert_success
  assert_line "ok"
}

@test "per-SCA PSF: SCA 18's noise area exceeds SCA 1's as in STScI's PSF summary; SIMWFE; stamp --sca" {
  pypeer -c 'import astropy' 2>/dev/null || skip "no astropy"
  for s in 1 18; do
    ph-sim stamp -b Y106 --sca $s --phase 0.5,0.5 --stamp-size 63 -o c$s.fits
    ph-sim stamp -b Y106 --sca $s --phase 0,0 --stamp-size 63 -o p$s.fits
  done
  ph-sim --size 32 --templates 1 --science 0 --sca 18 --no-psf-files -o s
  run pypeer - <<'PY'
import glob
from astropy.io import fits
neff = lambda f: (lambda a: 1 / ((a / a.sum()) ** 2).sum())(fits.getdata(f))
# roman-technical-information SummaryPSFstats (F106, K0V): SCA 18 / SCA 1
# noise pixels 11.82 / 10.96 (PSF on a pixel corner), 5.49 / 4.83 (centred)
corner, centre = neff("c18.fits") / neff("c1.fits"), neff("p18.fits") / neff("p1.fits")
print("noise area SCA 18 / SCA 1: corner %.3f (STScI 1.078), centre %.3f (STScI 1.137)" % (corner, centre))
assert abs(corner - 1.078) < 0.03 and abs(centre - 1.137) < 0.04
h = fits.getheader(glob.glob("s/images/Y106/*/*.fits.gz")[0], "SCI")
assert h["SIMWFE"] == 100.0, h["SIMWFE"]
print("ok")
PY
  assert_success
  assert_line "ok"
}

@test "--mag-dist uniform: the ranges' uniform magnitudes; OU2024's distribution has no stars of AB 5-10" {
  pypeer -c 'import numpy' 2>/dev/null || skip "no numpy"
  ph-sim --size 256 --templates 1 --science 0 --mag-dist uniform --nstars 300 --star-mags 18,20 \
    --ngalaxies 0 --no-host --no-transient --rotate 0 --dither 0 -o u
  run pypeer - <<'PY'
import glob, numpy as np
t = [l.split() for l in open(glob.glob("u/truth/Y106/*/*.txt")[0]) if not l.startswith("#")]
ab = np.array([float(r[7]) for r in t if r[8] == "star"]) + 2.5 * np.log10(302.275 * 37570)
print(len(ab), ab.min(), ab.max(), np.median(ab))
assert len(ab) > 250 and ab.min() >= 18 and ab.max() <= 20 and abs(np.median(ab) - 19) < 0.2
print("ok")
PY
  assert_line "ok"
  run ph-sim --size 64 --star-mags 5,10 --templates 1 --science 0 -o z
  assert_success
  run grep -c " star$" z/truth/Y106/*/*.txt
  assert_output "0"
  run ph-sim --size 64 --star-mags 5,10 --nstars 10 -o s
  assert_failure 2
  assert_one_line_error "^ph-sim: OpenUniverse2024 has no stars of AB 5 ... 10 \(give --mag-dist uniform\)$"
  assert_no_file s
  run ph-sim --size 64 --mag-dist schechter -o s
  assert_failure 2
  assert_one_line_error "'schechter' is not ou2024 or uniform"
  run ph-sim --size 64 --cosmic-rays -3 -o s
  assert_failure 2
  run ph-sim --size 64 --hot-pixels lots -o s
  assert_failure 2
}

@test "man page exists and renders without warnings" {
  run bash -c "groff -man -Tutf8 -ww -z '$PH_TOP/build/man/man1/ph-sim.1' 2>&1"
  assert_success
  assert_output ""
  run man -P cat ph-sim
  assert_success
  assert_output --partial "MEMORY"
}

@test "ph-sim stamp reproduces the pixels a scene drew (noise-free star)" {
  pypeer -c 'import astropy' 2>/dev/null || skip "no astropy"
  printf 'ra dec flux\n7.55012 -44.80007 10000\n' > cat.txt
  ph-sim -b R062 --size 96 --catalog cat.txt --no-host --no-transient --no-noise --sky 0 --dark 0 \
    --hot-pixels 0 --bad-pixels 0 --templates 1 --science 0 -o s
  read -r x1 y1 jit sca < <(pypeer -c '
import glob, numpy as np
from astropy.io import fits
t = np.genfromtxt(glob.glob("s/truth/R062/*/*.txt")[0], dtype=None, encoding=None)
h = fits.getheader(glob.glob("s/images/R062/*/*.fits.gz")[0], "SCI")
print(repr(float(t["f3"])), repr(float(t["f4"])), repr(h["SIMJITTR"]), h["SCA_NUM"])')
  dx=$(pypeer -c "import math; x=$x1-1; print(repr(x-math.floor(x+0.5)))")
  dy=$(pypeer -c "import math; y=$y1-1; print(repr(y-math.floor(y+0.5)))")
  ph-sim stamp -b R062 --jitter "$jit" --sca "$sca" --phase "$dx,$dy" --stamp-size 15 -o st.fits
  run pypeer - "$x1" "$y1" <<'PY'
import glob, sys, math, numpy as np
from astropy.io import fits
x, y = float(sys.argv[1]) - 1, float(sys.argv[2]) - 1
ix, iy = math.floor(x + 0.5), math.floor(y + 0.5)
d = fits.getdata(glob.glob("s/images/R062/*/*.fits.gz")[0], "SCI")[iy - 7:iy + 8, ix - 7:ix + 8]
s = fits.getdata("st.fits") * 10000
err = np.abs(d - s).max() / s.max()
print(err)
assert err < 1e-10
PY
  assert_success
}

@test "-v, -q, --timing and a config file" {
  run ph-sim -v --size 32 --science 1 --templates 0 -o s
  assert_success
  assert_output --partial "objects, 1 epochs of 32x32 in Y106"
  run ph-sim -q --timing --size 32 --science 1 --templates 0 -o s2
  assert_success
  assert_output --partial "timing ph-sim render"
  printf 'ph:\n  sim:\n    seed: 5\n    band: H158\n' > cfg.yaml
  run ph-sim -c cfg.yaml --size 32 --science 1 --templates 0 -o s3
  assert_success
  [ -d s3/images/H158 ]
  ph-sim --seed 5 -b H158 --size 32 --science 1 --templates 0 -o s4
  run diff -r s3 s4
  assert_success
}
