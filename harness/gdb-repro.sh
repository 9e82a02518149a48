#!/usr/bin/env bash
# The gdb hang of issue 11 as a user meets it, on demand (x86_64 only):
# gdbserver in the guest on a second serial port (QEMU gives it to the host
# as a TCP port), and the host's gdb attached to it runs the steps: break on
# the line of hwbp-demo that writes watched_counter, run to it, watch the
# variable, continue. On hardware (and natively) gdb reports the
# watchpoint with the old and new values; under QEMU TCG the program never
# stops again (see README "The gdb hang under QEMU").
#
# usage: gdb-repro.sh [ours|upstream]   needs gdb and gdbserver on the host
#   (apt-get install gdb gdbserver) and build-kernel.sh/build-user.sh done.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
arch_setup x86_64
flavor=${1:-ours}
for t in gdb gdbserver; do
	command -v "$t" >/dev/null || die "no $t on the host (apt-get install gdb gdbserver)"
done
user=$BUILD/$HARCH/user
root=$user/root
[ -x "$root/init" ] || die "no guest userspace (run harness/build-user.sh x86_64)"

# gdbserver and the libraries it needs (the guest uses the host's libc),
# and this tree's init, which has the gdbserver mode.
cp "$(command -v gdbserver)" "$root/usr/bin/gdbserver"
cp "$HARNESS/guest/init" "$root/init"
"$HARNESS/copy-libs.sh" "$HARCH" "$root"

port=${HWBP_GDB_PORT:-4567}
console=$LOGS/console-$HARCH-$flavor-gdbserver.log
HWBP_TIMEOUT=${HWBP_TIMEOUT:-300} \
HWBP_QEMU_ARGS="-serial mon:stdio -serial tcp:127.0.0.1:$port,server=on,wait=off" \
	"$HARNESS/boot.sh" "$HARCH" "$flavor" gdbserver "$console" &
guest=$!

# gdbserver says when it listens.
for _ in $(seq 240); do
	grep -q '^Remote debugging using /dev/ttyS1' "$console" 2>/dev/null && break
	sleep 1
done
line=$(grep -n 'watched_counter = i;' "$HARNESS/guest/hwbp-demo.c" | cut -d: -f1)
note "gdb: break hwbp-demo.c:$line, continue, watch watched_counter, continue (60 s)"
set +e
timeout 60 gdb -q -batch -nx -ex 'set pagination off' -ex 'set sysroot /' \
	-ex "target remote tcp:127.0.0.1:$port" -ex "break hwbp-demo.c:$line" \
	-ex continue -ex 'watch watched_counter' -ex continue -ex continue \
	-ex 'info registers rip' -ex kill "$user/hwbp-demo"
rc=$?
set -e
if [ $rc = 124 ]; then
	note "gdb: no stop within 60 s after 'continue': the hang (console: $console)"
else
	note "gdb: finished (exit $rc)"
fi
# boot.sh waits for QEMU, which (wedged or not) goes with its gdb port.
pkill -f "127.0.0.1:$port,server=on" 2>/dev/null || true
wait "$guest" 2>/dev/null || true
