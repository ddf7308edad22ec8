#include "engine/memtable.h"

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>
#include <iterator>
#include <new>
#include <vector>

#include "docs/keys.h"
#include "util/checksum.h"
#include "util/coding.h"

namespace cairn {
namespace {

bool StartsWithHashTag(std::string_view k) { return !k.empty() && k[0] == kHashTag; }

uint64_t MixHash(uint64_t h) {
  h ^= h >> 33;
  h *= 0xff51afd7ed558ccdull;
  h ^= h >> 33;
  return h;
}

// The hash table hash of a hash key: its first 8 hash bytes, mixed.
uint64_t HashKeyHash(std::string_view key) {
  uint64_t h;
  std::memcpy(&h, key.data() + 1, sizeof(h));
  return MixHash(h);
}

// A sorted batch makes a run of its version and spatial entries once it
// holds this many: fewer are cheap to insert into the tree.
constexpr size_t kMinRunEntries = 4096;

// The kinds of key a run may hold, each Put once (see BeginSorted): version
// entries and spatial entries ('S', engine/db_space.cc).
bool IsRunTag(uint8_t tag) { return tag == kVersionTag || tag == 'S'; }
bool IsRunKind(std::string_view key) { return !key.empty() && IsRunTag(static_cast<uint8_t>(key[0])); }

// A version entry's key: the document prefix, then BE64(~seq).
bool IsVersionKey(std::string_view key) { return key.size() > 8 && key[0] == kVersionTag; }

// Starts fetching an entry (a run's or a hash entry) and its key, which
// follows it in its arena (MemTable::Put): 32 bytes of entry, then a key of
// 33 bytes or more, over two cache lines.
void PrefetchEntry(const void* e) {
  __builtin_prefetch(e);
  __builtin_prefetch(static_cast<const char*>(e) + 64);
}

// The position in `run` of the first entry with key >= target.
size_t RunSeek(const MemTable::Run& run, std::string_view target) {
  return std::lower_bound(run.begin(), run.end(), target,
                          [](const MemTable::Entry* e, std::string_view t) { return e->first < t; }) -
         run.begin();
}

// The first entry of `run` with key >= target, or null.
const MemTable::Entry* RunLowerBound(const MemTable::Run& run, std::string_view target) {
  const size_t at = RunSeek(run, target);
  return at == run.size() ? nullptr : run[at];
}

class RunIterator final : public Table::Iterator {
  static constexpr size_t kAhead = 8;

 public:
  explicit RunIterator(const MemTable::Run* run) : run_(run), pos_(run->size()) {}
  Status Seek(std::string_view target) override {
    pos_ = RunSeek(*run_, target);
    return Status::OK();
  }
  Status SeekToFirst() override {
    pos_ = 0;
    return Status::OK();
  }
  bool Valid() const override { return pos_ < run_->size(); }
  Status Next() override {
    pos_++;
    // Entries lie in the arena in the order they were Put, not in key
    // order: fetch a few ahead (an entry's key follows it in the arena).
    if (pos_ + kAhead < run_->size()) PrefetchEntry((*run_)[pos_ + kAhead]);
    return Status::OK();
  }
  std::string_view key() const override { return (*run_)[pos_]->first; }
  std::string_view value() const override { return (*run_)[pos_]->second; }

 private:
  const MemTable::Run* run_;
  size_t pos_;
};

// Ordered keys from the tree, plus hash keys sorted when the iterator first
// reaches the 'h' range.
class MemTableIterator final : public Table::Iterator {
  static constexpr size_t kAhead = 8;

 public:
  explicit MemTableIterator(const MemTable* mem)
      : mem_(mem), ordered_(mem->ordered()), it_(ordered_->end()) {}

