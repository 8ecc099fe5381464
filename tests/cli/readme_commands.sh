#!/bin/sh
# Runs the README's CLI examples, so that they cannot drift from the CLI
# (ctest: cli.readme_commands).
#
# Usage: readme_commands.sh REPOSITORY_ROOT ETVISION_BINARY WORK_DIR
#
# The convention in README.md: a ```sh block is run only when the line just
# before it (blank lines aside) is one of these HTML comments, invisible on
# the rendered page:
#
#   <!-- test: run -->      every command is run as written and must exit 0.
#   <!-- test: network -->  commands that need the network (the reference's
#                           downloads): offline, each must be accepted and get
#                           as far as the download, which then fails: exit 1
#                           with error 180 (DownloadFailed); bad usage (2), an
#                           unknown model or a success would fail the test.
#
# Unmarked blocks are never run (the "two commands" block runs
# scripts/test.sh, which runs this test). In a marked block every line is a
# command starting with build/tools/etvision (a '#' starts a comment, as in
# sh; one command per line). Each line is run by sh, exactly as written,
# from a stand-in for the repository root: WORK_DIR/root, holding links to
# the repository's top-level entries (except build* and out), out/ (empty at
# the start) and build/tools/etvision, a link to the binary under test. The
# model cache is an empty directory and every proxy variable points at a
# closed port, so nothing is read from the user's cache and nothing can be
# downloaded: the "run" blocks are proven to work offline.
set -u

if [ $# -ne 3 ]; then
  echo "usage: $0 REPOSITORY_ROOT ETVISION_BINARY WORK_DIR" >&2
  exit 2
fi
repo=$1
binary=$2
work=$3
readme="$repo/README.md"

rm -rf "$work"
mkdir -p "$work/root/build/tools" "$work/root/out" "$work/cache" || exit 1
for entry in "$repo"/*; do
  name=${entry##*/}
  case "$name" in
    build* | out) ;;
    *) ln -s "$entry" "$work/root/$name" || exit 1 ;;
  esac
done
ln -s "$binary" "$work/root/build/tools/etvision" || exit 1

# The marked blocks, one "MODE<TAB>LINE" per command line; malformed markup
# (a marker not followed by a ```sh block, an unterminated block) is an error.
commands=$(awk '
  function fail(message) { print FILENAME ":" NR ": " message > "/dev/stderr"; failed = 1; exit 1 }
  /^<!-- test: [a-z]+ -->$/ {
    mode = $3
    if (mode != "run" && mode != "network") fail("unknown marker " $0)
    armed = 1; next
  }
  armed && /^$/ { next }
  armed && /^```sh$/ { armed = 0; block = mode; lines = 0; next }
  armed { fail("a test marker must be followed by a ```sh block") }
  block != "" && /^```$/ {
    if (lines == 0) fail("empty " block " block")
    block = ""; next
  }
  block != "" && /^[ \t]*(#|$)/ { next }
  block != "" { print block "\t" $0; lines++ }
  END {
    if (failed) exit 1
    if (armed || block != "") fail("unterminated test marker or block")
  }
' "$readme") || exit 1

if [ -z "$commands" ]; then
  echo "$readme: no <!-- test: run --> block" >&2
  exit 1
fi
tab=$(printf '\t')
if ! printf '%s\n' "$commands" | grep -q "^run$tab"; then
  echo "$readme: no <!-- test: run --> block" >&2
  exit 1
fi

# No network: a closed port as every proxy curl honours.
closed=http://127.0.0.1:1
export ETVISION_CACHE_DIR="$work/cache"
export http_proxy=$closed https_proxy=$closed HTTPS_PROXY=$closed ALL_PROXY=$closed all_proxy=$closed
unset no_proxy NO_PROXY ETVISION_MODEL_DIR

failures=0
count=0
while IFS= read -r item; do
  mode=${item%%"$tab"*}
  line=${item#*"$tab"}
  count=$((count + 1))
  case "$line" in
    "build/tools/etvision" | "build/tools/etvision "*) ;;
    *)
      echo "FAIL ($mode) $line"
      echo "  not an etvision command: each line must start with build/tools/etvision"
      failures=$((failures + 1))
      continue
      ;;
  esac
  (cd "$work/root" && sh -c "$line" >"$work/stdout" 2>"$work/stderr" </dev/null)
  rc=$?
  ok=0
  if [ "$mode" = run ]; then
    [ "$rc" -eq 0 ] && ok=1
    expected="exit 0"
  else
    [ "$rc" -eq 1 ] && grep -q 'error 180 (DownloadFailed)' "$work/stderr" && ok=1
    expected="exit 1 with error 180 (DownloadFailed), offline"
  fi
  if [ "$ok" -eq 1 ]; then
    echo "ok ($mode) $line"
  else
    failures=$((failures + 1))
    echo "FAIL ($mode) $line"
    echo "  expected $expected, got exit $rc"
    echo "  --- stdout"
    sed 's/^/  /' "$work/stdout"
    echo "  --- stderr"
    sed 's/^/  /' "$work/stderr"
  fi
done <<EOF
$commands
EOF

echo "$count README commands, $failures failed"
[ "$failures" -eq 0 ]
