#!/usr/bin/env bash
# benchmarks/compare.sh — guest-program benchmarks run side by side: natively, under x64emu's two
# tiers and under qemu-x86_64 (when installed), in one run.  `./build.sh bench [ARGS...]` calls this.
#
#   benchmarks/compare.sh [-n RUNS] [-t SECONDS] [--no-qemu] [--no-hyperfine] [WORKLOAD...]
#
#   -n RUNS         timed runs per workload and runner (default 3); the median is reported
#   -t SECONDS      hard timeout of one run (default 300); a run that hits it is marked TIMEOUT
#   --no-qemu       leave out the qemu column even if qemu-x86_64 is installed
#   --no-hyperfine  time with a `date +%s%N` loop even if hyperfine is installed (it counts the
#                   fork/exec of timeout(1) too: a few ms, visible only for hello)
#   WORKLOAD...     any of the names below (default: all)
#
# Runners (one column each):
#   native          the static guest binary run directly on the host
#   x64emu          out/x64emu/x64emu with its defaults: the JIT tier on (hot code compiled to IL)
#   x64emu-interp   the same binary with --jit=off: the interpreter alone
#   qemu            qemu-x86_64 (TCG), when installed and not --no-qemu
#
# Workloads (sources in benchmarks/guest/, built with `gcc -static -O2` into out/bench/):
#   int_loop             250,000,000 iterations x 16 instructions = 4.0 G instructions.  The same
#                        count is used for every runner (x64emu-interp takes ~20-60 s), so the ratios
#                        need no per-instruction scaling.
#   memcpy_loop          1000 rounds of libc memcpy/memmove/memset/memcmp/strlen/memchr on 8 MiB
#   fault_touch          4 x 256 MiB anonymous mmap, one write per 4 KiB page, munmap: 262,144 faults
#   fault_touch_thp      the same with madvise(MADV_HUGEPAGE) on a 2 MiB-aligned region
#   fault_touch_hugetlb  the same with MAP_HUGETLB|MAP_HUGE_2MB: both x64emu runners get
#                        --hugepages 2M=136; native and qemu need the host pool, which this script
#                        raises by 136 pages in /proc/sys/vm/nr_hugepages when root (and restores
#                        afterwards)
#   mmap_churn           200,000 x (mmap 1 page + write + mprotect + munmap), 12,500 mremaps
#   fork_cow             200 x fork; each child rewrites 16 MiB the parent wrote (copy-on-write)
#   gzip                 busybox gzip -c of 16 MB of generated text (static busybox)
#   hello                hello world: whole-process start-up and exit
#
# Every workload is first run once per runner as a check run: its stdout is compared across all
# runners, both x64emu tiers included (the guests print checksums), its peak RSS is taken with
# /usr/bin/time -v (else by polling /proc/PID/status), and both x64emu runners run with --stats
# there so that their own page-fault count and guest peak RSS are recorded (the report shows the
# JIT run's).  The timed runs come after.  A runner that fails or times out in the check run is
# not timed.
#
# Output: a markdown table on stdout and in out/bench/results.md (medians of every runner; the
# ratios x64emu/native, x64emu-interp/native, qemu/native, x64emu/qemu and the JIT's speed-up
# x64emu-interp/x64emu), the raw numbers in out/bench/results.tsv, per-run logs in
# out/bench/runs/, and a log-scale chart of the ratios in benchmarks/compare.svg (drawn by
# benchmarks/chart.py).
set -uo pipefail   # no -e: a failing runner is a result to report, not a reason to stop
cd "$(dirname "$0")/.."
ROOT=$PWD
OUT=$ROOT/out/bench
RUNDIR=$OUT/runs
EMU=$ROOT/out/x64emu/x64emu
BUSYBOX=${BUSYBOX:-/bin/busybox}
QEMU=$(command -v qemu-x86_64 || true)
GNU_TIME=${GNU_TIME-/usr/bin/time}   # GNU_TIME= (empty) polls /proc instead
HUGE_PAGES=136          # 256 MiB / 2 MiB = 128 pages live per round, plus slack
ALL=(int_loop memcpy_loop fault_touch fault_touch_thp fault_touch_hugetlb mmap_churn fork_cow gzip hello)

