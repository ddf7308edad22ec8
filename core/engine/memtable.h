// MemTable: the index entries written since the last checkpoint, sorted like
// a table so both can be merged.
//
// Thread-safety: not thread-safe; the engine guards it with its index lock.
// Iterators are invalidated by Put.
#ifndef CAIRN_ENGINE_MEMTABLE_H_
#define CAIRN_ENGINE_MEMTABLE_H_

#include <cstddef>
#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "engine/table.h"

namespace cairn {

class MemTable {
 public:
  void Put(std::string key, std::string value) {
    bytes_ += key.size() + value.size() + kNodeOverhead;
    auto [it, inserted] = map_.insert_or_assign(std::move(key), std::move(value));
    (void)it;
    if (!inserted) bytes_ -= kNodeOverhead;
  }

  // The first entry with key >= target, or nullptr.
  const std::pair<const std::string, std::string>* LowerBound(std::string_view target) const {
    auto it = map_.lower_bound(target);
    return it == map_.end() ? nullptr : &*it;
  }

  size_t entries() const { return map_.size(); }
  // Approximate memory held, node overhead included.
  size_t bytes() const { return bytes_; }

  // An iterator with the Table::Iterator interface (always OK statuses).
  std::unique_ptr<Table::Iterator> NewIterator() const;

 private:
  static constexpr size_t kNodeOverhead = 96;
  std::map<std::string, std::string, std::less<>> map_;
  size_t bytes_ = 0;
};

// Merges sorted iterators into one sorted stream. When several children hold
// the same key, the earliest child in the list wins and the rest are skipped.
// The children are owned.
std::unique_ptr<Table::Iterator> NewMergingIterator(
    std::vector<std::unique_ptr<Table::Iterator>> children);

}  // namespace cairn

#endif  // CAIRN_ENGINE_MEMTABLE_H_
