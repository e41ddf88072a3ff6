#!/usr/bin/env bash
# The advisory half of `make deny` (mk/security.mk): `cargo deny check advisories` against the
# RustSec database, which is required: no database, no pass.
#
#   DENY="cargo-deny --color never" mk/deny-advisories.sh SNAPSHOT_BUNDLE FETCH_TIMEOUT_SECONDS
#
# 1. The live database (github.com/RustSec/advisory-db), fetched by cargo-deny into
#    $CARGO_HOME/advisory-dbs; the attempt is cut off after FETCH_TIMEOUT_SECONDS.
# 2. Where it cannot be fetched, the offline snapshot SNAPSHOT_BUNDLE (a git bundle, see
#    ../shared/rustsec/README.md) is cloned into the folder cargo-deny reads, replacing a copy
#    of another commit unless that copy is newer, and the check runs with --offline against
#    it (or against the cached copy alone if there is no snapshot). The output names the
#    database's date, since it is not today's.
# A known advisory, or no database at all: a message and a non-zero exit.
set -uo pipefail

snapshot=$1
fetch_timeout=$2
url=https://github.com/RustSec/advisory-db
# cargo-deny's folder for $url: the URL's name and a hash of it (ls $CARGO_HOME/advisory-dbs).
db=${CARGO_HOME:-$HOME/.cargo}/advisory-dbs/advisory-db-3157b0e258782691
log=build/deny-advisories.log
mkdir -p build

db_git() { git --git-dir="$db/.git" "$@"; }

# The timeout kills cargo-deny and its git (one process group), and git removes a partial clone.
timeout "$fetch_timeout" $DENY check advisories >"$log" 2>&1
rc=$?
if [ "$rc" -eq 0 ]; then
  echo "cargo deny: no known advisory as of $(db_git log -1 --format=%cs) (RustSec database fetched now)"
  exit 0
elif [ "$rc" -eq 124 ]; then
  echo "cargo deny: fetching $url took over ${fetch_timeout} s: given up"
elif grep -q 'failed to fetch advisory database' "$log"; then
  echo "cargo deny: $url cannot be fetched from here ($(grep -m1 -o 'fatal: .*' "$log" || echo "see $log"))"
else
  cat "$log"
  exit 1
fi

have=$(db_git rev-parse -q --verify HEAD 2>/dev/null)
want=
if [ -f "$snapshot" ]; then
  want=$(git bundle list-heads "$snapshot" refs/heads/main | cut -d' ' -f1)
  if [ -z "$want" ]; then
    echo "cargo deny: $snapshot is not a git bundle with a main branch" >&2
    exit 1
  fi
elif [ -z "$have" ]; then
  echo "cargo deny: advisories NOT checked, and they are required: the live database cannot be" >&2
  echo "  fetched, no copy is cached in $db, and there is no offline snapshot" >&2
  echo "  at $snapshot (see ../shared/rustsec/README.md)" >&2
  exit 1
fi
if [ -n "$want" ] && [ "$have" != "$want" ]; then
  rm -rf "$db.new"
  git -c init.defaultBranch=main clone -q --branch main "$snapshot" "$db.new" || exit 1
  if [ -n "$have" ] && [ "$(db_git log -1 --format=%ct)" -gt "$(git -C "$db.new" log -1 --format=%ct)" ]; then
    rm -rf "$db.new" # the cached copy, from an earlier live fetch, is the newer one
  else
    # cargo-deny fetches from origin into an existing copy: GitHub, not the bundle.
    git -C "$db.new" remote set-url origin "$url"
    rm -rf "$db" && mv "$db.new" "$db" || exit 1
  fi
fi

# cargo-deny's own staleness limit (maximum-db-staleness, 90 days) cannot catch an old copy
# here: it reads the time of the last fetch from .git/FETCH_HEAD or .git/HEAD, which the failed
# fetch above or the clone have just written. The date printed is the database's own.
date=$(db_git log -1 --format=%cs)
commit=$(db_git rev-parse --short=12 HEAD)
if ! $DENY --offline check advisories >"$log" 2>&1; then
  cat "$log"
  exit 1
elif [ "$(db_git rev-parse HEAD)" = "$want" ]; then
  echo "cargo deny: no known advisory as of $date (offline snapshot $snapshot, commit $commit)"
else
  echo "cargo deny: no known advisory as of $date (copy cached in $db by an earlier run, commit $commit)"
fi
