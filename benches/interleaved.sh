#!/bin/sh
# Interleaved rounds of two or more communique binaries building one site, for comparing builds
# on a shared machine: each round runs every binary once, into a new output folder.
#   benches/interleaved.sh SITE ROUNDS BINARY...
# Prints, per binary, the wall time (min and median) and the median peak memory (GNU time).
set -eu
site=$1 rounds=$2
shift 2
log=$(mktemp)
# On tmpfs when there is one: a disk adds its own noise to every build.
out=$(mktemp -d -p "$(test -d /dev/shm && echo /dev/shm || echo "${TMPDIR:-/tmp}")")
r=1
while [ "$r" -le "$rounds" ]; do
    for binary in "$@"; do
        rm -rf "$out/site"
        (cd "$site" && /usr/bin/time -a -o "$log" -f "$binary %e %M" "$binary" build --output "$out/site" >/dev/null 2>&1)
    done
    r=$((r + 1))
done
python3 - "$log" <<'PY'
import statistics, sys
runs = {}
for line in open(sys.argv[1]):
    binary, wall, kb = line.split()
    runs.setdefault(binary, []).append((float(wall), int(kb)))
for binary, v in runs.items():
    walls = [w for w, _ in v]
    print(f"{binary}: {len(v)} builds, wall min {min(walls):.2f} s, median {statistics.median(walls):.2f} s, "
          f"peak memory median {statistics.median([k for _, k in v]) / 1024:.0f} MB")
PY
rm -rf "$log" "$out"