  Status Seek(std::string_view target) override {
    it_ = ordered_->lower_bound(target);
    // Hash keys are needed only when the target is at or before their range,
    // and only once the ordered keys reach it: a seek that stops earlier
    // (a spatial or index scan) never sorts them.
    hash_pos_ = hashes_.size();
    hash_pending_ = mem_->hash_entries() > 0 && target < std::string_view("i", 1);
    if (hash_pending_) pending_target_.assign(target);
    Pick();
    return Status::OK();
  }
  Status SeekToFirst() override { return Seek(std::string_view()); }
  bool Valid() const override { return use_hash_ || it_ != ordered_->end(); }
  Status Next() override {
    if (use_hash_) {
      hash_pos_++;
      // Sorted, the entries are visited in no order of the arena, where
      // each lies with its key and value over two cache lines: fetch a few
      // ahead (a checkpoint reads every one).
      if (hash_pos_ + kAhead < hashes_.size()) PrefetchEntry(hashes_[hash_pos_ + kAhead]);
    } else {
      ++it_;
    }
    Pick();
    return Status::OK();
  }
  std::string_view key() const override { return use_hash_ ? hashes_[hash_pos_]->key : it_->first; }
  std::string_view value() const override {
    return use_hash_ ? hashes_[hash_pos_]->value : it_->second;
  }

 private:
  void SortHashes() {
    if (sorted_) return;
    mem_->CollectHashEntries(&hashes_);
    // Keys share the tag byte and length. Sort by the first 8 hash bytes
    // (as a big-endian number, so the order is memcmp's) held next to each
    // pointer, and compare the rest only on ties: no pointer chasing.
    std::vector<std::pair<uint64_t, const MemTable::HashEntry*>> keyed;
    keyed.reserve(hashes_.size());
    for (size_t i = 0; i < hashes_.size(); i++) {
      // In slot order, which is random in the arena: fetch ahead, as Next.
      if (i + kAhead < hashes_.size()) PrefetchEntry(hashes_[i + kAhead]);
      keyed.emplace_back(DecodeBigEndian64(hashes_[i]->key.data() + 1), hashes_[i]);
    }
    std::sort(keyed.begin(), keyed.end(), [](const auto& a, const auto& b) {
      if (a.first != b.first) return a.first < b.first;
      return std::memcmp(a.second->key.data() + 9, b.second->key.data() + 9,
                         a.second->key.size() - 9) < 0;
    });
    for (size_t i = 0; i < keyed.size(); i++) hashes_[i] = keyed[i].second;
    sorted_ = true;
  }
  void Pick() {
    if (hash_pending_ && (it_ == ordered_->end() || it_->first >= std::string_view("h", 1))) {
      // Every hash key is 'h' + 32 bytes: from here on they interleave.
      hash_pending_ = false;
      SortHashes();
      hash_pos_ = std::lower_bound(hashes_.begin(), hashes_.end(), std::string_view(pending_target_),
                                   [](const MemTable::HashEntry* e, std::string_view t) { return e->key < t; }) -
                  hashes_.begin();
    }
    const bool in_hashes = hash_pos_ < hashes_.size();
    use_hash_ = in_hashes && (it_ == ordered_->end() || hashes_[hash_pos_]->key < it_->first);
  }

  const MemTable* mem_;
  const MemTable::OrderedMap* ordered_;
  MemTable::OrderedMap::const_iterator it_;
  std::vector<const MemTable::HashEntry*> hashes_;
  bool sorted_ = false;
  // Set by a Seek before the hash range until the ordered keys reach it.
  bool hash_pending_ = false;
  std::string pending_target_;
  size_t hash_pos_ = 0;
  bool use_hash_ = false;
};

class MergingIterator final : public Table::Iterator {
 public:
  explicit MergingIterator(std::vector<std::unique_ptr<Table::Iterator>> children)
      : children_(std::move(children)) {}

