// Opening a database: lock, load the newest checkpoint, replay the log tail.
#include <algorithm>
#include <chrono>
#include <cstring>

#include "docs/version_codec.h"
#include "engine/commit_record.h"
#include "engine/db_impl.h"
#include "engine/log_format.h"
#include "engine/log_scanner.h"
#include "storage-backends/memory/memory_storage.h"
#include "util/checksum.h"
#include "util/coding.h"

namespace cairn {
namespace {

class SystemClock final : public Clock {
 public:
  int64_t NowMillis() override {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
  }
};

std::string At(const std::string& file, uint64_t offset) {
  return file + " at offset " + std::to_string(offset);
}

}  // namespace

std::string EncodeCheckpointState(const CheckpointState& s) {
  std::string out;
  PutFixed32(&out, kCheckpointFormatVersion);
  PutFixed64(&out, s.seq);
  out.append(reinterpret_cast<const char*>(s.head.bytes.data()), Hash::kSize);
  PutFixed32(&out, s.segment);
  PutFixed64(&out, s.offset);
  PutFixed64(&out, s.documents);
  PutFixed64(&out, s.versions);
  PutFixed32(&out, static_cast<uint32_t>(s.older_tables.size()));
  for (uint64_t seq : s.older_tables) PutFixed64(&out, seq);
  return out;
}

uint64_t DocFilterHash(std::string_view doc_prefix) {
  return Checksum64(doc_prefix.data(), doc_prefix.size());
}

uint64_t HashFilterHash(std::string_view hash_key) {
  return Checksum64(hash_key.data(), hash_key.size());
}

bool DecodeCheckpointState(std::string_view in, CheckpointState* s, std::string_view* filter,
                           bool* filter_has_hashes) {
  constexpr size_t kStateBytes = 4 + 8 + 32 + 4 + 8 + 8 + 8;
  if (in.size() < kStateBytes) return false;
  const uint32_t version = DecodeFixed32(in.data());
  if (version != 1 && version != kCheckpointFormatVersion) return false;
  const char* p = in.data() + 4;
  s->seq = DecodeFixed64(p);
  std::memcpy(s->head.bytes.data(), p + 8, Hash::kSize);
  p += 8 + Hash::kSize;
  s->segment = DecodeFixed32(p);
  s->offset = DecodeFixed64(p + 4);
  s->documents = DecodeFixed64(p + 12);
  s->versions = DecodeFixed64(p + 20);
  s->older_tables.clear();
  in.remove_prefix(kStateBytes);
  if (version == 1) {
    *filter = in;
    *filter_has_hashes = false;
    return true;
  }
  if (in.size() < 4) return false;
  const uint32_t n = DecodeFixed32(in.data());
  in.remove_prefix(4);
  if (n > kMaxCheckpointTables || in.size() < 8ull * n) return false;
  for (uint32_t i = 0; i < n; i++) {
    const uint64_t seq = DecodeFixed64(in.data() + 8 * i);
    // Newest first, each older than the checkpoint itself.
    if (seq >= (i == 0 ? s->seq : s->older_tables.back())) return false;
    s->older_tables.push_back(seq);
  }
  *filter = in.substr(8ull * n);
  *filter_has_hashes = true;
  return true;
}

Result<std::unique_ptr<Database>> Database::Open(std::unique_ptr<Storage> storage,
                                                 const Options& options) {
  if (!storage) return Status::InvalidArgument("storage is null");
  if (options.segment_bytes < (1u << 16)) {
    return Status::InvalidArgument("segment_bytes must be at least 65536");
  }
  auto db = std::make_unique<DBImpl>(std::move(storage), options);
  CAIRN_RETURN_IF_ERROR(db->Recover());
  return std::unique_ptr<Database>(std::move(db));
}

Result<std::unique_ptr<Database>> Database::OpenInMemory(const Options& options) {
  return Open(NewMemoryStorage(), options);
}

DBImpl::DBImpl(std::unique_ptr<Storage> storage, const Options& options)
    : storage_(std::move(storage)), options_(options), cache_(options.cache_bytes) {
  // Enough recycled blocks for about one memtable's growth between
  // checkpoints (a memtable's arena is about twice its log bytes).
  memtable_pool_ = std::make_shared<MemTablePool>(
      Arena::kDefaultBlockBytes,
      std::max<size_t>(16, 3 * options_.checkpoint_bytes / Arena::kDefaultBlockBytes));
  if (options_.clock) {
    clock_ = options_.clock;
  } else {
    owned_clock_ = std::make_unique<SystemClock>();
    clock_ = owned_clock_.get();
  }
}

DBImpl::~DBImpl() { (void)Close(); }

Status DBImpl::CheckOpen() const {
  if (closed_.load(std::memory_order_acquire)) return Status::Closed("the database is closed");
  return Status::OK();
}

Status DBImpl::Recover() {
  CAIRN_RETURN_IF_ERROR(storage_->Lock());
  locked_ = true;
  std::vector<std::string> names;
  CAIRN_RETURN_IF_ERROR(storage_->List(&names));
  std::vector<uint32_t> segments;
  std::vector<uint64_t> checkpoints;
  for (const std::string& name : names) {
    uint32_t seg;
    uint64_t seq;
    if (ParseSegmentFileName(name, &seg)) {
      segments.push_back(seg);
    } else if (ParseCheckpointFileName(name, &seq)) {
      checkpoints.push_back(seq);
    } else if (name.size() > 4 && name.compare(name.size() - 4, 4, ".tmp") == 0 &&
               name.compare(0, 11, "checkpoint-") == 0) {
      // An unfinished checkpoint: never renamed, so never used.
      CAIRN_RETURN_IF_ERROR(storage_->Remove(name));
    }
  }
  std::sort(segments.begin(), segments.end());
  std::sort(checkpoints.begin(), checkpoints.end());
  if (segments.empty() && !checkpoints.empty()) {
    return Status::Corruption(storage_->Describe() + ": checkpoint present but no log segments");
  }
  if (segments.empty() && !options_.create_if_missing) {
    return Status::NotFound(storage_->Describe() + " holds no database");
  }
  for (size_t i = 1; i < segments.size(); i++) {
    if (segments[i] != segments[i - 1] + 1) {
      return Status::Corruption(storage_->Describe() + ": log segment " +
                                SegmentFileName(segments[i - 1] + 1) + " is missing");
    }
  }

  {
    WriterLock index_lock(&index_mu_);
    mem_ = std::make_shared<MemTable>(memtable_pool_);
    CheckpointState st;
    uint32_t first_segment = segments.empty() ? 1 : segments.front();
    uint64_t start_offset = 0;
    if (!checkpoints.empty()) {
      // The newest checkpoint names the older tables it builds on.
      const uint64_t newest = checkpoints.back();
      auto open_table = [&](uint64_t seq, CheckpointState* state) -> Status {
        const std::string name = CheckpointFileName(seq);
        if (!std::binary_search(checkpoints.begin(), checkpoints.end(), seq)) {
          return Status::Corruption(CheckpointFileName(newest) + ": names checkpoint table " +
                                    name + ", which is missing");
        }
        CAIRN_ASSIGN_OR_RETURN(auto file, storage_->OpenFile(name, FileOptions{}));
        CAIRN_ASSIGN_OR_RETURN(
            auto table,
            Table::Open(std::move(file), name, (1ull << 40) + ++checkpoint_file_counter_, &cache_,
                        options_.mmap_reads));
        CheckpointTable t;
        CAIRN_RETURN_IF_ERROR(AdoptTable(std::move(table), seq, &t, state));
        tables_.push_back(std::move(t));
        return Status::OK();
      };
      CAIRN_RETURN_IF_ERROR(open_table(newest, &st));
      const std::string name = CheckpointFileName(newest);
      if (segments.empty() || st.segment < segments.front() || st.segment > segments.back()) {
        return Status::Corruption(name + ": names log segment " + SegmentFileName(st.segment) +
                                  ", which is missing");
      }
      for (uint64_t seq : st.older_tables) CAIRN_RETURN_IF_ERROR(open_table(seq, nullptr));
      first_segment = st.segment;
      start_offset = st.offset;
      visible_seq_ = st.seq;
      visible_head_ = st.head;
      documents_ = st.documents;
      versions_ = st.versions;
      for (const CheckpointTable& t : tables_) {
        auto it = t.table->NewIterator();
        CAIRN_RETURN_IF_ERROR(it->Seek(std::string(1, kCollectionTag)));
        while (it->Valid() && it->key()[0] == kCollectionTag) {
          collections_.insert(std::string(it->key().substr(1)));
          CAIRN_RETURN_IF_ERROR(it->Next());
        }
      }
      // Checkpoints the newest one does not build on are superseded.
      for (uint64_t seq : checkpoints) {
        if (seq == newest || std::find(st.older_tables.begin(), st.older_tables.end(), seq) !=
                                 st.older_tables.end()) {
          continue;
        }
        CAIRN_RETURN_IF_ERROR(storage_->Remove(CheckpointFileName(seq)));
      }
    }

    // Index definitions held by the checkpoint, so replay maintains them.
    CAIRN_RETURN_IF_ERROR(LoadDerivedState());
    for (uint32_t seg : segments) {
      CAIRN_ASSIGN_OR_RETURN(auto file, storage_->OpenFile(SegmentFileName(seg), FileOptions{}));
      segments_[seg] = std::move(file);
    }
    for (uint32_t seg : segments) {
      if (seg < first_segment) {
        // Sealed before the checkpoint: counted, never replayed.
        CAIRN_ASSIGN_OR_RETURN(uint64_t size, segments_[seg]->Size());
        log_bytes_ += size;
        continue;
      }
      CAIRN_RETURN_IF_ERROR(ReplaySegment(seg, seg == first_segment ? start_offset : 0,
                                          seg == segments.back()));
    }
  }
  Status s;
  {
    MutexLock l(&write_mu_);
    {
      ReaderLock index_lock(&index_mu_);
      next_seq_ = visible_seq_ + 1;
      last_head_ = visible_head_;
    }
    if (segments.empty()) {
      s = StartNewSegment(1);
    } else if (!log_) {
      // The last segment lost even its header (a crash while it was being
      // created): start it again.
      s = StartNewSegment(segments.back());
    }
    log_bytes_since_checkpoint_ = 0;
  }
  // Indexes defined in the replayed log, or whose build a crash cut short.
  if (s.ok()) s = BackfillPending();
  return s;
}

Status DBImpl::ReplaySegment(uint32_t segment, uint64_t start, bool last) {
  const std::string name = SegmentFileName(segment);
  File* file = segments_[segment].get();
  const uint64_t base = AlignDown(start, kStorageBlockSize);
  std::string bytes;
  CAIRN_RETURN_IF_ERROR(ReadFileFrom(file, base, &bytes));
  LogScanner scanner(bytes, base, start);
  uint64_t end = start;
  bool saw_header = start > 0;
  for (;;) {
    LogScanner::Outcome out = scanner.Next();
    if (out == LogScanner::Outcome::kRecord) {
      if (!saw_header) {
        if (scanner.type() != kRecordSegmentHeader ||
            scanner.payload().size() != kSegmentHeaderPayloadBytes ||
            std::memcmp(scanner.payload().data(), kLogMagic, 8) != 0 ||
            DecodeFixed32(scanner.payload().data() + 8) != kFormatVersion ||
            DecodeFixed32(scanner.payload().data() + 12) != segment) {
          return Status::Corruption(At(name, scanner.offset()) +
                                    ": missing or wrong segment header");
        }
        saw_header = true;
      } else if (scanner.type() == kRecordCommit) {
        CAIRN_RETURN_IF_ERROR(ReplayCommit(scanner.payload(), segment,
                                           scanner.offset() + kRecordHeaderBytes, name));
        replayed_records_++;
      } else {
        return Status::Corruption(At(name, scanner.offset()) + ": unexpected record type " +
                                  std::to_string(scanner.type()));
      }
      end = scanner.next_offset();
      continue;
    }
    if (out == LogScanner::Outcome::kCorrupt) {
      return Status::Corruption(At(name, scanner.offset()) + ": " + scanner.reason() +
                                "; valid records follow, so this is damage, not a torn write");
    }
    if (out == LogScanner::Outcome::kTornTail && !last) {
      return Status::Corruption(At(name, scanner.offset()) + ": " + scanner.reason() +
                                " in a sealed segment");
    }
    end = scanner.offset();
    break;
  }
  log_bytes_ += end;
  if (!last) return Status::OK();
  // The last segment: cut whatever follows the last valid record (a torn
  // write that was never acknowledged), then continue writing after it.
  CAIRN_ASSIGN_OR_RETURN(uint64_t size, file->Size());
  if (size > end) {
    CAIRN_ASSIGN_OR_RETURN(auto wfile, storage_->OpenFile(name, FileOptions{}));
    CAIRN_RETURN_IF_ERROR(wfile->Truncate(end));
    CAIRN_RETURN_IF_ERROR(wfile->Sync());
  }
  if (!saw_header) return Status::OK();  // Recover() restarts the segment
  CAIRN_ASSIGN_OR_RETURN(auto wfile, storage_->OpenFile(name, FileOptions{false, true}));
  const uint64_t tail_start = AlignDown(end, kStorageBlockSize);
  // The last record's padding may be missing from the file: the tail then
  // ends with the zeros it should hold.
  std::string tail = bytes.substr(tail_start - base, end - tail_start);
  tail.resize(end - tail_start, '\0');
  log_ = std::make_unique<LogWriter>(std::move(wfile), segment, end, std::move(tail));
  active_segment_ = segment;
  active_end_ = end;
  return Status::OK();
}

Status DBImpl::ReplayCommit(std::string_view payload, uint32_t segment, uint64_t payload_offset,
                            const std::string& file_name) {
  auto bad = [&](const std::string& what) {
    return Status::Corruption(At(file_name, payload_offset) + ": commit record " + what);
  };
  CommitRecord rec;
  Status s = DecodeCommitRecord(payload, &rec);
  if (!s.ok()) return bad(s.message());
  if (rec.first_seq != visible_seq_ + 1) {
    return bad("starts at seq " + std::to_string(rec.first_seq) + " but seq " +
               std::to_string(visible_seq_ + 1) + " was expected");
  }
  std::vector<Location> locs(rec.count);
  Hash head = visible_head_;
  int64_t delta = 0;
  for (uint32_t i = 0; i < rec.count; i++) {
    const Version& v = rec.versions[i];
    head = ChainHead(head, v.seq, v.hash);
    locs[i] = Location{segment, payload_offset + rec.items[i].first, rec.items[i].second};
    // Live-document accounting: was the document live before this version?
    std::optional<bool> live_before;
    for (uint32_t j = i; j-- > 0 && !live_before;) {
      const Version& w = rec.versions[j];
      if (w.coll == v.coll && w.id == v.id) live_before = !w.deleted;
    }
    if (!live_before) {
      CAIRN_ASSIGN_OR_RETURN(auto ref, FindVersionRef(v.coll, v.id, UINT64_MAX));
      live_before = ref && !ref->deleted;
    }
    delta += (v.deleted ? 0 : 1) - (*live_before ? 1 : 0);
  }
  if (head != rec.head_after) {
    return bad("head mismatch: the stored head does not match its versions (damaged data)");
  }
  ApplyVersions(rec.versions, locs,
                CommitRef{segment, payload_offset, static_cast<uint32_t>(payload.size()), rec.count},
                payload);
  documents_ = static_cast<uint64_t>(static_cast<int64_t>(documents_) + delta);
  visible_seq_ = rec.first_seq + rec.count - 1;
  visible_head_ = head;
  return Status::OK();
}

Status DBImpl::StartNewSegment(uint32_t segment) {
  const std::string name = SegmentFileName(segment);
  CAIRN_ASSIGN_OR_RETURN(auto wfile, storage_->OpenFile(name, FileOptions{true, true}));
  CAIRN_RETURN_IF_ERROR(wfile->Truncate(0));
  auto writer = std::make_unique<LogWriter>(std::move(wfile), segment, 0, std::string());
  std::string header(kLogMagic, 8);
  PutFixed32(&header, kFormatVersion);
  PutFixed32(&header, segment);
  uint64_t unused;
  CAIRN_RETURN_IF_ERROR(writer->Append(kRecordSegmentHeader, header, &unused));
  CAIRN_RETURN_IF_ERROR(writer->Sync());
  CAIRN_ASSIGN_OR_RETURN(auto rfile, storage_->OpenFile(name, FileOptions{}));
  log_ = std::move(writer);
  WriterLock index_lock(&index_mu_);
  segments_[segment] = std::move(rfile);
  active_segment_ = segment;
  active_end_ = log_->end();
  log_bytes_ += log_->end();
  return Status::OK();
}

Status DBImpl::Close() {
  if (closed_.exchange(true)) return Status::OK();
  {
    MutexLock l(&prefetch_mu_);
    while (!prefetching_.empty()) prefetch_cv_.Wait(&prefetch_mu_);
  }
  Status result;
  {
    MutexLock l(&write_mu_);
    while (checkpoint_running_) checkpoint_cv_.Wait(&write_mu_);
  }
  if (log_) {
    bool worthwhile;
    {
      ReaderLock l(&index_mu_);
      worthwhile = mem_ && (mem_->entries() > 0 || imm_);
    }
    Status bg;
    {
      MutexLock l(&write_mu_);
      bg = background_error_;
    }
    if (bg.ok()) {
      result = log_->Sync();
      // A checkpoint at close makes the next open replay nothing.
      if (result.ok() && worthwhile) {
        CheckpointState st;
        {
          MutexLock l(&write_mu_);
          result = FreezeMemTable(&st);
        }
        if (result.ok()) {
          result = BuildCheckpoint(st);
          MutexLock l(&write_mu_);
          checkpoint_running_ = false;
        }
      }
    }
  }
  if (locked_) {
    Status s = storage_->Unlock();
    if (result.ok()) result = s;
    locked_ = false;
  }
  return result;
}

Stats DBImpl::GetStats() {
  Stats st;
  ReaderLock l(&index_mu_);
  st.seq = visible_seq_;
  st.documents = documents_;
  st.versions = versions_;
  st.log_bytes = log_bytes_;
  st.segments = segments_.size();
  st.memtable_entries = mem_ ? mem_->entries() : 0;
  st.memtable_bytes = mem_ ? mem_->bytes() : 0;
  if (imm_) {
    st.memtable_entries += imm_->entries();
    st.memtable_bytes += imm_->bytes();
  }
  st.checkpoint_tables = tables_.size();
  st.spaces = spaces_.size();
  for (const auto& [space, branches] : branches_) st.space_branches += branches.size();
  for (const CheckpointTable& t : tables_) {
    st.checkpoint_entries += t.table->entries();
    st.mapped_tables += t.table->mapped() ? 1 : 0;
    st.index_bytes += t.table->index_memory_bytes();
  }
  st.cache_bytes = cache_.usage();
  st.cache_capacity = cache_.capacity();
  st.cache_hits = cache_.hits();
  st.cache_misses = cache_.misses();
  st.replayed_records = replayed_records_;
  st.space_blocks_skipped = space_blocks_skipped_.load(std::memory_order_relaxed);
  st.direct_io = log_ && log_->direct();
  return st;
}

}  // namespace cairn
