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
    std::string_view found;
    const bool has = mem.Find(target, &found);
    auto exact = model.find(target);
    ASSERT_EQ(has, exact != model.end());
    if (has) EXPECT_EQ(found, exact->second);
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

// Enough keys to grow both hash tables many times, values past the arena's
// block size, overwrites of every kind of key, and 'e' (effect) keys: the
// table still matches the model, and data_bytes counts what was put.
TEST(MemTableTest, GrowthLargeValuesAndOverwrites) {
  MemTable mem;
  std::map<std::string, std::string> model;
  uint64_t put_bytes = 0;
  auto put = [&](const std::string& k, const std::string& v) {
    mem.Put(k, v);
    model[k] = v;
    put_bytes += k.size() + v.size();
  };
  for (int i = 0; i < 20000; i++) {
    const Hash h = Hash::Of(std::to_string(i));
    put(HashKey(h), std::string(16, static_cast<char>('a' + i % 26)));
    put(VersionKey("c", "id" + std::to_string(i % 5000), i), std::to_string(i));
    if (i % 100 == 0) put(EffectKey(Hash::Of(std::to_string(i / 100)), h), "");
  }
  put(VersionKey("c", "big", 1), std::string(300000, 'B'));  // larger than an arena block
  for (int i = 0; i < 20000; i += 97) {
    put(HashKey(Hash::Of(std::to_string(i))), "replaced" + std::to_string(i));
    put(VersionKey("c", "id" + std::to_string(i % 5000), i), "new" + std::to_string(i));
  }
  EXPECT_EQ(mem.entries(), model.size());
  EXPECT_EQ(mem.data_bytes(), put_bytes);
  EXPECT_GT(mem.bytes(), 300000u);
  auto it = mem.NewIterator();
  ASSERT_TRUE(it->SeekToFirst().ok());
  for (const auto& [k, v] : model) {
    ASSERT_TRUE(it->Valid());
    ASSERT_EQ(it->key(), k);
    ASSERT_EQ(it->value(), v);
    ASSERT_TRUE(it->Next().ok());
  }
  EXPECT_FALSE(it->Valid());
  for (const auto& [k, v] : model) {
    std::string_view found;
    ASSERT_TRUE(mem.Find(k, &found));
    ASSERT_EQ(found, v);
  }
  // The newest version of each document, found by its prefix.
  for (int d = 0; d < 5000; d += 499) {
    const std::string id = "id" + std::to_string(d);
    std::string_view key, value;
    ASSERT_TRUE(mem.FindVersion(DocPrefix("c", id), VersionKey("c", id, UINT64_MAX), &key, &value));
    auto want = model.lower_bound(VersionKey("c", id, UINT64_MAX));
    EXPECT_EQ(key, want->first);
    EXPECT_EQ(value, want->second);
  }
}

}  // namespace
}  // namespace cairn
