#!/usr/bin/env bats
# ph-config: the config as every tool reads it.
load helpers

write_cfg() {
  cat > cfg.yaml <<'YAML'
replaceable_preloads:
  - /snpit_env/configs/nov2025_container_config.yaml
system:
  paths:
    dia_out_dir: /scratch/dia_out_dir/
    ltcv_dir: /scratch/lc_out_dir/
photometry:
  phrosty:
    kerpolyorder: 2
    keep_intermediate: true
    sfft:
      radius_cut_detmask: 2
    psf:
      type: A25ePSF
      params: {}
YAML
}

@test "ph-config --help lists commands, common options and an example" {
  run ph-config --help
  assert_success
  assert_output --partial "Usage: ph-config"
  assert_output --partial "--set KEY=VALUE"
  assert_output --partial "Example:"
}

@test "ph-config --version" {
  run ph-config --version
  assert_success
  assert_output --regexp "^ph-config \(phrosty-c\) [0-9]+\.[0-9]+\.[0-9]+"
}

@test "get reads phrosty's keys, from -c and from SNPIT_CONFIG" {
  write_cfg
  run ph-config -q -c cfg.yaml get photometry.phrosty.kerpolyorder
  assert_success
  assert_output "2"
  SNPIT_CONFIG=cfg.yaml run ph-config -q get system.paths.ltcv_dir
  assert_output "/scratch/lc_out_dir/"
}

@test "the seed's config parses; its missing preload is a warning" {
  [ -e "$PH_SHARED_DATA/../seed/examples/perlmutter_phrosty_config.yaml" ] || skip "no seed"
  run ph-config -c "$PH_SHARED_DATA/../seed/examples/perlmutter_phrosty_config.yaml" get photometry.phrosty.psf.type
  assert_success
  assert_line --index 0 --partial "warning: "
  assert_line --index 0 --partial "nov2025_container_config.yaml does not exist"
  assert_line --index 1 "A25ePSF"
}

@test "--set overrides, defaults apply, missing keys fail" {
  write_cfg
  run ph-config -q -c cfg.yaml --set photometry.phrosty.kerpolyorder=3 get photometry.phrosty.kerpolyorder
  assert_output "3"
  run ph-config -q -c cfg.yaml get photometry.phrosty.nothing 7
  assert_output "7"
  run ph-config -q -c cfg.yaml get photometry.phrosty.nothing
  assert_failure 1
  assert_one_line_error "^ph-config: cfg.yaml: no key photometry.phrosty.nothing"
}

@test "dump, keys, list" {
  write_cfg
  run ph-config -q -c cfg.yaml keys photometry.phrosty
  assert_output "kerpolyorder
keep_intermediate
sfft
psf"
  run ph-config -q -c cfg.yaml list replaceable_preloads
  assert_output "/snpit_env/configs/nov2025_container_config.yaml"
  run ph-config -q -c cfg.yaml dump photometry.phrosty.sfft
  assert_output "radius_cut_detmask: 2"
  # a dump is valid YAML that reads back the same
  ph-config -q -c cfg.yaml dump > again.yaml
  run ph-config -q -c again.yaml get system.paths.dia_out_dir
  assert_output "/scratch/dia_out_dir/"
}

@test "check warns about unknown phrosty keys only" {
  write_cfg
  run ph-config -q -c cfg.yaml --set photometry.phrosty.kerpolyordr=1 check
  assert_success
  run ph-config -c cfg.yaml --set photometry.phrosty.kerpolyordr=1 check
  assert_output --partial "photometry.phrosty.kerpolyordr is not a key phrosty-c knows"
  refute_output --partial "kerpolyorder is not"
}

@test "malformed YAML: one line with file, line and column" {
  printf 'a:\n  b: 1\n c: [1, 2\n' > bad.yaml
  run ph-config -c bad.yaml dump
  assert_failure 2
  assert_one_line_error "^ph-config: bad.yaml: malformed YAML at line 3, column [0-9]+"
}

@test "usage errors exit 2" {
  run ph-config
  assert_failure 2
  assert_one_line_error "expected a command"
  run ph-config frobnicate
  assert_failure 2
  run ph-config --nope get x
  assert_failure 2
  assert_one_line_error "option --nope is unknown"
  run ph-config --set novalue get x
  assert_failure 2
  assert_one_line_error "expected KEY=VALUE"
  run ph-config -c /nonexistent.yaml get x
  assert_failure
  assert_one_line_error "^ph-config: /nonexistent.yaml: cannot open config"
}

