#!/usr/bin/env bash
# Configure and build one kernel out of tree: build/<arch>/kernel-<flavor>.
# Configuration is allnoconfig plus harness/configs/{common,<arch>}.config
# (and ours.config for the 'ours' flavor),
# merged by the tree's scripts/kconfig/merge_config.sh; a requested symbol
# that does not make it into .config is an error, not a warning.
#
# usage: build-kernel.sh <arch> <flavor>
set -euo pipefail
. "$(dirname "$0")/lib.sh"
arch_setup "${1:?arch}"
flavor_setup "${2:?flavor}"

"$HARNESS/tree.sh" "$FLAVOR"
mkdir -p "$KOUT"
log=$LOGS/build-kernel-$HARCH-$FLAVOR.log
: >"$log"

export ARCH=$KARCH CROSS_COMPILE=$CROSS
kmake() {
	make -C "$SRC" O="$KOUT" ARCH="$KARCH" CROSS_COMPILE="$CROSS" \
		CC="$(kernel_cc "$CROSS")" -j"$JOBS" "$@"
}

frags=("$HARNESS/configs/common.config" "$HARNESS/configs/$HARCH.config")
[ "$FLAVOR" = ours ] && frags+=("$HARNESS/configs/ours.config")
sum=$(cat "${frags[@]}" | sha256sum | cut -c1-16)
if [ "$(cat "$KOUT/.hwbp-config-sum" 2>/dev/null)" != "$sum" ] || [ ! -f "$KOUT/.config" ]; then
	note "configuring $HARCH/$FLAVOR"
	(cd "$SRC" && scripts/kconfig/merge_config.sh -n -O "$KOUT" "${frags[@]}") \
		>>"$log" 2>&1 || { tail -n 30 "$log"; die "configuration failed ($log)"; }
	missing=$(grep -A2 '^Value requested for' "$log" || true)
	if [ -n "$missing" ]; then
		echo "$missing" >&2
		die "Kconfig fragment symbols missing from the final .config of $HARCH/$FLAVOR"
	fi
	echo "$sum" >"$KOUT/.hwbp-config-sum"
fi

note "building $HARCH/$FLAVOR kernel (log: $log)"
targets=("$(basename "$KIMAGE")" modules)
[ "$KIMAGE" = vmlinux ] && targets=(vmlinux modules)
kmake "${targets[@]}" >>"$log" 2>&1 ||
	build_failed "$log" "kernel build failed for $HARCH/$FLAVOR"
note "built $KOUT/$KIMAGE"
