#!/usr/bin/env bash
# Configure and build one kernel out of tree: build/<arch>/kernel-<flavor>
# (kernel-<flavor>-<variant> for HWBP_KVARIANT=kasan|kcsan).
# Configuration is allnoconfig plus harness/configs/{common,<arch>}.config
# (and ours.config for the 'ours' flavor; for a variant, <variant>.config
# and <variant>-<arch>.config if there is one, after the tree's
# kernel/configs/debug.config for kasan),
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
name=$HARCH/$FLAVOR${KVARIANT:+/$KVARIANT}
log=$LOGS/build-kernel-$HARCH-$FLAVOR${KVARIANT:+-$KVARIANT}.log
: >"$log"

export ARCH=$KARCH CROSS_COMPILE=$CROSS
kmake() {
	make -C "$SRC" O="$KOUT" ARCH="$KARCH" CROSS_COMPILE="$CROSS" \
		CC="$(kernel_cc "$CROSS")" -j"$JOBS" "$@"
}

# The tree's own debug fragment comes before ours, so that ours can take
# back what it turns on only for a debugger's convenience (DWARF).
tree_frags=()
[ "$KVARIANT" = kasan ] && tree_frags+=("$SRC/kernel/configs/debug.config")
frags=("$HARNESS/configs/common.config" "$HARNESS/configs/$HARCH.config")
[ "$FLAVOR" = ours ] && frags+=("$HARNESS/configs/ours.config")
if [ -n "$KVARIANT" ]; then
	frags+=("$HARNESS/configs/$KVARIANT.config")
	[ -f "$HARNESS/configs/$KVARIANT-$HARCH.config" ] &&
		frags+=("$HARNESS/configs/$KVARIANT-$HARCH.config")
fi
sum=$(cat "${tree_frags[@]}" "${frags[@]}" | sha256sum | cut -c1-16)
if [ "$(cat "$KOUT/.hwbp-config-sum" 2>/dev/null)" != "$sum" ] || [ ! -f "$KOUT/.config" ]; then
	note "configuring $name"
	(cd "$SRC" && scripts/kconfig/merge_config.sh -n -O "$KOUT" "${tree_frags[@]}" "${frags[@]}") \
		>>"$log" 2>&1 || { tail -n 30 "$log"; die "configuration failed ($log)"; }
	# Every symbol our fragments ask for must be in .config. The tree's
	# debug.config also names subsystems these kernels do not have
	# (networking): those are listed in the log, not errors.
	missing=
	for sym in $(grep -A2 '^Value requested for' "$log" |
		     sed -n 's/^Value requested for \(CONFIG_\w*\).*/\1/p' | sort -u); do
		grep -hq "^$sym=\|^# $sym is not set" "${frags[@]}" && missing+=" $sym"
	done
	if [ -n "$missing" ]; then
		grep -A2 '^Value requested for' "$log" >&2
		die "Kconfig fragment symbols missing from the final .config of $name:$missing"
	fi
	echo "$sum" >"$KOUT/.hwbp-config-sum"
fi

note "building $name kernel (log: $log)"
targets=("$(basename "$KIMAGE")" modules)
[ "$KIMAGE" = vmlinux ] && targets=(vmlinux modules)
kmake "${targets[@]}" >>"$log" 2>&1 ||
	build_failed "$log" "kernel build failed for $name"
note "built $KOUT/$KIMAGE"
