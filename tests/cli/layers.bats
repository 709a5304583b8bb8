#!/usr/bin/env bats
# common/'s layering (scripts/layer-check, HACKING.md "Layout"): base/ below
# io/ below sci/, no include arrow running up, and every include of a
# common/ header written with its folder.
load helpers

# A copy of the sources layer-check reads, to break on purpose.
copy_tree() {
  mkdir -p tree/tests tree/scripts
  cp -r "$PH_TOP"/common "$PH_TOP"/tools "$PH_TOP"/cuda tree/
  cp -r "$PH_TOP"/tests/unit "$PH_TOP"/tests/fuzz tree/tests/
  cp "$PH_TOP"/scripts/layer-check tree/scripts/
}

@test "layer-check: the tree keeps common/'s layers" {
  run "$PH_TOP/scripts/layer-check"
  assert_success
  assert_output ""
  # the layer folders are all there is in common/
  run ls "$PH_TOP/common"
  assert_output "$(printf 'base\nio\nsci')"
}

@test "layer-check fails on an arrow from base/ up to io/ or sci/" {
  copy_tree
  printf '#include "io/fits.h"\n' >> tree/common/base/util.c
  printf '#include "sci/stats.h"\n' >> tree/common/base/log.h
  run tree/scripts/layer-check tree
  assert_failure
  assert_line --regexp '^common/base/util\.c:[0-9]+: base/ includes "io/fits\.h"'
  assert_line --regexp '^common/base/log\.h:[0-9]+: base/ includes "sci/stats\.h"'
}

@test "layer-check fails on an arrow from io/ up to sci/" {
  copy_tree
  printf '#include "sci/fft.h"\n' >> tree/common/io/csv.c
  run tree/scripts/layer-check tree
  assert_failure
  assert_line --regexp '^common/io/csv\.c:[0-9]+: io/ includes "sci/fft\.h"'
}

@test "layer-check fails on an include without its folder, or of no file" {
  copy_tree
  printf '#include "fits.h"\n' >> tree/common/io/csv.c
  printf '#include "log.h"\n' >> tree/tools/align/main.c
  printf '#include "io/nosuch.h"\n' >> tree/cuda/device.cu
  run tree/scripts/layer-check tree
  assert_failure
  assert_line --regexp '^common/io/csv\.c:[0-9]+: write "io/fits\.h", not "fits\.h"$'
  assert_line --regexp '^tools/align/main\.c:[0-9]+: write "base/log\.h", not "log\.h"$'
  assert_line --regexp '^cuda/device\.cu:[0-9]+: "io/nosuch\.h" is not in common/$'
  # a tool's own header of a common/ header's name is its own
  printf '/* x */\n' > tree/tools/align/log.h
  sed -i '$d' tree/common/io/csv.c
  sed -i '$d' tree/cuda/device.cu
  run tree/scripts/layer-check tree
  assert_success
}

@test "layer-check fails on a file left flat in common/" {
  copy_tree
  printf '/* x */\n' > tree/common/flat.h
  run tree/scripts/layer-check tree
  assert_failure
  assert_line "common/flat.h: common/ holds only the folders base/, io/ and sci/"
}
