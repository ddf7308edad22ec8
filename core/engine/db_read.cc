// The read path: index lookups over memtable, frozen memtable and checkpoint
// table, and reading versions from the log through the block cache.
#include <algorithm>
#include <cstring>

#include "docs/validate.h"
#include "docs/version_codec.h"
#include "engine/bloom.h"
#include "engine/commit_record.h"
#include "engine/db_impl.h"
#include "engine/log_format.h"
#include "util/checksum.h"
#include "util/coding.h"

namespace cairn {
namespace {

bool StartsWith(std::string_view s, std::string_view prefix) {
  return s.size() >= prefix.size() && s.compare(0, prefix.size(), prefix) == 0;
}

constexpr size_t kLogBlockBytes = 4096;

}  // namespace

Table::Iterator* DBImpl::ReadCursor::For(const std::shared_ptr<Table>& table) {
  for (auto& [t, it] : iterators_) {
    if (t == table) return it.get();
  }
  iterators_.emplace_back(table, table->NewIterator());
  return iterators_.back().second.get();
}

Result<std::optional<VersionRef>> DBImpl::FindVersionRef(std::string_view coll,
                                                         std::string_view id, uint64_t as_of,
                                                         ReadCursor* cursor) {
  const std::string key = VersionKey(coll, id, as_of);
  const std::string_view prefix(key.data(), key.size() - 8);
  // The tables' filter lines are fetched while the memtables are probed.
  const uint64_t filter_key = tables_.empty() ? 0 : DocFilterHash(prefix);
  for (const CheckpointTable& t : tables_) {
    if (t.filter_has_hashes) BlockedBloomPrefetch(t.filter, filter_key);
  }
  std::string_view value;
  bool found = false;
  // The memtables hold only versions newer than every table's: read AS OF
  // the newest table's seq or earlier, they cannot answer.
  const bool memtables_may_answer = tables_.empty() || as_of > tables_.front().seq;
  for (const MemTable* m : {mem_.get(), imm_.get()}) {
    std::string_view k;
    if (m && memtables_may_answer && m->FindVersion(prefix, key, &k, &value)) {
      found = true;
      break;
    }
  }
  // Tables newest first: the first one holding a version with seq <= as_of
  // holds the newest such version, since their seq ranges are ordered. A
  // table covers the seqs after the next older table's, so one whose range
  // starts after as_of holds only newer versions and is passed over: a read
  // AS OF an old seq seeks only the tables that can answer it, however many
  // newer tables hold later versions of the document.
  std::unique_ptr<Table::Iterator> it;
  if (!found && !tables_.empty()) {
    for (size_t n = 0; n < tables_.size(); n++) {
      const CheckpointTable& t = tables_[n];
      if (n + 1 < tables_.size() && tables_[n + 1].seq >= as_of) continue;
      if (!t.MayHoldDocument(filter_key)) continue;
      Table::Iterator* i;
      if (cursor != nullptr) {
        i = cursor->For(t.table);
      } else {
        it = t.table->NewIterator();
        i = it.get();
      }
      CAIRN_RETURN_IF_ERROR(i->Seek(key));
      if (i->Valid() && StartsWith(i->key(), prefix)) {
        value = i->value();
        found = true;
        break;
      }
    }
  }
  if (!found) return std::optional<VersionRef>();
  VersionRef ref;
  if (!DecodeVersionRef(value, &ref)) {
    return Status::Corruption("malformed index entry for " + std::string(coll) + "/" +
                              std::string(id));
  }
  return std::optional<VersionRef>(std::move(ref));
}

Result<std::optional<Location>> DBImpl::FindHash(const Hash& hash) {
  const std::string key = HashKey(hash);
  std::string_view value;
  bool found = false;
  for (const MemTable* m : {mem_.get(), imm_.get()}) {
    if (m && m->Find(key, &value)) {
      found = true;
      break;
    }
  }
  std::unique_ptr<Table::Iterator> it;
  if (!found && !tables_.empty()) {
    const uint64_t filter_key = HashFilterHash(key);
    for (const CheckpointTable& t : tables_) {
      if (t.filter_has_hashes) BlockedBloomPrefetch(t.filter, filter_key);
    }
    for (const CheckpointTable& t : tables_) {
      if (!t.MayHoldHash(filter_key)) continue;
      it = t.table->NewIterator();
      CAIRN_RETURN_IF_ERROR(it->Seek(key));
      if (it->Valid() && it->key() == key) {
        value = it->value();
        found = true;
        break;
      }
    }
  }
  if (!found) return std::optional<Location>();
  Location loc;
  if (!DecodeLocation(value, &loc)) {
    return Status::Corruption("malformed index entry for hash " + hash.ToHex());
  }
  return std::optional<Location>(loc);
}

std::unique_ptr<Table::Iterator> DBImpl::NewIndexIterator() {
  // Empty memtables are left out, and a lone source needs no merge: after a
  // checkpoint or a compaction most reads see one table, and every step of
  // a merge is an extra indirect call and key comparison. The caller holds
  // index_mu_ for the iterator's life, so no memtable fills meanwhile.
  std::vector<std::unique_ptr<Table::Iterator>> children;
  if (mem_->entries() > 0) children.push_back(mem_->NewIterator());
  if (imm_ && imm_->entries() > 0) children.push_back(imm_->NewIterator());
  for (const CheckpointTable& t : tables_) children.push_back(t.table->NewIterator());
  if (children.empty()) children.push_back(mem_->NewIterator());  // nothing to read
  if (children.size() == 1) return std::move(children.front());
  return NewMergingIterator(std::move(children));
}

Status DBImpl::ReadLog(uint32_t segment, uint64_t offset, size_t n, std::string* scratch,
                       BlockCache::Block* hold, std::string_view* out, LogRead mode, bool* missed) {
  std::shared_ptr<File> file;
  uint64_t written_end;
  {
    ReaderLock l(&index_mu_);
    auto it = segments_.find(segment);
    if (it == segments_.end()) {
      return Status::Corruption("index names log segment " + SegmentFileName(segment) +
                                ", which does not exist");
    }
    file = it->second;
    written_end = segment == active_segment_ ? active_end_ : UINT64_MAX;
  }
  auto past_end = [&] {
    return Status::Corruption(SegmentFileName(segment) + " at offset " + std::to_string(offset) +
                              ": object of " + std::to_string(n) +
                              " bytes runs past the end of the file");
  };
  const uint64_t end = offset + n;
  const uint64_t first_block = AlignDown(offset, kLogBlockBytes);
  // Common case: the object lies in one block; return a view of it.
  if (end <= first_block + kLogBlockBytes) {
    CAIRN_RETURN_IF_ERROR(
        LoadLogBlock(file.get(), segment, first_block, end - first_block, written_end, hold, mode, missed));
    if (missed && *missed) return Status::OK();
    if ((*hold)->size() < end - first_block) return past_end();
    *out = std::string_view(**hold).substr(offset - first_block, n);
    return Status::OK();
  }
  scratch->resize(n);
  for (uint64_t block = first_block; block < end; block += kLogBlockBytes) {
    const uint64_t from = std::max(block, offset);
    const uint64_t to = std::min(block + kLogBlockBytes, end);
    BlockCache::Block b;
    CAIRN_RETURN_IF_ERROR(LoadLogBlock(file.get(), segment, block, to - block, written_end, &b, mode, missed));
    if (missed && *missed) return Status::OK();
    if (b->size() < to - block) return past_end();
    std::memcpy(scratch->data() + (from - offset), b->data() + (from - block), to - from);
  }
  *out = *scratch;
  return Status::OK();
}

Status DBImpl::LoadLogBlock(File* file, uint32_t segment, uint64_t block, size_t need,
                            uint64_t written_end, BlockCache::Block* out, LogRead mode, bool* missed) {
  *out = cache_.Lookup(segment, block);
  // A cached block too short is the written prefix of what was then the
  // active segment's last block: reload it.
  if (*out && (*out)->size() >= need) return Status::OK();
  if (mode == LogRead::kCacheOnly) {
    *missed = true;
    out->reset();
    return Status::OK();
  }
  size_t want = kLogBlockBytes;
  if (written_end < block + kLogBlockBytes) {
    want = static_cast<size_t>(std::max<uint64_t>(written_end > block ? written_end - block : 0, need));
  }
  std::shared_ptr<std::string> data = cache_.Acquire(want);
  size_t got = 0;
  if (mode == LogRead::kIfCached) {
    bool cached = false;
    CAIRN_RETURN_IF_ERROR(file->ReadIfCached(block, want, reinterpret_cast<uint8_t*>(data->data()), &got, &cached));
    if (!cached) {
      *missed = true;
      out->reset();
      return Status::OK();
    }
  } else {
    CAIRN_RETURN_IF_ERROR(file->Read(block, want, reinterpret_cast<uint8_t*>(data->data()), &got));
  }
  data->resize(got);
  *out = data;
  cache_.Insert(segment, block, *out);
  return Status::OK();
}

Status DBImpl::DecodeItem(std::string_view item, const Location& loc, const Hash& hash,
                          Version* out) {
  auto where = [&] {
    return "version " + hash.ToHex() + " in " + SegmentFileName(loc.segment) + " at offset " +
           std::to_string(loc.offset);
  };
  // Every read checks the entry's checksum, so damaged bytes are reported,
  // never returned. Verify() re-hashes with BLAKE2b as well.
  std::string_view entry;
  if (!CheckCommitItem(item, &entry)) return Status::Corruption(where() + ": checksum mismatch");
  Status s = DecodeVersionEntry(entry, out);
  if (!s.ok()) return s.WithContext(where());
  out->hash = hash;
  return Status::OK();
}

Status DBImpl::ReadVersion(const Location& loc, const Hash& hash, Version* out) {
  std::string scratch;
  BlockCache::Block hold;
  std::string_view bytes;
  CAIRN_RETURN_IF_ERROR(ReadLog(loc.segment, loc.offset, loc.length, &scratch, &hold, &bytes));
  return DecodeItem(bytes, loc, hash, out);
}

Status DBImpl::ReadVersion(const VersionRef& ref, Version* out) {
  if (ref.item.empty()) return ReadVersion(ref.loc, ref.hash, out);
  Status s = DecodeItem(ref.item, ref.loc, ref.hash, out);
  return s.ok() ? s : s.WithContext("index copy");
}

Result<Version> DBImpl::ReadVersion(const Location& loc, const Hash& hash) {
  Version v;
  CAIRN_RETURN_IF_ERROR(ReadVersion(loc, hash, &v));
  return v;
}

Status DBImpl::CheckVersionHash(const Version& v) {
  if (ComputeVersionHash(v) != v.hash) {
    return Status::Corruption("version " + v.hash.ToHex() + " (" + v.coll + "/" + v.id +
                              " seq " + std::to_string(v.seq) +
                              "): content does not match its hash");
  }
  return Status::OK();
}

Result<std::optional<Version>> DBImpl::Get(std::string_view coll, std::string_view id,
                                           const ReadOptions& options) {
  return Get(coll, id, options, nullptr);
}

Result<std::optional<Version>> DBImpl::Get(std::string_view coll, std::string_view id,
                                           const ReadOptions& options, ReadCursor* cursor) {
  CAIRN_RETURN_IF_ERROR(CheckOpen());
  CAIRN_RETURN_IF_ERROR(ValidateCollection(coll, options_.limits));
  CAIRN_RETURN_IF_ERROR(ValidateId(id, options_.limits));
  std::optional<VersionRef> ref;
  {
    ReaderLock l(&index_mu_);
    uint64_t as_of = options.as_of.value_or(UINT64_MAX);
    if (options.as_of && *options.as_of > visible_seq_) {
      return Status::InvalidArgument("as_of " + std::to_string(*options.as_of) +
                                     " is beyond the latest seq " + std::to_string(visible_seq_));
    }
    CAIRN_ASSIGN_OR_RETURN(ref, FindVersionRef(coll, id, as_of, cursor));
  }
  if (!ref || ref->deleted) return std::optional<Version>();
  // Built in place: a Version is costly to move on this hot path.
  Result<std::optional<Version>> out{std::optional<Version>(std::in_place)};
  CAIRN_RETURN_IF_ERROR(ReadVersion(*ref, &**out));
  return out;
}

Result<std::optional<Version>> DBImpl::GetIndexed(std::string_view coll, std::string_view id, uint64_t as_of,
                                                  std::string_view ref, ReadCursor* cursor) {
  ReadOptions by_id;
  by_id.as_of = as_of;
  if (ref.empty()) return Get(coll, id, by_id, cursor);  // written before entries held refs
  Location loc;
  if (ref.size() != kIndexRefBytes || !DecodeLocation(ref.substr(Hash::kSize), &loc)) {
    return Status::Corruption("index entry for " + std::string(coll) + "/" + std::string(id) + " has a " +
                              std::to_string(ref.size()) + "-byte value; expected " +
                              std::to_string(kIndexRefBytes) + " or none");
  }
  Hash hash;
  std::memcpy(hash.bytes.data(), ref.data(), Hash::kSize);
  // Only from memory. The log is written past the OS page cache, so a log
  // block not read since it was written would cost a disk read: this read
  // goes by id instead, to the checkpoint table's copy, and the block is
  // loaded for the next one, by a background task where the host gives a
  // scheduler, else by the kernel's readahead that a missed
  // File::ReadIfCached starts.
  std::string scratch;
  BlockCache::Block hold;
  std::string_view bytes;
  bool missed = false;
  const LogRead mode = options_.scheduler ? LogRead::kCacheOnly : LogRead::kIfCached;
  CAIRN_RETURN_IF_ERROR(ReadLog(loc.segment, loc.offset, loc.length, &scratch, &hold, &bytes, mode, &missed));
  if (missed) {
    if (options_.scheduler) PrefetchLog(loc);
    return Get(coll, id, by_id, cursor);
  }
  Result<std::optional<Version>> out{std::optional<Version>(std::in_place)};
  Version& v = **out;
  CAIRN_RETURN_IF_ERROR(DecodeItem(bytes, loc, hash, &v));
  if (v.coll != coll || v.id != id) {
    return Status::Corruption("index entry for " + std::string(coll) + "/" + std::string(id) + " names version " +
                              hash.ToHex() + " of " + v.coll + "/" + v.id);
  }
  // A write newer than the snapshot: read the version the snapshot sees.
  if (v.seq > as_of || v.deleted) return Get(coll, id, by_id, cursor);
  return out;
}

void DBImpl::PrefetchLog(const Location& loc) {
  const uint64_t key = (static_cast<uint64_t>(loc.segment) << 40) | AlignDown(loc.offset, kLogBlockBytes);
  {
    MutexLock l(&prefetch_mu_);
    // A bound on queued work; a block not loaded now is asked for again by
    // the next read that misses it.
    constexpr size_t kMaxPrefetches = 1024;
    if (closed_ || prefetching_.size() >= kMaxPrefetches || !prefetching_.insert(key).second) return;
  }
  options_.scheduler->Schedule([this, loc, key] {
    std::string scratch;
    BlockCache::Block hold;
    std::string_view bytes;
    // An error here is reported by the read that needs the block.
    (void)ReadLog(loc.segment, loc.offset, loc.length, &scratch, &hold, &bytes);
    MutexLock l(&prefetch_mu_);
    prefetching_.erase(key);
    prefetch_cv_.SignalAll();
  });
}

Result<std::vector<Version>> DBImpl::History(std::string_view coll, std::string_view id) {
  CAIRN_RETURN_IF_ERROR(CheckOpen());
  CAIRN_RETURN_IF_ERROR(ValidateCollection(coll, options_.limits));
  CAIRN_RETURN_IF_ERROR(ValidateId(id, options_.limits));
  std::vector<VersionRef> refs;
  {
    ReaderLock l(&index_mu_);
    const std::string prefix = DocPrefix(coll, id);
    auto it = NewIndexIterator();
    CAIRN_RETURN_IF_ERROR(it->Seek(prefix));
    while (it->Valid() && StartsWith(it->key(), prefix)) {
      VersionRef ref;
      if (!DecodeVersionRef(it->value(), &ref)) {
        return Status::Corruption("malformed index entry in the history of " + std::string(coll) +
                                  "/" + std::string(id));
      }
      refs.push_back(std::move(ref));
      CAIRN_RETURN_IF_ERROR(it->Next());
    }
  }
  return ReadVersions(refs);
}

Result<std::optional<Version>> DBImpl::GetByHash(const Hash& hash) {
  CAIRN_RETURN_IF_ERROR(CheckOpen());
  std::optional<Location> loc;
  {
    ReaderLock l(&index_mu_);
    CAIRN_ASSIGN_OR_RETURN(loc, FindHash(hash));
  }
  if (!loc) return std::optional<Version>();
  Result<std::optional<Version>> out{std::optional<Version>(std::in_place)};
  CAIRN_RETURN_IF_ERROR(ReadVersion(*loc, hash, &**out));
  return out;
}

Result<std::vector<Version>> DBImpl::List(std::string_view coll, const ListOptions& options) {
  std::vector<VersionRef> refs;
  CAIRN_RETURN_IF_ERROR(ListRefs(coll, options, &refs));
  return ReadVersions(refs);
}

Result<std::vector<Version>> DBImpl::ReadVersions(const std::vector<VersionRef>& refs) {
  std::vector<Version> out(refs.size());
  for (size_t i = 0; i < refs.size(); i++) {
    CAIRN_RETURN_IF_ERROR(ReadVersion(refs[i], &out[i]));
  }
  return out;
}

Status DBImpl::ListRefs(std::string_view coll, const ListOptions& options, std::vector<VersionRef>* out) {
  CAIRN_RETURN_IF_ERROR(CheckOpen());
  CAIRN_RETURN_IF_ERROR(ValidateCollection(coll, options_.limits));
  std::vector<VersionRef>& refs = *out;
  refs.clear();
  {
    ReaderLock l(&index_mu_);
    if (options.as_of && *options.as_of > visible_seq_) {
      return Status::InvalidArgument("as_of " + std::to_string(*options.as_of) +
                                     " is beyond the latest seq " + std::to_string(visible_seq_));
    }
    const uint64_t as_of = options.as_of.value_or(UINT64_MAX);
    const std::string prefix = CollectionVersionsPrefix(coll);
    auto it = NewIndexIterator();
    CAIRN_RETURN_IF_ERROR(it->Seek(prefix));
    std::string last_id;
    bool have_last = false;
    size_t skipped = 0;
    Status status;
    if (options.start_after) {
      CAIRN_RETURN_IF_ERROR(it->Seek(DocPrefix(coll, *options.start_after)));
      last_id = *options.start_after;  // skip every version of the cursor's id
      have_last = true;
    }
    for (; status.ok() && it->Valid() && StartsWith(it->key(), prefix) && refs.size() < options.limit;
         status = it->Next()) {
      std::string_view kc, kid;
      uint64_t seq;
      if (!ParseVersionKey(it->key(), &kc, &kid, &seq)) {
        return Status::Corruption("malformed index key in collection " + std::string(coll));
      }
      if (have_last && kid == last_id) continue;  // an older version of a handled id
      if (seq > as_of) continue;                   // newer than the snapshot
      last_id.assign(kid);
      have_last = true;
      VersionRef ref;
      if (!DecodeVersionRef(it->value(), &ref)) {
        return Status::Corruption("malformed index entry in collection " + std::string(coll));
      }
      if (ref.deleted) continue;
      if (skipped < options.offset) {
        skipped++;
        continue;
      }
      refs.push_back(std::move(ref));
    }
    CAIRN_RETURN_IF_ERROR(status);
  }
  return Status::OK();
}

Result<std::vector<std::string>> DBImpl::Collections() {
  CAIRN_RETURN_IF_ERROR(CheckOpen());
  ReaderLock l(&index_mu_);
  return std::vector<std::string>(collections_.begin(), collections_.end());
}

Status DBImpl::ReadCommitAt(uint64_t seq, CommitRecord* rec, uint64_t from_seq) {
  CommitRef ref;
  uint64_t first_seq;
  {
    ReaderLock l(&index_mu_);
    auto it = NewIndexIterator();
    CAIRN_RETURN_IF_ERROR(it->Seek(CommitKey(seq)));
    if (!it->Valid() || it->key().size() != 9 || it->key()[0] != kCommitTag ||
        !DecodeCommitRef(it->value(), &ref)) {
      return Status::Corruption("no commit index entry holds seq " + std::to_string(seq));
    }
    first_seq = ~DecodeBigEndian64(it->key().data() + 1);
  }
  if (first_seq + ref.count <= seq) {
    return Status::Corruption("the commit index has no entry for seq " + std::to_string(seq));
  }
  // Read the whole record, header included, and check its checksum.
  std::string scratch;
  BlockCache::Block hold;
  std::string_view record;
  CAIRN_RETURN_IF_ERROR(ReadLog(ref.segment, ref.payload_offset - kRecordHeaderBytes,
                                kRecordHeaderBytes + ref.payload_length, &scratch, &hold, &record));
  const std::string where = SegmentFileName(ref.segment) + " at offset " +
                            std::to_string(ref.payload_offset - kRecordHeaderBytes);
  if (Checksum64(record.data() + 8, record.size() - 8) != DecodeFixed64(record.data()) ||
      DecodeFixed64(record.data() + kRecordHeaderBytes) != first_seq) {
    return Status::Corruption(where + ": commit record checksum mismatch");
  }
  Status s = DecodeCommitRecord(record.substr(kRecordHeaderBytes), rec, from_seq);
  if (!s.ok()) return Status::Corruption(where + ": commit record " + s.message());
  return Status::OK();
}

Result<std::vector<Version>> DBImpl::Versions(uint64_t from_seq, size_t limit) {
  CAIRN_RETURN_IF_ERROR(CheckOpen());
  std::vector<Version> out;
  if (from_seq == 0) from_seq = 1;
  while (out.size() < limit) {
    {
      ReaderLock l(&index_mu_);
      if (from_seq > visible_seq_) break;
    }
    CommitRecord rec;
    CAIRN_RETURN_IF_ERROR(ReadCommitAt(from_seq, &rec, from_seq));
    for (Version& v : rec.versions) {
      if (out.size() == limit) break;
      out.push_back(std::move(v));
    }
    from_seq = rec.first_seq + rec.count;
  }
  return out;
}

Result<Hash> DBImpl::HeadAt(uint64_t seq) {
  {
    ReaderLock l(&index_mu_);
    if (seq == visible_seq_) return visible_head_;
    if (seq > visible_seq_) {
      return Status::InvalidArgument("seq " + std::to_string(seq) + " is beyond the latest seq " +
                                     std::to_string(visible_seq_));
    }
  }
  if (seq == 0) return Hash();
  CommitRecord rec;
  CAIRN_RETURN_IF_ERROR(ReadCommitAt(seq, &rec));
  if (rec.first_seq + rec.count - 1 == seq) return rec.head_after;
  // Chain forward from the head before this commit.
  Hash head;
  if (rec.first_seq > 1) {
    CommitRecord before;
    CAIRN_RETURN_IF_ERROR(ReadCommitAt(rec.first_seq - 1, &before, rec.first_seq - 1));
    head = before.head_after;
  }
  for (const Version& v : rec.versions) {
    if (v.seq > seq) break;
    head = ChainHead(head, v.seq, v.hash);
  }
  return head;
}

Result<Head> DBImpl::GetHead() {
  CAIRN_RETURN_IF_ERROR(CheckOpen());
  ReaderLock l(&index_mu_);
  return Head{visible_seq_, visible_head_};
}

}  // namespace cairn