RUNS=3
TIMEOUT=300
USE_HYPERFINE=1
SELECTED=()
while [ $# -gt 0 ]; do
    case "$1" in
        -n) RUNS=$2; shift 2 ;;
        -n*) RUNS=${1#-n}; shift ;;
        -t) TIMEOUT=$2; shift 2 ;;
        --no-qemu) QEMU=; shift ;;
        --no-hyperfine) USE_HYPERFINE=0; shift ;;
        -h|--help) sed -n '2,/^set -uo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
        -*) echo "compare.sh: unknown option $1" >&2; exit 2 ;;
        *) SELECTED+=("$1"); shift ;;
    esac
done
[ ${#SELECTED[@]} -gt 0 ] || SELECTED=("${ALL[@]}")
for w in "${SELECTED[@]}"; do
    [[ " ${ALL[*]} " == *" $w "* ]] || { echo "compare.sh: unknown workload '$w' (have: ${ALL[*]})" >&2; exit 2; }
done
[[ "$RUNS" =~ ^[1-9][0-9]*$ ]] || { echo "compare.sh: -n wants a positive number" >&2; exit 2; }
command -v hyperfine >/dev/null || USE_HYPERFINE=0
[ -x "$GNU_TIME" ] && "$GNU_TIME" -v true >/dev/null 2>&1 || GNU_TIME=
command -v python3 >/dev/null || { echo "compare.sh: python3 is needed (JSON, chart)" >&2; exit 1; }

RUNNERS=(native x64emu x64emu-interp)
[ -n "$QEMU" ] && RUNNERS+=(qemu)

log() { printf '%s\n' "$*" >&2; }

# ---------------------------------------------------------------- build
mkdir -p "$OUT" "$RUNDIR"
rm -f "$RUNDIR"/*
for src in benchmarks/guest/*.c; do
    bin=$OUT/$(basename "${src%.c}")
    if [ ! -x "$bin" ] || [ "$src" -nt "$bin" ]; then
        gcc -static -O2 -o "$bin" "$src" || { log "compare.sh: cannot build $src"; exit 1; }
    fi
done
if [ ! -x "$EMU" ] || [ -n "$(find src -newer "$EMU" -type f -not -path "*/obj/*" -not -path "*/bin/*" -print -quit)" ]; then
    log "compare.sh: publishing x64emu"
    dotnet publish src/X64Emu.Cli -c Release -o out/x64emu --nologo -v quiet >/dev/null || exit 1
fi
if [[ " ${SELECTED[*]} " == *" gzip "* ]]; then
    [ -x "$BUSYBOX" ] || { log "compare.sh: gzip needs a static busybox at $BUSYBOX (apt-get install busybox-static)"; exit 1; }
    if [ ! -s "$OUT/gzip-input.txt" ]; then
        # 16 MB of deterministic, text-like data (words and numbers from a seeded generator):
        # it compresses about 2:1 (16 MB -> 7.9 MB), so gzip does real matching work.
        python3 - "$OUT/gzip-input.txt" <<'EOF'
import random, sys
rng = random.Random(20240101)
words = ["".join(rng.choice("etaoinshrdlucmfwypvbgkjqxz") for _ in range(rng.randint(2, 11)))
         for _ in range(4000)]
out, size = [], 0
while size < 16 * 1000 * 1000:
    line = " ".join(rng.choice(words) if rng.random() < 0.85 else str(rng.randint(0, 99999))
                    for _ in range(rng.randint(4, 16))) + "\n"
    out.append(line); size += len(line)
data = "".join(out)[:16 * 1000 * 1000]
open(sys.argv[1], "w").write(data)
EOF
    fi
fi

# ---------------------------------------------------------------- workloads and runners
workload() {   # NAME -> ARGS (guest command line), XOPTS (x64emu options), POOL (needs host 2M pool)
    XOPTS=(); POOL=0
    case "$1" in
        int_loop)            ARGS=("$OUT/int_loop" 250000000) ;;
        memcpy_loop)         ARGS=("$OUT/memcpy_loop" 1000) ;;
        fault_touch)         ARGS=("$OUT/fault_touch" 4k 4 256) ;;
        fault_touch_thp)     ARGS=("$OUT/fault_touch" thp 4 256) ;;
        fault_touch_hugetlb) ARGS=("$OUT/fault_touch" hugetlb 4 256); XOPTS=(--hugepages "2M=$HUGE_PAGES"); POOL=1 ;;
        mmap_churn)          ARGS=("$OUT/mmap_churn" 200000) ;;
        fork_cow)            ARGS=("$OUT/fork_cow" 200 16) ;;
        gzip)                ARGS=("$BUSYBOX" gzip -c "$OUT/gzip-input.txt") ;;
        hello)               ARGS=("$OUT/hello") ;;
    esac
}

runner_cmd() {  # RUNNER [EXTRA x64emu OPTIONS...] -> CMD
    local r=$1; shift
    case "$r" in
        native)        CMD=("${ARGS[@]}") ;;
        x64emu)        CMD=("$EMU" "$@" "${XOPTS[@]}" "${ARGS[@]}") ;;
        x64emu-interp) CMD=("$EMU" --jit=off "$@" "${XOPTS[@]}" "${ARGS[@]}") ;;
        qemu)          CMD=("$QEMU" "${ARGS[@]}") ;;
    esac
}

# The host hugetlb pool for native and qemu runs of fault_touch_hugetlb.
POOL_SAVED=
pool_free() { awk '/^HugePages_Free:/ {print $2}' /proc/meminfo; }
pool_raise() {   # returns 0 when at least 128 free 2 MiB pages are there
    [ "$(pool_free)" -ge 128 ] && return 0
    if [ "$(id -u)" = 0 ] && [ -w /proc/sys/vm/nr_hugepages ]; then
        POOL_SAVED=$(cat /proc/sys/vm/nr_hugepages)
        echo $((POOL_SAVED + HUGE_PAGES)) > /proc/sys/vm/nr_hugepages 2>/dev/null
        [ "$(pool_free)" -ge 128 ] && return 0
    fi
    return 1
}
pool_restore() {
    if [ -n "$POOL_SAVED" ]; then
        echo "$POOL_SAVED" > /proc/sys/vm/nr_hugepages
        POOL_SAVED=
    fi
}
trap pool_restore EXIT
trap 'pool_restore; exit 130' INT TERM

# ---------------------------------------------------------------- check run (outputs, RSS, errors)
# check_run BASE CMD... -> CHECK_RC, CHECK_SECS, CHECK_RSS (kB); stdout/stderr in BASE.out/.err
check_run() {
    local base=$1; shift
    local t0 t1
    t0=$(date +%s%N)
    if [ -n "$GNU_TIME" ]; then
        "$GNU_TIME" -v -o "$base.time" timeout -k 5 "$TIMEOUT" "$@" >"$base.out" 2>"$base.err"
        CHECK_RC=$?
        CHECK_RSS=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$base.time")
    else
        # No GNU time: poll VmHWM of the process (and its children) until it exits.
        "$@" >"$base.out" 2>"$base.err" &
        local pid=$! peak=0 v p deadline=$(( $(date +%s) + TIMEOUT )) timed_out=0
        while kill -0 "$pid" 2>/dev/null; do
            for p in $pid $(pgrep -P "$pid" 2>/dev/null); do
                v=$(awk '/^VmHWM:/ {print $2}' "/proc/$p/status" 2>/dev/null)
                [ -n "$v" ] && [ "$v" -gt "$peak" ] && peak=$v
            done
            if [ "$(date +%s)" -ge "$deadline" ]; then
                timed_out=1; kill -TERM "$pid"; sleep 5; kill -KILL "$pid" 2>/dev/null
            fi
            sleep 0.05
        done
        wait "$pid"; CHECK_RC=$?
        [ $timed_out = 1 ] && CHECK_RC=124
        CHECK_RSS=$peak
    fi
    t1=$(date +%s%N)
    CHECK_SECS=$(awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.3f", (b - a) / 1e9}')
}

# ---------------------------------------------------------------- timed runs
# timed_runs BASE CHECK_SECS CMD... -> TIMED (median seconds, or TIMEOUT / FAIL:rc)
timed_runs() {
    local base=$1 check=$2; shift 2
    local wrap=(timeout -k 5 "$TIMEOUT")
    # Each run is bounded by `timeout`, except for runs whose check run took under a second
    # (hello, mmap_churn natively...), where the extra exec of timeout(1) would be a visible part
    # of what is measured; those are bounded as a group: RUNS x TIMEOUT for the whole hyperfine.
    if awk -v c="$check" 'BEGIN {exit !(c < 1.0)}'; then wrap=(); fi
    if [ "$USE_HYPERFINE" = 1 ]; then
        local q
        q=$(printf '%q ' "${wrap[@]}" "$@")
        timeout -k 5 $((RUNS * TIMEOUT + 30)) \
            hyperfine -N -i --runs "$RUNS" --warmup 0 --style none --output null \
                --export-json "$base.json" -- "$q" >"$base.hyperfine" 2>&1
        local hrc=$?
        if [ $hrc = 124 ] || [ $hrc = 137 ] || [ ! -s "$base.json" ]; then
            [ $hrc = 124 ] || [ $hrc = 137 ] && TIMED=TIMEOUT || TIMED="FAIL:hyperfine"
            return
        fi
        TIMED=$(python3 - "$base.json" <<'EOF'
import json, sys
r = json.load(open(sys.argv[1]))["results"][0]
codes = [c for c in r.get("exit_codes", []) if c]
if 124 in codes or 137 in codes: print("TIMEOUT")
elif codes: print("FAIL:%d" % codes[0])
else: print("%.4f" % r["median"])
EOF
)
    else
        local i t0 t1 rc times=()
        for ((i = 0; i < RUNS; i++)); do
            t0=$(date +%s%N)
            timeout -k 5 "$TIMEOUT" "$@" >/dev/null 2>&1
            rc=$?
            t1=$(date +%s%N)
            if [ $rc = 124 ] || [ $rc = 137 ]; then TIMED=TIMEOUT; return; fi
            if [ $rc != 0 ]; then TIMED="FAIL:$rc"; return; fi
            times+=("$(awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.6f", (b - a) / 1e9}')")
        done
        printf '%s\n' "${times[@]}" >"$base.times"
        TIMED=$(sort -g "$base.times" | awk '{v[NR] = $1} END {m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2; printf "%.4f", m}')
    fi
}

# ---------------------------------------------------------------- run everything
TSV=$OUT/results.tsv
printf 'workload\tnative\tx64emu\tx64emu-interp\tqemu\toutputs\n' >"$TSV"
RSSTSV=$OUT/rss.tsv
printf 'workload\tnative_kB\tx64emu_host_kB\tx64emu_interp_host_kB\tqemu_kB\tx64emu_guest_peak_kB\tx64emu_faults\tguest_ru_maxrss_kB\n' >"$RSSTSV"
NOTES=$OUT/notes.md
: >"$NOTES"

stats_field() {  # FILE PATTERN -> the x64emu --stats line's value
    awk -v pat="$2" 'index($0, pat) == 3 {sub("^  " pat " *", ""); print; exit}' "$1"
}

for w in "${SELECTED[@]}"; do
    workload "$w"
    declare -A RES=() SUM=() RSS=()
    for r in "${RUNNERS[@]}"; do
        base=$RUNDIR/$w.$r
        RES[$r]=; SUM[$r]=; RSS[$r]=
        if [ "$POOL" = 1 ] && [[ $r != x64emu* ]]; then
            if ! pool_raise; then
                RES[$r]="n/a (no 2M pool)"
                echo "- $w / $r: skipped: needs 128 free 2 MiB huge pages (run as root, or raise /proc/sys/vm/nr_hugepages)" >>"$NOTES"
                continue
            fi
        fi
        if [[ $r == x64emu* ]]; then runner_cmd "$r" --stats; else runner_cmd "$r"; fi
        log "== $w / $r: check run: ${CMD[*]}"
        check_run "$base" "${CMD[@]}"
        RSS[$r]=$CHECK_RSS
        if [ "$CHECK_RC" = 124 ] || [ "$CHECK_RC" = 137 ]; then
            RES[$r]="TIMEOUT (>${TIMEOUT} s)"
            echo "- $w / $r: timed out after ${TIMEOUT} s (check run)" >>"$NOTES"
            continue
        elif [ "$CHECK_RC" != 0 ]; then
            RES[$r]="FAIL (exit $CHECK_RC)"
            {
                echo "- $w / $r: exit status $CHECK_RC after ${CHECK_SECS} s; \`${CMD[*]#$ROOT/}\`; stderr:"
                echo '  ```'
                sed -n '/^x64emu statistics:/q; p' "$base.err" | tail -n 8 | sed 's/^/  /'
                echo '  ```'
            } >>"$NOTES"
            continue
        fi
        SUM[$r]=$(sha256sum <"$base.out" | cut -c1-16)
        runner_cmd "$r"
        log "   $w / $r: check run ${CHECK_SECS} s, peak RSS ${CHECK_RSS} kB; timing $RUNS run(s)"
        timed_runs "$base" "$CHECK_SECS" "${CMD[@]}"
        case "$TIMED" in
            TIMEOUT) RES[$r]="TIMEOUT (>${TIMEOUT} s)"; echo "- $w / $r: a timed run hit the ${TIMEOUT} s timeout" >>"$NOTES" ;;
            FAIL:*) RES[$r]="FAIL (${TIMED#FAIL:})"; echo "- $w / $r: a timed run failed (${TIMED#FAIL:}); see out/bench/runs/$w.$r.*" >>"$NOTES" ;;
            *) RES[$r]=$TIMED ;;
        esac
        log "   $w / $r: median ${RES[$r]}"
    done
    [ "$POOL" = 1 ] && pool_restore

    # outputs: every runner that finished must print the same stdout
    ref=; agree=ok; finished=0
    for r in "${RUNNERS[@]}"; do
        [ -n "${SUM[$r]}" ] || continue
        finished=$((finished + 1))
        if [ -z "$ref" ]; then ref=${SUM[$r]}; elif [ "${SUM[$r]}" != "$ref" ]; then agree=MISMATCH; fi
    done
    if [ -z "$ref" ]; then agree="-"
    elif [ "$agree" = ok ] && [ $finished -lt ${#RUNNERS[@]} ]; then agree="ok ($finished of ${#RUNNERS[@]})"; fi
    if [ "$agree" = MISMATCH ]; then
        {
            echo "- $w: stdout differs between runners:"
            for r in "${RUNNERS[@]}"; do
                [ -n "${SUM[$r]}" ] && echo "  - $r: \`$(head -c 200 "$RUNDIR/$w.$r.out" | head -n 1)\` (sha256 ${SUM[$r]}…)"
            done
        } >>"$NOTES"
    fi
    printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$w" "${RES[native]:-}" "${RES[x64emu]:-}" "${RES[x64emu-interp]:-}" \
        "${RES[qemu]:--}" "$agree" >>"$TSV"

    xe=$RUNDIR/$w.x64emu.err
    gpeak=; gfaults=; gru=
    if [ -s "$xe" ]; then
        gpeak=$(stats_field "$xe" "peak RSS" | awk '{print $1}')
        gfaults=$(stats_field "$xe" "page faults")
    fi
    [ -s "$RUNDIR/$w.native.err" ] && gru=$(sed -n 's/.*ru_maxrss=\([0-9]*\).*/\1/p' "$RUNDIR/$w.native.err" | head -n 1)
    [ -s "$xe" ] && gru_x=$(sed -n 's/.*ru_maxrss=\([0-9]*\).*/\1/p' "$xe" | head -n 1) && [ -n "$gru_x" ] && gru="${gru:-?} native, $gru_x x64emu"
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$w" "${RSS[native]:-}" "${RSS[x64emu]:-}" "${RSS[x64emu-interp]:-}" \
        "${RSS[qemu]:--}" "${gpeak:-}" "${gfaults:-}" "${gru:-}" >>"$RSSTSV"
    unset RES SUM RSS
done

# start-up of the emulator itself (no guest): x64emu --version
STARTUP=
if [[ " ${SELECTED[*]} " == *" hello "* ]]; then
    base=$RUNDIR/startup.x64emu
    check_run "$base" "$EMU" --version
    if [ "$CHECK_RC" = 0 ]; then
        timed_runs "$base" 0 "$EMU" --version
        STARTUP=$TIMED
    fi
fi

# ---------------------------------------------------------------- report
python3 - "$TSV" "$RSSTSV" "$NOTES" "$OUT/results.md" "$RUNS" "$TIMEOUT" "$USE_HYPERFINE" "$STARTUP" "$QEMU" "$GNU_TIME" <<'EOF'
import csv, os, platform, subprocess, sys, datetime
tsv, rsstsv, notes, md, runs, timeout, hf, startup, qemu, gnu_time = sys.argv[1:11]

def num(s):
    try: return float(s)
    except (TypeError, ValueError): return None

def secs(s):
    v = num(s)
    if v is None: return s or "-"
    if v >= 100: return "%.0f s" % v
    if v >= 1: return "%.3g s" % v
    return "%.3g ms" % (v * 1000)

def ratio(a, b):
    a, b = num(a), num(b)
    if a is None or b is None or b == 0: return "-"
    r = a / b
    return ("%.3g×" % r) if r < 1000 else ("%.0f×" % r)

def sh(cmd):
    try: return subprocess.run(cmd, shell=True, capture_output=True, text=True).stdout.strip()
    except Exception: return ""

rows = list(csv.DictReader(open(tsv), delimiter="\t"))
rss = list(csv.DictReader(open(rsstsv), delimiter="\t"))
cpu = sh("awk -F': ' '/^model name/ {print $2; exit}' /proc/cpuinfo") or platform.processor()
lines = []
lines.append("Measured %s on %s, %s CPU(s), Linux %s; %s timed run(s) per cell (median), %s, per-run timeout %s s."
             % (datetime.datetime.now().strftime("%Y-%m-%d %H:%M"), cpu, os.cpu_count(), platform.release(),
                runs, "hyperfine" if hf == "1" else "date +%s%N loop", timeout))
lines.append("%s (commit %s)%s."
             % (sh("out/x64emu/x64emu --version | head -n 1"), sh("git rev-parse --short HEAD"),
                ("; " + sh("%s --version | head -n 1" % qemu)) if qemu else "; qemu-x86_64 not installed"))
lines.append("")
lines.append("x64emu = the default run (JIT tier on); x64emu-interp = the same binary with `--jit=off` "
             "(interpreter only). JIT speed-up = x64emu-interp median / x64emu median (above 1× the JIT is faster).")
lines.append("")
lines.append("| workload | native median | x64emu median | x64emu-interp median | qemu median "
             "| x64emu/native | x64emu-interp/native | JIT speed-up | qemu/native | x64emu/qemu | outputs |")
lines.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|:---:|")
for r in rows:
    n, x, i, q = r["native"], r["x64emu"], r["x64emu-interp"], r["qemu"]
    lines.append("| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |" % (
        r["workload"], secs(n), secs(x), secs(i), secs(q),
        ratio(x, n), ratio(i, n), ratio(i, x), ratio(q, n), ratio(x, q), r["outputs"]))
lines.append("")
if startup:
    lines.append("Emulator start-up alone (`x64emu --version`, no guest): %s median." % secs(startup))
    lines.append("")
lines.append("Peak RSS of the check run (%s, kB); for x64emu (the JIT run)" % ("`/usr/bin/time -v`" if gnu_time else "VmHWM polled from /proc every 50 ms, so short runs read low") + " also the guest's peak RSS and "
             "page-fault count as its `--stats` reports them, and for fault_touch the guest's own "
             "`getrusage` ru_maxrss:")
lines.append("")
lines.append("| workload | native | x64emu (host) | x64emu-interp (host) | qemu (host) | x64emu guest peak RSS | x64emu page faults | guest ru_maxrss |")
lines.append("|---|---:|---:|---:|---:|---:|---:|---:|")
for r in rss:
    lines.append("| %s | %s | %s | %s | %s | %s | %s | %s |" % (
        r["workload"], r["native_kB"] or "-", r["x64emu_host_kB"] or "-", r["x64emu_interp_host_kB"] or "-",
        r["qemu_kB"] or "-", r["x64emu_guest_peak_kB"] or "-", r["x64emu_faults"] or "-",
        r["guest_ru_maxrss_kB"] or "-"))
lines.append("")
n = open(notes).read().strip()
lines.append("Failures, timeouts and mismatches:" if n else "No failures, timeouts or output mismatches.")
if n:
    lines.append("")
    lines.append(n)
open(md, "w").write("\n".join(lines) + "\n")
EOF
python3 benchmarks/chart.py "$TSV" benchmarks/compare.svg
cat "$OUT/results.md"
echo
echo "(table: out/bench/results.md, chart: benchmarks/compare.svg, logs: out/bench/runs/)"
