#!/usr/bin/env bash
# Host-side self-test of the overlay mechanism on a tiny fake kernel tree:
# a file this repo owns replaces upstream's in the 'ours' tree and never in
# the 'upstream' tree; a hook patch applies on top; an overlay file that goes
# away is restored to pristine; an unchanged file is not rewritten.
#
# usage: selftest-tree.sh RESULTS.tsv ARCH   (appends one row per check)
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out=${1:?results tsv}
arch=${2:-host}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

row() { printf '%s\thost\tharness:overlay\t%s\t%s\t%s\n' "$arch" "$1" "$2" "${3:-}" >>"$out"; }
check() { local name=$1; shift; if "$@"; then row "$name" PASS; else row "$name" FAIL "$*"; fi; }

# Fake pristine tree and fake project repo holding our files and a patch.
pristine=$tmp/pristine repo=$tmp/repo build=$tmp/build
mkdir -p "$pristine/kernel/events" "$pristine/kernel/trace" "$repo/kernel/events" "$repo/patches"
echo upstream-core >"$pristine/kernel/events/hw_breakpoint.c"
printf 'obj-y += a.o\n' >"$pristine/kernel/trace/Makefile"
touch "$pristine/.complete"
echo our-core >"$repo/kernel/events/hw_breakpoint.c"
cat >"$repo/patches/0001-hook.patch" <<'PATCH'
--- a/kernel/trace/Makefile
+++ b/kernel/trace/Makefile
@@ -1 +1,2 @@
 obj-y += a.o
+obj-y += trace_ksym.o
PATCH
git -C "$repo" init -q && git -C "$repo" add -A

tree() { HWBP_TOP=$repo HWBP_PRISTINE=$pristine BUILD=$build "$here/tree.sh" "$1" 2>/dev/null; }
check build-trees tree ours
tree upstream
check ours-has-our-file grep -qx our-core "$build/src-ours/kernel/events/hw_breakpoint.c"
check upstream-keeps-upstream-file grep -qx upstream-core "$build/src-upstream/kernel/events/hw_breakpoint.c"
check ours-has-hook-patch grep -q trace_ksym "$build/src-ours/kernel/trace/Makefile"
check upstream-has-no-hook-patch bash -c "! grep -q trace_ksym '$build/src-upstream/kernel/trace/Makefile'"
check pristine-untouched grep -qx upstream-core "$pristine/kernel/events/hw_breakpoint.c"

touch -d '2000-01-01' "$build/src-ours/kernel/events/hw_breakpoint.c"
tree ours
check unchanged-file-not-rewritten \
	test "$(stat -c %Y "$build/src-ours/kernel/events/hw_breakpoint.c")" = "$(date -d 2000-01-01 +%s)"

git -C "$repo" rm -qf kernel/events/hw_breakpoint.c
tree ours
check removed-file-restored grep -qx upstream-core "$build/src-ours/kernel/events/hw_breakpoint.c"
