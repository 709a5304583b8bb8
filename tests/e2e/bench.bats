#!/usr/bin/env bats
# bench/run (make bench) in a tiny size: every tool is driven, timed and
# tabulated, the results files are written, and its errors are one line.
# The full-size run is `make bench`, never part of make test.
load ../cli/helpers

# fakebin DIR: every tool of bin/ linked into DIR (then replace one).
fakebin() {
  mkdir -p "$1"
  local t
  for t in "$PH_TOP"/bin/ph-*; do ln -s "$t" "$1/$(basename "$t")"; done
}

@test "bench/run --size 256: per-tool table, light curve vs truth, scaling, results files" {
  pypeer -c "import astropy, scipy" 2>/dev/null || skip "Debian python3 with astropy and scipy not available"
  run "$PH_TOP/bench/run" --size 256 --scale-size 256 --scale "1 2" --epochs 2 --inject 4 \
    --work "$T/w" --results "$T/r"
  echo "$output" | tail -30
  assert_success
  f=$(ls "$T"/r/*-*.md | grep -v latest)
  cmp "$f" "$T/r/latest.md"
  run cat "$f"
  # machine, commit, targets
  assert_output --partial "cores"
  assert_output --partial "- commit: "
  assert_output --partial "| CPU pair, sky subtraction to light-curve row (256^2) | < 60 s |"
  # the scene is ph-sim's OU2024-like default: each image's SCA and roll
  assert_output --regexp "- scene \(ph-sim's OpenUniverse2024-like defaults\), per image template first: SCA [0-9]+, [0-9]+, [0-9]+; roll [0-9.]+°, [0-9.]+°, [0-9.]+°; [0-9]+ cosmic rays \(not flagged\)"
  # every tool of the pair has a row with wall, CPU, RSS and its --timing steps
  for t in "ph-skysub (template)" "ph-skysub (science)" "ph-psf (science)" \
      "ph-align" \
      "ph-subtract (CPU)" "ph-decorr" "ph-phot (CPU)" "**whole pair**" "ph-lc (2 rows)"; do
    assert_output --partial "| $t |"
  done
  assert_output --regexp "\| ph-subtract \(CPU\) \| [0-9.]+ \| [0-9.]+ \| [0-9]+ \| read [0-9.]+, setup"
  assert_output --regexp "\| ph-decorr \| [0-9.]+ \| [0-9.]+ \| [0-9]+ \| read [0-9.]+, filter"
  if ! command -v nvidia-smi > /dev/null || ! nvidia-smi -L > /dev/null 2>&1; then
    assert_output --partial "| GPU device memory | < 8 GB | not measured (no GPU) | - |"
  fi
  # the light curve: one row per epoch against the truth, and the injected sources
  assert_output --regexp "\| 62450\.0 \| 10001 \| [0-9.]+ \| -?[0-9.]+ \| [0-9.]+ \|"
  assert_output --regexp "\| 62455\.0 \| 10002 \|"
  assert_output --partial "median flux bias at SNR > 20, injected sources"
  # scaling: shared work once, N = 1 and 2
  assert_output --regexp "\| 1 \| [0-9.]+ \| [0-9.]+ \| [0-9.]+ \| [0-9.]+ \| [0-9.]+% \|"
  assert_output --regexp "\| 2 \| [0-9.]+ \| [0-9.]+ \| [0-9.]+ \| [0-9.]+ \| [0-9.]+% \|"
  assert_output --partial "| skysub_tpl | 1 |"
  assert_output --partial "| subtract | 2 |"
  # the light curve ph-lc wrote is phrosty's file
  [ -s "$T/w/lc/ltcv/data/20172782/20172782_Y106_all.csv" ]
}

@test "bench/run: bad options are one-line usage errors (exit 2)" {
  run "$PH_TOP/bench/run" --frob
  assert_failure 2
  assert_one_line_error "^bench/run: unknown option '--frob' \(see bench/run --help\)$"
  run "$PH_TOP/bench/run" --size
  assert_failure 2
  assert_one_line_error "^bench/run: --size needs a value$"
  run "$PH_TOP/bench/run" --size big
  assert_failure 2
  assert_one_line_error "^bench/run: not a number: 'big'$"
  run "$PH_TOP/bench/run" --size 32
  assert_failure 2
  assert_one_line_error "^bench/run: --size 32: 256 ... 4088 \(smaller: too few pixels for the SFFT fit\)$"
  run "$PH_TOP/bench/run" --scale-size 5000
  assert_failure 2
  assert_one_line_error "^bench/run: --scale-size 5000: 256 ... 4088$"
  run "$PH_TOP/bench/run" --epochs 0
  assert_failure 2
  assert_one_line_error "^bench/run: --epochs must be at least 1$"
  run "$PH_TOP/bench/run" --help
  assert_success
  assert_output --partial "bench/run [--size N]"
}

@test "bench/run: a missing tool, a failing tool, no light curve: one line, exit 1, no results" {
  mkdir empty
  PH_BENCH_BIN=$T/empty run "$PH_TOP/bench/run" --work "$T/w" --results "$T/r"
  assert_failure 1
  assert_one_line_error "^bench/run: $T/empty/ph-sim: missing \(run make all first\)$"
  fakebin fb
  rm fb/ph-sim
  printf '#!/bin/sh\necho "ph-sim: out of disk" >&2\nexit 1\n' > fb/ph-sim
  chmod +x fb/ph-sim
  PH_BENCH_BIN=$T/fb run "$PH_TOP/bench/run" --size 256 --work "$T/w" --results "$T/r"
  assert_failure 1
  assert_output --regexp "bench/run: sim: ph-sim failed: ph-sim: out of disk \(log: $T/w/logs/sim.err\)$"
  assert_no_file "$T/r"
  fakebin fb2
  rm fb2/ph-lc
  printf '#!/bin/sh\nexit 0\n' > fb2/ph-lc
  chmod +x fb2/ph-lc
  PH_BENCH_BIN=$T/fb2 run "$PH_TOP/bench/run" --size 256 --epochs 1 --inject 0 --scale "" \
    --work "$T/w" --results "$T/r"
  assert_failure 1
  assert_output --regexp "bench/run: $T/w/lc/ltcv/data/20172782/20172782_Y106_all.csv: ph-lc wrote no light curve$"
  assert_no_file "$T/r"
}
