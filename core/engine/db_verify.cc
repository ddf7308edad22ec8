// verify(): re-hash every object, check every checksum and the head chain.
// Damage is reported, never fatal.
#include <cstring>

#include "docs/version_codec.h"
#include "engine/commit_record.h"
#include "engine/db_impl.h"
#include "engine/log_format.h"
#include "engine/log_scanner.h"
#include "util/coding.h"

namespace cairn {

Result<VerifyReport> DBImpl::Verify() {
  CAIRN_RETURN_IF_ERROR(CheckOpen());
  VerifyReport report;
  VerifyLog(&report);
  VerifyIndex(&report);
  report.ok = report.tampered.empty() && report.problems.empty();
  return report;
}

// Walks every commit record from the first segment, recomputing each
// version's hash and the head chain.
void DBImpl::VerifyLog(VerifyReport* report) {
  std::map<uint32_t, std::shared_ptr<File>> segments;
  uint64_t seq_limit;
  Hash expected_head;
  {
    ReaderLock l(&index_mu_);
    segments = segments_;
    seq_limit = visible_seq_;
    expected_head = visible_head_;
  }
  Hash head;
  uint64_t next_seq = 1;
  bool chain_broken = false;
  for (auto& [segment, file] : segments) {
    const std::string name = SegmentFileName(segment);
    std::string bytes;
    Status s = ReadFileFrom(file.get(), 0, &bytes);
    if (!s.ok()) {
      report->problems.push_back(name + ": cannot be read: " + s.ToString());
      chain_broken = true;
      continue;
    }
    LogScanner scanner(bytes, 0, 0);
    bool first = true;
    for (;;) {
      LogScanner::Outcome out = scanner.Next();
      if (out == LogScanner::Outcome::kEnd) break;
      if (out != LogScanner::Outcome::kRecord) {
        // A bad record in the live log is damage (open cut any torn tail).
        // Keep checking whatever valid records follow it.
        report->problems.push_back(name + " at offset " + std::to_string(scanner.offset()) +
                                   ": " + scanner.reason());
        chain_broken = true;
        if (scanner.Resync()) continue;
        break;
      }
      if (first) {
        first = false;
        if (scanner.type() != kRecordSegmentHeader) {
          report->problems.push_back(name + ": missing segment header");
        }
        continue;
      }
      std::string_view payload = scanner.payload();
      const uint64_t payload_offset = scanner.offset() + kRecordHeaderBytes;
      if (scanner.type() != kRecordCommit || payload.size() < kCommitHeaderBytes) {
        report->problems.push_back(name + " at offset " + std::to_string(scanner.offset()) +
                                   ": unexpected record");
        chain_broken = true;
        continue;
      }
      const uint64_t first_seq = DecodeFixed64(payload.data());
      if (first_seq > seq_limit) break;  // written after this verify began
      if (first_seq != next_seq) {
        report->problems.push_back(name + " at offset " + std::to_string(scanner.offset()) +
                                   ": commit starts at seq " + std::to_string(first_seq) +
                                   ", expected " + std::to_string(next_seq));
        chain_broken = true;
      }
      CommitRecord rec;
      Status s = DecodeCommitRecord(payload, &rec);
      if (!s.ok()) {
        report->problems.push_back(name + " at offset " + std::to_string(payload_offset) +
                                   ": commit record " + s.message());
        chain_broken = true;
        next_seq = first_seq + rec.count;
        continue;
      }
      for (const Version& v : rec.versions) head = ChainHead(head, v.seq, v.hash);
      next_seq = first_seq + rec.count;
      const Hash& stored = rec.head_after;
      if (!chain_broken && stored != head) {
        report->problems.push_back(name + " at offset " + std::to_string(scanner.offset()) +
                                   ": head chain mismatch after seq " +
                                   std::to_string(next_seq - 1));
        chain_broken = true;
      }
    }
  }
  if (!chain_broken && head != expected_head) {
    report->problems.push_back("the recomputed head " + head.ToHex() +
                               " differs from the database head " + expected_head.ToHex());
  }
}

// Every version the index knows, by hash: read it and re-hash it.
void DBImpl::VerifyIndex(VerifyReport* report) {
  std::vector<std::pair<Hash, Location>> objects;
  std::vector<CheckpointTable> tables;
  {
    ReaderLock l(&index_mu_);
    tables = tables_;
    auto it = NewIndexIterator();
    Status s = it->Seek(std::string(1, kHashTag));
    for (; s.ok() && it->Valid() && it->key()[0] == kHashTag; s = it->Next()) {
      Location loc;
      if (it->key().size() != 1 + Hash::kSize || !DecodeLocation(it->value(), &loc)) {
        report->problems.push_back("malformed hash index entry");
        continue;
      }
      Hash h;
      std::memcpy(h.bytes.data(), it->key().data() + 1, Hash::kSize);
      objects.emplace_back(h, loc);
    }
    if (!s.ok()) report->problems.push_back("index: " + s.ToString());
  }
  for (const CheckpointTable& t : tables) (void)t.table->Check(&report->problems);
  VerifyInlineItems(report);
  for (const auto& [hash, loc] : objects) {
    report->checked++;
    auto v = ReadVersion(loc, hash);
    if (!v.ok() || !CheckVersionHash(*v).ok()) report->tampered.push_back(hash);
  }
}

// The copies of log items held in 'v' index values: each must pass its
// checksum and hash to its version's hash. Checked in chunks, so the index
// lock is never held for long.
void DBImpl::VerifyInlineItems(VerifyReport* report) {
  constexpr size_t kChunk = 4096;
  std::string resume(1, kVersionTag);
  for (;;) {
    std::vector<std::pair<std::string, VersionRef>> chunk;
    {
      ReaderLock l(&index_mu_);
      auto it = NewIndexIterator();
      Status s = it->Seek(resume);
      for (; s.ok() && it->Valid() && it->key()[0] == kVersionTag && chunk.size() < kChunk;
           s = it->Next()) {
        if (it->key() == resume && resume.size() > 1) continue;  // done in the last chunk
        VersionRef ref;
        if (!DecodeVersionRef(it->value(), &ref)) {
          report->problems.push_back("malformed version index entry");
          continue;
        }
        if (!ref.item.empty()) chunk.emplace_back(std::string(it->key()), std::move(ref));
        resume.assign(it->key());
      }
      if (!s.ok()) report->problems.push_back("index: " + s.ToString());
      if (!s.ok() || !it->Valid() || it->key()[0] != kVersionTag) resume.clear();
    }
    for (const auto& [key, ref] : chunk) {
      Version v;
      Status s = DecodeItem(ref.item, ref.loc, ref.hash, &v);
      if (s.ok()) s = CheckVersionHash(v);
      if (!s.ok()) report->problems.push_back("index copy: " + s.message());
    }
    if (resume.empty()) return;
  }
}

}  // namespace cairn
