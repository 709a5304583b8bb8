#!/usr/bin/env bats
# The build's seams: libph (build/libph.a) links on its own, and the GPU
# tools carry the CUDA objects' definitions, not libph's weak stand-ins
# (cuda/ph_cuda.h says who links what).
load helpers

# The symbols an archive uses that none of its members defines, one a line.
undefined_in() {
  comm -23 <(nm -u "$1" | awk 'NF == 2 { print $2 }' | sort -u) \
           <(nm --defined-only "$1" | awk 'NF == 3 { print $3 }' | sort -u)
}

@test "libph.a defines every ph_ function it calls (no CUDA symbol left open)" {
  lib=$PH_TOP/build/libph.a
  [ -f "$lib" ] || skip "build/libph.a is not built (make all)"
  run undefined_in "$lib"
  assert_success
  open=$(printf '%s\n' "$output" | grep -E '^ph_|cuda|cufft' || true)
  [ -z "$open" ] || fail "libph.a leaves these undefined: $open"
  # the test can fail: an archive holding a call to an absent ph_ function
  printf 'void ph_absent(void);\nvoid f(void) { ph_absent(); }\n' > x.c
  cc -c x.c -o x.o && ar rcs x.a x.o
  run undefined_in x.a
  assert_output --partial ph_absent
}

@test "the GPU tools link the CUDA probe of cuda/device.cu, not the weak stub" {
  grep -q PH_WITH_CUDA "$PH_TOP/build/.flags" 2>/dev/null || skip "built without CUDA"
  for t in ph-subtract ph-phot; do
    run nm "$PH_TOP/bin/$t"
    assert_success
    assert_line --regexp '^[0-9a-f]+ T ph_cuda_probe$'
  done
  run nm "$PH_TOP/build/common/base/gpu.o"
  assert_line --regexp '^[0-9a-f]+ W ph_cuda_probe$'
}

@test "scripts/module-table derives HACKING.md's module-to-tool table from the build" {
  [ -x "$PH_TOP/bin/ph-subtract" ] || skip "the tools are not built (make all)"
  run "$PH_TOP/scripts/module-table"
  assert_success
  assert_line --index 0 "| module | included by | linked into |"
  # facts of the tree: SFFT is ph-subtract's (and cuda/'s), sim's rng its own
  assert_line --regexp '^\| sci/sfft \(sfft, sfft_cpu\) \| subtract cuda \| .*subtract.* \|$'
  assert_line '| base/rng | sim | sim |'
  assert_line --regexp '^\| base/hd \| .* \| \(header only\) \|$'
  [ "$(grep -c '^| ' <<< "$output")" -eq $(( $(ls "$PH_TOP"/common/*/*.h | wc -l) + 1 )) ] ||
    fail "not one row per header of common/*/"
}

@test "scripts/check-prefixes: every function's prefix names its header (tools: no ph_)" {
  run "$PH_TOP/scripts/check-prefixes"
  assert_success
  assert_output ''
  # the check can fail: a psfstamp.h function named ph_psf_*, a static
  # inline one in a subfolder, and a tool's function and type with ph_
  mkdir -p r/common/sci r/tools/lc
  printf 'int ph_psfstamp_read(void);\nint ph_psf_read(const char *p,\n  int n);\n' \
    > r/common/psfstamp.h
  printf 'static inline int ph_fit_usable(int i) { return i; }\n' > r/common/sci/psffit_elem.h
  printf 'int lc_read(void);\nint ph_lc_read(void);\ntypedef struct ph_lc_row {\n  int n;\n} ph_lc_row;\n' \
    > r/tools/lc/lc.h
  run "$PH_TOP/scripts/check-prefixes" r
  assert_failure
  assert_line --partial 'common/psfstamp.h: ph_psf_read:'
  assert_line --partial 'common/sci/psffit_elem.h: ph_fit_usable:'
  assert_line --partial 'tools/lc/lc.h: ph_lc_read:'
  assert_line --partial 'tools/lc/lc.h: type ph_lc_row:'
  refute_line --partial 'ph_psfstamp_read'
  refute_line --partial 'lc.h: lc_read:'
  [ "${#lines[@]}" -eq 4 ]
}
