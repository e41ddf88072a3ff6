#!/usr/bin/env bash
# The Python package built from source, as users do it:
#   1. the sdist holds what the build needs (the workspace's manifest and lock file, the
#      binding, the crates it depends on, the backend, the licenses) and nothing of a build;
#   2. `pip install` of the sdist, unpacked into a read-only directory;
#   3. `pip install .` from a read-only copy of the checkout, with no CARGO_TARGET_DIR: the
#      backend (packaging/pep517/commbox_build.py) must build outside the tree.
# Each install goes into a fresh venv and passes the smoke checks against a fresh mock.
#
#   tests/packaging/python_sources.sh SDIST VERSION
#
# PIP_PROFILE (dev by default) is the cargo profile of these builds: a release build of every
# dependency takes minutes here. Both reuse what cargo built in the checkout's target/ (it
# rebuilds any source that differs or is missing): step 2 as its CARGO_TARGET_DIR; step 3,
# where the backend must choose a temporary target directory itself, as cargo's build-dir
# (CARGO_BUILD_BUILD_DIR: intermediate artifacts only, the wheel's files still go to the
# backend's directory), which spares a build of every dependency from nothing.
set -uo pipefail
sdist=$(realpath "$1"); version=$2
here=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d)
trap 'chmod -R u+w "$work" 2>/dev/null; rm -rf "$work"' EXIT
passed=0; failed=0
pass() { echo "ok $1"; passed=$((passed + 1)); }
fail() { echo "FAILED $1"; failed=$((failed + 1)); }

# 1. Contents.
tar tzf "$sdist" | sed 's|^[^/]*/||' | LC_ALL=C sort >"$work/contents"
for f in pyproject.toml Cargo.toml Cargo.lock LICENSE-MIT LICENSE-APACHE PKG-INFO \
         packaging/pep517/commbox_build.py bindings/python/Cargo.toml bindings/python/README.md \
         bindings/python/src/lib.rs bindings/python/python/commbox/__init__.py \
         bindings/python/python/commbox/py.typed bindings/python/python/commbox/_commbox.pyi \
         crates/commbox/Cargo.toml crates/commbox/src/lib.rs; do
  if grep -qxF "$f" "$work/contents"; then pass "sdist has $f"; else fail "sdist lacks $f"; fi
done
if grep -E '^(target|build|dist|\.venv|\.git)/|__pycache__|\.so$|\.whl$' "$work/contents"; then
  fail "sdist holds build output or tool state (listed above)"
else
  pass "sdist holds no target/, build/, venv, VCS data or binaries"
fi
if tar xzf "$sdist" -O --wildcards '*/PKG-INFO' | grep -xF "Version: $version" >/dev/null; then
  pass "sdist version $version"
else
  fail "sdist version is not $version"
fi

constraints=$work/constraints.txt
echo "maturin==1.16.0" >"$constraints"
install_and_smoke() {  # NAME SOURCE_DIR [env...]
  local name=$1 src=$2; shift 2
  local venv=$work/venv-$name
  python3 -m venv "$venv" || { fail "$name: venv"; return; }
  # pip's isolated build environment gets maturin from PyPI, pinned by the constraint.
  if ! (cd "$work" && env "$@" PIP_CONSTRAINT="$constraints" MATURIN_PEP517_ARGS="--profile ${PIP_PROFILE:-dev}" \
        "$here/tests/packaging/readonly.sh" "$src" \
        "$venv/bin/python" -m pip --disable-pip-version-check --no-input install -q "$src") >"$work/$name.log" 2>&1; then
    sed 's/^/    /' "$work/$name.log" | tail -40
    fail "$name: pip install"; return
  fi
  pass "$name: pip install from a read-only tree"
  if (cd "$work" && "$here/tests/with-mock.sh" "$venv/bin/python" "$here/tests/packaging/python_smoke.py" \
        --expect-version "$version" --expect-prefix "$venv") >"$work/$name-smoke.log" 2>&1; then
    pass "$name: smoke checks"
  else
    sed 's/^/    /' "$work/$name-smoke.log"; fail "$name: smoke checks"
  fi
}

# 2. The sdist, unpacked read-only.
mkdir -p "$work/sdist" && tar xzf "$sdist" -C "$work/sdist"
install_and_smoke sdist "$(echo "$work"/sdist/*)" CARGO_TARGET_DIR="$here/target"

# 3. A checkout (tracked and new files, as `git status` sees them), read-only, no CARGO_TARGET_DIR.
mkdir -p "$work/checkout"
(cd "$here" && git ls-files -z --cached --others --exclude-standard | xargs -0 cp -P --parents -t "$work/checkout" 2>/dev/null)
# Its success is the check: cargo could not have written target/ into the tree.
install_and_smoke checkout "$work/checkout" -u CARGO_TARGET_DIR -u CARGO_BUILD_TARGET_DIR \
  CARGO_BUILD_BUILD_DIR="$here/target"

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
