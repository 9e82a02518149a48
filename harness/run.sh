#!/usr/bin/env bash
# The main job: build and boot one kernel with our layer and show it at work
# (perf stat and perf record on a watchpoint), then a shell if interactive.
#
# Environment: HWBP_ARCH (default x86_64), UPSTREAM=1 for pristine
set -euo pipefail
. "$(dirname "$0")/lib.sh"
arch=${HWBP_ARCH:-x86_64}
flavor=ours
[ "${UPSTREAM:-0}" = 1 ] && flavor=upstream
"$HARNESS/setup.sh"
"$HARNESS/build-kernel.sh" "$arch" "$flavor"
"$HARNESS/build-user.sh" "$arch"
"$HARNESS/boot.sh" "$arch" "$flavor" run
