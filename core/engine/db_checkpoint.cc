// Checkpoints: merge the frozen memtable and the current table into a new
// table file, then swap it in. The log is never rewritten here.
#include "engine/bloom.h"
#include "engine/db_impl.h"
#include "engine/log_format.h"

namespace cairn {

std::shared_ptr<Table> DBImpl::AdoptTable(std::unique_ptr<Table> table, std::string file_name) {
  std::shared_ptr<std::atomic<bool>> obsolete = std::make_shared<std::atomic<bool>>(false);
  table_obsolete_ = obsolete;
  Storage* storage = storage_.get();
  BlockCache* cache = &cache_;
  // The file of a superseded table is removed once the last reader lets go
  // of it (the stated reason for shared ownership of tables).
  return std::shared_ptr<Table>(table.release(), [storage, cache, obsolete,
                                                  name = std::move(file_name)](Table* t) {
    uint64_t id = t->file_id();
    delete t;
    cache->EraseFile(id);
    if (obsolete->load()) (void)storage->Remove(name);
  });
}

Status DBImpl::BuildCheckpoint(const CheckpointState& state) {
  std::shared_ptr<MemTable> imm;
  std::shared_ptr<Table> table;
  {
    ReaderLock l(&index_mu_);
    imm = imm_;
    table = table_;
  }
  if (!imm) return Status::OK();
  if (imm->entries() == 0) {
    WriterLock l(&index_mu_);
    if (imm_ == imm) imm_.reset();
    return Status::OK();
  }
  const std::string name = CheckpointFileName(state.seq);
  const std::string tmp = name.substr(0, name.size() - 6) + ".tmp";
  Status s;
  {
    CAIRN_ASSIGN_OR_RETURN(auto file, storage_->OpenFile(tmp, FileOptions{true, false}));
    CAIRN_RETURN_IF_ERROR(file->Truncate(0));
    TableBuilder builder(file.get(), tmp);
    std::vector<std::unique_ptr<Table::Iterator>> children;
    children.push_back(imm->NewIterator());
    if (table) children.push_back(table->NewIterator());
    auto it = NewMergingIterator(std::move(children));
    std::vector<uint64_t> doc_hashes;
    std::string last_prefix;
    s = it->SeekToFirst();
    while (s.ok() && it->Valid()) {
      std::string_view k = it->key();
      if (k[0] == kVersionTag && k.size() > 8) {
        std::string_view prefix = k.substr(0, k.size() - 8);
        if (prefix != last_prefix) {
          doc_hashes.push_back(DocFilterHash(prefix));
          last_prefix.assign(prefix);
        }
      }
      s = builder.Add(k, it->value());
      if (s.ok()) s = it->Next();
    }
    if (s.ok()) s = builder.Finish(EncodeCheckpointState(state) + BuildBloomFilter(doc_hashes));
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
  auto opened = Table::Open(std::move(file), name, file_id, &cache_);
  if (!opened.ok()) return opened.status().WithContext("reopening checkpoint " + name);
  WriterLock l(&index_mu_);
  if (table_obsolete_) table_obsolete_->store(true);
  table_ = AdoptTable(std::move(opened).value(), name);
  table_filter_ = std::string_view(table_->metadata()).substr(kCheckpointStateBytes);
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

Status DBImpl::Checkpoint() {
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
  s = BuildCheckpoint(st);
  MutexLock l(&write_mu_);
  last_checkpoint_status_ = s;
  checkpoint_running_ = false;
  checkpoint_cv_.SignalAll();
  return s;
}

}  // namespace cairn
