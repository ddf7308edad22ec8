#!/usr/bin/env bash
# A narrated tour of the cairn CLI: walkthrough.sh <cairn-binary> <data-dir>
#
# Starts from an empty <data-dir> (removed first; it must be a cairn database
# directory or absent), writes a few documents, then shows updates, history,
# time travel, deletes, provenance, export, the head, verify and stats.
# Fails on the first step that does not behave as described.
set -euo pipefail

if [[ $# -ne 2 ]]; then
  echo "usage: walkthrough.sh <cairn-binary> <data-dir>" >&2
  exit 2
fi
CAIRN="$1"
DATA="$2"
if [[ ! -x "$CAIRN" ]]; then
  echo "walkthrough: $CAIRN is not an executable (build it first)" >&2
  exit 1
fi

# Remove the previous run's database, but never a directory holding anything
# that a cairn database does not.
if [[ -e "$DATA" ]]; then
  for f in "$DATA"/* "$DATA"/.[!.]*; do
    [[ -e "$f" ]] || continue
    case "$(basename "$f")" in
      LOCK | log-*.cairn | checkpoint-*.cairn | checkpoint-*.tmp) ;;
      *)
        echo "walkthrough: $DATA holds $(basename "$f"), so it is not a cairn database;" \
          "refusing to remove it" >&2
        exit 1 ;;
    esac
  done
  rm -rf -- "$DATA"
fi

step() { printf '\n== %s\n' "$*"; }
say() { printf '   %s\n' "$*"; }
# The arguments as they would be typed: single-quoted unless plain.
shown() {
  local a
  for a in "$@"; do
    if [[ "$a" =~ ^[A-Za-z0-9_./:=,+-]+$ ]]; then
      printf ' %s' "$a"
    else
      printf " '%s'" "${a//\'/\'\\\'\'}"
    fi
  done
}
# Runs cairn against the data directory, echoing the command line and the
# output; the output is also left in $OUT.
OUT=""
cairn() {
  printf '$ cairn%s\n' "$(shown "$DATA" "$@")"
  OUT="$("$CAIRN" "$DATA" "$@")"
  if [[ -n "$OUT" ]]; then printf '%s\n' "$OUT"; fi
}
# Runs a cairn command that must fail with exit code 1 (a database error).
cairn_fails() {
  printf '$ cairn%s\n' "$(shown "$DATA" "$@")"
  local rc=0
  "$CAIRN" "$DATA" "$@" 2>&1 || rc=$?
  if [[ $rc -ne 1 ]]; then
    echo "walkthrough: expected exit code 1, got $rc" >&2
    exit 1
  fi
  say "(exit code 1, as expected)"
}
# Field of the first version printed: seq or hash.
seq_of() { sed -nE '1s/^\{"coll":"[^"]*","id":"[^"]*","seq":([0-9]+),.*/\1/p' <<<"$1"; }
hash_of() { sed -nE '1s/.*,"hash":"([0-9a-f]{64})".*/\1/p' <<<"$1"; }
# Fails unless $1 contains $2.
expect() {
  if [[ "$1" != *"$2"* ]]; then
    echo "walkthrough: expected the output to contain: $2" >&2
    exit 1
  fi
}

step "1. Write three documents. Each write prints the new version as one line of JSON:"
say "its seq (the database-wide write number), its content hash, and the canonical data."
cairn put users ada '{"name": "Ada Lovelace", "born": 1815}'
ada1="$OUT"
cairn put users bob '{"name": "Bob", "born": 1990}'
cairn put orders o1 '{"user": "ada", "item": "analytical engine", "qty": 1}'
ada_seq1="$(seq_of "$ada1")"

step "2. Update ada. The new version points at the one it replaced (prev)."
cairn put users ada '{"name": "Ada King, Countess of Lovelace", "born": 1815}'
ada_hash2="$(hash_of "$OUT")"

step "3. History: every version of ada, newest first."
cairn history users ada
expect "$OUT" "Ada King"
expect "$OUT" "Ada Lovelace"

step "4. Time travel: ada as of seq $ada_seq1, before the update."
cairn get users ada --as-of "$ada_seq1"
expect "$OUT" '"name":"Ada Lovelace"'

step "5. Delete bob. The tombstone is a version too."
cairn delete users bob
before_delete=$(($(seq_of "$OUT") - 1))
say "bob is gone from get and list:"
cairn_fails get users bob
cairn list users
if [[ "$OUT" == *'"id":"bob"'* ]]; then
  echo "walkthrough: bob is still listed after the delete" >&2
  exit 1
fi
say "but his history is kept, and he is readable as of seq $before_delete, before the delete:"
cairn history users bob
cairn get users bob --as-of "$before_delete"
expect "$OUT" '"name":"Bob"'

step "6. Provenance: an order caused by ada's current version."
cairn put orders o2 '{"user": "ada", "item": "difference engine"}' --caused-by "$ada_hash2"
expect "$OUT" "\"caused_by\":[\"$ada_hash2\"]"
cairn get-hash "$ada_hash2"

step "7. Queries: NQL over the data and its history."
cairn query 'FROM users WHERE born < 1900 ORDER BY name'
expect "$OUT" '"name":"Ada King'
cairn query 'FROM users AS OF 1 WHERE born < 1900'
expect "$OUT" '"name":"Ada Lovelace"'
cairn query 'FROM orders GROUP BY user COUNT'
say "the causal chain of order o2: the order, then the version of ada that caused it:"
o2_hash="$("$CAIRN" "$DATA" get orders o2 | sed -nE 's/.*,"hash":"([0-9a-f]{64})".*/\1/p')"
cairn trace "$o2_hash"
expect "$OUT" "$ada_hash2"
say "an index on users.name, then the plan of a query that uses it:"
cairn create-index users name
cairn query 'EXPLAIN FROM users WHERE name = "Bob"'
expect "$OUT" 'access: index users.name'
say "a link between documents, and the documents one hop away:"
cairn link orders:o2 placed_by users:ada
cairn neighbors orders:o2 placed_by
expect "$OUT" 'users:ada'
cairn query 'FROM orders TRAVERSE placed_by'

step "8. Spaces: 2-D points in Hilbert order, box queries now and AS OF, a branch and a merge."
cairn space create places --dims 2 --bits 16
cairn space insert places 10,20 '{"name":"well"}'
cairn space insert places 12,25 '{"name":"oak"}'
cairn space insert places 900,900 '{"name":"far hut"}'
before_move="$("$CAIRN" "$DATA" head | sed -nE 's/.*"seq":([0-9]+).*/\1/p')"
cairn space insert places 12,25 '{"name":"old oak"}'
say "every point in the box [0,0]-[100,100], now and as it was before the last write:"
cairn space box places 0,0 100,100
expect "$OUT" 'old oak'
cairn space box places 0,0 100,100 --as-of "$before_move"
expect "$OUT" '"oak"'
say "a branch, written apart from main, then merged back:"
cairn space branch places survey
cairn space insert places 50,50 '{"name":"cairn"}' --branch survey
cairn space diff places main survey
cairn space merge places survey main --strategy prefer-source
cairn space box places 0,0 100,100
expect "$OUT" '"cairn"'

step "9. Export: the live documents as NDJSON (import reads it back)."
cairn export
say "and with --history, every version in write order:"
cairn export --history

step "10. The head: the latest seq and the Merkle head that commits to every write."
cairn head

step "11. Verify re-hashes every version and checks every checksum (non-zero exit on damage)."
cairn verify
expect "$OUT" '"ok":true'

step "12. Engine statistics."
cairn stats

printf '\nDone. The database is in %s; try: %s %s --help\n' "$DATA" "$CAIRN" "$DATA"
