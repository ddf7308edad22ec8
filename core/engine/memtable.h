// MemTable: the index entries written since the last checkpoint, sorted like
// a table so both can be merged.
//
// Hash entries ('h' + 32-byte hash, docs/keys.h) are random and only ever
// looked up exactly, so they live in a hash map; iteration sorts them on
// demand (checkpoints and verify are the only readers that reach them).
// Every other key lives in an ordered map.
//
// Thread-safety: not thread-safe; the engine guards it with its index lock.
// Iterators are invalidated by Put.
#ifndef CAIRN_ENGINE_MEMTABLE_H_
#define CAIRN_ENGINE_MEMTABLE_H_

#include <array>
#include <cstddef>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "engine/table.h"

namespace cairn {

class MemTable {
 public:
  using OrderedMap = std::map<std::string, std::string, std::less<>>;
  using HashKey = std::array<uint8_t, 32>;
  struct HashKeyHasher {
    size_t operator()(const HashKey& k) const noexcept {
      size_t v;
      __builtin_memcpy(&v, k.data(), sizeof(v));
      return v;
    }
  };
  using HashMap = std::unordered_map<HashKey, std::string, HashKeyHasher>;

  MemTable() = default;
  MemTable(const MemTable&) = delete;
  MemTable& operator=(const MemTable&) = delete;

  void Put(std::string key, std::string value);

  // The newest version entry of one document at or after `target` (a
  // VersionKey whose prefix is `doc_prefix`): one hash lookup, then a walk
  // over that document's versions in this memtable.
  bool FindVersion(std::string_view doc_prefix, std::string_view target, std::string_view* key,
                   std::string_view* value) const;

  // The first entry with key >= target among the ordered (non-hash) keys:
  // *key and *value are set, or false when there is none.
  bool LowerBound(std::string_view target, std::string_view* key, std::string_view* value) const;

  // The value of exactly `key` (any kind), or nullptr.
  const std::string* Find(std::string_view key) const;

  size_t entries() const { return ordered_.size() + hashes_.size(); }
  // Approximate memory held, node overhead included.
  size_t bytes() const { return bytes_; }

  // An iterator over every entry in key order (always OK statuses).
  std::unique_ptr<Table::Iterator> NewIterator() const;

 private:
  static constexpr size_t kNodeOverhead = 80;
  static bool IsHashKey(std::string_view key);

  OrderedMap ordered_;
  HashMap hashes_;
  // Document prefix (a view into the key of its first entry, which never
  // moves) -> its newest version entry.
  std::unordered_map<std::string_view, OrderedMap::const_iterator> newest_;
  size_t bytes_ = 0;
};

// Merges sorted iterators into one sorted stream. When several children hold
// the same key, the earliest child in the list wins and the rest are skipped.
// The children are owned.
std::unique_ptr<Table::Iterator> NewMergingIterator(
    std::vector<std::unique_ptr<Table::Iterator>> children);

}  // namespace cairn

#endif  // CAIRN_ENGINE_MEMTABLE_H_