  // Every child sits at its first key >= floor, the last Seek target (or,
  // after Next, the current key): a later Seek to a target at or past the
  // floor leaves the children already at or past it where they are. Leapfrog
  // joins and range decompositions seek forward like that all the time, and
  // most children are far ahead or exhausted.
  Status Seek(std::string_view target) override {
    const bool forward = positioned_ && (floor_is_key_ ? current_ >= 0 && target >= key() : target >= floor_);
    positioned_ = false;
    for (auto& c : children_) {
      if (forward && (!c->Valid() || c->key() >= target)) continue;
      CAIRN_RETURN_IF_ERROR(c->Seek(target));
    }
    PickCurrent();
    floor_.assign(target);
    floor_is_key_ = false;
    positioned_ = true;
    return Status::OK();
  }
  void SetBlockFilter(const BlockFilter* filter) override {
    for (auto& c : children_) c->SetBlockFilter(filter);
  }
  Status SeekToFirst() override {
    positioned_ = false;
    for (auto& c : children_) CAIRN_RETURN_IF_ERROR(c->SeekToFirst());
    PickCurrent();
    floor_.clear();
    floor_is_key_ = false;
    positioned_ = true;
    return Status::OK();
  }
  bool Valid() const override { return current_ >= 0; }
  Status Next() override {
    // Advance every child positioned at the current key (duplicates
    // included); the current child last, so `cur` stays valid meanwhile.
    const std::string_view cur = key();
    positioned_ = false;
    if (runner_ >= 0 && children_[runner_]->key() == cur) {
      // Other children hold this key too (an older source's copy).
      for (size_t i = 0; i < children_.size(); i++) {
        if (static_cast<int>(i) == current_) continue;
        auto& c = children_[i];
        if (c->Valid() && c->key() == cur) CAIRN_RETURN_IF_ERROR(c->Next());
      }
      CAIRN_RETURN_IF_ERROR(children_[current_]->Next());
      PickCurrent();
    } else {
      // The usual case: only the current child moves, and it stays current
      // while it is still below the runner-up.
      auto& c = children_[current_];
      CAIRN_RETURN_IF_ERROR(c->Next());
      if (!c->Valid() || (runner_ >= 0 && !(c->key() < children_[runner_]->key()))) PickCurrent();
    }
    // Past the end the floor is unknown: the next Seek starts afresh.
    positioned_ = current_ >= 0;
    floor_is_key_ = true;
    return Status::OK();
  }
  std::string_view key() const override { return children_[current_]->key(); }
  std::string_view value() const override { return children_[current_]->value(); }

 private:
  // The smallest key's child (the first on ties) and the runner-up: the
  // smallest key among the others.
  void PickCurrent() {
    current_ = -1;
    runner_ = -1;
    for (size_t i = 0; i < children_.size(); i++) {
      if (!children_[i]->Valid()) continue;
      const int n = static_cast<int>(i);
      if (current_ < 0) {
        current_ = n;
        continue;
      }
      const std::string_view k = children_[i]->key();
      if (k < children_[current_]->key()) {
        runner_ = current_;
        current_ = n;
      } else if (runner_ < 0 || k < children_[runner_]->key()) {
        runner_ = n;
      }
    }
  }

