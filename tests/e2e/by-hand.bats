#!/usr/bin/env bats
# examples/by-hand.sh: the tools chained by hand in the order of their man
# pages, with no option beyond what each needs, give ph-pipeline's rows to
# the last digit, and fluxes within 3 sigma of ph-sim's truth (Y106, an
# undersampled PSF: the transient's sub-pixel phase matters).
load ../cli/helpers

OID=20172782

setup_file() {
  cd "$BATS_FILE_TMPDIR" || return 1
  # OU2024's star density leaves 2-3 stars of 19-21.5 mag on 1024^2: the
  # density of a whole SCA's 40 on this cut-out, for the catalogue zero point
  ph-sim -q --size 1024 --templates 1 --science 3 --seed 5 --nstars 640 -o scene
}

# A fresh copy of the scene in the test's directory with the example config
# (ph.psf.model: the scene's PSF model files); sets RA, DEC, T (the template).
scene() {
  cp -r "$BATS_FILE_TMPDIR/scene/." .
  cp "$PH_TOP/examples/phrosty_config.yaml" config.yaml
  export SNPIT_CONFIG=$PWD/config.yaml
  RA=$(awk -F, 'NR==2 {print $10}' truth/transient_${OID}_Y106.csv)
  DEC=$(awk -F, 'NR==2 {print $11}' truth/transient_${OID}_Y106.csv)
  T=$(awk 'NR==2 {print $1}' templates.csv)
}
img() { echo "images/$1"; }
stem() { local b; b=$(basename "$1"); echo "${b%.fits.gz}"; }
# the truth catalogue of science image $1 (observation $2): same pointing and SCA
cat_of() { local b; b=$(basename "$1" .fits.gz); echo "truth/Y106/$2/${b/simple_model/index}.txt"; }

# pull of a row against the truth: prints "obs flux true pull"
pull() {
  awk -F, 'NR == FNR { if (FNR > 1) t[$2] = $4; next }
           FNR == 2 { printf "%s %.1f %.1f %.3f\n", $7, $2, t[$7], ($2 - t[$7]) / $3 }' \
    truth/transient_${OID}_Y106.csv "$1"
}

@test "examples/by-hand.sh gives ph-pipeline's rows to the last digit, within 3 sigma of the truth, with per-image zero points" {
  scene
  run ph-pipeline --oid $OID -r "$RA" -d "$DEC" -b Y106 -t templates.csv -s science.csv -p 2 \
    --catalog 'truth/{band}/{pointing}/Roman_TDS_index_{band}_{pointing}_{sca}.txt'
  assert_success
  while read -r path obs sca mjd band; do
    [ "$path" = path ] && continue
    run "$PH_TOP/examples/by-hand.sh" "$(img "$path")" "$(img "$T")" "$RA" "$DEC" "hand/$obs" "$(cat_of "$path" "$obs")"
    assert_success
    row=dia_out_dir/$OID/phot_$(stem "$path")-$(stem "$T").csv
    cmp "hand/$obs/row.csv" "$row" || fail "$obs: by hand $(sed -n 2p "hand/$obs/row.csv"), ph-pipeline $(sed -n 2p "$row")"
    cmp "hand/$obs/zpt.csv" "dia_out_dir/$OID/zpt_$(stem "$path").csv"
    read -r o f t p < <(pull "hand/$obs/row.csv")
    echo "# $o: flux $f, true $t, pull $p" >&3
    awk -v p="$p" 'BEGIN { exit !(p > -3 && p < 3) }' || fail "$o: pull $p"
    # the field-star zero point is the truth's (ph-sim: 32.6617)
    run awk -F, 'NR == 2 { z = $4 - 32.66170856226013; print $21, (z < 0.01 && z > -0.01) }' "hand/$obs/row.csv"
    assert_output "catalog 1"
  done < science.csv
}

@test "the test can fail: a centred DECORR_PSF (ph-decorr --centred-psf, the old by-hand chain) moves the fluxes" {
  scene
  path=$(awk 'NR==2 {print $1}' science.csv)
  "$PH_TOP/examples/by-hand.sh" "$(img "$path")" "$(img "$T")" "$RA" "$DEC" hand 2> /dev/null
  ph-decorr -q --centred-psf hand/diff.fits -o hand/centred.fits
  ph-phot -q hand/centred.fits --ra "$RA" --dec "$DEC" -o hand/centred.csv
  read -r o f t p < <(pull hand/row.csv)
  read -r o fc t pc < <(pull hand/centred.csv)
  echo "# $o: phased flux $f (pull $p), centred $fc (pull $pc), true $t" >&3
  awk -v a="$f" -v b="$fc" 'BEGIN { exit !(a / b - 1 > 0.02 || b / a - 1 > 0.02) }' || fail "centred $fc, phased $f"
}

@test "a template that overlaps 1% of the science image: the zero point is still the science image's, from all its stars" {
  scene
  path=$(awk 'NR==2 {print $1}' science.csv) obs=$(awk 'NR==2 {print $2}' science.csv)
  # the template cut to 100 x 100 px around the transient (its name kept: ph-psf's {pointing})
  mkdir cut
  pypeer - "$(img "$T")" "cut/$(basename "$T")" "$RA" "$DEC" <<'PY'
import sys
from astropy.io import fits
from astropy.wcs import WCS
f = fits.open(sys.argv[1])
x, y = WCS(f["SCI"].header).all_world2pix(float(sys.argv[3]), float(sys.argv[4]), 0)
x0, y0 = int(x) - 50, int(y) - 50
out = [fits.PrimaryHDU(header=f[0].header)]
for h in f[1:]:
    hh = h.header.copy()
    if "CRPIX1" in hh:
        hh["CRPIX1"] -= x0
        hh["CRPIX2"] -= y0
    out.append(fits.ImageHDU(h.data[y0:y0 + 100, x0:x0 + 100], hh, name=h.name))
fits.HDUList(out).writeto(sys.argv[2])
PY
  "$PH_TOP/examples/by-hand.sh" "$(img "$path")" "$(img "$T")" "$RA" "$DEC" full "$(cat_of "$path" "$obs")" 2> /dev/null
  run "$PH_TOP/examples/by-hand.sh" "$(img "$path")" "cut/$(basename "$T")" "$RA" "$DEC" small "$(cat_of "$path" "$obs")"
  assert_success
  run pypeer -c "from astropy.io import fits; print(fits.getheader('small/aligned.fits', 'SCI')['ALOVERLP'] < 0.02)"
  assert_output True
  cmp full/zpt.csv small/zpt.csv
  run awk -F, 'NR == 2 { print $4, $20, $21 }' small/row.csv
  assert_output "$(awk -F, 'NR == 2 { print $4, "True", "catalog" }' full/row.csv)"
  # measured per pair on DECORR_SCI, where the template overlaps, too few
  # stars remain: the header zero point, a warning, still success True
  run ph-phot small/decorr.fits --ra "$RA" --dec "$DEC" --catalog "$(cat_of "$path" "$obs")" -o pair.csv
  assert_success
  assert_output --regexp "warning: .*only [0-2] catalogue stars? with 19 < mag < 21.5 measured on DECORR_SCI .*using the header zero point"
  run awk -F, 'NR == 2 { print $20, $21 }' pair.csv
  assert_output "True header"
}

@test "examples/by-hand.sh: usage" {
  run "$PH_TOP/examples/by-hand.sh" a b c
  assert_failure 2
  assert_output --partial "usage: "
}
