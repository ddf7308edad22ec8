#include "engine/memtable.h"

#include <gtest/gtest.h>

#include <map>
#include <random>

#include "cairn/hash.h"
#include "docs/keys.h"

namespace cairn {
namespace {

std::string RandomKey(std::mt19937_64& rng) {
  switch (rng() % 4) {
    case 0: return HashKey(Hash::Of(std::to_string(rng() % 500)));
    case 1: return VersionKey("c" + std::to_string(rng() % 3), "id" + std::to_string(rng() % 50), rng() % 100);
    case 2: return CollectionKey("c" + std::to_string(rng() % 5));
    default: return CommitKey(rng() % 200);
  }
}

// Every kind of key, checked against a std::map model: iteration order, seeks
// from every kind of target, exact finds, and the merge with a second source.
TEST(MemTableTest, MatchesAnOrderedModel) {
  std::mt19937_64 rng(7);
  MemTable mem;
  std::map<std::string, std::string> model;
  for (int i = 0; i < 3000; i++) {
    std::string k = RandomKey(rng), v = std::to_string(rng());
    mem.Put(k, v);
    model[k] = v;
  }
  EXPECT_EQ(mem.entries(), model.size());
  auto it = mem.NewIterator();
  ASSERT_TRUE(it->SeekToFirst().ok());
  for (auto& [k, v] : model) {
    ASSERT_TRUE(it->Valid());
    EXPECT_EQ(it->key(), k);
    EXPECT_EQ(it->value(), v);
    ASSERT_TRUE(it->Next().ok());
  }
  EXPECT_FALSE(it->Valid());
  for (int i = 0; i < 2000; i++) {
    std::string target = RandomKey(rng);
    if (i % 3 == 0) target.resize(rng() % (target.size() + 1));
    ASSERT_TRUE(it->Seek(target).ok());
    auto want = model.lower_bound(target);
    for (int step = 0; step < 3; step++, ++want) {
      if (want == model.end()) {
        EXPECT_FALSE(it->Valid());
        break;
      }
      ASSERT_TRUE(it->Valid());
      EXPECT_EQ(it->key(), want->first);
      ASSERT_TRUE(it->Next().ok());
    }
    const std::string* found = mem.Find(target);
    auto exact = model.find(target);
    ASSERT_EQ(found != nullptr, exact != model.end());
    if (found) EXPECT_EQ(*found, exact->second);
  }
}

TEST(MemTableTest, FindVersionEqualsAnOrderedSeek) {
  std::mt19937_64 rng(9);
  MemTable mem;
  std::map<std::string, std::string> model;
  for (int i = 0; i < 4000; i++) {
    std::string k = VersionKey("c", "id" + std::to_string(rng() % 80), rng() % 300);
    mem.Put(k, std::to_string(i));
    model[k] = std::to_string(i);
  }
  for (int i = 0; i < 3000; i++) {
    std::string id = "id" + std::to_string(rng() % 90);
    std::string prefix = DocPrefix("c", id);
    std::string target = VersionKey("c", id, rng() % 320);
    std::string_view key, value;
    bool found = mem.FindVersion(prefix, target, &key, &value);
    auto want = model.lower_bound(target);
    bool want_found = want != model.end() && want->first.compare(0, prefix.size(), prefix) == 0;
    ASSERT_EQ(found, want_found) << id;
    if (found) {
      EXPECT_EQ(key, want->first);
      EXPECT_EQ(value, want->second);
    }
  }
}

TEST(MemTableTest, MergingIteratorPrefersTheFirstSourceOnEqualKeys) {
  MemTable newer, older;
  newer.Put("b", "new");
  older.Put("a", "1");
  older.Put("b", "old");
  older.Put("c", "3");
  std::vector<std::unique_ptr<Table::Iterator>> children;
  children.push_back(newer.NewIterator());
  children.push_back(older.NewIterator());
  auto it = NewMergingIterator(std::move(children));
  ASSERT_TRUE(it->SeekToFirst().ok());
  std::string seen;
  while (it->Valid()) {
    seen += std::string(it->key()) + "=" + std::string(it->value()) + ";";
    ASSERT_TRUE(it->Next().ok());
  }
  EXPECT_EQ(seen, "a=1;b=new;c=3;");
}

}  // namespace
}  // namespace cairn