  std::vector<std::unique_ptr<Table::Iterator>> children_;
  int current_ = -1;
  int runner_ = -1;
  bool positioned_ = false;  // every child is at its first key >= the floor
  bool floor_is_key_ = false;
  std::string floor_;        // when !floor_is_key_
};

}  // namespace

MemTable::MemTable(std::shared_ptr<MemTablePool> pool)
    : pool_(std::move(pool)),
      arena_(pool_ ? pool_->blocks() : nullptr),
      hash_arena_(pool_ ? pool_->blocks() : nullptr),
      ordered_(OrderedMap::allocator_type(&arena_)),
      last_(ordered_.end()) {
  if (pool_) {
    hashes_ = pool_->TakeHashSlots();
    newest_ = pool_->TakeNewestSlots();
  }
}

MemTable::~MemTable() {
  if (pool_) {
    // Cleared here, on the thread that drops the memtable (the checkpoint
    // thread, for a frozen one), rather than by the writer that takes them.
    std::fill(hashes_.begin(), hashes_.end(), HashSlots::value_type{});
    std::fill(newest_.begin(), newest_.end(), NewestSlots::value_type{});
    pool_->Give(std::move(hashes_));
    pool_->Give(std::move(newest_));
  }
}

template <typename V>
void MemTablePool::Keep(V* spare, V* slots) {
  if (slots->size() > spare->size()) spare->swap(*slots);
}

MemTable::HashSlots MemTablePool::TakeHashSlots() {
  MutexLock l(&mu_);
  return std::move(hashes_);
}

MemTable::NewestSlots MemTablePool::TakeNewestSlots() {
  MutexLock l(&mu_);
  return std::move(newest_);
}

void MemTablePool::Give(MemTable::HashSlots slots) {
  MutexLock l(&mu_);
  Keep(&hashes_, &slots);
}

void MemTablePool::Give(MemTable::NewestSlots slots) {
  MutexLock l(&mu_);
  Keep(&newest_, &slots);
}

size_t MemTablePool::spare_bytes() const {
  MutexLock l(&mu_);
  return hashes_.capacity() * sizeof(hashes_[0]) + newest_.capacity() * sizeof(newest_[0]);
}

bool MemTable::IsHashKey(std::string_view key) {
  return key.size() == 1 + Hash::kSize && StartsWithHashTag(key);
}

template <typename T, typename Eq>
T* MemTable::Probe(const std::vector<Slot<T>>& slots, uint64_t hash, Eq eq) {
  if (slots.empty()) return nullptr;
  const size_t mask = slots.size() - 1;
  for (size_t i = hash & mask;; i = (i + 1) & mask) {
    const Slot<T>& s = slots[i];
    if (!s.used()) return nullptr;
    if (s.hash == hash && eq(s.payload)) return const_cast<T*>(&s.payload);
  }
}

template <typename T, typename Eq>
MemTable::Slot<T>* MemTable::FindOrInsert(std::vector<Slot<T>>* slots, size_t* count, uint64_t hash,
                                          Eq eq, bool* inserted) {
  if ((*count + 1) * 2 > slots->size()) {
    Grow(slots);
  }
  const size_t mask = slots->size() - 1;
  for (size_t i = hash & mask;; i = (i + 1) & mask) {
    Slot<T>& s = (*slots)[i];
    if (!s.used()) {
      s.hash = hash;
      (*count)++;
      *inserted = true;
      return &s;
    }
    if (s.hash == hash && eq(s.payload)) {
      *inserted = false;
      return &s;
    }
  }
}

template <typename T>
void MemTable::Grow(std::vector<Slot<T>>* slots) {
  {
    std::vector<Slot<T>> grown(std::max<size_t>(64, slots->size() * 2));
    const size_t mask = grown.size() - 1;
    for (const Slot<T>& s : *slots) {
      if (!s.used()) continue;
      size_t i = s.hash & mask;
      while (grown[i].used()) i = (i + 1) & mask;
      grown[i] = s;
    }
    slots->swap(grown);
  }
}

const MemTable::HashEntry* MemTable::FindHashEntry(std::string_view key) const {
  HashEntry* const* e = Probe(hashes_, HashKeyHash(key), [&](const HashEntry* x) {
    return std::memcmp(x->key.data() + 1, key.data() + 1, Hash::kSize) == 0;
  });
  return e ? *e : nullptr;
}

void MemTable::Put(std::string_view key, std::string_view value) {
  if (IsHashKey(key)) {
    hash_data_bytes_ += key.size() + value.size();
    bool inserted;
    Slot<HashEntry*>* slot = FindOrInsert(
        &hashes_, &hash_count_, HashKeyHash(key),
        [&](const HashEntry* x) {
          return std::memcmp(x->key.data() + 1, key.data() + 1, Hash::kSize) == 0;
        },
        &inserted);
    if (!inserted) {
      slot->payload->value = hash_arena_.Copy(value);
      return;
    }
    auto* e = reinterpret_cast<HashEntry*>(hash_arena_.Allocate(sizeof(HashEntry), alignof(HashEntry)));
    e->key = hash_arena_.Copy(key);
    e->value = hash_arena_.Copy(value);
    slot->payload = e;
    return;
  }
  data_bytes_ += key.size() + value.size();
  if (sorted_mode_) {
    // The entry first, its bytes right after: a run's reads of an entry and
    // its key then share cache lines.
    char* at = arena_.Allocate(sizeof(Entry), alignof(Entry));
    const std::string_view k = arena_.Copy(key), v = arena_.Copy(value);
    pending_.push_back(new (at) Entry(k, v));
    return;
  }
  InsertOrdered(arena_.Copy(key), arena_.Copy(value));
}

void MemTable::InsertOrdered(std::string_view key, std::string_view value) {
  // Keys often arrive in order (ids written in order, as in a bulk load, or
  // a sorted batch): when the key belongs right after the last one
  // inserted, or a few entries further on, skip the walk from the root.
  OrderedMap::iterator it = ordered_.end();
  if (last_ != ordered_.end() && last_->first < key) {
    // Past the largest key (ids written in order) the new entry goes last:
    // no step from the last entry, which for the largest climbs the whole
    // right spine of the tree to reach end().
    it = last_ == std::prev(ordered_.end()) ? ordered_.end() : std::next(last_);
    for (int steps = 0; it != ordered_.end() && it->first < key; steps++, ++it) {
      if (steps == 4) {
        it = ordered_.lower_bound(key);
        break;
      }
    }
  } else {
    it = ordered_.lower_bound(key);
  }
  if (it != ordered_.end() && it->first == key) {
    it->second = value;
    return;
  }
  it = ordered_.emplace_hint(it, key, value);
  last_ = it;
  if (IsVersionKey(key)) NoteVersion(&*it);
}

void MemTable::NoteVersion(const Entry* e) {
  const std::string_view key = e->first;
  const std::string_view prefix = key.substr(0, key.size() - 8);
  const uint64_t h = Checksum64(prefix.data(), prefix.size());
  auto same_doc = [&](const Entry* x) {
    return x->first.size() == key.size() && x->first.compare(0, prefix.size(), prefix) == 0;
  };
  bool inserted;
  auto* slot = FindOrInsert(&newest_, &newest_count_, h, same_doc, &inserted);
  // Newer versions sort first (BE64(~seq)). Of equal keys the later Put
  // wins, as in a run.
  if (inserted || key <= slot->payload->first) slot->payload = e;
}

void MemTable::EndSorted() {
  InsertPending(true);
  sorted_mode_ = false;
}

void MemTable::AddRun(std::unique_ptr<Run> run) {
  run_entries_ += run->size();
  runs_.push_back(std::move(run));
  while (runs_.size() >= 2 && runs_[runs_.size() - 2]->size() <= 2 * runs_.back()->size()) {
    const Run& older = *runs_[runs_.size() - 2];
    const Run& newer = *runs_.back();
    auto merged = std::make_unique<Run>();
    merged->resize(older.size() + newer.size());
    // std::merge, with each side's entries fetched a few ahead: they lie in
    // the arena in the order they were Put, not in key order. Equal keys
    // never meet (see BeginSorted).
    constexpr size_t kAhead = 8;
    size_t a = 0, b = 0, out = 0;
    while (a < older.size() && b < newer.size()) {
      if (a + kAhead < older.size()) PrefetchEntry(older[a + kAhead]);
      if (b + kAhead < newer.size()) PrefetchEntry(newer[b + kAhead]);
      if (newer[b]->first < older[a]->first) {
        (*merged)[out++] = newer[b++];
      } else {
        (*merged)[out++] = older[a++];
      }
    }
    while (a < older.size()) (*merged)[out++] = older[a++];
    while (b < newer.size()) (*merged)[out++] = newer[b++];
    runs_.pop_back();
    runs_.back() = std::move(merged);
  }
}

void MemTable::InsertPending(bool may_make_run) const {
  if (pending_.empty()) return;
  auto* self = const_cast<MemTable*>(this);
  std::vector<const Entry*>& p = self->pending_;
  // Keys of one kind (first byte) share long prefixes (a space's generations,
  // a collection's name): compare 8 bytes past the prefix that every pending
  // key of the kind shares, held next to the entry's index, so that most
  // comparisons touch no key bytes (which are spread over the arena).
  std::array<size_t, 256> shared;
  std::array<std::string_view, 256> first;
  shared.fill(SIZE_MAX);
  size_t run_kind = 0;  // version and spatial entries
  for (const Entry* e : p) {
    const std::string_view k = e->first;
    run_kind += IsRunKind(k);
    const uint8_t tag = k.empty() ? 0 : static_cast<uint8_t>(k[0]);
    if (shared[tag] == SIZE_MAX) {
      first[tag] = k;
      shared[tag] = k.size();
      continue;
    }
    size_t n = std::min(shared[tag], k.size());
    size_t i = 0;
    while (i < n && k[i] == first[tag][i]) i++;
    shared[tag] = i;
  }
  struct Sortable {
    uint8_t tag;
    uint64_t next8;  // big-endian, so its order is memcmp's
    uint32_t index;
  };
  std::vector<Sortable> order(p.size());
  for (size_t i = 0; i < p.size(); i++) {
    const std::string_view k = p[i]->first;
    const uint8_t tag = k.empty() ? 0 : static_cast<uint8_t>(k[0]);
    uint64_t v = 0;
    for (size_t j = 0; j < 8; j++) {
      const size_t at = shared[tag] + j;
      v = (v << 8) | (at < k.size() ? static_cast<uint8_t>(k[at]) : 0);
    }
    order[i] = Sortable{tag, v, static_cast<uint32_t>(i)};
  }
  std::sort(order.begin(), order.end(), [&](const Sortable& a, const Sortable& b) {
    if (a.tag != b.tag) return a.tag < b.tag;
    if (a.next8 != b.next8) return a.next8 < b.next8;
    // The whole rest past the shared prefix: the 8 bytes are zero-padded, so
    // a key that ends inside them may still differ from one that holds zeros
    // there. (The order only speeds the inserts up; InsertOrdered places any
    // key right. What it must keep is the order of equal keys.)
    const int c = p[a.index]->first.substr(shared[a.tag]).compare(p[b.index]->first.substr(shared[a.tag]));
    if (c != 0) return c < 0;
    return a.index < b.index;  // equal keys: the last Put is inserted last and wins
  });
  if (!may_make_run || run_kind < kMinRunEntries) {
    for (const Sortable& o : order) self->InsertOrdered(p[o.index]->first, p[o.index]->second);
    p.clear();
    return;
  }
  // The run's versions become their documents' newest where they are. In
  // Put order, which is the arena's: the keys are read in sequence, and each
  // table slot is fetched a few entries before its probe.
  {
    size_t versions = 0;
    for (const Entry* e : p) versions += IsVersionKey(e->first);
    while ((self->newest_count_ + versions) * 2 > self->newest_.size()) Grow(&self->newest_);
    constexpr size_t kAhead = 8;
    const size_t mask = self->newest_.size() - 1;
    for (size_t i = 0; i < p.size(); i++) {
      if (i + kAhead < p.size() && IsVersionKey(p[i + kAhead]->first)) {
        const std::string_view k = p[i + kAhead]->first;
        __builtin_prefetch(&self->newest_[Checksum64(k.data(), k.size() - 8) & mask]);
      }
      if (IsVersionKey(p[i]->first)) self->NoteVersion(p[i]);
    }
  }
  // In key order the entries lie all over the arena: what decides where
  // each goes is read from `order` (its tag, its next 8 bytes), and an
  // entry is read only to go into the tree or on a tie.
  auto run = std::make_unique<Run>();
  run->reserve(run_kind);
  for (size_t i = 0; i < order.size(); i++) {
    const Sortable& o = order[i];
    const Entry* e = p[o.index];
    if (!IsRunTag(o.tag)) {
      self->InsertOrdered(e->first, e->second);
      continue;
    }
    // Of equal keys (never expected, see BeginSorted) the last Put wins.
    if (i + 1 < order.size() && order[i + 1].tag == o.tag && order[i + 1].next8 == o.next8 &&
        p[order[i + 1].index]->first == e->first) {
      continue;
    }
    run->push_back(e);
  }
  self->AddRun(std::move(run));
  p.clear();
}

bool MemTable::FindVersion(std::string_view doc_prefix, std::string_view target,
                           std::string_view* key, std::string_view* value) const {
  InsertPending();
  const uint64_t h = Checksum64(doc_prefix.data(), doc_prefix.size());
  const auto* n = Probe(newest_, h, [&](const Entry* x) {
    return x->first.size() == doc_prefix.size() + 8 &&
           x->first.compare(0, doc_prefix.size(), doc_prefix) == 0;
  });
  if (n == nullptr) return false;
  // The newest version has the document's smallest key: at or after the
  // target, it is the answer. Otherwise an older one may be.
  const Entry* newest = *n;
  if (newest->first >= target) {
    *key = newest->first;
    *value = newest->second;
    return true;
  }
  std::string_view k, v;
  if (!LowerBound(target, &k, &v)) return false;
  if (k.size() != doc_prefix.size() + 8 || k.compare(0, doc_prefix.size(), doc_prefix) != 0) return false;
  *key = k;
  *value = v;
  return true;
}

void MemTable::PrefetchVersion(uint64_t doc_hash) const {
  if (!newest_.empty()) __builtin_prefetch(&newest_[doc_hash & (newest_.size() - 1)]);
}

void MemTable::PrefetchHashKey(const Hash& version_hash) const {
  if (hashes_.empty()) return;
  uint64_t h;
  std::memcpy(&h, version_hash.bytes.data(), sizeof(h));  // as HashKeyHash reads it
  __builtin_prefetch(&hashes_[MixHash(h) & (hashes_.size() - 1)]);
}

bool MemTable::LowerBound(std::string_view target, std::string_view* key,
                          std::string_view* value) const {
  InsertPending();
  const Entry* best = nullptr;
  if (auto it = ordered_.lower_bound(target); it != ordered_.end()) best = &*it;
  for (const auto& run : runs_) {
    const Entry* e = RunLowerBound(*run, target);
    if (e != nullptr && (best == nullptr || e->first < best->first)) best = e;
  }
  if (best == nullptr) return false;
  *key = best->first;
  *value = best->second;
  return true;
}

bool MemTable::Find(std::string_view key, std::string_view* value) const {
  if (IsHashKey(key)) {
    const HashEntry* e = FindHashEntry(key);
    if (e == nullptr) return false;
    *value = e->value;
    return true;
  }
  InsertPending();
  if (auto it = ordered_.find(key); it != ordered_.end()) {
    *value = it->second;
    return true;
  }
  if (!IsRunKind(key)) return false;
  for (const auto& run : runs_) {
    const Entry* e = RunLowerBound(*run, key);
    if (e != nullptr && e->first == key) {
      *value = e->second;
      return true;
    }
  }
  return false;
}

size_t MemTable::bytes() const {
  size_t runs = 0;
  for (const auto& run : runs_) runs += run->capacity() * sizeof(Run::value_type);
  return arena_.memory_bytes() + hash_arena_.memory_bytes() + hashes_.capacity() * sizeof(hashes_[0]) +
         newest_.capacity() * sizeof(newest_[0]) + runs;
}

void MemTable::CollectHashEntries(std::vector<const HashEntry*>* out) const {
  out->clear();
  out->reserve(hash_count_);
  for (const auto& s : hashes_) {
    if (s.used()) out->push_back(s.payload);
  }
}

std::unique_ptr<Table::Iterator> MemTable::NewIterator() const {
  InsertPending();
  if (runs_.empty()) return std::make_unique<MemTableIterator>(this);
  // No key is in two places (see BeginSorted), so a plain merge is exact.
  std::vector<std::unique_ptr<Table::Iterator>> children;
  children.push_back(std::make_unique<MemTableIterator>(this));
  for (const auto& run : runs_) children.push_back(std::make_unique<RunIterator>(run.get()));
  return std::make_unique<MergingIterator>(std::move(children));
}

std::unique_ptr<Table::Iterator> NewMergingIterator(
    std::vector<std::unique_ptr<Table::Iterator>> children) {
  return std::make_unique<MergingIterator>(std::move(children));
}

}  // namespace cairn
