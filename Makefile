# Entry points; the work is done by the scripts in harness/.
#   make test [ARCH=x86_64|arm64|ppc64le] [UPSTREAM=1] [DEBUG=1|RACE=1]
#   make run  [ARCH=...] [UPSTREAM=1]
#   make compare [ARCH=...]   upstream and ours side by side
#   make stress [ARCH=...] [UPSTREAM=1]  fuzzer and soaks, long, on kasan kernels
#   make bench [ARCH=...] [LOCKSTAT=1]  hit path, context switch, scaling:
#                             upstream vs ours (LOCKSTAT=1: lock contention)
#   make originality [TABLE=1]  our files against upstream's (host only)
#   make build-only [UPSTREAM=1]  compile the core with the arm and sh backends
#   make setup | make clean

ARCHES := x86_64 arm64 ppc64le
ifneq ($(filter $(origin ARCH),command line),)
ARCHES := $(ARCH)
endif

# The scripts run their own makes with their own ARCH (the kernel's names);
# our command-line ARCH must not reach them through MAKEFLAGS.
SCRIPT_ENV := env -u MAKEFLAGS -u MAKELEVEL -u MFLAGS -u ARCH

.PHONY: test run stress compare originality build-only bench setup clean
test:
	$(SCRIPT_ENV) HWBP_ARCHES="$(ARCHES)" UPSTREAM="$(UPSTREAM)" DEBUG="$(DEBUG)" RACE="$(RACE)" harness/test.sh

run:
	$(SCRIPT_ENV) HWBP_ARCH="$(firstword $(ARCHES))" UPSTREAM="$(UPSTREAM)" harness/run.sh

# Default: x86_64 and arm64 (ppc64le on request: ARCH=ppc64le).
stress:
	$(SCRIPT_ENV) HWBP_ARCHES="$(if $(filter command line,$(origin ARCH)),$(ARCH),x86_64 arm64)" \
		UPSTREAM="$(UPSTREAM)" harness/stress.sh

compare:
	$(SCRIPT_ENV) HWBP_ARCHES="$(ARCHES)" harness/compare.sh

originality:
	$(SCRIPT_ENV) python3 harness/originality.py $(if $(TABLE),--table)

build-only:
	$(SCRIPT_ENV) harness/setup.sh
	$(SCRIPT_ENV) harness/build-only.sh $(if $(filter 1,$(UPSTREAM)),upstream,ours)

bench:
	$(SCRIPT_ENV) HWBP_ARCHES="$(ARCHES)" LOCKSTAT="$(LOCKSTAT)" harness/bench.sh

setup:
	$(SCRIPT_ENV) harness/setup.sh

clean:
	rm -rf build/x86_64 build/arm64 build/ppc64le build/arm build/sh build/results build/logs
