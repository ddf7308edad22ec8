#include "engine/memtable.h"

#include <vector>

namespace cairn {
namespace {

class MemTableIterator final : public Table::Iterator {
 public:
  explicit MemTableIterator(const std::map<std::string, std::string, std::less<>>* map)
      : map_(map), it_(map->end()) {}
  Status Seek(std::string_view target) override {
    it_ = map_->lower_bound(target);
    return Status::OK();
  }
  Status SeekToFirst() override {
    it_ = map_->begin();
    return Status::OK();
  }
  bool Valid() const override { return it_ != map_->end(); }
  Status Next() override {
    ++it_;
    return Status::OK();
  }
  std::string_view key() const override { return it_->first; }
  std::string_view value() const override { return it_->second; }

 private:
  const std::map<std::string, std::string, std::less<>>* map_;
  std::map<std::string, std::string, std::less<>>::const_iterator it_;
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

std::unique_ptr<Table::Iterator> MemTable::NewIterator() const {
  return std::make_unique<MemTableIterator>(&map_);
}

std::unique_ptr<Table::Iterator> NewMergingIterator(
    std::vector<std::unique_ptr<Table::Iterator>> children) {
  return std::make_unique<MergingIterator>(std::move(children));
}

}  // namespace cairn
