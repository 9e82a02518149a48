#!/usr/bin/env bash
# Prepare the source trees: unpack Debian's linux-source-6.12 once into
# build/linux-pristine (never modified), copy it to build/src-<flavor>, and
# bring build/src-ours up to date with this repo's overlay: the files we own
# at their kernel paths, then the hook patches in patches/.
#
# Only files whose content changed are rewritten, so an incremental kernel
# build recompiles only what the overlay touched.
#
# usage: tree.sh ours|upstream
set -euo pipefail
. "$(dirname "$0")/lib.sh"

# Top-level kernel directories whose files in this repo form the overlay.
OVERLAY_DIRS=(arch block drivers fs include init kernel lib mm samples scripts
	security tools virt)

unpack_pristine() {
	[ -f "$PRISTINE/.complete" ] && return
	local tarball
	tarball=$(ls /usr/src/linux-source-6.12.tar.* 2>/dev/null | head -n 1)
	[ -n "$tarball" ] || die "linux-source-6.12 is not installed (run harness/setup.sh)"
	note "unpacking $tarball"
	rm -rf "$PRISTINE"
	mkdir -p "$PRISTINE"
	tar -xf "$tarball" -C "$PRISTINE" --strip-components=1
	touch "$PRISTINE/.complete"
}

overlay_files() {
	local d present=()
	for d in "${OVERLAY_DIRS[@]}"; do
		[ -e "$TOP/$d" ] && present+=("$d")
	done
	[ ${#present[@]} -eq 0 ] && return
	git -C "$TOP" ls-files --cached --others --exclude-standard -- "${present[@]}" |
		while read -r f; do [ -f "$TOP/$f" ] && echo "$f"; done
}

patch_list() {
	ls "$TOP"/patches/*.patch 2>/dev/null | sort || true
}

# Build the desired content of every file the overlay touches in $1.
stage_overlay() {
	local stage=$1 f p
	rm -rf "$stage"
	mkdir -p "$stage"
	for p in $(patch_list); do
		sed -n 's|^+++ b/\([^[:space:]]*\).*|\1|p' "$p"
	done | sort -u | while read -r f; do
		if [ -f "$PRISTINE/$f" ]; then
			mkdir -p "$stage/$(dirname "$f")"
			cp "$PRISTINE/$f" "$stage/$f"
		fi
	done
	overlay_files | while read -r f; do
		mkdir -p "$stage/$(dirname "$f")"
		cp "$TOP/$f" "$stage/$f"
	done
	for p in $(patch_list); do
		patch -p1 -d "$stage" -s --no-backup-if-mismatch -f <"$p" ||
			die "patch $(basename "$p") does not apply"
	done
}

sync_overlay() {
	local src=$1 stage=$2 manifest=$1/.hwbp-overlay-manifest f
	local new
	new=$(cd "$stage" && find . -type f | sed 's|^\./||' | sort)
	# Files we overlaid before but no longer: back to pristine.
	if [ -f "$manifest" ]; then
		comm -23 "$manifest" <(echo "$new") | while read -r f; do
			[ -n "$f" ] || continue
			if [ -f "$PRISTINE/$f" ]; then
				cp "$PRISTINE/$f" "$src/$f"
			else
				rm -f "$src/$f"
			fi
			echo "  restored $f" >&2
		done
	fi
	echo "$new" | while read -r f; do
		[ -n "$f" ] || continue
		if ! cmp -s "$stage/$f" "$src/$f"; then
			mkdir -p "$src/$(dirname "$f")"
			cp "$stage/$f" "$src/$f"
			echo "  overlaid $f" >&2
		fi
	done
	echo "$new" | sed '/^$/d' >"$manifest"
}

main() {
	local flavor=${1:?usage: tree.sh ours|upstream}
	HARCH=x86_64
	flavor_setup "$flavor"
	unpack_pristine
	if [ ! -f "$SRC/.complete" ]; then
		note "creating $SRC"
		rm -rf "$SRC"
		cp -a --reflink=auto "$PRISTINE" "$SRC"
		touch "$SRC/.complete"
	fi
	[ "$flavor" = ours ] || return 0
	local stage=$BUILD/stage-ours
	stage_overlay "$stage"
	sync_overlay "$SRC" "$stage"
}

main "$@"
