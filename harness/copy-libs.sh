#!/usr/bin/env bash
# Copy into a guest root the shared libraries (and the ELF interpreter) that
# its dynamically linked programs need, taken from the target's sysroot (and,
# for a foreign arch, the libelf/zlib sysroot setup.sh extracts). The
# guest's init sets LD_LIBRARY_PATH=/lib; the interpreter goes where the
# programs ask for it.
#
# usage: copy-libs.sh <arch> <root>
set -euo pipefail
. "$(dirname "$0")/lib.sh"
arch_setup "${1:?arch}"
root=${2:?root}
readelf=${CROSS}readelf

case "$HARCH" in
x86_64) libdirs=(/lib/x86_64-linux-gnu /usr/lib/x86_64-linux-gnu /lib64) ;;
*) libdirs=("$SYSROOT/lib" "$SYSROOT/lib64" "$SYSROOT/usr/lib"
	"$LIBSYSROOT/usr/lib/$TRIPLET" "$LIBSYSROOT/lib/$TRIPLET") ;;
esac

find_lib() {
	local d
	for d in "${libdirs[@]}"; do
		[ -e "$d/$1" ] && { echo "$d/$1"; return 0; }
	done
	return 1
}

declare -A seen=()
queue=()
while read -r f; do
	file -b "$f" | grep -q 'dynamically linked' || continue
	queue+=("$f")
	interp=$($readelf -l "$f" | sed -n 's/.*Requesting program interpreter: \(.*\)]/\1/p')
	if [ -n "$interp" ] && [ ! -e "$root$interp" ]; then
		src=$(find_lib "$(basename "$interp")") || die "no interpreter $interp for $f"
		mkdir -p "$root$(dirname "$interp")"
		cp -L "$src" "$root$interp"
	fi
done < <(find "$root" -type f -perm -u+x)

while [ ${#queue[@]} -gt 0 ]; do
	f=${queue[0]}
	queue=("${queue[@]:1}")
	for lib in $($readelf -d "$f" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p'); do
		[ -n "${seen[$lib]:-}" ] && continue
		seen[$lib]=1
		src=$(find_lib "$lib") || die "library $lib needed by $f not found for $HARCH"
		cp -L "$src" "$root/lib/$lib"
		queue+=("$root/lib/$lib")
	done
done