@test "man page exists and renders without warnings" {
  run bash -c "groff -man -Tutf8 -ww -z '$PH_TOP/build/man/man1/ph-config.1' 2>&1"
  assert_success
  assert_output ""
  run man -P cat ph-config
  assert_success
  assert_output --partial "ph-config"
}

@test "--timing prints the per-step table on stderr (read config, the command)" {
  write_cfg
  run --separate-stderr ph-config -c cfg.yaml --timing get photometry.phrosty.kerpolyorder
  assert_success
  assert_output "2"
  [[ $stderr =~ timing\ ph-config\ +step\ +wall_s\ +device_s ]]
  [[ $stderr =~ timing\ ph-config\ +read\ config\ +[0-9.]+\ +- ]]
  [[ $stderr =~ timing\ ph-config\ +get\ +[0-9.]+\ +- ]]
  [[ $stderr =~ timing\ ph-config\ +total\ +[0-9.]+ ]]
}

@test "YAML null is phrosty's None: get prints its meaning; a null phrosty needs a value for is an error" {
  cat > n.yaml <<'YAML'
photometry:
  phrosty:
    keep_intermediate: null
    remove_temp_dir: ~
    mem_trace:
    kerpolyorder: null
    sfft:
      radius_cut_detmask: null
    psf:
      type: null
ph:
  subtract:
    kernel_halfwidth: null
YAML
  run ph-config -c n.yaml get photometry.phrosty.sfft.radius_cut_detmask
  assert_output "none"
  for k in keep_intermediate remove_temp_dir mem_trace; do
    run ph-config -c n.yaml get photometry.phrosty.$k true
    assert_output "false"
  done
  # phrosty has no None for the kernel order or the PSF type: the tools say so
  run ph-subtract -c n.yaml --science a.fits --template b.fits -o d.fits
  assert_failure 2
  assert_one_line_error "^ph-subtract: .*n.yaml: photometry.phrosty.kerpolyorder is null, which phrosty does not allow here"
  run ph-psf -c n.yaml a.fits --x 1 --y 1 -o p.fits
  assert_failure 2
  assert_one_line_error "^ph-psf: .*n.yaml: photometry.phrosty.psf.type is null, which phrosty does not allow"
  # our own keys: null is the default
  run ph-subtract -c n.yaml --set photometry.phrosty.kerpolyorder=2 --settings
  assert_success
  assert_line "ph.subtract.kernel_halfwidth: null"
  assert_line "photometry.phrosty.kerpolyorder: 2"
}

@test "cpus: the threads a tool takes by default" {
  run ph-config cpus
  assert_success
  [ "$output" -ge 1 ] && [ "$output" -le "$(nproc --all)" ]
  run env OMP_NUM_THREADS=1 ph-config cpus
  assert_output "1"
  run env SLURM_CPUS_PER_TASK=1 ph-config -v cpus
  assert_line "1"
  assert_output --partial "SLURM_CPUS_PER_TASK 1"
}

# ---- imlist and bands: the C side of ph-pipeline's list reading -----------

@test "imlist prints a list's images as the tools read it: line, path, obsid, sca, mjd, band" {
  printf '# a comment before the header\n\npath observation_id sca mjd band\n# skipped\nY106/1/a.fits.gz 35198 2 62455.669 Y106\nJ129/2/b.fits.gz  35199\t3 62460 J129\n' > l.csv
  run ph-config imlist l.csv
  assert_success
  assert_output "$(printf '5\tY106/1/a.fits.gz\t35198\t2\t62455.669\tY106\n6\tJ129/2/b.fits.gz\t35199\t3\t62460\tJ129')"
  run ph-config imlist -b Y106 l.csv
  assert_output "$(printf '5\tY106/1/a.fits.gz\t35198\t2\t62455.669\tY106')"
  # a band of the known names, however it is spelled on the command line
  run ph-config imlist --band j129 l.csv
  assert_output "$(printf '6\tJ129/2/b.fits.gz\t35199\t3\t62460\tJ129')"
  # no image of the band: nothing, success
  run ph-config imlist -b H158 l.csv
  assert_success
  assert_output ""
  # comma lists (phrosty's CSV files) read the same
  printf 'path,observation_id,sca,mjd,band\r\na.fits,7,1,60000.5,R062\r\n' > c.csv
  run ph-config imlist c.csv
  assert_output "$(printf '2\ta.fits\t7\t1\t60000.5\tR062')"
}

