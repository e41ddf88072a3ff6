#!/usr/bin/env bash
# Installs one built wheel into a fresh venv of each CPython version named and runs the smoke
# checks (tests/packaging/python_smoke.py) there against a fresh mock, from outside the tree.
#
#   tests/packaging/wheel_pythons.sh WHEEL VERSION 3.9 3.10 ...
#
# Interpreters come from pyenv ($PYENV_ROOT or ~/.pyenv, the newest patch release of each
# version), else python3.X on PATH. A version found nowhere fails: pyenv install and
# uv python install download from python.org and GitHub, which these machines cannot reach.
set -uo pipefail
wheel=$(realpath "$1"); version=$2; shift 2
here=$(cd "$(dirname "$0")/../.." && pwd)
pip=(python3 -m pip --disable-pip-version-check --no-input)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

find_python() {
  local v=$1 root=${PYENV_ROOT:-$HOME/.pyenv} d
  # Not a free-threaded build (3.13t): it cannot load abi3 extensions.
  for d in $(ls -d "$root"/versions/"$v".* 2>/dev/null | grep -v 't$' | sort -V -r); do
    [ -x "$d/bin/python$v" ] && { echo "$d/bin/python$v"; return 0; }
  done
  command -v "python$v"
}

passed=0; failed=0
for v in "$@"; do
  if ! py=$(find_python "$v"); then
    echo "python$v: FAILED: no such interpreter on this machine"
    failed=$((failed + 1)); continue
  fi
  venv=$work/py$v
  # No pip in the venv: the machine's pip installs into it (--python), which is faster.
  if ! "$py" -m venv --without-pip "$venv" ||
     ! "${pip[@]}" --python "$venv/bin/python" install -q --no-index --no-deps "$wheel"; then
    echo "python$v: FAILED: the wheel does not install"
    failed=$((failed + 1)); continue
  fi
  (cd "$work" && "$here/tests/with-mock.sh" "$venv/bin/python" "$here/tests/packaging/python_smoke.py" \
      --expect-version "$version" --expect-prefix "$venv") >"$work/$v.log" 2>&1
  ok=$(grep -c '^ok ' "$work/$v.log"); bad=$(grep -c '^FAIL ' "$work/$v.log")
  if [ "$ok" -gt 0 ] && [ "$bad" -eq 0 ] && grep -q '^ok create' "$work/$v.log"; then
    echo "python$v ($("$venv/bin/python" -c 'import platform; print(platform.python_version())')): $ok checks ok"
    passed=$((passed + 1))
  else
    echo "python$v: FAILED"; sed 's/^/    /' "$work/$v.log"
    failed=$((failed + 1))
  fi
done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
