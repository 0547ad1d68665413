#!/bin/sh
# The C API check (run by `cargo xtask capi` after `cargo cinstall` into PREFIX):
#  - the installed sev.h is the committed crates/sev-capi/include/sev.h;
#  - the shared and the static library and the pkg-config module `sev` are installed;
#  - every tests/c/*.c compiles with gcc against the installed header and library, found only
#    through `pkg-config --cflags --libs sev`, and passes; verify_fixture also links statically;
#  - every test passes again under valgrind with no invalid access and no definite or indirect
#    leak.
# usage: run.sh PREFIX   (PREFIX/lib holds the libraries and lib/pkgconfig/sev.pc)
set -eu
prefix=$(cd "$1" && pwd)
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../../.." && pwd)
out="$prefix/tests"
mkdir -p "$out"
export PKG_CONFIG_PATH="$prefix/lib/pkgconfig"

echo "capi: installed header vs committed"
cmp "$root/crates/sev-capi/include/sev.h" "$prefix/include/sev.h"
for f in "$prefix/lib/libsev.so" "$prefix/lib/libsev.a" "$prefix/lib/pkgconfig/sev.pc"; do
    test -f "$f" || { echo "capi: missing $f" >&2; exit 1; }
done
echo "capi: pkg-config --cflags --libs sev: $(pkg-config --cflags --libs sev)"

fixtures="$root/fixtures"
args_verify_fixture="$fixtures/snp/genoa/routex-v5/report.bin $fixtures/snp/genoa/routex-v5/vcek.der $fixtures/measurement/ovmf_AmdSev_suffix.bin"
args_sim_launch="$fixtures/measurement/ovmf_AmdSev_suffix.bin"

for src in "$here"/*.c; do
    name=$(basename "$src" .c)
    eval "args=\$args_$name"
    # shellcheck disable=SC2046 # pkg-config's output is a word list
    gcc -std=c11 -Wall -Wextra -Werror -g "$src" -o "$out/$name" $(pkg-config --cflags --libs sev)
    echo "capi: run $name"
    # shellcheck disable=SC2086
    LD_LIBRARY_PATH="$prefix/lib" "$out/$name" $args
    echo "capi: valgrind $name"
    # shellcheck disable=SC2086
    LD_LIBRARY_PATH="$prefix/lib" valgrind -q --error-exitcode=1 --leak-check=full \
        --errors-for-leak-kinds=definite,indirect "$out/$name" $args
done

echo "capi: verify_fixture linked statically"
# shellcheck disable=SC2046
gcc -std=c11 -Wall -Wextra -Werror "$here/verify_fixture.c" -o "$out/verify_fixture_static" \
    $(pkg-config --cflags sev) "$prefix/lib/libsev.a" $(pkg-config --static --libs-only-l sev | sed 's/-lsev\b//')
# shellcheck disable=SC2086
"$out/verify_fixture_static" $args_verify_fixture
echo "capi: all C tests passed"