# A bad image list: FILE holding TEXT (backslash escapes read as printf's)
# fails with exit 1 and one line of error matching RE. Options after RE go
# to ph-config imlist.
imlist_rejects() {
  printf '%b' "$2" > "$1"
  run_rejects 1 "$3" ph-config imlist "${@:4}" "$1"
}

@test "imlist: a bad list is one line naming the file and line (exit 1)" {
  imlist_rejects h.csv 'file obs sca mjd band\n' "^ph-config: h.csv: line 1: expected the header 'path observation_id sca mjd band'$"
  imlist_rejects f.csv 'path observation_id sca mjd band\na 1 2 Y106\n' "^ph-config: f.csv: line 2: expected 5 fields \(path observation_id sca mjd band\), got 4$"
  imlist_rejects s.csv 'path observation_id sca mjd band\nmy images/a.fits 1 2 3 Y106\n' "^ph-config: s.csv: line 2: expected 5 fields, got 6: a path with a space\? \('my images/a.fits'\); paths with spaces are not supported, rename or link the file$"
  imlist_rejects sca.csv 'path observation_id sca mjd band\na 1 x 3 Y106\n' "^ph-config: sca.csv: line 2: sca 'x' is not a whole number$"
  imlist_rejects neg.csv 'path observation_id sca mjd band\na 1 -2 3 Y106\n' "^ph-config: neg.csv: line 2: sca '-2' is not a whole number$"
  imlist_rejects mjd.csv 'path observation_id sca mjd band\na 1 2 soon Y106\n' "^ph-config: mjd.csv: line 2: mjd 'soon' is not a number$"
  imlist_rejects nan.csv 'path observation_id sca mjd band\na 1 2 nan Y106\n' "^ph-config: nan.csv: line 2: mjd 'nan' is not a number$"
  imlist_rejects obs.csv 'path observation_id sca mjd band\n# c\na 2/3 2 3 Y106\n' "^ph-config: obs.csv: line 3: observation_id '2/3' is not a plain word$"
  imlist_rejects tab.csv 'path,observation_id,sca,mjd,band\n"a\tb",1,2,3,Y106\n' "^ph-config: tab.csv: line 2: a tab or control character in a field$"
  # every line is checked, not only the band's
  imlist_rejects other.csv 'path observation_id sca mjd band\na 1 2 3 Y106\nb 1 two 3 J129\n' "^ph-config: other.csv: line 3: sca 'two' is not a whole number$" -b Y106
  imlist_rejects empty.csv '' "^ph-config: empty.csv: empty image list"
  imlist_rejects hdr.csv 'path observation_id sca mjd band\n' "^ph-config: hdr.csv: the image list has a header but no images$"
  run ph-config imlist missing.csv
  assert_failure 1
  assert_one_line_error "^ph-config: missing.csv: cannot open: No such file or directory$"
}

@test "imlist and bands: usage errors exit 2" {
  printf 'path observation_id sca mjd band\na 1 2 3 Y106\n' > l.csv
  run ph-config imlist -b X999 l.csv
  assert_failure 2
  assert_one_line_error "^ph-config: --band: unknown band 'X999' \(one of R062 Z087 Y106 J129 H158 F184 K213 W146\)$"
  run ph-config imlist
  assert_failure 2
  assert_one_line_error "^ph-config: imlist: expected FILE \(an image list\)$"
  run ph-config imlist l.csv l.csv
  assert_failure 2
}

@test "bands prints the known bands, one a line, as every tool knows them" {
  run ph-config bands
  assert_success
  assert_output "R062
Z087
Y106
J129
H158
F184
K213
W146"
  # the same names the tools' messages list
  run ph-lc --band Q999 -o x.csv x.csv
  assert_output --partial "(one of $(ph-config bands | tr '\n' ' ' | sed 's/ $//'))"
}
