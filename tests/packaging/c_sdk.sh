#!/usr/bin/env bash
# The C SDK as users get it: the tarball unpacked into two different directories, and the
# .debs extracted into a temporary root (dpkg-deb -x). Against each tree: its layout, the
# SONAME, the C and C++ examples built with pkg-config (shared and static) and with CMake
# (tests/packaging/cmake: shared and static), every binary run against a fresh mock, and
# `commbox --version`, and the CLI's man pages (gzipped in the .deb). Also: commbox.hpp refuses
# a compiler below C++17 with its #error.
#
#   tests/packaging/c_sdk.sh TARBALL DEB_DIR VERSION SOVERSION MULTIARCH
set -uo pipefail
tarball=$(realpath "$1"); debdir=$(realpath "$2"); version=$3; soversion=$4; multiarch=$5
here=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
CC=${CC:-cc}; CXX=${CXX:-c++}
C_STRICT=(-std=c11 -Wall -Wextra -Werror -pedantic)
CXX_STRICT=(-std=c++17 -Wall -Wextra -Werror -pedantic)
passed=0; failed=0
check() {  # NAME command...: one counted check, its output shown when it fails
  local name=$1; shift
  if "$@" >"$work/check.log" 2>&1; then
    echo "ok $name"; passed=$((passed + 1))
  else
    echo "FAILED $name"; sed 's/^/    /' "$work/check.log" | tail -40; failed=$((failed + 1))
  fi
}

layout() {  # LIBDIR INCLUDEDIR BINDIR
  local lib=$1 inc=$2 bin=$3 f
  for f in "$lib/libcommbox.so.$version" "$lib/libcommbox.a" "$lib/pkgconfig/commbox.pc" \
           "$lib/cmake/commbox/commboxConfig.cmake" "$lib/cmake/commbox/commboxConfigVersion.cmake" \
           "$inc/commbox.h" "$inc/commbox.hpp" "$bin/commbox"; do
    [ -f "$f" ] || { echo "missing: $f"; return 1; }
  done
  [ "$(readlink "$lib/libcommbox.so.$soversion")" = "libcommbox.so.$version" ] || { echo "libcommbox.so.$soversion"; return 1; }
  [ "$(readlink "$lib/libcommbox.so")" = "libcommbox.so.$soversion" ] || { echo "libcommbox.so link"; return 1; }
  readelf -d "$lib/libcommbox.so.$version" | grep -F "Library soname: [libcommbox.so.$soversion]" || return 1
  # Nothing names the machine the tree was built on.
  if grep -rlF -e "$here" -e "dist-stage" -e "deb-stage" "$lib/pkgconfig" "$lib/cmake"; then return 1; fi
}

# Builds sms.c and sms.cpp with pkg-config into OUT: shared (run with the tree's libdir as
# rpath) and static (libcommbox.a and the libraries pkg-config --static names).
pkgconfig_builds() {  # OUT LIBDIR pkg-config-env...
  local out=$1 lib=$2; shift 2
  local pc=(env "$@" pkg-config)
  local cflags libs static
  cflags=$("${pc[@]}" --cflags commbox) && libs=$("${pc[@]}" --libs commbox) &&
    static=$("${pc[@]}" --static --libs-only-l commbox | sed 's/-lcommbox//') || return 1
  [ "$("${pc[@]}" --modversion commbox)" = "$version" ] || { echo "modversion"; return 1; }
  mkdir -p "$out"
  # shellcheck disable=SC2086
  "$CC" "${C_STRICT[@]}" -I"$here/examples/c" $cflags -o "$out/sms_c_shared" "$here/examples/c/sms.c" $libs -Wl,-rpath,"$lib" &&
  "$CC" "${C_STRICT[@]}" -I"$here/examples/c" $cflags -o "$out/sms_c_static" "$here/examples/c/sms.c" "$lib/libcommbox.a" $static &&
  "$CXX" "${CXX_STRICT[@]}" -I"$here/examples/cpp" $cflags -o "$out/sms_cpp_shared" "$here/examples/cpp/sms.cpp" $libs -Wl,-rpath,"$lib" &&
  "$CXX" "${CXX_STRICT[@]}" -I"$here/examples/cpp" $cflags -o "$out/sms_cpp_static" "$here/examples/cpp/sms.cpp" "$lib/libcommbox.a" $static
}

cmake_builds() {  # OUT PREFIX_PATH TREE
  local out=$1 prefix=$2 tree=$3
  cmake -S "$here/tests/packaging/cmake" -B "$out" -DCMAKE_PREFIX_PATH="$prefix" -DEXAMPLES="$here/examples" \
      -DCMAKE_FIND_USE_PACKAGE_REGISTRY=OFF -DCMAKE_FIND_USE_SYSTEM_PACKAGE_REGISTRY=OFF >"$out.configure.log" || {
    cat "$out.configure.log"; return 1; }
  grep -F "from $tree/" "$out.configure.log" || { echo "find_package did not find $tree:"; cat "$out.configure.log"; return 1; }
  cmake --build "$out" -j 2
}

# Each binary runs against a fresh mock; a shared one must load libcommbox from LIBDIR.
run_all() {  # LIBDIR BINARY...
  local lib=$1 bin; shift
  for bin in "$@"; do
    if [[ $bin == *shared* ]]; then
      ldd "$bin" | grep -F "libcommbox.so.$soversion => $lib/libcommbox.so.$soversion" >/dev/null ||
        { echo "$bin does not load libcommbox from $lib:"; ldd "$bin"; return 1; }
    elif readelf -d "$bin" | grep libcommbox >/dev/null; then
      echo "$bin (static) needs libcommbox.so"; return 1
    fi
    "$here/tests/with-mock.sh" "$bin" | grep '^SMS conversation [0-9]' >/dev/null || { echo "$bin failed"; return 1; }
  done
}

