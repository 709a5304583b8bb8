#!/usr/bin/env bats
# examples/by-hand.sh: the tools chained by hand in the order of their man
# pages, with no option beyond what each needs, give ph-pipeline's rows to
# the last digit, and fluxes within 3 sigma of ph-sim's truth (Y106, an
# undersampled PSF: the transient's sub-pixel phase matters).
load ../cli/helpers

OID=20172782

setup_file() {
  cd "$BATS_FILE_TMPDIR" || return 1
  ph-sim -q --size 1024 --templates 1 --science 3 --seed 5 -o scene
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
cat_of() { echo "truth/Y106/$2/Roman_TDS_index_Y106_$2_1.txt"; }

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

@test "examples/by-hand.sh: usage" {
  run "$PH_TOP/examples/by-hand.sh" a b c
  assert_failure 2
  assert_output --partial "usage: "
}
