// Trace: breadth-first walks over caused_by, towards causes (each version's
// own caused_by list) or towards effects (the 'e' reverse index).
#include <deque>
#include <unordered_set>

#include "engine/db_impl.h"
#include <algorithm>

namespace cairn {

Result<std::vector<TraceEntry>> DBImpl::Trace(const Hash& from, const TraceOptions& options) {
  CAIRN_RETURN_IF_ERROR(CheckOpen());
  uint64_t as_of;
  {
    ReaderLock l(&index_mu_);
    if (options.as_of && *options.as_of > visible_seq_) {
      return Status::InvalidArgument("as_of " + std::to_string(*options.as_of) +
                                     " is beyond the latest seq " + std::to_string(visible_seq_));
    }
    as_of = options.as_of.value_or(visible_seq_);
  }
  std::vector<TraceEntry> out;
  if (options.limit == 0) return out;
  CAIRN_ASSIGN_OR_RETURN(std::optional<Version> start, GetByHash(from));
  if (!start || start->seq > as_of) {
    return Status::NotFound("no version has hash " + from.ToHex() +
                            (start ? " as of seq " + std::to_string(as_of) : ""));
  }
  std::unordered_set<Hash, HashHasher> seen{from};
  out.push_back(TraceEntry{std::move(*start), 0});
  // out doubles as the BFS queue: entries [next, size) are not expanded yet.
  for (size_t next = 0; next < out.size() && out.size() < options.limit; next++) {
    const uint32_t depth = out[next].depth;
    if (depth >= options.depth) break;  // BFS: every later entry is as deep
    std::vector<Hash> neighbours;
    if (!options.reverse) {
      neighbours = out[next].version.caused_by;
    } else {
      const Hash self = out[next].version.hash;
      const std::string prefix = EffectPrefix(self);
      ReaderLock l(&index_mu_);
      auto it = NewIndexIterator();
      CAIRN_RETURN_IF_ERROR(it->Seek(prefix));
      while (it->Valid() && it->key().starts_with(prefix)) {
        std::string_view k = it->key();
        if (k.size() != prefix.size() + Hash::kSize) {
          return Status::Corruption("malformed effect index entry under " + self.ToHex());
        }
        Hash effect;
        std::copy(k.begin() + prefix.size(), k.end(), effect.bytes.begin());
        neighbours.push_back(effect);
        CAIRN_RETURN_IF_ERROR(it->Next());
      }
    }
    std::vector<TraceEntry> level;
    for (const Hash& h : neighbours) {
      if (!seen.insert(h).second) continue;
      CAIRN_ASSIGN_OR_RETURN(std::optional<Version> v, GetByHash(h));
      if (!v) {
        return Status::Corruption("version " + out[next].version.hash.ToHex() +
                                  " links to missing version " + h.ToHex());
      }
      if (v->seq > as_of) continue;  // an effect made after the snapshot
      level.push_back(TraceEntry{std::move(*v), depth + 1});
    }
    // Effects come out of the index in hash order; report them in seq order.
    if (options.reverse) {
      std::sort(level.begin(), level.end(),
                [](const TraceEntry& a, const TraceEntry& b) { return a.version.seq < b.version.seq; });
    }
    for (TraceEntry& e : level) {
      if (out.size() == options.limit) break;
      out.push_back(std::move(e));
    }
  }
  return out;
}

}  // namespace cairn
