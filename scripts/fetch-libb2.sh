#!/usr/bin/env bash
# Fetches and unpacks libb2's source from Debian's source package, for the
# WebAssembly build (which compiles its portable blake2b-ref.c with emcc).
# The version is pinned and the tarball's SHA-256 checked. Apt's own state is
# kept in a private directory, so the system's sources are left untouched.
# Idempotent: prints the source tree's path; fetches only when it is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

VERSION=0.98.1
DEBIAN_VERSION=0.98.1-1.1
ORIG_SHA256=10053dbc2fa342516b780a6bbf6e7b2a2360b8d49c5ac426936bf3df82526732
DEST="$PWD/build/third_party/libb2-$VERSION"

if [[ -f "$DEST/.verified" ]]; then echo "$DEST"; exit 0; fi

state="$PWD/build/third_party/apt-state"
rm -rf "$state" "$DEST"
mkdir -p "$state/parts" "$state/lists/partial" "$state/cache/archives/partial" "$state/download"
# Source entries for bookworm's main component, derived from the system's own
# binary entries (the same mirror), in deb822 or one-line form.
{
  if [[ -f /etc/apt/sources.list.d/debian.sources ]]; then
    awk 'BEGIN { RS = ""; ORS = "\n\n" }
         /Types:[^\n]*deb/ && /Suites:[^\n]*bookworm([ \n]|$)/ {
           sub(/Types:[^\n]*/, "Types: deb-src"); print }' /etc/apt/sources.list.d/debian.sources
  fi
} > "$state/parts/bookworm-src.sources"
if [[ -f /etc/apt/sources.list ]]; then
  grep -E '^deb [^#]* bookworm main' /etc/apt/sources.list | sed 's/^deb /deb-src /' \
    > "$state/parts/bookworm-src.list" || true
fi
if [[ ! -s "$state/parts/bookworm-src.sources" && ! -s "${state}/parts/bookworm-src.list" ]]; then
  echo "fetch-libb2: no Debian bookworm entry in the apt sources to derive a source entry from" >&2
  exit 1
fi
APT_OPTS=(
  -o "Dir::Etc::SourceList=/dev/null" -o "Dir::Etc::SourceParts=$state/parts"
  -o "Dir::State::Lists=$state/lists" -o "Dir::Cache=$state/cache"
  -o "APT::Sandbox::User=root" -qq
)
apt-get "${APT_OPTS[@]}" update
(cd "$state/download" && apt-get "${APT_OPTS[@]}" source --download-only "libb2=$DEBIAN_VERSION")

tarball="$state/download/libb2_$VERSION.orig.tar.gz"
got="$(sha256sum "$tarball" | awk '{print $1}')"
if [[ "$got" != "$ORIG_SHA256" ]]; then
  echo "fetch-libb2: $tarball has SHA-256 $got, expected $ORIG_SHA256" >&2
  exit 1
fi
mkdir -p "$(dirname "$DEST")"
tar -xzf "$tarball" -C "$(dirname "$DEST")"
test -f "$DEST/src/blake2b-ref.c"
echo "$DEBIAN_VERSION $ORIG_SHA256" > "$DEST/.verified"
rm -rf "$state"
echo "$DEST"
