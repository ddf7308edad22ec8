// MemTable: the index entries written since the last checkpoint, sorted like
// a table so both can be merged.
//
// Keys, values and tree nodes live in an Arena: an insert makes no heap
// allocation (except when a hash table grows), and dropping a memtable frees
// its arena blocks at once.
//
// Hash entries ('h' + 32-byte hash, docs/keys.h) are random and only ever
// looked up exactly, so they live in an open-addressing hash table;
// iteration sorts them on demand (checkpoints and verify are the only
// readers that reach them). Every other key lives in an ordered tree, except
// the version and spatial entries of a large sorted batch (BeginSorted),
// which become a sorted run: a vector of entries, merged with the tree and
// the other runs on reads. A second hash table maps each document's 'v'
// prefix to its newest version entry, wherever it is, so finding a
// document's current version costs one hash probe.
//
// Thread-safety: not thread-safe; the engine guards it with its index lock.
// Iterators are invalidated by Put.
#ifndef CAIRN_ENGINE_MEMTABLE_H_
#define CAIRN_ENGINE_MEMTABLE_H_

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "cairn/hash.h"
#include "engine/table.h"
#include "util/arena.h"
#include "util/mutex.h"

namespace cairn {

class MemTablePool;

class MemTable {
 public:
  // Arena blocks and hash-table slot arrays come from `pool` when given, and
  // go back to it when the memtable is destroyed (see MemTablePool).
  explicit MemTable(std::shared_ptr<MemTablePool> pool = nullptr);
  ~MemTable();
  MemTable(const MemTable&) = delete;
  MemTable& operator=(const MemTable&) = delete;

  // Inserts (key, value), replacing the value of an equal key. Both are
  // copied. Hash keys ('h' + a version hash) go into the hash table, with
  // their own arena, and every other key elsewhere: one thread may Put hash
  // keys while another Puts the rest, with nothing else running meanwhile.
  void Put(std::string_view key, std::string_view value);

  // Between BeginSorted and EndSorted, Put copies ordered (non-hash) entries
  // aside; EndSorted sorts them (stably, so the last Put of a key still
  // wins). If there are many, their version ('v') and spatial ('S') entries
  // become one sorted run, and the rest go into the tree in key order, where
  // a batch of random keys walks along neighbouring paths that stay in the
  // CPU cache instead of taking a cache miss at most levels for every key.
  // Any read in between inserts what was set aside into the tree first, so
  // reads see every Put. For the engine's writer, which holds the index lock
  // exclusively throughout, so no other thread can read meanwhile.
  //
  // A run's keys must never be Put again: the tree would then hold a second
  // entry of the key, and which one reads see would not be defined. Version
  // and spatial keys end with the seq of the write that made them, so each
  // is Put once.
  void BeginSorted() { sorted_mode_ = true; }
  void EndSorted();

  // The newest version entry of one document at or after `target` (a
  // VersionKey whose prefix is `doc_prefix`): one hash lookup, then a walk
  // over that document's versions in this memtable.
  bool FindVersion(std::string_view doc_prefix, std::string_view target, std::string_view* key,
                   std::string_view* value) const;

  // Hints for a batch of writes: start fetching the hash-table slot that
  // FindVersion (and Put of a version key) will probe for the document whose
  // prefix hashes to `doc_hash` (Checksum64 of the prefix), and the slot a
  // Put of HashKey(version_hash) will take. They read nothing and change
  // nothing; the memtable must not change meanwhile on another thread.
  void PrefetchVersion(uint64_t doc_hash) const;
  void PrefetchHashKey(const Hash& version_hash) const;

  // The first entry with key >= target among the ordered (non-hash) keys:
  // *key and *value are set, or false when there is none.
  bool LowerBound(std::string_view target, std::string_view* key, std::string_view* value) const;

  // The value of exactly `key` (any kind): sets *value (a view valid for the
  // memtable's lifetime), or returns false.
  bool Find(std::string_view key, std::string_view* value) const;

  size_t entries() const {
    InsertPending();
    return ordered_.size() + run_entries_ + hash_count_;
  }
  // Bytes of keys and values: about what the entries take in a table.
  uint64_t data_bytes() const { return data_bytes_ + hash_data_bytes_; }
  // Memory held: arena blocks and hash table slots.
  size_t bytes() const;

  // An iterator over every entry in key order (always OK statuses).
  std::unique_ptr<Table::Iterator> NewIterator() const;

  // A hash key's entry: its key ('h' + hash) and value, both in the arena.
  struct HashEntry {
    std::string_view key;
    std::string_view value;
  };
  using OrderedMap = std::map<std::string_view, std::string_view, std::less<>,
                              ArenaAllocator<std::pair<const std::string_view, std::string_view>>>;
  // An ordered entry: a tree node's value, or an entry of a run (in the
  // arena, so that it never moves).
  using Entry = OrderedMap::value_type;
  // A sorted run: entries in key order, no two keys equal.
  using Run = std::vector<const Entry*>;

