// Decoding a commit record's payload (log_format.h), shared by recovery,
// verify and the seq-ordered version scan.
#ifndef CAIRN_ENGINE_COMMIT_RECORD_H_
#define CAIRN_ENGINE_COMMIT_RECORD_H_

#include <cstdint>
#include <string_view>
#include <vector>

#include "cairn/db.h"
#include "cairn/hash.h"
#include "cairn/status.h"

namespace cairn {

struct CommitRecord {
  uint64_t first_seq = 0;
  uint32_t count = 0;
  Hash head_after;
  uint64_t synced_through = 0;
  std::vector<Version> versions;  // hashes computed from their content
  // Per version: offset of its item (checksum + entry) in the payload, and
  // the item's size: with the payload's file offset, an index Location.
  std::vector<std::pair<uint64_t, uint32_t>> items;
};

// Decodes every item: checks its checksum, decodes the entry, checks that
// seqs run from first_seq, computes each hash. Versions with a seq below
// `from_seq` are checked but not kept (nor their items). On damage returns
// CORRUPTION whose message completes "commit record ..." ("entry 3: checksum
// mismatch").
Status DecodeCommitRecord(std::string_view payload, CommitRecord* out, uint64_t from_seq = 0);

}  // namespace cairn

#endif  // CAIRN_ENGINE_COMMIT_RECORD_H_
