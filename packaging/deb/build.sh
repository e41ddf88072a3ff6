#!/usr/bin/env bash
# Builds the Debian packages of libcommbox (mk/dist.mk's `make deb` calls it with its variables):
#   libcommbox<SOVERSION>  the shared library: libcommbox.so.<VERSION> and its SONAME link
#   libcommbox-dev         headers, libcommbox.a, the libcommbox.so link, pkg-config, CMake
#   commbox                the CLI
# Files come from `make install` (PREFIX=/usr, the multiarch libdir, absolute paths in
# commbox.pc) and the CLI's build; Depends from dpkg-shlibdeps.
set -euo pipefail
: "${DEB_STAGE:?}" "${DIST_DIR:?}" "${VERSION:?}" "${SOVERSION:?}" "${DEB_ARCH:?}" "${DEB_MULTIARCH:?}"
: "${PROFILE:?}" "${PROFILE_DIR:?}" "${MAKE:=make}" "${DEB_COMPRESS:=-Zxz}" "${DIST_STRIP:=strip --strip-debug}"
runtime=libcommbox$SOVERSION
libdir=usr/lib/$DEB_MULTIARCH
rm -rf "$DEB_STAGE" && mkdir -p "$DEB_STAGE" "$DIST_DIR"
stage=$(cd "$DEB_STAGE" && pwd)

"$MAKE" --no-print-directory -s install PROFILE="$PROFILE" PREFIX=/usr LIBDIR="/$libdir" \
    DESTDIR="$stage/install" PC_RELOCATABLE=0 >/dev/null

copyright() {  # PACKAGE
  local doc=$stage/$1/usr/share/doc/$1
  mkdir -p "$doc"
  {
    echo "Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/"
    echo "Upstream-Name: libcommbox"
    echo
    echo "Files: *"
    echo "Copyright: The libcommbox authors"
    echo "License: MIT or Apache-2.0"
    echo
    echo "License: MIT"
    sed -e 's/^$/./' -e 's/^/ /' LICENSE-MIT
    echo
    echo "License: Apache-2.0"
    sed -e 's/^$/./' -e 's/^/ /' LICENSE-APACHE
  } >"$doc/copyright"
}

# The runtime library.
mkdir -p "$stage/$runtime/$libdir"
mv "$stage/install/$libdir/libcommbox.so.$VERSION" "$stage/install/$libdir/libcommbox.so.$SOVERSION" \
   "$stage/$runtime/$libdir/"
copyright "$runtime"
# The development files: the rest of the install.
mkdir -p "$stage/libcommbox-dev"
cp -a "$stage/install/usr" "$stage/libcommbox-dev/"
copyright libcommbox-dev
# The CLI.
install -D -m 755 "target/$PROFILE_DIR/commbox" "$stage/commbox/usr/bin/commbox"
copyright commbox

# The CLI's extra files (man pages, completions) from the same hooks as the tarball's
# (mk/dist.mk's DIST_HOOKS), into /usr.
for hook in ${DIST_HOOKS:-}; do "$MAKE" --no-print-directory "$hook" DIST_ROOT="$stage/commbox/usr"; done

# Without debug information, as Debian's packages are.
$DIST_STRIP "$stage/$runtime/$libdir/libcommbox.so.$VERSION" "$stage/libcommbox-dev/$libdir/libcommbox.a" \
    "$stage/commbox/usr/bin/commbox"

depends() {  # FILE...: the shared libraries' packages, as dpkg-shlibdeps finds them
  local d; d=$(mktemp -d)
  mkdir -p "$d/debian" && touch "$d/debian/control"
  (cd "$d" && dpkg-shlibdeps -O "${@/#/-e}" 2>/dev/null) | sed -n 's/^shlibs:Depends=//p'
  rm -rf "$d"
}

control() {  # PACKAGE SECTION DEPENDS DESCRIPTION...
  local pkg=$1 section=$2 deps=$3; shift 3
  mkdir -p "$stage/$pkg/DEBIAN"
  {
    echo "Package: $pkg"
    echo "Version: $VERSION"
    echo "Architecture: $DEB_ARCH"
    echo "Maintainer: The libcommbox authors"
    echo "Section: $section"
    echo "Priority: optional"
    echo "Installed-Size: $(du -sk --exclude=DEBIAN "$stage/$pkg" | cut -f1)"
    [ -n "$deps" ] && echo "Depends: $deps"
    [ "$pkg" = "$runtime" ] && echo "Multi-Arch: same"
    [ "$pkg" = libcommbox-dev ] && echo "Multi-Arch: same"
    printf 'Description: %s\n' "$1"; shift
    for line in "$@"; do printf ' %s\n' "$line"; done
  } >"$stage/$pkg/DEBIAN/control"
}

summary="for the CommBox API (e-mail, SMS, WhatsApp, chat)"
control "$runtime" libs "$(depends "$stage/$runtime/$libdir/libcommbox.so.$VERSION")" \
  "C client library $summary" \
  "libcommbox opens CommBox conversations on e-mail, SMS, WhatsApp and chat, posts" \
  "messages into them, and talks to the Chatwoot public client API." \
  "." "This package holds the shared library, ABI series $SOVERSION."
# Other packages built against it depend on this series, at least this version; ldconfig
# runs after it is installed or removed.
echo "libcommbox $SOVERSION $runtime (>= $VERSION)" >"$stage/$runtime/DEBIAN/shlibs"
echo "activate-noawait ldconfig" >"$stage/$runtime/DEBIAN/triggers"
control libcommbox-dev libdevel "$runtime (= $VERSION)" \
  "C client library $summary - development files" \
  "Headers (commbox.h, and commbox.hpp for C++17), the static library, pkg-config and" \
  "CMake files (find_package(commbox))."
control commbox utils "$(depends "$stage/commbox/usr/bin/commbox")" \
  "command-line client $summary" \
  "The commbox command: CommBox and Chatwoot calls from shells and cron jobs, with JSON" \
  "results and an exit code per kind of error."

for pkg in "$runtime" libcommbox-dev commbox; do
  dpkg-deb --root-owner-group $DEB_COMPRESS --build "$stage/$pkg" \
      "$DIST_DIR/${pkg}_${VERSION}_${DEB_ARCH}.deb" >/dev/null
  echo "$DIST_DIR/${pkg}_${VERSION}_${DEB_ARCH}.deb"
done
rm -rf "$stage"
