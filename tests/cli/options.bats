#!/usr/bin/env bats
# One option vocabulary across the tools (HACKING.md "Option vocabulary"):
# no short letter or long name means two things; old spellings still work
# for this release, hidden from --help and completion, with a one-line
# warning; switches are --X/--no-X; the settings a product was made with
# are recorded in it, whatever their source; the bash completion is
# generated from the option tables and installed by make install.
load helpers

TOOLS="ph-align ph-config ph-decorr ph-import ph-lc ph-phot ph-psf ph-sim ph-skysub ph-subtract ph-pipeline ph-slurm"

@test "every short letter and long name means one concept across the tools" {
  # the spellings each concept keeps (phrosty's for ph-pipeline), by option name
  for t in $TOOLS; do
    "$t" --list-options | sed "s/^/$t /"
  done > all.txt
  [ "$(wc -l < all.txt)" -gt 150 ] || fail "too few options listed"
  # a short letter always goes with the same long name (--config and
  # phrosty's --config-file are one option: every tool takes both)
  run awk '$3 == "--config-file" { $3 = "--config" }
           $2 ~ /^-[a-zA-Z]$/ && $3 ~ /^--/ { if (($2 in l) && l[$2] != $3) print $2, l[$2], $3; l[$2] = $3 }' all.txt
  assert_output ""
  ph-config --config-file /dev/null --set a.b=1 get a.b
  printf 'photometry:\n  phrosty:\n    kerpolyorder: 1\n' > k.yaml
  run ph-pipeline --config k.yaml --oid 1 -r 1 -d 1 -b Y106 -t /nonexistent -s /nonexistent
  assert_failure 2
  assert_output --partial "k.yaml: missing key system.paths.dia_out_dir"
  # the conflicts of issue 18 are gone from the visible tables
  ! grep -E "^ph-align (-t|-p|-k) " all.txt
  ! grep -E "^ph-psf -s " all.txt
  ! grep -E "^ph-decorr -m " all.txt
  grep -q "^ph-pipeline -p --nprocs N$" all.txt
  grep -q "^ph-pipeline -s --science-images FILE$" all.txt
  grep -q "^ph-pipeline -t --template-images FILE$" all.txt
  grep -q "^ph-psf -m --model MODEL$" all.txt
  # science and template are spelled so wherever an option names one
  ! grep -E -- "--(sci|ref|tpl)(-|$| )" all.txt
  for t in ph-align ph-subtract ph-decorr; do grep -q "^$t -j --threads N$" all.txt; done
  grep -q "^ph-pipeline -j --threads N$" all.txt
}

