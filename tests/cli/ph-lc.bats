#!/usr/bin/env bats
# ph-lc: collate per-pair photometry rows into phrosty's light curve, its
# metadata, the printed table and the plot.
load helpers

HDR="mjd,flux,flux_err,zpt,NEA,sky_rms,observation_id,sca,pix_x,pix_y,science_name,template_name,science_id,template_id,template_observation_id,template_sca,aperture_sum,mag,mag_err,success,zpt_source,zpt_nstars,zpt_scatter,res_nstars,res_zmed,res_zp90"

# row FILE MJD SCI_OBSID TPL_OBSID FLUX [SUCCESS]: one ph-phot row file
row() {
  local ok=${6:-True} f=$5
  [ "$ok" = True ] || f=nan
  { echo "$HDR"
    echo "$2,$f,10,32.6617,12.5,18.7,$3,2,100.5,200.25,sci_$3.fits,tpl_$4.fits,sci_$3,tpl_$4,$4,3,$f,nan,nan,$ok,header,0,nan,12,2.1,2.6"
  } > "$1"
}

# Three pairs over two templates, one failed, given out of MJD order.
small() {
  row r1.csv 62010.5 102 900 250
  row r2.csv 62000.25 101 900 120
  row r3.csv 62000.25 101 800 130 False
}

# The realistic fixture: 16 epochs x 2 templates, one failed pair, truth.
fixture() {
  pypeer -c "import numpy" 2>/dev/null || skip "Debian python3 with numpy not available"
  pypeer "$PH_TOP/tests/fixtures/lc_rows.py" fx "$@"
}

@test "ph-lc --help lists the options and an example; --version" {
  run ph-lc --help
  assert_success
  assert_output --partial "Usage: ph-lc [OPTION]... ROWS.csv... | -"
  for o in --output --ltcv-dir --oid --band --ra --dec --ra-err --dec-err --iau-name \
           --diaobject-id --provenance-id --local-sb --meta --no-meta --duplicates --truth \
           --truth-max-dt --plot --plot-size --print --title --ecsv --set --timing; do
    assert_output --partial -- "$o"
  done
  assert_output --partial "Example:"
  run ph-lc --version
  assert_success
  assert_output --regexp "^ph-lc \(phrosty-c\) [0-9]+\.[0-9]+\.[0-9]+"
}

@test "phrosty's path, columns and order; sorted by MJD; failed pair kept" {
  small
  run ph-lc -q --ltcv-dir out --oid 20172782 -b y106 r1.csv r2.csv r3.csv
  assert_success
  assert_output ""
  f=out/data/20172782/20172782_Y106_all.csv
  [ -f "$f" ]
  [ -f out/data/20172782/20172782_Y106_all.meta.yaml ]
  run head -1 "$f"
  assert_output "$HDR"
  run cut -d, -f1,2,7,15,20 "$f"
  assert_output "mjd,flux,observation_id,template_observation_id,success
62000.25,nan,101,800,False
62000.25,120.0,101,900,True
62010.5,250.0,102,900,True"
}

@test "pandas and astropy read the light curve: phrosty's 20 columns first, success is bool" {
  small
  ph-lc -o lc.csv r1.csv r2.csv r3.csv
  run pypeer - <<'PY'
import pandas as pd
from astropy.table import Table
d = pd.read_csv("lc.csv")
cols = ("mjd flux flux_err zpt NEA sky_rms observation_id sca pix_x pix_y science_name "
        "template_name science_id template_id template_observation_id template_sca "
        "aperture_sum mag mag_err success").split()
assert tuple(d.columns[:20]) == tuple(cols), d.columns
assert tuple(d.columns[20:]) == ("zpt_source", "zpt_nstars", "zpt_scatter",
                               "res_nstars", "res_zmed", "res_zp90")
assert d["success"].dtype == bool, d["success"].dtype
assert list(d["success"]) == [False, True, True]
assert d["flux"].isna().tolist() == [True, False, False]
assert d["mjd"].is_monotonic_increasing
t = Table.read("lc.csv", format="ascii.csv")
assert t.colnames == list(d.columns) and len(t) == 3
assert list(t["template_sca"]) == [3, 3, 3] and t["flux"][1] == 120
print("ok")
PY
  assert_success
  assert_output "ok"
}

