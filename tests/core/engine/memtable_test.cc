#include "engine/memtable.h"

#include <gtest/gtest.h>

#include <map>
#include <random>

#include "cairn/hash.h"
#include "docs/keys.h"
#include "engine/block_cache.h"
#include "tests/core/engine/table_test_util.h"

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

// A full scan of `mem` yields exactly the model's entries, in order.
void ExpectIteratesLike(const MemTable& mem, const std::map<std::string, std::string>& model) {
  auto it = mem.NewIterator();
  ASSERT_TRUE(it->SeekToFirst().ok());
  for (const auto& [k, v] : model) {
    ASSERT_TRUE(it->Valid());
    ASSERT_EQ(it->key(), k);
    ASSERT_EQ(it->value(), v);
    ASSERT_TRUE(it->Next().ok());
  }
  EXPECT_FALSE(it->Valid());
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

// Memtables made from one pool: a dropped memtable's arena blocks and hash
// tables go to the next one, which starts with the large tables and none of
// the old entries, and behaves like a fresh memtable (against a model, with
// FindVersion and the hash keys) while the first one is still alive.
TEST(MemTableTest, PoolHandsADroppedMemtablesTablesToTheNext) {
  auto pool = std::make_shared<MemTablePool>(4096, 64);
  std::mt19937_64 rng(17);
  std::unique_ptr<MemTable> live;
  for (int round = 0; round < 4; round++) {
    SCOPED_TRACE(round);
    const size_t spare = pool->spare_bytes();
    // Round 1's memtable is made while round 0's is alive: nothing to take.
    EXPECT_EQ(spare > 0, round >= 2);
    auto mem = std::make_unique<MemTable>(pool);
    EXPECT_EQ(mem->bytes(), spare);  // the tables taken, no arena block yet
    EXPECT_EQ(pool->spare_bytes(), 0u);
    std::map<std::string, std::string> model;
    for (int i = 0; i < 5000; i++) {
      std::string k = i % 2 ? HashKey(Hash::Of(std::to_string(round) + "/" + std::to_string(i)))
                            : VersionKey("c", "id" + std::to_string(rng() % 700), rng() % 300);
      mem->Put(k, std::to_string(i));
      model[k] = std::to_string(i);
    }
    ExpectIteratesLike(*mem, model);
    for (int i = 0; i < 700; i++) {
      const std::string prefix = DocPrefix("c", "id" + std::to_string(i));
      std::string_view key, value;
      const bool found = mem->FindVersion(prefix, VersionKey("c", "id" + std::to_string(i), UINT64_MAX), &key, &value);
      auto want = model.lower_bound(prefix);
      ASSERT_EQ(found, want != model.end() && want->first.starts_with(prefix));
      if (found) EXPECT_EQ(key, want->first);
    }
    for (int i = 1; i < 5000; i += 2) {
      std::string_view value;
      ASSERT_TRUE(mem->Find(HashKey(Hash::Of(std::to_string(round) + "/" + std::to_string(i))), &value));
      EXPECT_EQ(value, std::to_string(i));
    }
    std::string_view absent;
    if (round > 0) EXPECT_FALSE(mem->Find(HashKey(Hash::Of("0/1")), &absent));
    // Keep each memtable until the next is made, as the engine keeps the
    // frozen one while its successor fills.
    live = std::move(mem);
  }
  live.reset();
  EXPECT_GT(pool->spare_bytes(), 0u);
  EXPECT_GT(pool->blocks()->free_blocks(), 0u);
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

// Sorted mode (BeginSorted .. EndSorted, as the writer uses for a large
// group) against a std::map model. Batches of up to 16,000 entries, so that
// large ones make sorted runs, which merge as they accumulate. Version and
// spatial keys are each Put once, as the engine does (they end with a seq);
// other kinds repeat inside and across batches, including keys that end
// inside the 8 bytes the sort compares first or hold zeros there. Reads in
// the middle of a batch must see every Put made so far.
TEST(MemTableTest, SortedModeMatchesAnOrderedModel) {
  for (uint64_t seed = 1; seed <= 6; seed++) {
    SCOPED_TRACE("seed " + std::to_string(seed));
    std::mt19937_64 rng(seed);
    MemTable mem;
    std::map<std::string, std::string> model;
    uint64_t seq = 0;  // makes every version and spatial key unique
    auto random_key = [&](bool for_put) -> std::string {
      switch (rng() % 8) {
        case 0: {  // a shared prefix, then 0..12 bytes from {0, 1, 'a'}
          std::string k = "Tprefix-shared-by-all";
          const size_t n = rng() % 13;
          for (size_t i = 0; i < n; i++) k.push_back("\0\1a"[rng() % 3]);
          return k;
        }
        case 1:
        case 2: {  // spatial-like: a shared prefix, a random cell, the seq
          std::string k = "Sspace";
          PutBigEndian64(&k, rng() % 5000);
          PutBigEndian64(&k, for_put ? ++seq : rng() % (seq + 2));
          return k;
        }
        case 3:
        case 4:
          return VersionKey("c0", "id" + std::to_string(rng() % 50), for_put ? ++seq : rng() % (seq + 2));
        default: {
          std::string k = RandomKey(rng);
          while (k[0] == kVersionTag) k = RandomKey(rng);  // versions come from case 3 and 4
          return k;
        }
      }
    };
    auto check_reads = [&]() {
      for (int r = 0; r < 20; r++) {
        std::string target = random_key(false);
        std::string_view key, value;
        auto want = model.lower_bound(target);
        // LowerBound covers the ordered keys only: skip hash keys in the model.
        while (want != model.end() && want->first.size() == 1 + Hash::kSize && want->first[0] == kHashTag) ++want;
        ASSERT_EQ(mem.LowerBound(target, &key, &value), want != model.end()) << target;
        if (want != model.end()) {
          EXPECT_EQ(key, want->first);
          EXPECT_EQ(value, want->second);
        }
        auto exact = model.find(target);
        ASSERT_EQ(mem.Find(target, &value), exact != model.end());
        if (exact != model.end()) EXPECT_EQ(value, exact->second);
        const std::string id = "id" + std::to_string(rng() % 52);
        const std::string prefix = DocPrefix("c0", id);
        const std::string vtarget = VersionKey("c0", id, rng() % (seq + 2));
        auto vwant = model.lower_bound(vtarget);
        const bool vfound = vwant != model.end() && vwant->first.compare(0, prefix.size(), prefix) == 0;
        ASSERT_EQ(mem.FindVersion(prefix, vtarget, &key, &value), vfound);
        if (vfound) {
          EXPECT_EQ(key, vwant->first);
          EXPECT_EQ(value, vwant->second);
        }
      }
    };
    for (int batch = 0; batch < 40; batch++) {
      const bool sorted = rng() % 4 != 0;
      if (sorted) mem.BeginSorted();
      const int n = static_cast<int>(rng() % 3 == 0 ? 8000 + rng() % 8000 : rng() % 600);
      // A read inside a batch moves what was set aside into the tree: leave
      // some large batches without one, so that they make runs.
      const bool reads_inside = n < 1000 || rng() % 2 == 0;
      for (int i = 0; i < n; i++) {
        std::string k = random_key(true), v = "b" + std::to_string(batch) + "." + std::to_string(i);
        mem.Put(k, v);
        model[k] = v;
        if (reads_inside && rng() % 3000 == 0) check_reads();
      }
      if (sorted) mem.EndSorted();
      check_reads();
      ASSERT_EQ(mem.entries(), model.size());
    }
    EXPECT_GT(mem.runs().size(), 0u) << "no batch made a run";
    ExpectIteratesLike(mem, model);
    // Seeks into the merged runs and tree, from every kind of target.
    auto it = mem.NewIterator();
    for (int r = 0; r < 300; r++) {
      const std::string target = random_key(false);
      ASSERT_TRUE(it->Seek(target).ok());
      auto want = model.lower_bound(target);
      for (int step = 0; step < 3 && want != model.end(); step++, ++want) {
        ASSERT_TRUE(it->Valid());
        ASSERT_EQ(it->key(), want->first);
        ASSERT_TRUE(it->Next().ok());
      }
    }
  }
}

// A sorted batch large enough to make a run, holding some run keys twice
// (which the engine never writes, but the memtable must still resolve):
// the last Put of each wins, whether the two copies share their first bytes
// past the common prefix only (a tie on the bytes the sort holds) or the
// whole key, and whatever lies between them.
TEST(MemTableTest, SortedRunKeepsTheLastPutOfEqualKeys) {
  MemTable mem;
  std::map<std::string, std::string> model;
  mem.BeginSorted();
  auto spatial = [](uint64_t cell, uint64_t seq) {
    std::string k = "Sspace";
    PutBigEndian64(&k, cell);
    PutBigEndian64(&k, seq);
    return k;
  };
  for (int round = 0; round < 3; round++) {
    for (uint64_t i = 0; i < 3000; i++) {
      // Cells 0..999 three times over; seqs repeat every other round.
      const std::string k = spatial(i % 1000, (round == 1 ? 7 : 3) * 10000 + i);
      const std::string v = "r" + std::to_string(round) + "." + std::to_string(i);
      mem.Put(k, v);
      model[k] = v;
    }
    const std::string vk = VersionKey("c", "id" + std::to_string(round % 2), 5);
    mem.Put(vk, "version" + std::to_string(round));
    model[vk] = "version" + std::to_string(round);
  }
  mem.EndSorted();
  ASSERT_GT(mem.runs().size(), 0u) << "the batch made no run";
  EXPECT_EQ(mem.entries(), model.size());
  ExpectIteratesLike(mem, model);
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

// A merge of memtables and tables (newest first, overlapping keys) against
// a model: random runs of forward seeks (which leave children already past
// the target alone), backward seeks, Next and SeekToFirst, with tables of
// small blocks so forward seeks land both inside and beyond the current
// block.
TEST(MemTableTest, MergingIteratorSeeksForwardAndBackLikeTheModel) {
  for (uint64_t seed = 1; seed <= 12; seed++) {
    SCOPED_TRACE("seed " + std::to_string(seed));
    std::mt19937_64 rng(seed);
    std::map<std::string, std::string> model;  // the newest source's value wins
    auto key_of = [&](uint64_t k) {
      std::string s = "k";
      PutBigEndian64(&s, k);
      return s;
    };
    const uint64_t space = 50 + rng() % 3000;
    std::vector<std::unique_ptr<MemTable>> mems(1 + rng() % 2);
    std::vector<std::shared_ptr<TableTestFileState>> files(rng() % 4);
    std::vector<std::map<std::string, std::string>> sources(mems.size() + files.size());
    for (size_t s = 0; s < sources.size(); s++) {
      const size_t n = rng() % 4 == 0 ? 0 : rng() % 400;
      for (size_t i = 0; i < n; i++) sources[s][key_of(rng() % space)] = "s" + std::to_string(s);
      for (const auto& [k, v] : sources[s]) model.try_emplace(k, v);  // sources newest first
    }
    BlockCache cache(1 << 20);
    std::vector<std::unique_ptr<Table>> tables;
    std::vector<std::unique_ptr<Table::Iterator>> children;
    for (size_t m = 0; m < mems.size(); m++) {
      mems[m] = std::make_unique<MemTable>();
      for (const auto& [k, v] : sources[m]) mems[m]->Put(k, v);
      children.push_back(mems[m]->NewIterator());
    }
    for (size_t t = 0; t < files.size(); t++) {
      files[t] = NewTableTestFile();
      TableOptions options;
      options.block_bytes = 1 + rng() % 256;
      ASSERT_TRUE(BuildTestTable(files[t], sources[mems.size() + t], "", options).ok());
      auto table = OpenTestTable(files[t], &cache, "t.cairn", t + 1);
      ASSERT_TRUE(table.ok()) << table.status().ToString();
      children.push_back((*table)->NewIterator());
      tables.push_back(std::move(*table));
    }
    auto it = NewMergingIterator(std::move(children));
    auto want = model.end();
    std::string target;
    for (int step = 0; step < 3000; step++) {
      const int op = static_cast<int>(rng() % 10);
      if (op < 5) {  // a forward seek, short or long
        uint64_t from = 0;
        if (want != model.end()) from = DecodeBigEndian64(want->first.data() + 1);
        target = key_of(from + (op < 3 ? rng() % 8 : rng() % (space / 4 + 1)));
        if (rng() % 3 == 0) target.push_back('\0');
        ASSERT_TRUE(it->Seek(target).ok());
        want = model.lower_bound(target);
      } else if (op < 8) {
        if (!it->Valid()) continue;
        ASSERT_TRUE(it->Next().ok());
        ++want;
      } else if (op == 8) {  // anywhere, often backwards
        target = key_of(rng() % space);
        ASSERT_TRUE(it->Seek(target).ok());
        want = model.lower_bound(target);
      } else {
        ASSERT_TRUE(it->SeekToFirst().ok());
        want = model.begin();
      }
      SCOPED_TRACE("step " + std::to_string(step));
      ASSERT_EQ(it->Valid(), want != model.end());
      if (want != model.end()) {
        ASSERT_EQ(it->key(), want->first);
        ASSERT_EQ(it->value(), want->second);
      }
    }
  }
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
  ExpectIteratesLike(mem, model);
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
