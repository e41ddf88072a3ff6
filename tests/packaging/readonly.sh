#!/usr/bin/env bash
# Runs a command with a directory read-only, and fails if anything in it changed.
#
#   tests/packaging/readonly.sh DIR command args...
#
# As root (CI here), permission bits stop nothing, so DIR is bind-mounted read-only in a
# private mount namespace (unshare -m): a write fails with EROFS, as on a read-only mount.
# As another user, chmod -R a-w does the same. Either way a listing of DIR (paths, sizes,
# modification times) taken before and after must be the same.
set -uo pipefail
dir=$(cd "$1" && pwd); shift
listing() { find "$dir" -printf '%P %s %T@\n' | LC_ALL=C sort | md5sum; }
before=$(listing)
if [ "$(id -u)" -ne 0 ]; then
  chmod -R a-w "$dir"
  "$@"; status=$?
  chmod -R u+w "$dir"
elif unshare -m true 2>/dev/null; then
  unshare -m sh -c '
    dir=$1; shift
    mount --bind -o ro "$dir" "$dir" || exit 97
    if touch "$dir/.readonly-probe" 2>/dev/null; then echo "readonly: $dir is still writable" >&2; exit 98; fi
    exec "$@"' sh "$dir" "$@"
  status=$?
else
  echo "readonly: cannot make $dir read-only here (root, and unshare -m is refused)" >&2
  exit 1
fi
if [ "$(listing)" != "$before" ]; then
  echo "readonly: something was written into $dir" >&2
  exit 1
fi
exit "$status"