@test "float columns read back as floats: a whole MJD is written 62450.0 (pandas: float64)" {
  small
  sed -i 's/^62000.25,/62000,/; s/^62010.5,/62010,/' r1.csv r2.csv r3.csv
  ph-lc -q --no-meta -o lc.csv r1.csv r2.csv r3.csv
  run cut -d, -f1 lc.csv
  assert_output "mjd
62000.0
62000.0
62010.0"
  run pypeer -c "
import pandas as pd
d = pd.read_csv('lc.csv')
print(d['mjd'].dtype, d['flux'].dtype, d['aperture_sum'].dtype, d['sca'].dtype)"
  assert_output "float64 float64 float64 int64"
}

@test "the collation matches pandas' concat + stable sort, value for value" {
  fixture
  run ph-lc -o lc.csv fx/rows/*.csv
  assert_success
  run pypeer - <<'PY'
import glob
import numpy as np
import pandas as pd
files = sorted(glob.glob("fx/rows/*.csv"), reverse=True)
want = pd.concat([pd.read_csv(f) for f in files], ignore_index=True)
want = want.sort_values(["mjd", "science_name", "template_name"], kind="stable")
want = want.reset_index(drop=True)
got = pd.read_csv("lc.csv")
assert len(got) == 32 and (~got["success"]).sum() == 1
pd.testing.assert_frame_equal(got, want, check_exact=True)
print("ok")
PY
  assert_output "ok"
}

@test "stdin: concatenated CSVs, each with its header, give the same light curve" {
  small
  ph-lc -o files.csv r1.csv r2.csv r3.csv --no-meta
  cat r3.csv r1.csv r2.csv | ph-lc -o stdin.csv --no-meta -
  cmp files.csv stdin.csv
  # a light curve is valid input again, and comes back identical
  ph-lc -o again.csv --no-meta files.csv
  cmp files.csv again.csv
}

@test "-o - writes the CSV on stdout and no metadata; --meta FILE names it" {
  small
  run ph-lc -o - r1.csv r2.csv
  assert_success
  assert_line --index 0 "$HDR"
  [ "${#lines[@]}" -eq 3 ]
  [ -z "$(ls *.yaml 2>/dev/null)" ]
  ph-lc -o lc.csv --meta m.yaml r1.csv
  [ -f m.yaml ] && [ ! -e lc.meta.yaml ]
  ph-lc -o lc2.csv --no-meta r1.csv
  [ ! -e lc2.meta.yaml ]
}

@test "metadata: phrosty's fields, columns, summary and provenance read back with PyYAML" {
  small
  cat > cfg.yaml <<'YAML'
system:
  paths:
    ltcv_dir: lcdir
    dia_out_dir: /scratch/dia
photometry:
  phrosty:
    kerpolyorder: 2
    psf:
      type: A25ePSF
ph:
  lc:
    duplicates: last
YAML
  run ph-lc -q -c cfg.yaml --set photometry.phrosty.kerpolyorder=3 --oid 20172782 -b Y106 \
    -r 7.551093401915147 -d -44.80718106491529 --dec-err 1e-5 --iau-name "SN 2030abc" \
    r1.csv r2.csv r3.csv
  assert_success
  run pypeer - <<'PY'
import yaml
m = yaml.safe_load(open("lcdir/data/20172782/20172782_Y106_all.meta.yaml"))
assert m["lightcurve"] == "20172782_Y106_all.csv"
meta = m["meta"]
assert meta["band"] == "Y106" and meta["diaobject_id"] == "20172782"
assert meta["ra"] == 7.551093401915147 and meta["dec"] == -44.80718106491529
assert meta["ra_err"] is None and meta["dec_err"] == 1e-5
assert meta["iau_name"] == "SN 2030abc" and meta["provenance_id"] is None
assert meta["local_surface_brightness_Y106"] == -999.0
assert [c["name"] for c in m["columns"]][:3] == ["mjd", "flux", "flux_err"]
assert m["columns"][19] == {"name": "success", "datatype": "bool",
                            "description": m["columns"][19]["description"]}
s = m["summary"]
assert (s["rows"], s["failed"], s["science_images"], s["templates"]) == (3, 1, 2, 2)
assert (s["mjd_min"], s["mjd_max"]) == (62000.25, 62010.5)
p = m["provenance"]
assert p["tool"] == "ph-lc" and p["version"]
assert "--set" in p["command"] and p["command"][-1] == "r3.csv"
assert [i["rows"] for i in p["inputs"]] == [1, 1, 1]
assert p["config_file"] == "cfg.yaml"
assert p["options"]["duplicates"] == "last"
c = p["config"]
assert c["photometry"]["phrosty"]["kerpolyorder"] == 3
assert c["photometry"]["phrosty"]["psf"]["type"] == "A25ePSF"
assert c["system"]["paths"]["dia_out_dir"] == "/scratch/dia"
assert c["ph"]["lc"]["duplicates"] == "last"
print("ok")
PY
  assert_output "ok"
}

@test "--ecsv: astropy reads types, units and phrosty's metadata; pandas with comment='#'" {
  small
  sed "s/,header,0,nan,/,catalog,,0.02,/" r1.csv > r1n.csv
  run ph-lc -q --ecsv lc.ecsv --oid 20172782 -b Y106 -r 7.5 -d -44.8 r1n.csv r2.csv r3.csv
  assert_success
  [ -z "$(ls *.yaml 2>/dev/null)" ]
  run pypeer - <<'PY'
import numpy as np
import pandas as pd
from astropy.table import Table
t = Table.read("lc.ecsv")
assert t["success"].dtype == bool and list(t["success"]) == [False, True, True]
assert str(t["flux"].unit) == "ct" and str(t["mjd"].unit) == "d" and str(t["NEA"].unit) == "pix2"
assert t["observation_id"].dtype.kind == "U" and t["observation_id"][0] == "101"
assert t["zpt_nstars"].mask.tolist() == [False, False, True]
assert t.meta["band"] == "Y106" and t.meta["local_surface_brightness_Y106"] == -999.0
assert t.meta["ra"] == 7.5 and t.meta["provenance_id"] is None
assert t.colnames[:2] == ["mjd", "flux"] and len(t.colnames) == 26
assert np.isnan(t["flux"][0])
d = pd.read_csv("lc.ecsv", comment="#")
assert d["success"].dtype == bool and len(d) == 3
print("ok")
PY
  assert_output "ok"
  run ph-lc -o - --ecsv - r1.csv
  assert_failure 2
  assert_one_line_error "^ph-lc: only one output can be - \(standard output\)$"
  run ph-lc --ecsv lc.ecsv --plot lc.ecsv r1.csv
  assert_one_line_error "^ph-lc: --plot: 'lc.ecsv': the plot's extension"
  run ph-lc --ecsv e.csv -o e.csv r1.csv
  assert_one_line_error "^ph-lc: e.csv named for two outputs$"
  run ph-lc --ecsv - --meta - -o x.csv r1.csv
  assert_one_line_error "^ph-lc: only one output can be - \(standard output\)$"
}

@test "--print with --truth: true flux and pulls agree with pandas" {
  fixture
  run ph-lc -q --print --truth fx/truth.csv fx/rows/*.csv
  assert_success
  echo "$output" > table.txt
  assert_line --index 0 --regexp "^ +mjd +science +template +flux +flux_err +mag +mag_err +zpt +status +true_flux +pull$"
  assert_output --partial "FAILED"
  assert_line --regexp "^32 pairs \(1 failed\), 16 science x 2 templates, MJD 62000.0213 to 62060.0213$"
  run pypeer - <<'PY'
import glob
import numpy as np
import pandas as pd
d = pd.concat([pd.read_csv(f) for f in glob.glob("fx/rows/*.csv")])
d = d.sort_values(["mjd", "science_name", "template_name"], kind="stable")
t = pd.read_csv("fx/truth.csv")
m = d.merge(t[["observation_id", "sca", "flux"]], on=["observation_id", "sca"],
            suffixes=("", "_true"), how="left")
pull = np.where(m["success"], (m["flux"] - m["flux_true"]) / m["flux_err"], np.nan)
lines = open("table.txt").read().splitlines()[1:33]
got = [float(l.split()[-1]) if l.split()[-1] != "-" else np.nan for l in lines]
assert np.allclose(got, pull, atol=0.0051, equal_nan=True), (got, pull)
ok = np.isfinite(pull)
summary = open("table.txt").read().splitlines()[-1]
want = "pull (flux - true)/flux_err over %d rows: mean %+.3f, std %.3f" % (
    ok.sum(), pull[ok].mean(), pull[ok].std())
assert summary == want, (summary, want)
print("ok")
PY
  assert_output "ok"
}

@test "--truth without observation_id matches by nearest MJD within --truth-max-dt" {
  small
  printf 'mjd,flux\n62000.3,100\n62010.0,240\n' > truth.csv
  run ph-lc -q --print --truth truth.csv r1.csv r2.csv r3.csv
  assert_success
  # (120 - 100) / 10 = +2.00 ; (250 - 240) / 10 = +1.00
  assert_line --regexp "^62000.2500 +101/2 +900/3 +120 +10 .* ok +100 +\+2.00$"
  assert_line --regexp "^62010.5000 +102/2 +900/3 +250 +10 .* ok +240 +\+1.00$"
  run ph-lc -q --print --truth truth.csv --truth-max-dt 0.1 r1.csv r2.csv r3.csv
  assert_line --regexp "^62010.5000 .* ok +- +-$"
  assert_line --regexp "^62000.2500 .* ok +100 +\+2.00$"
  run ph-lc --print --truth truth.csv --truth-max-dt 0.01 r1.csv
  assert_output --partial "warning: truth.csv: no row matched the truth"
}

@test "duplicate pairs: an error naming both places, or --duplicates last keeps the later" {
  small
  row r1b.csv 62010.5 102 900 260
  run ph-lc -o lc.csv r1.csv r2.csv r1b.csv
  assert_failure 1
  assert_one_line_error "^ph-lc: r1b.csv: line 2: pair sci_102.fits - tpl_900.fits already given \(r1.csv line 2\); use --duplicates last"
  assert_no_file lc.csv
  assert_no_file lc.meta.yaml
  run ph-lc -q -o lc.csv --duplicates last r1.csv r2.csv r1b.csv
  assert_success
  run cut -d, -f2 lc.csv
  assert_output "flux
120.0
260.0"
  run ph-lc -o lc.csv --set ph.lc.duplicates=last r1b.csv r1.csv
  assert_success
  assert_output "ph-lc: 1 duplicate row replaced by a later one (--duplicates last)"
  run ph-lc -o lc.csv --duplicates first r1.csv
  assert_failure 2
  assert_one_line_error "^ph-lc: --duplicates: 'first' is not one of error\|last$"
}

@test "--plot: PNG, SVG and PDF by extension, --plot-size, nothing else written" {
  small
  run ph-lc --oid 7 -b J129 --plot lc.png r1.csv r2.csv r3.csv
  assert_success
  [ -z "$(ls *.csv.* *.yaml 2>/dev/null)" ]
  ph-lc --plot lc.svg --plot-size 600x400 r1.csv
  ph-lc --plot lc.PDF r1.csv r3.csv
  run head -c 5 lc.PDF
  assert_output "%PDF-"
  run pypeer - <<'PY'
import struct, xml.dom.minidom
png = open("lc.png", "rb").read()
assert png[:8] == b"\x89PNG\r\n\x1a\n"
w, h = struct.unpack(">II", png[16:24])
assert (w, h) == (1000, 800), (w, h)
svg = xml.dom.minidom.parse("lc.svg").documentElement
assert svg.getAttribute("width") == "600pt" and svg.getAttribute("height") == "400pt"
print("ok")
PY
  assert_output "ok"
  run ph-lc --plot big.png --plot-size 1200x900 r1.csv
  run pypeer -c "import struct; print(struct.unpack('>II', open('big.png','rb').read()[16:24]))"
  assert_output "(1200, 900)"
}

@test "the plot puts markers where the data are: positions linear in MJD, flux and magnitude" {
  pypeer -c "import PIL, scipy" 2>/dev/null || skip "python3-pil or scipy not available"
  # one template (one colour, no dodge); MJDs and fluxes chosen unevenly
  i=0
  for p in "62000 500" "62003 1500" "62011 4000" "62020 2500" "62031 800"; do
    set -- $p
    row "p$i.csv" "$1" "$((100 + i))" 900 "$2"
    i=$((i + 1))
  done
  row f.csv 62025 200 900 0 False
  ph-lc --plot lc.png --title "marker test" p*.csv f.csv
  run pypeer - <<'PY'
import numpy as np
from PIL import Image
from scipy import ndimage
img = np.asarray(Image.open("lc.png").convert("RGB")).astype(int)
def blobs(rgb, tol=12):
    m = (np.abs(img - np.array(rgb)).max(axis=2) <= tol)
    lab, n = ndimage.label(m)
    cs = ndimage.center_of_mass(m, lab, range(1, n + 1))
    sz = ndimage.sum(m, lab, range(1, n + 1))
    return [(c[1], c[0]) for c, s in zip(cs, sz) if s >= 12]
# template colour: tab10 blue; the legend's marker is the right-most blob
b = sorted(blobs((31, 119, 180)), key=lambda c: c[0])[:-1]
mjd = np.array([62000, 62003, 62011, 62020, 62031.0])
flux = np.array([500, 1500, 4000, 2500, 800.0])
mag = -2.5 * np.log10(flux) + 32.6617
top = sorted([c for c in b if c[1] < 442], key=lambda c: c[0])
bot = sorted([c for c in b if c[1] >= 442], key=lambda c: c[0])
assert len(top) == 5 and len(bot) == 5, (top, bot)
for pts, y, sign in ((top, flux, -1), (bot, mag, +1)):
    x = np.array([p[0] for p in pts]); yy = np.array([p[1] for p in pts])
    fx = np.polyfit(mjd, x, 1); fy = np.polyfit(y, yy, 1)
    assert fx[0] > 0 and np.abs(np.polyval(fx, mjd) - x).max() < 1.0, (x, fx)
    assert np.sign(fy[0]) == sign and np.abs(np.polyval(fy, y) - yy).max() < 1.0, (yy, fy)
# the failed pair: a red cross at its MJD in each panel
red = [c for c in blobs((214, 38, 41), tol=40) if c[0] < top[-1][0] + 20]
assert len(red) == 2, red
assert all(abs(c[0] - np.polyval(fx, 62025)) < 1.0 for c in red), (red, fx)
assert red[0][1] < 442 <= red[1][1] or red[1][1] < 442 <= red[0][1], red
print("ok")
PY
  assert_output "ok"
}

@test "--timing, -v summary, -q" {
  small
  run ph-lc --timing -o lc.csv r1.csv r2.csv r3.csv
  assert_success
  assert_line --regexp "^timing ph-lc +read +[0-9.]+ +-$"
  assert_line --regexp "^timing ph-lc +write "
  run ph-lc -v -o lc.csv --oid X -b H158 r1.csv r2.csv r3.csv
  assert_output --partial "ph-lc: X H158: 3 pairs (1 failed), 2 science x 2 templates, MJD 62000.2500 to 62010.5000"
  head -1 r1.csv > empty.csv
  run ph-lc -q -o lc.csv r1.csv empty.csv
  assert_success
  assert_output ""
  run ph-lc -o lc.csv r1.csv empty.csv
  assert_output "ph-lc: warning: empty.csv: no rows (a header only)"
}

@test "a row without an MJD is kept, sorted last, with a warning" {
  small
  row nan.csv nan 103 900 5
  run ph-lc -o lc.csv nan.csv r1.csv
  assert_success
  assert_output "ph-lc: warning: 1 row without an MJD (sorted last)"
  run cut -d, -f1,7 lc.csv
  assert_output "mjd,observation_id
62010.5,102
nan,103"
}

@test "bad input files: one-line errors naming file and line, exit 1, no output" {
  : > empty.csv
  run ph-lc -o lc.csv empty.csv
  assert_failure 1
  assert_one_line_error "^ph-lc: empty.csv: empty file: no header line$"
  echo "$HDR" > hdr.csv
  run ph-lc -o lc.csv hdr.csv
  assert_failure 1
  assert_one_line_error "^ph-lc: hdr.csv: no light-curve rows in the input \(a header only\)$"
  run ph-lc -o lc.csv hdr.csv hdr.csv
  assert_one_line_error "^ph-lc: no light-curve rows in the input \(every file has a header only\)$"
  run ph-lc -o lc.csv missing.csv
  assert_failure 1
  assert_one_line_error "^ph-lc: missing.csv: cannot open: No such file or directory$"
  mkdir adir
  run ph-lc -o lc.csv adir
  assert_failure 1
  assert_one_line_error "^ph-lc: adir: "
  printf 'mjd,flux,flux_err\n1,2,3\n' > cols.csv
  run ph-lc -o lc.csv cols.csv
  assert_failure 1
  assert_one_line_error "^ph-lc: cols.csv: header: no column zpt \(a light-curve row has phrosty's 20 columns"
  row good.csv 62000 101 900 5
  sed 's/^62000,5,/62000,five,/' good.csv > type.csv
  run ph-lc -o lc.csv good.csv type.csv
  assert_failure 1
  assert_one_line_error "^ph-lc: type.csv: line 2: column flux: 'five' is not a number$"
  sed 's/,True,/,maybe,/' good.csv > bool.csv
  run ph-lc -o lc.csv bool.csv
  assert_one_line_error "^ph-lc: bool.csv: line 2: column success: 'maybe' is not True or False$"
  sed 's/,2,100.5,/,two,100.5,/' good.csv > int.csv
  run ph-lc -o lc.csv int.csv
  assert_one_line_error "^ph-lc: int.csv: line 2: column sca: 'two' is not a whole number$"
  { cat good.csv; echo "62001,1,2"; } > ragged.csv
  run ph-lc -o lc.csv ragged.csv
  assert_one_line_error "^ph-lc: ragged.csv: line 3: 3 fields, but the header has 26$"
  printf '\x00\x01binary' > bin.csv
  run ph-lc -o lc.csv bin.csv
  assert_one_line_error "^ph-lc: bin.csv: binary data where text was expected$"
  run ph-lc -o - - < /dev/null
  assert_one_line_error "^ph-lc: -: empty file: no header line$"
  assert_no_file lc.csv
  assert_no_file lc.meta.yaml
}

@test "a failure after the CSV would be written leaves none of the outputs" {
  small
  printf 'time,flux\n1,2\n' > truth.csv
  run ph-lc -o lc.csv --plot lc.png --truth truth.csv r1.csv
  assert_failure 1
  assert_one_line_error "^ph-lc: truth.csv: a truth file needs columns mjd and flux \(it has no mjd\)$"
  assert_no_file lc.csv
  assert_no_file lc.meta.yaml
  assert_no_file lc.png
  printf 'mjd,flux\nsoon,2\n' > truth.csv
  run ph-lc -o lc.csv --truth truth.csv r1.csv
  assert_one_line_error "^ph-lc: truth.csv: line 2: column mjd: 'soon' is not a number$"
  run ph-lc -o lc.csv --truth nothere.csv r1.csv
  assert_one_line_error "^ph-lc: nothere.csv: cannot open"
  # an output directory that cannot be created
  touch blocker
  run ph-lc --ltcv-dir blocker --oid 1 -b Y106 r1.csv
  assert_failure 1
  assert_one_line_error "^ph-lc: blocker/data/1: "
  run ph-lc -o nodir/lc.csv --plot lc.png r1.csv
  assert_failure 1
  assert_no_file lc.png
  # an old light curve is replaced only by a complete new one
  ph-lc -q -o lc.csv r1.csv
  cp lc.csv before.csv
  run ph-lc -o lc.csv --truth truth.csv r1.csv r2.csv
  assert_failure 1
  cmp lc.csv before.csv
}

@test "usage errors exit 2 with one line" {
  small
  run ph-lc -o lc.csv
  assert_failure 2
  assert_one_line_error "^ph-lc: no input: give photometry CSV files, or - for stdin"
  run ph-lc r1.csv
  assert_failure 2
  assert_one_line_error "^ph-lc: no output: give -o FILE, or --oid and --band with --ltcv-dir DIR"
  run ph-lc --ltcv-dir out --oid 5 r1.csv
  assert_failure 2
  assert_one_line_error "^ph-lc: --ltcv-dir needs --oid and --band to name the file$"
  run ph-lc --plot lc.gif r1.csv
  assert_failure 2
  assert_one_line_error "^ph-lc: --plot: 'lc.gif': the plot's extension must be .png, .svg or .pdf$"
  assert_no_file lc.gif
  run ph-lc --plot - r1.csv
  assert_failure 2
  run ph-lc -o - --print r1.csv
  assert_one_line_error "^ph-lc: -o - and --print both write to stdout; choose one$"
  run ph-lc -o lc.csv --meta m.yaml --no-meta r1.csv
  assert_one_line_error "contradict each other$"
  run ph-lc -o lc.csv --meta lc.csv r1.csv
  assert_one_line_error "^ph-lc: lc.csv named for two outputs$"
  run ph-lc -o r1.csv r1.csv
  assert_failure 2
  assert_one_line_error "^ph-lc: r1.csv: is both an input and an output$"
  run ph-lc -o lc.csv - -
  assert_one_line_error "^ph-lc: only one input can be - \(standard input\)$"
  run ph-lc -o lc.csv -b Q999 r1.csv
  assert_failure 2
  assert_one_line_error "^ph-lc: --band: unknown band 'Q999' \(one of R062 Z087"
  run ph-lc -o lc.csv -r 400 r1.csv
  assert_one_line_error "^ph-lc: --ra: 400 is out of range \[0, 360\]$"
  run ph-lc -o lc.csv -d north r1.csv
  assert_one_line_error "^ph-lc: --dec: 'north' is not a number$"
  run ph-lc -o lc.csv --ra-err -1 r1.csv
  assert_one_line_error "^ph-lc: --ra-err: -1 is out of range"
  run ph-lc -o lc.csv --dec-err x r1.csv
  assert_failure 2
  run ph-lc -o lc.csv --local-sb bright r1.csv
  assert_one_line_error "^ph-lc: --local-sb: 'bright' is not a number$"
  run ph-lc -o lc.csv --oid a/b r1.csv
  assert_one_line_error "^ph-lc: --oid: 'a/b' cannot name a directory$"
  run ph-lc -o lc.csv --truth-max-dt -1 r1.csv
  assert_one_line_error "^ph-lc: --truth-max-dt: -1 is out of range"
  run ph-lc --plot lc.png --plot-size 100x100 r1.csv
  assert_one_line_error "^ph-lc: --plot-size: '100x100' is not WIDTHxHEIGHT with sides 200 to 10000$"
  run ph-lc --plot lc.png --plot-size 800 r1.csv
  assert_failure 2
  run ph-lc --ltcv-dir "" --oid 1 -b Y106 r1.csv
  assert_one_line_error "^ph-lc: --ltcv-dir: empty directory name$"
  run ph-lc -o lc.csv --frobnicate r1.csv
  assert_one_line_error "option --frobnicate is unknown"
  run ph-lc -o lc.csv --set ph.lc.duplicates=maybe r1.csv
  assert_failure 2
  assert_one_line_error "^ph-lc: --set: ph.lc.duplicates: 'maybe' is not one of error\|last$"
  assert_no_file lc.csv
}

@test "the config's system.paths.ltcv_dir is the default directory" {
  small
  printf 'system:\n  paths:\n    ltcv_dir: lcd\n' > c.yaml
  run ph-lc -q -c c.yaml --oid 42 -b K213 r1.csv r2.csv
  assert_success
  [ -f lcd/data/42/42_K213_all.csv ]
  # without --oid/--band the config's directory is not an error (only unused)
  run ph-lc -q -c c.yaml --print r1.csv
  assert_success
  # -o wins over the directory
  run ph-lc -q -c c.yaml --oid 42 -b K213 -o here.csv r1.csv
  [ -f here.csv ] && [ -f here.meta.yaml ]
}

@test "man page exists and renders without warnings" {
  run bash -c "groff -man -Tutf8 -ww -z '$PH_TOP/build/man/man1/ph-lc.1' 2>&1"
  assert_success
  assert_output ""
  run man -P cat ph-lc
  assert_success
  assert_output --partial "MEMORY"
  assert_output --partial "EXIT STATUS"
}

# ---- --failure-row: a failed pair's row, lightcurve.h's columns -------------

@test "--failure-row writes the header and one success False row from COLUMN=VALUE" {
  run ph-lc --failure-row -o f.csv mjd=62000 observation_id=101 sca=2 science_name=sci_101.fits \
    science_id=sci_101 template_observation_id=900 template_sca=3 template_name=tpl_900.fits \
    template_id=tpl_900
  assert_success
  assert_output ""
  run cat f.csv
  assert_line --index 0 "$HDR"
  # the measurements NaN; a whole mjd written as a float, as ph-phot writes it
  assert_line --index 1 "62000.0,nan,nan,nan,nan,nan,101,2,nan,nan,sci_101.fits,tpl_900.fits,sci_101,tpl_900,900,3,nan,nan,nan,False,,nan,nan,nan,nan,nan"
  [ "${#lines[@]}" -eq 2 ]
  # as many columns as the header, and ph-lc reads it back as a failed pair
  [ "$(awk -F, '{print NF}' f.csv | sort -u)" = "$(echo "$HDR" | awk -F, '{print NF}')" ]
  row r1.csv 62010.5 102 900 250
  run ph-lc -o lc.csv f.csv r1.csv
  assert_success
  run grep -c ',False,' lc.csv
  assert_output "1"
  # standard output without -o; a name that needs quoting is quoted
  run ph-lc --failure-row mjd=62000.5 science_name="a,b.fits"
  assert_success
  assert_line --index 1 --partial '62000.5,nan,nan,nan,nan,nan,,0,nan,nan,"a,b.fits",'
}

@test "--failure-row: bad columns and values are usage errors (exit 2), no file" {
  run ph-lc --failure-row -o f.csv mjd=62000 sca=two
  assert_failure 2
  assert_one_line_error "^ph-lc: --failure-row: column sca: 'two' is not a whole number$"
  assert_no_file f.csv
  run ph-lc --failure-row -o f.csv mjd=soon
  assert_failure 2
  assert_one_line_error "^ph-lc: --failure-row: column mjd: 'soon' is not a number$"
  run ph-lc --failure-row -o f.csv colour=red
  assert_failure 2
  assert_one_line_error "^ph-lc: --failure-row: 'colour' is not a light-curve column \(mjd, ... res_zp90\)$"
  run ph-lc --failure-row -o f.csv success=True
  assert_failure 2
  assert_one_line_error "^ph-lc: --failure-row: success: a failure row has success False$"
  run ph-lc --failure-row -o f.csv mjd=1 mjd=2
  assert_failure 2
  assert_one_line_error "^ph-lc: --failure-row: column mjd given twice$"
  run ph-lc --failure-row -o f.csv mjd
  assert_failure 2
  assert_one_line_error "^ph-lc: --failure-row: 'mjd': expected COLUMN=VALUE$"
  run ph-lc --failure-row -o f.csv
  assert_failure 2
  assert_one_line_error "^ph-lc: --failure-row: no COLUMN=VALUE given"
  run ph-lc --failure-row --plot p.png mjd=1
  assert_failure 2
  assert_one_line_error "^ph-lc: --failure-row: writes one row: --plot, --print, --ecsv, --meta and --truth do not go with it$"
  assert_no_file f.csv
  assert_no_file p.png
}
