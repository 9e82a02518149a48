#!/usr/bin/env bash
# Pack the guest initramfs with the tree's usr/gen_initramfs.sh and boot one
# kernel under QEMU (TCG). The console goes to the terminal or to a log; a
# guest that does not finish in time is killed and its last lines shown.
#
# usage: boot.sh <arch> <flavor> test|run [console-log]
#   HWBP_ICOUNT=1   run with -icount shift=0 (guest time = instruction count);
#                   default on arm64, whose emulated PMUv3 counts instructions
#                   only under icount (remove_on_exec needs that counter)
#   HWBP_QEMU_ARGS  more QEMU options (split on spaces), for debugging
#   HWBP_TIMEOUT=N  seconds before the guest is killed (default 1500)
#   HWBP_PPC_CPU=power10|power9|power8   the ppc64le CPU (default power10,
#                   with its second DAWR: cap-dawr1=on)
set -euo pipefail
. "$(dirname "$0")/lib.sh"
arch_setup "${1:?arch}"
flavor_setup "${2:?flavor}"
mode=${3:?mode}
console_log=${4:-$LOGS/console-$HARCH-$FLAVOR-$mode.log}
CPUS=${CPUS:-4}

root=$BUILD/$HARCH/user/root
[ -x "$root/init" ] || die "no guest userspace for $HARCH (run build-user.sh)"
[ -f "$KOUT/$KIMAGE" ] || die "no $FLAVOR ${KVARIANT:+$KVARIANT }kernel for $HARCH (run build-kernel.sh)"

# Per-flavor extras (the sample module of this kernel) come as a cpio list.
kname=$(basename "$KOUT")
initrd=$BUILD/$HARCH/initramfs-${kname#kernel-}.cpio
extras=$BUILD/$HARCH/initramfs-${kname#kernel-}.list
cat >"$extras" <<LIST
dir /dev 0755 0 0
nod /dev/console 0600 0 0 c 5 1
dir /lib/modules 0755 0 0
file /lib/modules/data_breakpoint.ko $KOUT/samples/hw_breakpoint/data_breakpoint.ko 0644 0 0
LIST
(cd "$KOUT" && "$SRC/usr/gen_initramfs.sh" -o "$initrd" \
	-u "$(id -u)" -g "$(id -g)" "$root" "$extras") ||
	die "gen_initramfs.sh failed"

interactive=0
[ "$mode" = run ] && [ -t 0 ] && interactive=1
# A soft lockup (a breakpoint that fires forever) panics, and a panic
# reboots, which ends QEMU: the guest stops at once instead of at the timeout.
append="panic=-1 softlockup_panic=1 hwbp.mode=$mode hwbp.cpus=$CPUS hwbp.interactive=$interactive"
# A seed for the guest's randomised tests, from the host's clock: guest
# clocks under -icount start at zero, and every run would draw the same.
append+=" hwbp.seed=${HWBP_SEED:-$(date +%s)}"
# Debug knobs passed through to the guest's init (see harness/guest/init).
append+=" ${HWBP_GUEST_ARGS:-}"
case "$HARCH" in
x86_64)
	qemu=(qemu-system-x86_64 -M pc -cpu max)
	append="console=ttyS0 $append"
	;;
arm64)
	# GICv2, virt's default, stops at 8 CPUs; make bench boots 16.
	machine=virt
	[ "$CPUS" -gt 8 ] && machine=virt,gic-version=3
	qemu=(qemu-system-aarch64 -M "$machine" -cpu max,pauth-impdef=on)
	append="console=ttyAMA0 $append"
	;;
ppc64le)
	ppc_cpu=${HWBP_PPC_CPU:-power10}
	if [ "$ppc_cpu" = power10 ]; then
		qemu=(qemu-system-ppc64 -M pseries,cap-dawr1=on -cpu power10)
	else
		qemu=(qemu-system-ppc64 -M pseries -cpu "$ppc_cpu")
	fi
	append="console=hvc0 $append"
	;;
esac
qemu+=(-smp "$CPUS" -m 2G -nographic -no-reboot
	-kernel "$KOUT/$KIMAGE" -initrd "$initrd" -append "$append")
