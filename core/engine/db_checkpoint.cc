// Checkpoints: write the frozen memtable, merged with the newest checkpoint
// tables when they are small enough (size-tiered), as a new table file, then
// swap it in. The log is never rewritten here.
#include "engine/bloom.h"
#include "engine/db_impl.h"
#include "engine/log_format.h"

namespace cairn {

Status DBImpl::AdoptTable(std::unique_ptr<Table> table, uint64_t seq, CheckpointTable* out,
                          CheckpointState* state) {
  CheckpointState own;
  if (state == nullptr) state = &own;
  std::string_view filter;
  bool filter_has_hashes = false;
  if (!DecodeCheckpointState(table->metadata(), state, &filter, &filter_has_hashes)) {
    return Status::Corruption(CheckpointFileName(seq) + ": malformed checkpoint metadata");
  }
  auto obsolete = std::make_shared<std::atomic<bool>>(false);
  Storage* storage = storage_.get();
  BlockCache* cache = &cache_;
  // The file of a merged table is removed once the last reader lets go of
  // it (the stated reason for shared ownership of tables).
  out->table = std::shared_ptr<Table>(
      table.release(), [storage, cache, obsolete, name = CheckpointFileName(seq)](Table* t) {
        uint64_t id = t->file_id();
        delete t;
        cache->EraseFile(id);
        if (obsolete->load()) (void)storage->Remove(name);
      });
  out->seq = seq;
  out->obsolete = std::move(obsolete);
  // A view into the table's metadata, which lives as long as the table.
  out->filter = filter;
  out->filter_has_hashes = filter_has_hashes;
  return Status::OK();
}

bool CheckpointTable::MayHoldDocument(uint64_t doc_filter_hash) const {
  return filter_has_hashes ? BlockedBloomMayContain(filter, doc_filter_hash)
                           : BloomMayContain(filter, doc_filter_hash);
}

bool CheckpointTable::MayHoldHash(uint64_t hash_filter_hash) const {
  return !filter_has_hashes || BlockedBloomMayContain(filter, hash_filter_hash);
}

size_t DBImpl::TablesToMerge(const std::vector<CheckpointTable>& tables, uint64_t new_bytes) {
  // Size-tiered, like a binary counter: the newest table is merged when it
  // is at most 1.5 times the size of everything newer than it (the new
  // entries included), so tables grow geometrically from newest to oldest,
  // there are O(log n) of them, and each entry is rewritten O(log n) times.
  // The count never passes kMaxCheckpointTables.
  uint64_t acc = new_bytes;
  size_t k = 0;
  while (k < tables.size() && (tables[k].table->file_size() <= acc + acc / 2 ||
                               tables.size() - k + 1 > kMaxCheckpointTables)) {
    acc += tables[k].table->file_size();
    k++;
  }
  return k;
}

Status DBImpl::BuildCheckpoint(const CheckpointState& frozen, bool merge_all) {
  std::shared_ptr<MemTable> imm;
  std::vector<CheckpointTable> tables;
  TableOptions table_options;
  table_options.block_bytes = kCheckpointBlockBytes;
  {
    ReaderLock l(&index_mu_);
    imm = imm_;
    tables = tables_;
    table_options.box_prefix_bytes = kSpatialKeyPrefixBytes;
    table_options.box_dims = SpatialKeyDims();
  }
  if (!imm) return Status::OK();
  if (imm->entries() == 0 && (!merge_all || tables.size() < 2)) {
    WriterLock l(&index_mu_);
    if (imm_ == imm) imm_.reset();
    return Status::OK();
  }
  // Only one checkpoint runs at a time (checkpoint_running_), so tables_
  // cannot change until this one swaps its table in.
  size_t merged = merge_all ? tables.size() : TablesToMerge(tables, imm->data_bytes());
  // A checkpoint with no write since the newest table (a compaction, or
  // index entries added without a commit) has that table's seq, so its
  // name: the new table takes in that table and replaces its file by the
  // atomic rename below (every backend keeps an open file readable after a
  // rename over it). A crash leaves either the old file, or the new one,
  // which holds everything the old one did; the next open removes the files
  // no table names any more.
  const bool replaces_newest = !tables.empty() && tables[0].seq == frozen.seq;
  if (replaces_newest && merged == 0) merged = 1;
  CheckpointState state = frozen;
  state.older_tables.clear();
  for (size_t i = merged; i < tables.size(); i++) state.older_tables.push_back(tables[i].seq);

  const std::string name = CheckpointFileName(state.seq);
  const std::string tmp = name.substr(0, name.size() - 6) + ".tmp";
  Status s;
  {
    CAIRN_ASSIGN_OR_RETURN(auto file, storage_->OpenFile(tmp, FileOptions{true, false}));
    CAIRN_RETURN_IF_ERROR(file->Truncate(0));
    TableBuilder builder(file.get(), tmp, table_options);
    std::vector<std::unique_ptr<Table::Iterator>> children;
    children.push_back(imm->NewIterator());
    for (size_t i = 0; i < merged; i++) children.push_back(tables[i].table->NewScanIterator());
    auto it =
        children.size() == 1 ? std::move(children[0]) : NewMergingIterator(std::move(children));
    std::vector<uint64_t> filter_keys;
    std::string last_prefix;
    s = it->SeekToFirst();
    while (s.ok() && it->Valid()) {
      std::string_view k = it->key();
      if (k[0] == kVersionTag && k.size() > 8) {
        std::string_view prefix = k.substr(0, k.size() - 8);
        if (prefix != last_prefix) {
          filter_keys.push_back(DocFilterHash(prefix));
          last_prefix.assign(prefix);
        }
      } else if (k[0] == kHashTag) {
        filter_keys.push_back(HashFilterHash(k));
      }
      s = builder.Add(k, it->value());
      if (s.ok()) s = it->Next();
    }
    if (s.ok()) {
      s = builder.Finish(EncodeCheckpointState(state) + BuildBlockedBloomFilter(filter_keys));
    }
  }
  if (s.ok()) s = storage_->Rename(tmp, name);
  if (!s.ok()) {
    (void)storage_->Remove(tmp);
    return s.WithContext("checkpoint " + name);
  }
  CAIRN_ASSIGN_OR_RETURN(auto file, storage_->OpenFile(name, FileOptions{}));
  uint64_t file_id;
  {
    MutexLock l(&write_mu_);
    file_id = (1ull << 40) + ++checkpoint_file_counter_;
  }
  auto opened = Table::Open(std::move(file), name, file_id, &cache_, options_.mmap_reads);
  if (!opened.ok()) return opened.status().WithContext("reopening checkpoint " + name);
  CheckpointTable fresh;
  CAIRN_RETURN_IF_ERROR(AdoptTable(std::move(opened).value(), state.seq, &fresh, nullptr));
  WriterLock l(&index_mu_);
  // A replaced newest table's name is the new table's now: its file is
  // gone with the rename, and its deleter must not remove that name.
  for (size_t i = replaces_newest ? 1 : 0; i < merged; i++) tables_[i].obsolete->store(true);
  tables_.erase(tables_.begin(), tables_.begin() + merged);
  tables_.insert(tables_.begin(), std::move(fresh));
  if (imm_ == imm) imm_.reset();
  return Status::OK();
}

void DBImpl::RunBackgroundCheckpoint(CheckpointState state) {
  Status s = BuildCheckpoint(state);
  MutexLock l(&write_mu_);
  last_checkpoint_status_ = s;
  checkpoint_running_ = false;
  checkpoint_cv_.SignalAll();
}

Status DBImpl::Checkpoint() { return CheckpointNow(/*merge_all=*/false); }

Status DBImpl::Compact() { return CheckpointNow(/*merge_all=*/true); }

Status DBImpl::CheckpointNow(bool merge_all) {
  CAIRN_RETURN_IF_ERROR(CheckOpen());
  Writer w;
  w.kind = Writer::Kind::kFreeze;
  CheckpointState st;
  Status s;
  {
    MutexLock l(&write_mu_);
    writers_.push_back(&w);
    while (&w != writers_.front()) w.cv.Wait(&write_mu_);
    // At the front of the queue no commit is in flight.
    while (checkpoint_running_) checkpoint_cv_.Wait(&write_mu_);
    s = background_error_;
    if (s.ok()) s = FreezeMemTable(&st);
    writers_.pop_front();
    if (!writers_.empty()) writers_.front()->cv.Signal();
  }
  if (!s.ok()) return s;
  s = BuildCheckpoint(st, merge_all);
  MutexLock l(&write_mu_);
  last_checkpoint_status_ = s;
  checkpoint_running_ = false;
  checkpoint_cv_.SignalAll();
  return s;
}

}  // namespace cairn