  // For iterators: the tree's entries, the runs, and every hash entry in no
  // particular order.
  const OrderedMap* ordered() const { return &ordered_; }
  const std::vector<std::unique_ptr<Run>>& runs() const { return runs_; }
  size_t hash_entries() const { return hash_count_; }
  void CollectHashEntries(std::vector<const HashEntry*>* out) const;

  // A hash-table slot. The tables use open addressing with linear probing;
  // no erase. They grow at half load. Payloads are pointers, and a slot is
  // in use when its payload is set: 16 bytes a slot, four to a cache line.
  template <typename T>
  struct Slot {
    static_assert(std::is_pointer_v<T>);
    uint64_t hash = 0;
    T payload = nullptr;
    bool used() const { return payload != nullptr; }
  };
  using HashSlots = std::vector<Slot<HashEntry*>>;
  using NewestSlots = std::vector<Slot<const Entry*>>;

 private:
  template <typename T, typename Eq>
  static T* Probe(const std::vector<Slot<T>>& slots, uint64_t hash, Eq eq);
  // The slot holding a payload equal to `eq`, or a new slot for `hash`
  // (*inserted: the caller must set its payload, non-null, before the next
  // call, or the slot stays free).
  template <typename T, typename Eq>
  static Slot<T>* FindOrInsert(std::vector<Slot<T>>* slots, size_t* count, uint64_t hash, Eq eq,
                               bool* inserted);
  template <typename T>
  static void Grow(std::vector<Slot<T>>* slots);

  static bool IsHashKey(std::string_view key);
  const HashEntry* FindHashEntry(std::string_view key) const;
  // Inserts an ordered entry whose key and value are already in the arena.
  void InsertOrdered(std::string_view key, std::string_view value);
  // Inserts the entries set aside in sorted mode (see BeginSorted) into the
  // tree, or, with `may_make_run`, those that qualify into a new run. Const
  // for the readers, which may only run it while the writer is the only
  // thread inside the memtable.
  void InsertPending(bool may_make_run = false) const;
  // Adds a sorted run of new version and spatial entries, then merges the
  // newest runs while the newer is at least half the size of the one before
  // (a binary counter: a few runs, each entry merged a few times).
  void AddRun(std::unique_ptr<Run> run);
  // Points the document's newest-version slot at `e` (a 'v' entry) if `e`
  // is newer than what it holds.
  void NoteVersion(const Entry* e);

  std::shared_ptr<MemTablePool> pool_;
  Arena arena_;       // everything but the hash entries
  Arena hash_arena_;  // the hash entries (see Put)
  uint64_t data_bytes_ = 0;
  uint64_t hash_data_bytes_ = 0;
  OrderedMap ordered_;
  OrderedMap::iterator last_;  // the entry inserted last, or end()
  bool sorted_mode_ = false;
  // Ordered entries Put in sorted mode and not inserted yet (arena views).
  std::vector<const Entry*> pending_;
  HashSlots hashes_;
  size_t hash_count_ = 0;
  std::vector<std::unique_ptr<Run>> runs_;  // oldest first
  size_t run_entries_ = 0;
  // Document prefix -> its newest version entry, in the tree or a run.
  NewestSlots newest_;
  size_t newest_count_ = 0;
};

// Memory a dropped memtable leaves to the next one: its arena blocks (an
// ArenaBlockPool) and its two hash tables' slot arrays, cleared. A memtable
// that fills up between checkpoints grows each table to megabytes by
// doubling, and fresh memory costs a page fault and a zero-fill for every
// 4 KiB page on first touch; taking the arrays of the memtable before saves
// both the faults and the rehashing. Holds one spare array of each table,
// the larger one when two are given (so at most the largest tables a
// memtable of this engine reached).
//
// Thread-safety: thread-safe (a frozen memtable is dropped on the checkpoint
// thread).
class MemTablePool {
 public:
  MemTablePool(size_t block_bytes, size_t max_blocks)
      : blocks_(std::make_shared<ArenaBlockPool>(block_bytes, max_blocks)) {}
  const std::shared_ptr<ArenaBlockPool>& blocks() const { return blocks_; }

  // The spare array, every slot free (or an empty one).
  MemTable::HashSlots TakeHashSlots();
  MemTable::NewestSlots TakeNewestSlots();
  // Keeps `slots`, which must have every slot free, as the spare if it is
  // larger than the one held.
  void Give(MemTable::HashSlots slots);
  void Give(MemTable::NewestSlots slots);
  // Bytes of the spare arrays held.
  size_t spare_bytes() const;

 private:
  template <typename V>
  static void Keep(V* spare, V* slots);

  const std::shared_ptr<ArenaBlockPool> blocks_;
  mutable Mutex mu_;
  MemTable::HashSlots hashes_ GUARDED_BY(mu_);
  MemTable::NewestSlots newest_ GUARDED_BY(mu_);
};

// Merges sorted iterators into one sorted stream. When several children hold
// the same key, the earliest child in the list wins and the rest are skipped.
// The children are owned.
std::unique_ptr<Table::Iterator> NewMergingIterator(
    std::vector<std::unique_ptr<Table::Iterator>> children);

}  // namespace cairn

#endif  // CAIRN_ENGINE_MEMTABLE_H_