@test "old spellings: accepted with one warning, hidden from --help, the same result" {
  ph-sim -q --size 64 --templates 1 --science 1 --seed 2 -o sc
  img=$(ls sc/images/Y106/*/*.fits.gz | head -1)
  ph-psf -q "$img" --x 30 --y 30 -m gaussian:1.5 --size 15 -o new.fits
  run ph-psf "$img" --x 30 --y 30 -m gaussian:1.5 -s 15 -o old.fits
  assert_success
  assert_output "ph-psf: warning: -s is the old spelling of --size, accepted until the next release"
  run pypeer -c "from astropy.io import fits; import numpy as np; print(np.array_equal(fits.getdata('new.fits'), fits.getdata('old.fits')))"
  assert_output "True"
  run ph-psf --help
  refute_output --regexp "(^| )-s,"
  ph-skysub -q "$img" -o sky.fits
  run ph-align --target sky.fits sky.fits -p new.fits -k bicubic -o al.fits
  assert_success
  assert_line "ph-align: warning: -t/--target is the old spelling of --science, accepted until the next release"
  assert_line "ph-align: warning: -p/--psf is the old spelling of --template-psf, accepted until the next release"
  assert_line "ph-align: warning: -k/--kernel is the old spelling of --interp, accepted until the next release"
  run ph-align --help
  refute_output --partial -- "--target"
  refute_output --partial -- "--kernel"
  # an old config key is read too, with its warning
  printf 'ph:\n  align:\n    kernel: lanczos3\n' > old.yaml
  run ph-align -c old.yaml --science sky.fits --template sky.fits --template-psf new.fits -o al2.fits
  assert_success
  assert_output --partial "ph.align.kernel is the old name of interp"
  run pypeer -c "from astropy.io import fits; print(fits.getheader('al2.fits', 'SCI')['ALKERNEL'])"
  assert_output "lanczos3"
  # the old "--clean no" and the switch give the same file
  ph-skysub -q "$img" --no-clean -o c1.fits
  ph-skysub -q "$img" --clean no -o c2.fits
  printf 'ph:\n  skysub:\n    clean: false\n' > c.yaml
  ph-skysub -q -c c.yaml "$img" -o c3.fits
  cmp c1.fits c2.fits
  cmp c1.fits c3.fits
  run pypeer -c "from astropy.io import fits; print(fits.getheader('c1.fits', 'SCI')['CLEAN'])"
  assert_output "False"
  run ph-skysub -q "$img" --clean=maybe -o c4.fits
  assert_failure 2
  assert_one_line_error "^ph-skysub: --clean: 'maybe' is not true or false$"
}

@test "products record their settings: the same from the config or the command line, outputs left out" {
  ph-sim stamp -q -b J129 --stamp-size 21 --phase 0.1,-0.2 -o a.fits
  printf 'ph:\n  sim:\n    band: J129\n    stamp_size: 21\n    phase: "0.1,-0.2"\n' > s.yaml
  ph-sim stamp -q -c s.yaml -o b.fits
  cmp a.fits b.fits
  run pypeer -c "
from astropy.io import fits
h = fits.getheader('a.fits')
print(h['PH_TOOL'], h['PH_VERS'].split()[0])
print('\n'.join(str(c) for c in h['HISTORY']))"
  assert_line --index 0 --regexp "^ph-sim [0-9]+\.[0-9]+"
  assert_line --index 1 --regexp "^ph-sim [0-9.]+ .*settings:$"
  assert_line --index 2 "  --band J129"
  assert_output --partial "  --phase 0.1,-0.2"
  assert_output --partial "  --stamp-size 21"
  refute_output --partial "a.fits"
}

@test "bash completion: generated from the option tables, installed by make install" {
  run env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make -s -C "$PH_TOP" install PREFIX="$T/inst"
  assert_success
  c=$T/inst/share/bash-completion/completions
  for t in $TOOLS; do [ -s "$c/$t" ] || fail "no completion for $t"; done
  [ -x "$T/inst/bin/ph-align" ]
  run bash -c '
    source "$1"
    complete -p ph-align
    comp() { COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _phrosty_c; echo "${COMPREPLY[*]}"; }
    comp ph-align --sc
    comp ph-align --t
    comp ph-subtract --device ""
    comp ph-pipeline --layout ""
    comp ph-skysub --no-c
    mkdir -p d && touch d/x.fits
    comp ph-decorr --phrosty-dir d
    comp ph-align --template d/x' _ "$c/ph-align"
  assert_success
  assert_line --index 0 "complete -o filenames -F _phrosty_c ph-align"
  assert_line --index 1 "--science"
  assert_line --index 2 "--template --template-psf --threads --timing"
  assert_line --index 3 "auto cpu gpu"
  assert_line --index 4 "ph phrosty"
  assert_line --index 5 "--no-clean"
  assert_line --index 6 "d"
  assert_line --index 7 "d/x.fits"
}

# The C tools whose option table is typed (common/cli.h) and whose man page's
# OPTIONS entries are generated from it (scripts/mkman).
# Every C tool (one folder of tools/ each).
TYPED=$(cd "$PH_TOP/tools" && for d in */; do printf 'ph-%s ' "${d%/}"; done)

@test "--print-params: each value in effect and where it came from; a bad value still exits 2" {
  printf 'ph:\n  skysub:\n    back_size: 32\nphotometry:\n  phrosty:\n    sfft:\n      radius_cut_detmask: 3\n' > c.yaml
  run ph-skysub -c c.yaml --set ph.skysub.dilate=4 --detect-thresh 2 --variance noise --no-clean \
      --print-params x.fits
  assert_success
  row() { awk -v o="$1" '$1 == o { $1 = ""; print substr($0, 2) }' <<< "$output"; }
  [[ $(row --back-size) =~ ^32\ +config\ c.yaml\ +ph.skysub.back_size$ ]] || fail "$(row --back-size)"
  [[ $(row --back-filtersize) =~ ^3\ +default\ + ]] || fail "$(row --back-filtersize)"
  [[ $(row --radius-cut) =~ ^3\ +config\ c.yaml\ +photometry.phrosty.sfft.radius_cut_detmask$ ]]
  [[ $(row --dilate) =~ ^4\ +--set\ + ]] || fail "$(row --dilate)"
  [[ $(row --detect-thresh) =~ ^2\ +command\ line\ + ]] || fail "$(row --detect-thresh)"
  [[ $(row --variance) =~ ^noise\ +command\ line ]] || fail "$(row --variance)"
  [[ $(row --clean) =~ ^off\ +command\ line ]] || fail "$(row --clean)"
  [[ $(row --gain) =~ ^-\ +not\ set ]] || fail "$(row --gain)"
  # every option of the table has its row
  [ "$(grep -c '^  --' <<< "$output")" -eq "$(ph-skysub --list-options | grep -vc -- '^--no-\|--config\|--set\|--timing\|--verbose\|--quiet\|--help\|--version\|--print-params')" ]
  run ph-skysub --set ph.skysub.dilate=999 --print-params x.fits
  assert_failure 2
  assert_one_line_error "--set: ph.skysub.dilate: 999 is out of range \\[0, 250\\]$"
  ! [ -e x.fits ]
}

@test "typed tables: --help shows each default once, from the table; the man page's OPTIONS come from it" {
  for t in $TYPED; do
    page="$PH_TOP/build/man/man1/$t.1"
    grep -q '^\.\\" @options$' "$PH_TOP/man/$t.1" || fail "$t: man/$t.1 has no generated OPTIONS"
    run bash -c "groff -man -Tutf8 -ww -z '$page' 2>&1"
    assert_output ""
    text=$(MANWIDTH=200 man -l "$page" 2>/dev/null)
    # every visible option of the table is an entry of the page
    while read -r -a w; do
      o=${w[0]}; [[ $o == --* ]] || o=${w[1]}
      [[ $o == --no-* ]] && continue
      grep -qE -- "^ +(-[a-zA-Z], )?$o( |,|$)" <<< "$text" || fail "$t: $o not in its man page"
    done < <("$t" --list-options)
    # --print-params: one row per option of the table, and no default
    # written into a help line whose row has one (it would show twice)
    run "$t" --print-params
    assert_success
    [ "$(grep -c '^  --' <<< "$output")" -ge 1 ] || fail "$t: --print-params printed no row"
    run bash -c "'$t' --help | grep -E '\\(default[: ][^)]*\\).*\\(default: '"
    assert_output ""
  done
  [ "$(wc -w <<< "$TYPED")" -ge 10 ] || fail "too few tools: $TYPED"
  # a default is shown where the table has one, and not written again in the help text
  run ph-skysub --help
  assert_line --regexp "^ +--back-size N +background mesh, pixels \(default: 64\)$"
  assert_line --regexp "^ +--\[no-\]clean +.*\(default: on\)$"
  run grep -c "Default: \\\\fB64\\\\fR; range 1 to 1000000; config key \\\\fBph.skysub.back_size" "$PH_TOP/build/man/man1/ph-skysub.1"
  assert_output 1
  # a stale paragraph (an option the table lacks) stops the build of the page
  sed 's/^\.\\" @ dilate$/.\\" @ dilatation/' "$PH_TOP/man/ph-skysub.1" > stale.1
  run "$PH_TOP/scripts/mkman" "$PH_TOP/bin/ph-skysub" stale.1
  assert_failure
  assert_output --partial "a paragraph for --dilatation, which"
}