cli_version() {  # BINARY
  [ "$("$1" --version)" = "commbox $version" ] || { "$1" --version; return 1; }
}

# The CLI's man pages, one per command: plain in the tarball (SUFFIX ""), gzipped in the .deb
# (SUFFIX .gz, as Debian policy wants) and then none plain.
man_pages() {  # MAN1_DIR SUFFIX
  local dir=$1 suffix=$2 page n=0
  for page in commbox.1 commbox-email.1 commbox-chatwoot.1; do
    [ -f "$dir/$page$suffix" ] || { echo "missing: $dir/$page$suffix"; ls "$dir"; return 1; }
  done
  for page in "$dir"/*; do
    [[ $page == *.1"$suffix" ]] || { echo "not a man page$suffix: $page"; return 1; }
    [ -z "$suffix" ] || gzip -t "$page" || return 1
    n=$((n + 1))
  done
  echo "$n pages"
}

# The tarball, in two places; the second tree is built against after the first was removed,
# so nothing of the first can be what the second finds.
name=$(basename "$tarball" .tar.gz)
for where in one "two/a/deeper/path"; do
  dir=$work/$where; key=${where//\//_}; mkdir -p "$dir"
  tar xzf "$tarball" -C "$dir"
  tree=$dir/$name
  check "tarball in $where: layout" layout "$tree/lib" "$tree/include" "$tree/bin"
  check "tarball in $where: pkg-config builds (C, C++; shared, static)" \
    pkgconfig_builds "$work/pc-$key" "$tree/lib" PKG_CONFIG_PATH="$tree/lib/pkgconfig"
  check "tarball in $where: CMake builds (C, C++; shared, static)" cmake_builds "$work/cmake-$key" "$tree" "$tree"
  check "tarball in $where: every binary runs against the mock" run_all "$tree/lib" \
    "$work/pc-$key"/sms_* "$work/cmake-$key"/sms_*
  check "tarball in $where: commbox --version" cli_version "$tree/bin/commbox"
  check "tarball in $where: man pages (plain)" man_pages "$tree/share/man/man1" ""
  [ "$where" = one ] && rm -rf "$work/one"
done

# The C++ wrapper below C++17: its own #error, before anything else fails.
cxx14() {
  echo '#include <commbox.hpp>' >"$work/cxx14.cpp"
  if "$CXX" -std=c++14 -fsyntax-only -I"$tree/include" "$work/cxx14.cpp" 2>"$work/cxx14.log"; then
    echo "compiled with -std=c++14"; return 1
  fi
  cat "$work/cxx14.log"
  grep -q 'error: #error "commbox.hpp requires C++17' "$work/cxx14.log" && [ "$(grep -c ': error:' "$work/cxx14.log")" -eq 1 ]
}
check "commbox.hpp with -std=c++14: one #error naming C++17" cxx14

# The .debs, extracted into one root; commbox.pc holds /usr paths, so pkg-config is told the
# root (PKG_CONFIG_SYSROOT_DIR), and CMake's prefix is <root>/usr.
root=$work/deb-root
runtime=$debdir/libcommbox${soversion}_${version}_$(dpkg --print-architecture).deb
debs=("$runtime" "$debdir"/libcommbox-dev_"${version}"_*.deb "$debdir"/commbox_"${version}"_*.deb)
deb_metadata() {
  local d
  for d in "${debs[@]}"; do [ -f "$d" ] || { echo "missing: $d"; return 1; }; done
  [ "$(dpkg-deb -f "${debs[0]}" Package)" = "libcommbox$soversion" ] &&
  [ "$(dpkg-deb -f "${debs[1]}" Depends)" = "libcommbox$soversion (= $version)" ] &&
  for d in "${debs[@]}"; do
    [ "$(dpkg-deb -f "$d" Version)" = "$version" ] || { echo "$d: version $(dpkg-deb -f "$d" Version)"; return 1; }
    dpkg-deb -c "$d" | grep "usr/share/doc/$(dpkg-deb -f "$d" Package)/copyright" >/dev/null || { echo "$d: no copyright"; return 1; }
  done
}
check "debs: names, versions, Depends, copyright" deb_metadata
mkdir -p "$root"
for d in "${debs[@]}"; do [ -f "$d" ] && dpkg-deb -x "$d" "$root"; done
lib=$root/usr/lib/$multiarch
check "debs: layout" layout "$lib" "$root/usr/include" "$root/usr/bin"
check "debs: pkg-config builds (C, C++; shared, static)" \
  pkgconfig_builds "$work/pc-deb" "$lib" PKG_CONFIG_SYSROOT_DIR="$root" PKG_CONFIG_LIBDIR="$lib/pkgconfig"
check "debs: CMake builds (C, C++; shared, static)" cmake_builds "$work/cmake-deb" "$root/usr" "$root"
check "debs: every binary runs against the mock" run_all "$lib" "$work/pc-deb"/sms_* "$work/cmake-deb"/sms_*
check "debs: commbox --version" cli_version "$root/usr/bin/commbox"
check "debs: man pages (gzip -9n)" man_pages "$root/usr/share/man/man1" .gz

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
