#!/usr/bin/env bash
# Style gates for the kernel code we own.
#   lint.sh RESULTS.tsv checkpatch   scripts/checkpatch.pl --strict on every
#                                    owned C file and header (arch-neutral:
#                                    once a run, on the host)
#   lint.sh RESULTS.tsv ARCH         a W=1 build of our objects checked by
#                                    sparse (C=2 checks them even when they
#                                    are up to date); needs the arch's 'ours'
#                                    kernel configured and built already
# Each gate appends one row.
set -uo pipefail
. "$(dirname "$0")/lib.sh"
out=${1:?results tsv}
what=${2:?checkpatch or an arch}
if [ "$what" = checkpatch ]; then
	HARCH=host	# flavor_setup wants one; no kernel folder is used
else
	arch_setup "$what"
fi
flavor_setup ours

row() { printf '%s\tours\tlint\t%s\t%s\t%s\n' "$HARCH" "$1" "$2" "${3:-}" >>"$out"; }
log=$LOGS/lint-$HARCH.log
: >"$log"

# Our kernel sources: tracked C files and headers under the kernel's own
# top-level directories (tests under tools/ follow userspace rules).
mapfile -t owned < <(cd "$TOP" && git ls-files -- arch include kernel |
	grep -E '\.[ch]$')

if [ "$what" = checkpatch ]; then
	# Findings that are checkpatch's mistakes, one "path TYPE # why" a line.
	allow=$HARNESS/lint-allow
	findings=$LOGS/lint-$HARCH-checkpatch.txt
	: >"$findings"
	# One checkpatch for all files: its start-up costs more than a file.
	(cd "$TOP" && perl "$SRC/scripts/checkpatch.pl" --no-tree --strict \
		--terse --show-types -f "${owned[@]}") 2>&1 | grep -E '^[^ ]+:[0-9]+: ' |
		while IFS= read -r line; do
			f=${line%%:*}
			type=$(echo "$line" | sed -E 's/^[^ ]+ [A-Z]+:([A-Z_]+):.*/\1/')
			if grep -qE "^${f//./[.]} $type( |$)" "$allow"; then
				echo "allowed: $line" >>"$log"
			else
				echo "$line" >>"$findings"
			fi
		done
	cat "$findings" >>"$log"
	if [ ! -s "$findings" ]; then
		row checkpatch-strict PASS "${#owned[@]} files"
	else
		head -n 10 "$findings" >&2
		row checkpatch-strict FAIL "$(wc -l <"$findings") findings; see $findings"
	fi
	exit 0
fi

# The objects built from our files for this arch (those Kbuild compiles).
objs=()
for f in "${owned[@]}"; do
	case "$f" in
	*.c)
		o=${f%.c}.o
		[ -f "$KOUT/$o" ] && objs+=("$o")
		;;
	esac
done
if [ "${#objs[@]}" = 0 ]; then
	row w1-sparse FAIL "no objects of ours in $KOUT: build the kernel first"
	exit 0
fi

make -C "$SRC" O="$KOUT" ARCH="$KARCH" CROSS_COMPILE="$CROSS" \
	CC="${CROSS}gcc" W=1 C=2 CHECK=sparse -j"$JOBS" "${objs[@]}" \
	>>"$log" 2>&1 || { row w1-sparse FAIL "build failed; see $log"; exit 0; }

# Warnings about our files only: headers of the tree are not ours to fix.
pattern=$(printf '%s\n' "${owned[@]}" | sed 's/[.]/[.]/g' | paste -sd'|')
warnings=$(grep -E "($pattern):[0-9]+:[0-9]+: (warning|error)" "$log" | sort -u)
if [ -z "$warnings" ]; then
	row w1-sparse PASS "${#objs[@]} objects"
else
	echo "$warnings" | head -n 20 >&2
	row w1-sparse FAIL "$(echo "$warnings" | wc -l) warnings; see $log"
fi
