#include "engine/memtable.h"

#include <algorithm>
#include <cstring>
#include <vector>

#include "docs/keys.h"

namespace cairn {
namespace {

bool StartsWithHashTag(std::string_view k) { return !k.empty() && k[0] == kHashTag; }

// Ordered keys from the map, plus hash keys sorted when the iterator first
// reaches the 'h' range. Hash keys sort after 'c' keys and before 'q'/'v'.
class MemTableIterator final : public Table::Iterator {
 public:
  MemTableIterator(const MemTable::OrderedMap* ordered, const MemTable::HashMap* hashes)
      : ordered_(ordered), hashes_(hashes), it_(ordered->end()) {}

  Status Seek(std::string_view target) override {
    it_ = ordered_->lower_bound(target);
    // Hash keys are needed only when the target is at or before their range.
    hash_pos_ = 0;
    in_hashes_ = false;
    const std::string_view hash_range_end("i", 1);
    if (!hashes_->empty() && target < hash_range_end) {
      SortHashes();
      hash_pos_ = std::lower_bound(sorted_.begin(), sorted_.end(), target,
                                   [](const Entry& e, std::string_view t) { return e.key < t; }) -
                  sorted_.begin();
      in_hashes_ = hash_pos_ < sorted_.size();
    }
    Pick();
    return Status::OK();
  }
  Status SeekToFirst() override { return Seek(std::string_view()); }
  bool Valid() const override { return use_hash_ || it_ != ordered_->end(); }
  Status Next() override {
    if (use_hash_) {
      hash_pos_++;
      in_hashes_ = hash_pos_ < sorted_.size();
    } else {
      ++it_;
    }
    Pick();
    return Status::OK();
  }
  std::string_view key() const override {
    return use_hash_ ? std::string_view(sorted_[hash_pos_].key) : std::string_view(it_->first);
  }
  std::string_view value() const override {
    return use_hash_ ? std::string_view(*sorted_[hash_pos_].value) : std::string_view(it_->second);
  }

 private:
  struct Entry {
    std::string key;
    const std::string* value;
  };
  void SortHashes() {
    if (sorted_ready_) return;
    sorted_.reserve(hashes_->size());
    for (const auto& [k, v] : *hashes_) {
      std::string key(1, kHashTag);
      key.append(reinterpret_cast<const char*>(k.data()), k.size());
      sorted_.push_back({std::move(key), &v});
    }
    std::sort(sorted_.begin(), sorted_.end(),
              [](const Entry& a, const Entry& b) { return a.key < b.key; });
    sorted_ready_ = true;
  }
  void Pick() {
    bool map_valid = it_ != ordered_->end();
    use_hash_ = in_hashes_ && (!map_valid || sorted_[hash_pos_].key < it_->first);
  }

  const MemTable::OrderedMap* ordered_;
  const MemTable::HashMap* hashes_;
  MemTable::OrderedMap::const_iterator it_;
  std::vector<Entry> sorted_;
  bool sorted_ready_ = false;
  size_t hash_pos_ = 0;
  bool in_hashes_ = false;
  bool use_hash_ = false;
};

class MergingIterator final : public Table::Iterator {
 public:
  explicit MergingIterator(std::vector<std::unique_ptr<Table::Iterator>> children)
      : children_(std::move(children)) {}

  Status Seek(std::string_view target) override {
    for (auto& c : children_) CAIRN_RETURN_IF_ERROR(c->Seek(target));
    PickCurrent();
    return Status::OK();
  }
  Status SeekToFirst() override {
    for (auto& c : children_) CAIRN_RETURN_IF_ERROR(c->SeekToFirst());
    PickCurrent();
    return Status::OK();
  }
  bool Valid() const override { return current_ >= 0; }
  Status Next() override {
    // Advance every child positioned at the current key (duplicates included).
    std::string cur(key());
    for (auto& c : children_) {
      if (c->Valid() && c->key() == cur) CAIRN_RETURN_IF_ERROR(c->Next());
    }
    PickCurrent();
    return Status::OK();
  }
  std::string_view key() const override { return children_[current_]->key(); }
  std::string_view value() const override { return children_[current_]->value(); }

 private:
  void PickCurrent() {
    current_ = -1;
    for (size_t i = 0; i < children_.size(); i++) {
      if (!children_[i]->Valid()) continue;
      if (current_ < 0 || children_[i]->key() < children_[current_]->key()) {
        current_ = static_cast<int>(i);
      }
    }
  }

  std::vector<std::unique_ptr<Table::Iterator>> children_;
  int current_ = -1;
};

}  // namespace

bool MemTable::IsHashKey(std::string_view key) {
  return key.size() == 1 + std::tuple_size_v<HashKey> && StartsWithHashTag(key);
}

void MemTable::Put(std::string key, std::string value) {
  if (IsHashKey(key)) {
    HashKey h;
    std::memcpy(h.data(), key.data() + 1, h.size());
    bytes_ += key.size() + value.size() + kNodeOverhead;
    auto [it, inserted] = hashes_.insert_or_assign(h, std::move(value));
    if (!inserted) bytes_ -= key.size() + kNodeOverhead;
    return;
  }
  bytes_ += key.size() + value.size() + kNodeOverhead;
  auto [it, inserted] = ordered_.insert_or_assign(std::move(key), std::move(value));
  if (!inserted) bytes_ -= it->first.size() + kNodeOverhead;
  const std::string& k = it->first;
  if (!k.empty() && k[0] == kVersionTag && k.size() > 8) {
    std::string_view prefix(k.data(), k.size() - 8);
    auto [n, fresh] = newest_.try_emplace(prefix, it);
    // Newer versions sort first (BE64(~seq)).
    if (!fresh && k < n->second->first) n->second = it;
  }
}

bool MemTable::FindVersion(std::string_view doc_prefix, std::string_view target,
                           std::string_view* key, std::string_view* value) const {
  auto n = newest_.find(doc_prefix);
  if (n == newest_.end()) return false;
  for (auto it = n->second; it != ordered_.end(); ++it) {
    std::string_view k = it->first;
    if (k.size() < doc_prefix.size() || k.compare(0, doc_prefix.size(), doc_prefix) != 0) break;
    if (k >= target) {
      *key = k;
      *value = it->second;
      return true;
    }
  }
  return false;
}

bool MemTable::LowerBound(std::string_view target, std::string_view* key,
                          std::string_view* value) const {
  auto it = ordered_.lower_bound(target);
  if (it == ordered_.end()) return false;
  *key = it->first;
  *value = it->second;
  return true;
}

const std::string* MemTable::Find(std::string_view key) const {
  if (IsHashKey(key)) {
    HashKey h;
    std::memcpy(h.data(), key.data() + 1, h.size());
    auto it = hashes_.find(h);
    return it == hashes_.end() ? nullptr : &it->second;
  }
  auto it = ordered_.find(key);
  return it == ordered_.end() ? nullptr : &it->second;
}

std::unique_ptr<Table::Iterator> MemTable::NewIterator() const {
  return std::make_unique<MemTableIterator>(&ordered_, &hashes_);
}

std::unique_ptr<Table::Iterator> NewMergingIterator(
    std::vector<std::unique_ptr<Table::Iterator>> children) {
  return std::make_unique<MergingIterator>(std::move(children));
}

}  // namespace cairn