icount_default=0
[ "$HARCH" = arm64 ] && icount_default=1
[ "${HWBP_ICOUNT:-$icount_default}" = 1 ] && qemu+=(-icount shift=0)
# Debug knob: more QEMU options, e.g. a monitor socket to look at a stuck
# vCPU from outside (HWBP_QEMU_ARGS="-monitor unix:/tmp/m.sock,server,nowait").
# shellcheck disable=SC2206
[ -n "${HWBP_QEMU_ARGS:-}" ] && qemu+=(${HWBP_QEMU_ARGS})
# A QMP socket for s3-wake.py, which wakes a guest left in S3 by an RTC
# alarm that fired before it got there (see that file); each wake-up is a
# line in <console log>.host, which report.py lists.
qmp_sock=$(mktemp -u /tmp/hwbp-qmp.XXXXXX)
qemu+=(-qmp "unix:$qmp_sock,server=on,wait=off")
host_notes=$console_log.host
rm -f "$host_notes"
start_s3_wake() {
	python3 "$HARNESS/s3-wake.py" "$qmp_sock" "$host_notes" "$console_log" \
		"${HWBP_S3_WAKE_AFTER:-30}" &
	s3_waker=$!
}
stop_s3_wake() {
	kill "$s3_waker" 2>/dev/null
	wait "$s3_waker" 2>/dev/null
	rm -f "$qmp_sock"
}

limit=${HWBP_TIMEOUT:-1500}
note "booting $HARCH/$FLAVOR${KVARIANT:+/$KVARIANT} ($mode), console: $console_log"
if [ "$interactive" = 1 ]; then
	start_s3_wake
	"${qemu[@]}" 2>&1 | tee "$console_log"
	stop_s3_wake
	exit 0
fi
# A guest that announces "@@@ MAY-WEDGE N" before a test that can stop it
# (see harness/guest/init) is killed when that test has not ended N seconds
# later; report.py fails the test and knows why the guest stopped. If the
# test ends but leaves its vCPU wedged, the guest's reboot would wait on
# that vCPU (perf_reboot's cross-CPU calls) and report a soft lockup, so
# the guest is killed once it says GUEST-DONE: nothing runs after that.
watch_wedge() {
	local qemu_pid=$1 n t
	while kill -0 "$qemu_pid" 2>/dev/null; do
		n=$(sed -n 's/^@@@ MAY-WEDGE \([0-9]*\).*/\1/p' "$console_log" | tail -n 1)
		if [ -n "$n" ]; then
			for ((t = 0; t < n; t++)); do
				if sed -n '/^@@@ MAY-WEDGE/,$p' "$console_log" | grep -q '^@@@ END '; then
					kill_after_done "$qemu_pid"
					return
				fi
				sleep 1
			done
			note "guest $HARCH/$FLAVOR wedged as announced: killed after ${n}s"
			kill "$qemu_pid"
			return
		fi
		sleep 2
	done
}
kill_after_done() {
	while kill -0 "$1" 2>/dev/null; do
		if grep -q '^@@@ GUEST-DONE' "$console_log"; then
			sleep 2	# the guest's last sync
			kill "$1" 2>/dev/null
			return
		fi
		sleep 1
	done
}
set +e
timeout --kill-after=10 "$limit" "${qemu[@]}" </dev/null >"$console_log" 2>&1 &
qemu_pid=$!
watch_wedge "$qemu_pid" &
watcher=$!
start_s3_wake
wait "$qemu_pid"
rc=$?
kill "$watcher" 2>/dev/null
wait "$watcher" 2>/dev/null
stop_s3_wake
set -e
[ "$mode" = run ] && cat "$console_log"
if [ $rc = 124 ] || [ $rc = 137 ]; then
	echo "---- last console lines of $HARCH/$FLAVOR ----" >&2
	tail -n 25 "$console_log" >&2
	echo "error: guest $HARCH/$FLAVOR did not finish within ${limit}s (killed)" >&2
	exit 2
fi
exit 0
