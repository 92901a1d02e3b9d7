#!/usr/bin/env bash
# Long randomized differential campaign for the mm syscalls (guest-programs/fuzz/mm_random.c):
#   tools/mm-fuzz.sh [FIRST_SEED] [COUNT] [STEPS] [CHUNK]
# runs COUNT seeded sequences natively and under x64emu in chunks of CHUNK, both flavours
# (atomic: --wx=off; Linux's partial updates on holes: --wx=off --linux-quirks), and stops at the first
# chunk whose outputs differ, leaving both outputs in out/mm-fuzz/ (or $MM_FUZZ_OUT) for diff. As root, Linux's side runs
# as nobody (the program expects mmap below mmap_min_addr to fail).
set -euo pipefail
cd "$(dirname "$0")/.."
first=${1:-1}; count=${2:-100000}; steps=${3:-40}; chunk=${4:-500}
out=${MM_FUZZ_OUT:-out/mm-fuzz}; mkdir -p "$out"
[ -x out/x64emu/x64emu ] || ./build.sh publish >/dev/null
gcc -static -O2 -o "$out/mm_random" guest-programs/fuzz/mm_random.c
gcc -static -O2 -o "$out/mm_random_holes" guest-programs/fuzz/mm_random_holes.c
as_user=(); [ "$(id -u)" = 0 ] && as_user=(setpriv --reuid=65534 --regid=65534 --clear-groups)
chmod 755 "$out" "$out"/mm_random*
start=$(date +%s); done_n=0
for ((s = first; s < first + count; s += chunk)); do
    n=$(( first + count - s < chunk ? first + count - s : chunk ))
    for flavour in plain holes; do
        bin="$out/mm_random"; emu=(--wx=off)
        [ $flavour = holes ] && { bin="$out/mm_random_holes"; emu=(--wx=off --linux-quirks); }
        "${as_user[@]}" "$bin" "$s" "$n" "$steps" > "$out/native.txt"
        "${as_user[@]}" out/x64emu/x64emu "${emu[@]}" "$bin" "$s" "$n" "$steps" > "$out/x64emu.txt"
        if ! cmp -s "$out/native.txt" "$out/x64emu.txt"; then
            echo "DIFFERENT ($flavour) in seeds $s..$((s + n - 1)): diff $out/native.txt $out/x64emu.txt" >&2
            diff "$out/native.txt" "$out/x64emu.txt" | head -20 >&2
            exit 1
        fi
    done
    done_n=$((done_n + n))
    echo "$done_n sequences x 2 flavours identical ($(( $(date +%s) - start )) s)"
done
echo "all $count sequences (seeds $first..$((first + count - 1)), $steps steps, both flavours) identical"
