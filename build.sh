#!/usr/bin/env bash
# X64Emu's two commands (the README documents them):
#   ./build.sh run PROG.c|PROG [ARGS...]   build x64emu, compile PROG.c with gcc -static, run it under x64emu
#   ./build.sh test                        install what is missing, build everything, run every test
# and the helpers:
#   ./build.sh publish                     publish the emulator to out/x64emu/x64emu
#   ./build.sh bench [ARGS...]             guest-program benchmarks: native vs x64emu vs qemu-x86_64
set -euo pipefail
cd "$(dirname "$0")"

need_packages() {
    local missing=()
    command -v gcc >/dev/null || missing+=(gcc)
    command -v make >/dev/null || missing+=(make)
    command -v musl-gcc >/dev/null || missing+=(musl-tools)
    command -v setpriv >/dev/null || missing+=(util-linux)
    if [ ${#missing[@]} -gt 0 ]; then
        if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
            echo "build.sh: installing ${missing[*]}" >&2
            apt-get update -qq
            DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
        else
            echo "build.sh: please install: ${missing[*]} (e.g. sudo apt-get install ${missing[*]})" >&2
            exit 1
        fi
    fi
}

publish() {
    dotnet publish src/X64Emu.Cli -c Release -o out/x64emu --nologo -v quiet >/dev/null
}

case "${1:-}" in
    run)
        shift
        [ $# -ge 1 ] || { echo "usage: ./build.sh run PROG.c|PROG [ARGS...]" >&2; exit 2; }
        need_packages
        publish
        prog="$1"; shift
        if [[ "$prog" == *.c ]]; then
            mkdir -p out/guests
            bin="out/guests/$(basename "${prog%.c}")"
            gcc -static -O2 -o "$bin" "$prog" -lm
            prog="$bin"
        fi
        exec out/x64emu/x64emu "$prog" "$@"
        ;;
    test)
        need_packages
        dotnet restore X64Emu.sln --nologo -v quiet
        make -C guest-programs -j"$(nproc)" -s
        dotnet test X64Emu.sln -c Release --nologo
        ;;
    publish)
        publish
        echo "out/x64emu/x64emu"
        ;;
    bench)
        shift
        need_packages
        publish
        exec benchmarks/compare.sh "$@"
        ;;
    *)
        echo "usage: ./build.sh run PROG.c|PROG [ARGS...] | test | publish | bench" >&2
        exit 2
        ;;
esac
