# helpers.bash -- loaded by every bats suite: `load ../cli/helpers` (from
# tests/e2e) or `load helpers` (from tests/cli).
#
# Gives bats-support/bats-assert, PATH with bin/ first, $PH_TOP (repo),
# $PH_SHARED_DATA (peer data), $T (a per-test scratch directory), and:
#   assert_one_line_error PATTERN  stderr/output is one line matching PATTERN
#   assert_no_file FILE            FILE (and any temporary beside it) is absent
#   pypeer                         Debian's python3 (astropy, sep, photutils)
bats_load_library bats-support
bats_load_library bats-assert

PH_TOP=${PH_TOP:-$(cd "$BATS_TEST_DIRNAME/../.." && pwd)}
export PATH="$PH_TOP/bin:$PATH"
export PH_SHARED_DATA=${PH_SHARED_DATA:-$(cd "$PH_TOP/.." && pwd)/shared/data}
export MANPATH="$PH_TOP/build/man:${MANPATH:-}"
unset SNPIT_CONFIG

setup() {
  T=$BATS_TEST_TMPDIR
  cd "$T" || return 1
}

assert_one_line_error() {
  [ "$status" -ne 0 ] || fail "expected a failure, got status 0"
  [ "${#lines[@]}" -eq 1 ] || fail "expected one line of error, got ${#lines[@]}: $output"
  [[ ${lines[0]} =~ $1 ]] || fail "error '${lines[0]}' does not match '$1'"
}

# Run CMD...: it must fail with exit STATUS and one line of error matching
# RE (every bad-input case: run_rejects STATUS RE CMD...).
run_rejects() {
  local want=$1 re=$2
  shift 2
  run "$@"
  assert_failure "$want"
  assert_one_line_error "$re"
}

assert_no_file() {
  [ ! -e "$1" ] || fail "$1 exists but should not"
  local d b
  d=$(dirname "$1") b=$(basename "$1")
  ! ls -A "$d" 2>/dev/null | grep -q "^\.${b%%.gz}" || fail "a temporary of $1 was left behind"
}

pypeer() { /usr/bin/python3 "$@"; }

need_shared() {
  [ -e "$PH_SHARED_DATA/$1" ] || skip "peer data $PH_SHARED_DATA/$1 not present"
}
