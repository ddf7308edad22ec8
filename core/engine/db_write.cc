// The write path: validation, group commit, and applying commits to the index.
#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>
#include <unordered_set>

#include "docs/validate.h"
#include "docs/version_codec.h"
#include "engine/bloom.h"
#include "engine/db_impl.h"
#include "engine/log_format.h"
#include "util/coding.h"
#include "util/json.h"

namespace cairn {

// The versions of one group commit, built by the leader.
struct DBImpl::GroupState {
  uint64_t first_seq = 0;
  Hash head;
  std::vector<Version> versions;
  std::vector<size_t> writer_version_count;  // per staged writer, parallel to `staged`
  std::vector<Writer*> staged;
  int64_t documents_delta = 0;

  // Each document staged in the group, mapped to its newest version in
  // `versions`: open addressing by the hash of the document's prefix, with
  // no erase. A slot's index is the version's index + 1; 0 marks a free slot.
  struct DocSlot {
    uint64_t hash = 0;
    uint32_t index = 0;
  };
  std::vector<DocSlot> doc_slots;
  size_t doc_count = 0;
  // The hashes of `versions`, for caused_by: built only once a writer names
  // causes, then kept up to date.
  std::unordered_set<Hash, HashHasher> hashes;
  bool hashes_built = false;

  // Room for `more` documents, so that no slot moves while a writer stages.
  void ReserveDocs(size_t more) {
    if ((doc_count + more) * 2 <= doc_slots.size()) return;
    size_t n = 64;
    while (n < (doc_count + more) * 2) n *= 2;
    std::vector<DocSlot> grown(n);
    for (const DocSlot& d : doc_slots) {
      if (d.index == 0) continue;
      size_t i = d.hash & (n - 1);
      while (grown[i].index != 0) i = (i + 1) & (n - 1);
      grown[i] = d;
    }
    doc_slots.swap(grown);
  }
  // The slot of (coll, id): its own, or the free slot it would take.
  DocSlot* FindDoc(uint64_t h, std::string_view coll, std::string_view id) {
    const size_t mask = doc_slots.size() - 1;
    for (size_t i = h & mask;; i = (i + 1) & mask) {
      DocSlot& d = doc_slots[i];
      if (d.index == 0) return &d;
      if (d.hash == h) {
        const Version& v = versions[d.index - 1];
        if (v.coll == coll && v.id == id) return &d;
      }
    }
  }
};

Result<DBImpl::PreparedOp> DBImpl::PrepareOp(std::string_view coll, std::string_view id,
                                              std::string_view doc_json,
                                              const WriteOptions& options, bool is_delete) {
  const Limits& limits = options_.limits;
  CAIRN_RETURN_IF_ERROR(ValidateCollection(coll, limits));
  if (coll.starts_with("_cairn")) {
    return Status::InvalidArgument("collection name " + std::string(coll) +
                                   ": names starting with _cairn are reserved for Cairn's own "
                                   "records (indexes, links)");
  }
  CAIRN_RETURN_IF_ERROR(ValidateId(id, limits));
  PreparedOp op;
  CAIRN_RETURN_IF_ERROR(ValidateWriteOptions(options, limits, &op.options));
  op.coll.assign(coll);
  op.id.assign(id);
  op.is_delete = is_delete;
  if (is_delete) {
    op.data = "null";
  } else {
    JsonLimits jl{limits.max_depth, limits.max_document_bytes};
    auto canon = CanonicalizeJson(doc_json, jl);
    if (!canon.ok()) return canon.status().WithContext("document " + op.coll + "/" + op.id);
    op.data = std::move(canon).value();
  }
  return op;
}

Result<Version> DBImpl::Put(std::string_view coll, std::string_view id, std::string_view doc_json,
                            const WriteOptions& options) {
  CAIRN_RETURN_IF_ERROR(CheckOpen());
  CAIRN_ASSIGN_OR_RETURN(PreparedOp op, PrepareOp(coll, id, doc_json, options, false));
  std::vector<PreparedOp> ops;
  ops.push_back(std::move(op));
  CAIRN_ASSIGN_OR_RETURN(std::vector<Version> out, Write(std::move(ops)));
  return std::move(out[0]);
}

Result<Version> DBImpl::Delete(std::string_view coll, std::string_view id,
                               const WriteOptions& options) {
  CAIRN_RETURN_IF_ERROR(CheckOpen());
  CAIRN_ASSIGN_OR_RETURN(PreparedOp op, PrepareOp(coll, id, "", options, true));
  std::vector<PreparedOp> ops;
  ops.push_back(std::move(op));
  CAIRN_ASSIGN_OR_RETURN(std::vector<Version> out, Write(std::move(ops)));
  return std::move(out[0]);
}

Result<std::vector<Version>> DBImpl::PutMany(const std::vector<WriteOp>& ops) {
  CAIRN_RETURN_IF_ERROR(CheckOpen());
  if (ops.empty()) return std::vector<Version>{};
  if (ops.size() > options_.limits.max_batch_writes) {
    return Status::InvalidArgument("batch has " + std::to_string(ops.size()) +
                                   " writes; the limit is " +
                                   std::to_string(options_.limits.max_batch_writes));
  }
  // Validating and canonicalizing each document needs nothing from the
  // others: the scheduler's helpers, if it has any, share the work. The
  // error reported is the first bad item's, as if done in order.
  std::vector<PreparedOp> prepared(ops.size());
  size_t failed_at = 0;
  Status error = ParallelEach(
      ops.size(), 32,
      [&](size_t i) {
        auto op = PrepareOp(ops[i].coll, ops[i].id, ops[i].doc_json, ops[i].options, false);
        if (!op.ok()) return op.status();
        prepared[i] = std::move(op).value();
        return Status::OK();
      },
      &failed_at);
  if (!error.ok()) return error.WithContext("batch item " + std::to_string(failed_at));
  return Write(std::move(prepared));
}

void DBImpl::ParallelRanges(size_t n, size_t grain, const std::function<void(size_t, size_t)>& fn) {
  if (options_.scheduler && n > grain) {
    options_.scheduler->ParallelFor(n, grain, fn);
  } else if (n > 0) {
    fn(0, n);
  }
}

Status DBImpl::ParallelEach(size_t n, size_t grain, const std::function<Status(size_t)>& fn, size_t* failed_at) {
  Mutex mu;
  size_t first = SIZE_MAX;  // guarded by mu
  Status error;             // guarded by mu
  ParallelRanges(n, grain, [&](size_t begin, size_t end) {
    for (size_t i = begin; i < end; i++) {
      Status s = fn(i);
      if (s.ok()) continue;
      MutexLock l(&mu);
      if (i < first) {
        first = i;
        error = std::move(s);
      }
      return;
    }
  });
  if (first == SIZE_MAX) return Status::OK();
  *failed_at = first;
  return error;
}

Status DBImpl::Sync() {
  CAIRN_RETURN_IF_ERROR(CheckOpen());
  Writer w;
  w.kind = Writer::Kind::kSync;
  MutexLock l(&write_mu_);
  writers_.push_back(&w);
  while (&w != writers_.front()) w.cv.Wait(&write_mu_);
  Status s = background_error_.ok() ? log_->Sync() : background_error_;
  if (!s.ok() && background_error_.ok()) {
    // After a failed fsync the kernel may have dropped the dirty pages: a
    // later sync could succeed without them. Never let it vouch for them.
    background_error_ = Status::IOError(
        "a sync failed and the database is read-only until it is reopened: " + s.ToString());
  }
  writers_.pop_front();
  if (!writers_.empty()) writers_.front()->cv.Signal();
  return s;
}

Result<std::vector<Version>> DBImpl::Write(std::vector<PreparedOp> ops) {
  Writer w;
  w.ops = std::move(ops);
  MutexLock l(&write_mu_);
  writers_.push_back(&w);
  while (!w.done && &w != writers_.front()) w.cv.Wait(&write_mu_);
  if (w.done) {
    if (!w.status.ok()) return w.status;
    return std::move(w.results);
  }

  // This writer leads: stage a group of queued writes in order.
  GroupState group;
  group.first_seq = next_seq_;
  group.head = last_head_;
  std::vector<Writer*> consumed;
  constexpr size_t kMaxGroupVersions = 1 << 16;
  for (Writer* x : writers_) {
    if (x->kind != Writer::Kind::kWrite) break;
    if (!consumed.empty() && group.versions.size() + x->ops.size() > kMaxGroupVersions) break;
    consumed.push_back(x);
    if (!background_error_.ok()) {
      x->status = background_error_;
      continue;
    }
    x->status = StageWriter(x, &group);
  }

  Status commit = group.versions.empty() ? Status::OK() : CommitGroup(&group);
  if (!commit.ok()) {
    background_error_ = Status::IOError(
        "a write failed and the database is read-only until it is reopened: " +
        commit.ToString());
  }
  size_t next_version = 0;
  for (size_t i = 0; i < group.staged.size(); i++) {
    Writer* x = group.staged[i];
    size_t n = group.writer_version_count[i];
    if (commit.ok() && group.staged.size() == 1) {
      x->results.swap(group.versions);
    } else if (commit.ok()) {
      x->results.assign(std::make_move_iterator(group.versions.begin() + next_version),
                        std::make_move_iterator(group.versions.begin() + next_version + n));
    } else {
      x->status = commit;
    }
    next_version += n;
  }
  bool freeze = commit.ok() && ShouldFreezeForCheckpoint();
  CheckpointState frozen;
  if (freeze) {
    Status s = FreezeMemTable(&frozen);
    if (!s.ok()) {
      freeze = false;
      background_error_ = Status::IOError(
          "a log sync failed and the database is read-only until it is reopened: " +
          s.ToString());
    }
  }

  for (Writer* x : consumed) {
    writers_.pop_front();
    x->done = true;
    if (x != &w) x->cv.Signal();
  }
  if (!writers_.empty()) writers_.front()->cv.Signal();

  if (freeze) {
    if (options_.scheduler) {
      options_.scheduler->Schedule([this, frozen] { RunBackgroundCheckpoint(frozen); });
    } else {
      write_mu_.Unlock();
      RunBackgroundCheckpoint(frozen);
      write_mu_.Lock();
    }
  }
  if (!w.status.ok()) return w.status;
  return std::move(w.results);
}

Status DBImpl::StageWriter(Writer* w, GroupState* group) {
  const size_t base = group->versions.size();
  const uint64_t base_seq = group->first_seq + base;
  const size_t base_docs = group->doc_count;
  group->ReserveDocs(w->ops.size());
  group->versions.reserve(base + w->ops.size());
  // The slots this writer changed, with what they held: a failing writer
  // leaves the group as it found it.
  std::vector<std::pair<GroupState::DocSlot*, GroupState::DocSlot>> undo;
  undo.reserve(w->ops.size());
  const bool names_causes =
      std::any_of(w->ops.begin(), w->ops.end(), [](const PreparedOp& op) { return !op.options.caused_by.empty(); });
  if (names_causes && !group->hashes_built) {
    for (const Version& v : group->versions) group->hashes.insert(v.hash);
    group->hashes_built = true;
  }
  auto fail = [&](size_t i, const Status& s) {
    for (auto u = undo.rbegin(); u != undo.rend(); ++u) *u->first = u->second;
    group->doc_count = base_docs;
    if (group->hashes_built) {
      for (size_t k = base; k < group->versions.size(); k++) group->hashes.erase(group->versions[k].hash);
    }
    group->versions.resize(base);
    return w->ops.size() > 1 ? s.WithContext("batch item " + std::to_string(i)) : s;
  };
  int64_t delta = 0;
  ReaderLock index_lock(&index_mu_);
  // Version hashes (BLAKE2b over each whole version) need nothing but their
  // own version, so they are computed after the loop, on the scheduler's
  // helpers too; earlier only where an op replaces a version this batch
  // staged (its prev), and all of them as they are staged once a writer of
  // the group names causes (group->hashes must hold them). Versions below
  // `hashed` have their hash.
  const bool defer_hashes = !group->hashes_built;
  size_t hashed = base;
  const auto hash_through = [&](size_t end) {
    for (; hashed < end; hashed++) group->versions[hashed].hash = ComputeVersionHash(group->versions[hashed]);
  };
  std::vector<CurrentVersion> current(w->ops.size());
  LookUpCurrentVersions(w->ops, &current);
  const size_t slot_mask = group->doc_slots.size() - 1;
  constexpr size_t kAhead = 2;
  // One reading of the clock for the writer's batch: its versions commit
  // together, and in wasm each reading is a call out to JavaScript.
  const int64_t now = clock_->NowMillis();
  for (size_t i = 0; i < w->ops.size(); i++) {
    if (i + kAhead < w->ops.size()) __builtin_prefetch(&group->doc_slots[current[i + kAhead].doc_hash & slot_mask]);
    PreparedOp& op = w->ops[i];
    const uint64_t doc_hash = current[i].doc_hash;
    GroupState::DocSlot* slot = group->FindDoc(doc_hash, op.coll, op.id);
    std::optional<Hash> cur_hash;
    bool cur_deleted = false;
    if (slot->index != 0) {
      // Staged earlier in this group: that version replaces whatever the
      // index holds.
      hash_through(std::max<size_t>(hashed, slot->index));
      const Version& staged = group->versions[slot->index - 1];
      cur_hash = staged.hash;
      cur_deleted = staged.deleted;
    } else {
      if (!current[i].status.ok()) return fail(i, current[i].status);
      if (current[i].found) {
        cur_hash = current[i].hash;
        cur_deleted = current[i].deleted;
      }
    }
    const bool live_before = cur_hash && !cur_deleted;
    if (op.is_delete && !live_before && !op.allow_absent) {
      return fail(i, Status::NotFound("document " + op.coll + "/" + op.id + " is not live"));
    }
    for (const Hash& h : op.options.caused_by) {
      if (group->hashes.count(h)) continue;
      auto loc = FindHash(h);
      if (!loc.ok()) return fail(i, loc.status());
      if (!loc.value()) return fail(i, Status::NotFound("caused_by " + h.ToHex() + " names no version"));
    }
    Version v;
    v.coll = std::move(op.coll);
    v.id = std::move(op.id);
    v.seq = base_seq + (group->versions.size() - base);
    if (cur_hash) v.prev = *cur_hash;
    v.caused_by = std::move(op.options.caused_by);
    v.ts = now;
    v.valid_from = std::move(op.options.valid_from);
    v.valid_to = std::move(op.options.valid_to);
    v.deleted = op.is_delete;
    v.data = std::move(op.data);
    if (!defer_hashes) v.hash = ComputeVersionHash(v);
    delta += (op.is_delete ? 0 : 1) - (live_before ? 1 : 0);
    undo.emplace_back(slot, *slot);
    if (slot->index == 0) {
      slot->hash = doc_hash;
      group->doc_count++;
    }
    slot->index = static_cast<uint32_t>(group->versions.size() + 1);
    if (group->hashes_built) group->hashes.insert(v.hash);
    group->versions.push_back(std::move(v));
    if (!defer_hashes) hashed = group->versions.size();
  }
  const size_t from = hashed;
  ParallelRanges(group->versions.size() - from, 64, [&](size_t begin, size_t end) {
    for (size_t k = from + begin; k < from + end; k++) group->versions[k].hash = ComputeVersionHash(group->versions[k]);
  });
  group->documents_delta += delta;
  group->staged.push_back(w);
  group->writer_version_count.push_back(group->versions.size() - base);
  return Status::OK();
}

Status DBImpl::CommitGroup(GroupState* group) {
  std::string payload;
  payload.resize(kCommitHeaderBytes);
  std::vector<size_t> entry_offsets;
  std::vector<size_t> entry_sizes;
  entry_offsets.reserve(group->versions.size());
  std::string entry;
  Hash head = group->head;
  for (const Version& v : group->versions) {
    head = ChainHead(head, v.seq, v.hash);
    entry.clear();
    EncodeVersionEntry(v, &entry);
    size_t item_bytes;
    entry_offsets.push_back(AppendCommitItem(&payload, entry, &item_bytes));
    entry_sizes.push_back(item_bytes);
  }
  uint8_t* h = reinterpret_cast<uint8_t*>(payload.data());
  EncodeFixed64(h, group->first_seq);
  EncodeFixed32(h + 8, static_cast<uint32_t>(group->versions.size()));
  std::memcpy(h + 12, head.bytes.data(), Hash::kSize);

  const uint64_t record_bytes = LogWriter::RecordBytes(payload.size());
  CAIRN_RETURN_IF_ERROR(RotateSegmentIfNeeded(record_bytes));
  // Recovery uses this to tell unsynced relaxed-mode writes, which a power
  // cut may lose in any order, from damage to synced ones.
  EncodeFixed64(h + kCommitSyncedThroughOffset, log_->synced_end());

  // Only the leader touches log_, so the lock can be dropped for the I/O.
  uint64_t payload_offset = 0;
  write_mu_.Unlock();
  Status s = log_->Append(kRecordCommit, payload, &payload_offset);
  if (s.ok() && options_.durability == Durability::kStrict) s = log_->Sync();
  write_mu_.Lock();
  if (!s.ok()) return s;

  std::vector<Location> locs(group->versions.size());
  for (size_t i = 0; i < locs.size(); i++) {
    locs[i] = Location{log_->segment(), payload_offset + entry_offsets[i],
                       static_cast<uint32_t>(entry_sizes[i])};
  }
  next_seq_ = group->first_seq + group->versions.size();
  last_head_ = head;
  log_bytes_since_checkpoint_ += record_bytes;
  WriterLock index_lock(&index_mu_);
  ApplyVersions(group->versions, locs,
                CommitRef{log_->segment(), payload_offset, static_cast<uint32_t>(payload.size()),
                          static_cast<uint32_t>(group->versions.size())},
                payload);
  documents_ = static_cast<uint64_t>(static_cast<int64_t>(documents_) + group->documents_delta);
  visible_seq_ = next_seq_ - 1;
  visible_head_ = head;
  active_end_ = log_->end();
  log_bytes_ += record_bytes;
  return Status::OK();
}

void DBImpl::LookUpCurrentVersions(const std::vector<PreparedOp>& ops, std::vector<CurrentVersion>* out) {
  // The lookups only read the index, which nothing changes while the leader
  // stages: it holds write_mu_ (no other write, no memtable switch) and
  // index_mu_ shared (no checkpoint installs a table), so the scheduler's
  // helpers can share them, on the leader's hold of the lock.
  const auto look_up = [&](size_t begin, size_t end) NO_THREAD_SAFETY_ANALYSIS {
    // Each lookup is a few cache misses into tables far larger than the CPU
    // cache: fetching them kAhead documents early overlaps them with the
    // lookups in between.
    constexpr size_t kAhead = 4;
    std::string scratch;
    for (size_t j = begin; j < end + kAhead; j++) {
      if (j < end) (*out)[j].doc_hash = PrefetchDocument(ops[j].coll, ops[j].id, &scratch);
      if (j < begin + kAhead) continue;
      const size_t i = j - kAhead;
      CurrentVersion& c = (*out)[i];
      auto ref = FindVersionRef(ops[i].coll, ops[i].id, UINT64_MAX);
      if (!ref.ok()) {
        c.status = ref.status();
      } else if (ref.value()) {
        c.found = true;
        c.deleted = ref.value()->deleted;
        c.hash = ref.value()->hash;
      }
    }
  };
  ParallelRanges(ops.size(), 64, look_up);
}

uint64_t DBImpl::PrefetchDocument(std::string_view coll, std::string_view id, std::string* scratch) {
  scratch->clear();
  AppendDocPrefix(scratch, coll, id);
  const uint64_t h = DocFilterHash(*scratch);  // the memtables' hash of the prefix too
  mem_->PrefetchVersion(h);
  if (imm_) imm_->PrefetchVersion(h);
  for (const CheckpointTable& t : tables_) {
    if (t.filter_has_hashes) BlockedBloomPrefetch(t.filter, h);
  }
  return h;
}

void DBImpl::ApplyVersions(const std::vector<Version>& versions, const std::vector<Location>& locs,
                           const CommitRef& commit, std::string_view payload) {
  if (!versions.empty()) mem_->Put(CommitKey(versions.front().seq), EncodeCommitRef(commit));
  // A large group's entries go into the tree sorted (MemTable::BeginSorted).
  // Small groups gain nothing from it: their keys are too far apart in the
  // tree to share a path below the levels that stay cached anyway.
  constexpr size_t kSortedApplyVersions = 8192;
  const bool sorted = versions.size() >= kSortedApplyVersions;
  if (sorted) mem_->BeginSorted();
  // The slots each version goes to (its document's newest-version slot, its
  // 'h' slot) lie in tables far larger than the CPU cache, and the log's
  // sync since StageWriter probed them has let them go cold: fetch them a
  // few versions ahead, as StageWriter does its lookups.
  constexpr size_t kAhead = 4;
  // The version entries, and the effect and collection entries they imply:
  // Puts only, no reads.
  const auto put_versions = [&]() NO_THREAD_SAFETY_ANALYSIS {
    std::string key, value, prefix;  // reused: no allocation per version
    for (size_t i = 0; i < versions.size(); i++) {
      if (i + kAhead < versions.size()) {
        const Version& ahead = versions[i + kAhead];
        prefix.clear();
        AppendDocPrefix(&prefix, ahead.coll, ahead.id);
        mem_->PrefetchVersion(DocFilterHash(prefix));
      }
      const Version& v = versions[i];
      // Small items are copied into the index, so a point read is one lookup.
      // Not those of spatial points: their 'S' entries already hold their
      // payloads, and reads by document key (history) are rare.
      const std::string_view item =
          locs[i].length <= kMaxInlineItemBytes && v.coll != "_cairn_point"
              ? payload.substr(locs[i].offset - commit.payload_offset, locs[i].length)
              : std::string_view();
      key.clear();
      AppendVersionKey(&key, v.coll, v.id, v.seq);
      value.clear();
      AppendVersionRef(&value, v.hash, locs[i], v.deleted, item);
      mem_->Put(key, value);
      for (const Hash& cause : v.caused_by) mem_->Put(EffectKey(cause, v.hash), "");
      if (!collections_.count(v.coll)) {
        collections_.insert(v.coll);
        mem_->Put(CollectionKey(v.coll), "");
      }
    }
  };
  // The 'h' entries (a version's hash, its location).
  const auto put_hashes = [&]() NO_THREAD_SAFETY_ANALYSIS {
    std::string key, value;
    for (size_t i = 0; i < versions.size(); i++) {
      if (i + kAhead < versions.size()) mem_->PrefetchHashKey(versions[i + kAhead].hash);
      key.clear();
      AppendHashKey(&key, versions[i].hash);
      value.clear();
      EncodeLocation(&value, locs[i]);
      mem_->Put(key, value);
    }
  };
  // The two touch separate parts of the memtable (MemTable::Put), and
  // nothing else touches it (the caller holds index_mu_ exclusively): for a
  // large group the scheduler's helper adds the 'h' entries meanwhile.
  constexpr size_t kParallelApplyVersions = 256;
  if (options_.scheduler && versions.size() >= kParallelApplyVersions) {
    options_.scheduler->ParallelFor(2, 1, [&](size_t begin, size_t end) {
      for (size_t part = begin; part < end; part++) part == 0 ? put_versions() : put_hashes();
    });
  } else {
    put_versions();
    put_hashes();
  }
  // Then, in order, what each version implies for the secondary indexes,
  // spaces and edges. These may read the memtable, so they come after the
  // two above; none reads a version or hash entry.
  for (size_t i = 0; i < versions.size(); i++) {
    const Version& v = versions[i];
    if (!index_defs_.empty() || v.coll.starts_with("_cairn")) ApplySecondary(v, locs[i]);
  }
  if (sorted) mem_->EndSorted();
  versions_ += versions.size();
}

Status DBImpl::RotateSegmentIfNeeded(uint64_t record_bytes) {
  const uint64_t header_bytes = LogWriter::RecordBytes(kSegmentHeaderPayloadBytes);
  if (log_->end() <= header_bytes || log_->end() + record_bytes <= options_.segment_bytes) {
    return Status::OK();
  }
  // Seal: every record of the old segment is durable before the new one starts.
  CAIRN_RETURN_IF_ERROR(log_->Sync());
  return StartNewSegment(log_->segment() + 1);
}

bool DBImpl::ShouldFreezeForCheckpoint() {
  return !checkpoint_running_ && log_bytes_since_checkpoint_ >= options_.checkpoint_bytes;
}

Status DBImpl::FreezeMemTable(CheckpointState* out) {
  // The checkpoint will point at log records: they must be durable first
  // (in strict mode they already are).
  if (options_.durability == Durability::kRelaxed) {
    Status s = log_->Sync();
    if (!s.ok()) return s;
  }
  checkpoint_running_ = true;
  log_bytes_since_checkpoint_ = 0;
  WriterLock index_lock(&index_mu_);
  CheckpointState st;
  st.seq = visible_seq_;
  st.head = visible_head_;
  st.segment = log_->segment();
  st.offset = log_->end();
  st.documents = documents_;
  st.versions = versions_;
  if (imm_) {
    // A previous checkpoint failed and left imm_: fold mem_ into a copy of it
    // so the next table covers everything up to this position.
    auto merged = std::make_shared<MemTable>(memtable_pool_);
    for (const MemTable* m : {imm_.get(), mem_.get()}) {
      auto it = m->NewIterator();
      for ((void)it->SeekToFirst(); it->Valid(); (void)it->Next()) {
        merged->Put(std::string(it->key()), std::string(it->value()));
      }
    }
    imm_ = std::move(merged);
  } else {
    imm_ = std::move(mem_);
  }
  mem_ = std::make_shared<MemTable>(memtable_pool_);
  *out = st;
  return Status::OK();
}

}  // namespace cairn
