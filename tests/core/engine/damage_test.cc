// Damaged data files (DESIGN.md invariant 4): a flipped or missing byte is
// reported, either by open (CORRUPTION naming the file and the offset) or by
// reads and Verify (naming the version or the file). It never crashes the
// engine and never comes back as different data. The one thing recovery cuts
// without an error is what a torn write can leave at the end of the last
// segment.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <iostream>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "cairn/db.h"
#include "cairn/hash.h"
#include "cairn/options.h"
#include "cairn/status.h"
#include "docs/keys.h"
#include "storage-backends/fault/fault_storage.h"

namespace cairn {
namespace {

#define DMG_ASSERT_OK(expr)                                                   \
  do {                                                                        \
    const ::cairn::Status dmg_status_ = StatusOf(expr);                       \
    ASSERT_TRUE(dmg_status_.ok()) << #expr << ": " << dmg_status_.ToString(); \
  } while (0)

const Status& StatusOf(const Status& s) { return s; }
template <typename T>
const Status& StatusOf(const Result<T>& r) {
  return r.status();
}

bool Contains(const std::string& s, const std::string& part) {
  return s.find(part) != std::string::npos;
}

class StepClock final : public Clock {
 public:
  int64_t NowMillis() override { return now_++; }

 private:
  int64_t now_ = 1714521600000;
};

uint64_t LoadLE(const std::string& bytes, size_t offset, int n) {
  uint64_t v = 0;
  for (int i = n - 1; i >= 0; i--) v = (v << 8) | static_cast<uint8_t>(bytes.at(offset + i));
  return v;
}

// One record of a log segment (log_format.h): header at `offset`, 16 + length
// checksummed bytes, padded to a multiple of 8.
struct LogRecord {
  uint64_t offset = 0;
  uint64_t checked_end = 0;  // offset + 16 + payload length
  uint8_t type = 0;
};

// The records of a segment image, walked the way the format defines them.
std::vector<LogRecord> ParseRecords(const std::string& log) {
  std::vector<LogRecord> out;
  uint64_t pos = 0;
  while (pos + 16 <= log.size()) {
    if (log.compare(pos, 16, std::string(16, '\0')) == 0) break;
    LogRecord r;
    r.offset = pos;
    r.checked_end = pos + 16 + LoadLE(log, pos + 8, 4);
    r.type = static_cast<uint8_t>(log[pos + 12]);
    out.push_back(r);
    pos = (r.checked_end + 7) / 8 * 8;
  }
  return out;
}

const LogRecord* RecordAt(const std::vector<LogRecord>& records, uint64_t offset) {
  for (const LogRecord& r : records) {
    if (offset >= r.offset && offset < (r.checked_end + 7) / 8 * 8) return &r;
  }
  return nullptr;
}

// A copy of every file of `from`, durable, in a fresh file system.
std::unique_ptr<FaultFileSystem> Clone(const FaultFileSystem& from) {
  auto fs = std::make_unique<FaultFileSystem>();
  for (const std::string& name : from.FileNames()) fs->WriteRaw(name, from.ReadRaw(name));
  return fs;
}

void FlipByte(FaultFileSystem* fs, const std::string& name, uint64_t offset, uint8_t mask = 0x01) {
  std::string bytes = fs->ReadRaw(name);
  ASSERT_LT(offset, bytes.size()) << name;
  bytes[offset] = static_cast<char>(bytes[offset] ^ mask);
  fs->WriteRaw(name, bytes);
}

std::string CheckpointName(const FaultFileSystem& fs) {
  std::string found;
  for (const std::string& name : fs.FileNames()) {
    if (name.rfind("checkpoint-", 0) == 0) found = name;
  }
  return found;
}

std::string DocJson(int i, size_t pad) {
  return "{\"i\":" + std::to_string(i) + ",\"text\":\"marker-" + std::to_string(i) + "-" +
         std::string(pad, static_cast<char>('a' + i % 26)) + "\"}";
}

// ---------------------------------------------------------------------------

TEST(DamageTest, FlippedDocumentInSealedLogIsReportedByReadsAndVerify) {
  FaultFileSystem fs;
  StepClock clock;
  Options options;
  options.clock = &clock;
  std::vector<Version> written;
  {
    auto db = Database::Open(fs.NewStorage(), options);
    DMG_ASSERT_OK(db);
    for (int i = 0; i < 20; i++) {
      // d7, the one damaged below, is too large for the index to hold a copy
      // (kMaxInlineItemBytes), so every read of it goes to the log.
      const size_t pad = i == 7 ? kMaxInlineItemBytes + 100 : 100 + 37 * i;
      auto v = (*db)->Put("docs", "d" + std::to_string(i), DocJson(i, pad));
      DMG_ASSERT_OK(v);
      written.push_back(*v);
    }
    DMG_ASSERT_OK((*db)->Close());  // checkpoints: open will replay nothing
  }
  const std::string log_name = "log-000001.cairn";
  const std::string log = fs.ReadRaw(log_name);
  const size_t at = log.find("marker-7-");
  ASSERT_NE(at, std::string::npos);
  ASSERT_EQ(log.find("marker-7-", at + 1), std::string::npos);
  const std::vector<LogRecord> records = ParseRecords(log);
  const LogRecord* record = RecordAt(records, at);
  ASSERT_NE(record, nullptr);
  FlipByte(&fs, log_name, at + 12);  // a letter of the padding text: still valid JSON

  auto db = Database::Open(fs.NewStorage(), options);
  ASSERT_TRUE(db.ok()) << "the damage lies before the checkpoint, so open must not see it: "
                       << db.status().ToString();
  const Hash& bad = written[7].hash;
  auto get = (*db)->Get("docs", "d7");
  ASSERT_FALSE(get.ok()) << "damaged data came back as a document";
  EXPECT_EQ(get.status().code(), Code::kCorruption);
  EXPECT_TRUE(Contains(get.status().message(), bad.ToHex())) << get.status().ToString();
  EXPECT_TRUE(Contains(get.status().message(), log_name + " at offset "))
      << get.status().ToString();
  // What is wrong: the stored bytes fail their checksum or their hash.
  EXPECT_TRUE(Contains(get.status().message(), "checksum mismatch") ||
              Contains(get.status().message(), "does not match its hash"))
      << get.status().ToString();
  auto history = (*db)->History("docs", "d7");
  EXPECT_EQ(history.status().code(), Code::kCorruption);
  auto by_hash = (*db)->GetByHash(bad);
  EXPECT_EQ(by_hash.status().code(), Code::kCorruption);
  auto list = (*db)->List("docs");
  EXPECT_EQ(list.status().code(), Code::kCorruption) << "List returned a damaged document";

  auto report = (*db)->Verify();
  DMG_ASSERT_OK(report);
  EXPECT_FALSE(report->ok);
  EXPECT_EQ(report->tampered, std::vector<Hash>{bad});
  EXPECT_EQ(report->checked, 20u);
  bool named = false;
  for (const std::string& p : report->problems) {
    named |= Contains(p, log_name + " at offset " + std::to_string(record->offset));
  }
  EXPECT_TRUE(named) << "Verify should name the damaged record's file and offset";

  for (int i = 0; i < 20; i++) {
    if (i == 7) continue;
    auto v = (*db)->Get("docs", "d" + std::to_string(i));
    DMG_ASSERT_OK(v);
    ASSERT_TRUE(v->has_value());
    EXPECT_EQ((*v)->hash, written[i].hash);
    EXPECT_EQ((*v)->data, written[i].data);
  }
}

// Writes `n` single-put commits and cuts the power, so the whole log is the
// replayed tail (no checkpoint).
void BuildUncheckpointed(FaultFileSystem* fs, int n, std::vector<Version>* written) {
  StepClock clock;
  Options options;
  options.clock = &clock;
  auto db = Database::Open(fs->NewStorage(), options);
  ASSERT_TRUE(db.ok());
  for (int i = 0; i < n; i++) {
    // The last document is large enough to fill whole 512-byte sectors.
    auto v =
        (*db)->Put("docs", "d" + std::to_string(i), DocJson(i, i + 1 == n ? 2000 : 40 + 13 * i));
    ASSERT_TRUE(v.ok());
    written->push_back(*v);
  }
  fs->PowerCut();  // strict: everything is durable; no checkpoint at close
}

TEST(DamageTest, FlipInReplayedLogFailsOpenNamingFileAndOffset) {
  FaultFileSystem base;
  std::vector<Version> written;
  BuildUncheckpointed(&base, 10, &written);
  ASSERT_EQ(CheckpointName(base), "");
  const std::string log_name = "log-000001.cairn";
  const std::vector<LogRecord> records = ParseRecords(base.ReadRaw(log_name));
  ASSERT_EQ(records.size(), 11u);  // the segment header and 10 commits

  // Every record but the last: header fields, payload start, middle and end.
  for (size_t r = 0; r + 1 < records.size(); r++) {
    const LogRecord& rec = records[r];
    for (uint64_t at : {rec.offset, rec.offset + 8, rec.offset + 12, rec.offset + 16,
                        (rec.offset + rec.checked_end) / 2, rec.checked_end - 1}) {
      SCOPED_TRACE("record " + std::to_string(r) + " at " + std::to_string(rec.offset) + ", byte " +
                   std::to_string(at));
      auto fs = Clone(base);
      FlipByte(fs.get(), log_name, at, 0x10);
      auto db = Database::Open(fs->NewStorage(), Options{});
      ASSERT_FALSE(db.ok()) << "damage in the replayed log went unreported";
      EXPECT_EQ(db.status().code(), Code::kCorruption) << db.status().ToString();
      EXPECT_TRUE(
          Contains(db.status().message(), log_name + " at offset " + std::to_string(rec.offset)))
          << db.status().ToString();
      // A failed open releases the lock: the next open reports the same.
      auto again = Database::Open(fs->NewStorage(), Options{});
      EXPECT_EQ(again.status().code(), Code::kCorruption) << again.status().ToString();
    }
  }
}

// The last record of the last segment has nothing valid after it, so
// recovery tells damage from a torn write by the record itself
// (log_scanner.h): a fully written commit record (intact header, a non-zero
// last byte, no zeroed 512-byte sector) that fails its checksum is damage.
TEST(DamageTest, DamagedLastRecordFailsOpenNamingIt) {
  FaultFileSystem base;
  std::vector<Version> written;
  BuildUncheckpointed(&base, 10, &written);
  const std::string log_name = "log-000001.cairn";
  const LogRecord last = ParseRecords(base.ReadRaw(log_name)).back();
  for (uint64_t at : {last.offset, last.offset + 7, last.offset + 16,
                      (last.offset + last.checked_end) / 2, last.checked_end - 1}) {
    SCOPED_TRACE("byte " + std::to_string(at));
    auto fs = Clone(base);
    FlipByte(fs.get(), log_name, at, 0x10);
    auto db = Database::Open(fs->NewStorage(), Options{});
    ASSERT_FALSE(db.ok()) << "a damaged, acknowledged last commit was dropped without an error";
    EXPECT_EQ(db.status().code(), Code::kCorruption) << db.status().ToString();
    EXPECT_TRUE(
        Contains(db.status().message(), log_name + " at offset " + std::to_string(last.offset)))
        << db.status().ToString();
  }
}

// What a torn write can leave of the last record is cut. Exactly this
// survives: every earlier commit, unchanged; the file ends where the record
// began; writing continues there.
TEST(DamageTest, LastRecordThatLooksTornIsCut) {
  FaultFileSystem base;
  std::vector<Version> written;
  BuildUncheckpointed(&base, 10, &written);
  const std::string log_name = "log-000001.cairn";
  const std::string image = base.ReadRaw(log_name);
  const LogRecord last = ParseRecords(image).back();
  ASSERT_GE(last.checked_end - last.offset, 1024u + 16) << "the last record must hold a sector";
  struct Tear {
    std::string what;
    std::string bytes;
  };
  std::vector<Tear> tears;
  auto with = [&](uint64_t at, char c) {
    std::string b = image;
    b[at] = c;
    return b;
  };
  tears.push_back({"type byte changed", with(last.offset + 12, 0x12)});
  tears.push_back({"length past the end of the file",
                   with(last.offset + 11, static_cast<char>(image[last.offset + 11] ^ 0x40))});
  tears.push_back({"last payload byte zero", with(last.checked_end - 1, 0)});
  {
    std::string b = image;
    const uint64_t sector = (last.offset + 16 + 511) / 512 * 512;
    std::fill(b.begin() + sector, b.begin() + sector + 512, '\0');
    tears.push_back({"a zeroed 512-byte sector", b});
  }
  tears.push_back({"file ends inside the record", image.substr(0, last.offset + 100)});
  tears.push_back({"file ends inside the header", image.substr(0, last.offset + 9)});
  for (const Tear& tear : tears) {
    SCOPED_TRACE(tear.what);
    auto fs = Clone(base);
    fs->WriteRaw(log_name, tear.bytes);
    auto db = Database::Open(fs->NewStorage(), Options{});
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    auto head = (*db)->GetHead();
    DMG_ASSERT_OK(head);
    EXPECT_EQ(head->seq, 9u);
    EXPECT_EQ(fs->ReadRaw(log_name).size(), last.offset) << "the cut is not at the record";
    for (int i = 0; i < 10; i++) {
      auto v = (*db)->Get("docs", "d" + std::to_string(i));
      DMG_ASSERT_OK(v);
      ASSERT_EQ(v->has_value(), i < 9) << "d" << i;
      if (i < 9) EXPECT_EQ((*v)->hash, written[i].hash);
    }
    auto report = (*db)->Verify();
    DMG_ASSERT_OK(report);
    EXPECT_TRUE(report->ok);
    auto next = (*db)->Put("docs", "after", "{}");
    DMG_ASSERT_OK(next);
    EXPECT_EQ(next->seq, 10u);
    DMG_ASSERT_OK((*db)->Close());
  }
}

TEST(DamageTest, FlipInSegmentHeaderFailsOpen) {
  FaultFileSystem base;
  std::vector<Version> written;
  BuildUncheckpointed(&base, 3, &written);
  for (uint64_t at : {0u, 8u, 16u, 24u, 31u}) {
    SCOPED_TRACE("byte " + std::to_string(at));
    auto fs = Clone(base);
    FlipByte(fs.get(), "log-000001.cairn", at, 0x04);
    auto db = Database::Open(fs->NewStorage(), Options{});
    ASSERT_FALSE(db.ok());
    EXPECT_EQ(db.status().code(), Code::kCorruption);
    EXPECT_TRUE(Contains(db.status().message(), "log-000001.cairn at offset 0"))
        << db.status().ToString();
  }
}

// ---------------------------------------------------------------------------
// Checkpoint files.

// A database whose checkpoint has many data blocks and whose log is fully
// covered by it.
void BuildCheckpointed(FaultFileSystem* fs, std::vector<Version>* written) {
  StepClock clock;
  Options options;
  options.clock = &clock;
  auto db = Database::Open(fs->NewStorage(), options);
  ASSERT_TRUE(db.ok());
  for (int i = 0; i < 300; i++) {
    auto v = (*db)->Put(i % 2 ? "odd" : "even", "d" + std::to_string(i), DocJson(i, 8));
    ASSERT_TRUE(v.ok());
    written->push_back(*v);
  }
  ASSERT_TRUE((*db)->Close().ok());
}

TEST(DamageTest, TruncatedCheckpointFailsOpenNamingIt) {
  FaultFileSystem base;
  std::vector<Version> written;
  BuildCheckpointed(&base, &written);
  const std::string name = CheckpointName(base);
  ASSERT_NE(name, "");
  const std::string image = base.ReadRaw(name);
  ASSERT_GT(image.size(), 8192u);
  for (size_t size : {size_t{0}, size_t{1}, size_t{63}, size_t{64}, size_t{65}, image.size() / 2,
                      image.size() - 64, image.size() - 1}) {
    SCOPED_TRACE("truncated to " + std::to_string(size));
    auto fs = Clone(base);
    fs->WriteRaw(name, image.substr(0, size));
    auto db = Database::Open(fs->NewStorage(), Options{});
    ASSERT_FALSE(db.ok()) << "a truncated checkpoint was accepted";
    EXPECT_EQ(db.status().code(), Code::kCorruption) << db.status().ToString();
    EXPECT_TRUE(Contains(db.status().message(), name)) << db.status().ToString();
  }
}

TEST(DamageTest, FlippedCheckpointFooterIndexOrMetadataFailsOpenNamingIt) {
  FaultFileSystem base;
  std::vector<Version> written;
  BuildCheckpointed(&base, &written);
  const std::string name = CheckpointName(base);
  const std::string image = base.ReadRaw(name);
  const uint64_t footer = image.size() - 64;
  const uint64_t index_offset = LoadLE(image, footer, 8);
  const uint64_t metadata_offset = LoadLE(image, footer + 16, 8);
  ASSERT_LT(index_offset, metadata_offset);
  ASSERT_LT(metadata_offset, footer);
  std::vector<uint64_t> offsets;
  for (uint64_t i = 0; i < 64; i += 3) offsets.push_back(footer + i);
  for (uint64_t at = index_offset; at < metadata_offset;
       at += std::max<uint64_t>(1, (metadata_offset - index_offset) / 23)) {
    offsets.push_back(at);
  }
  for (uint64_t at = metadata_offset; at < footer; at++) offsets.push_back(at);
  for (uint64_t at : offsets) {
    SCOPED_TRACE("byte " + std::to_string(at));
    auto fs = Clone(base);
    FlipByte(fs.get(), name, at, 0x20);
    auto db = Database::Open(fs->NewStorage(), Options{});
    ASSERT_FALSE(db.ok()) << "damage in the checkpoint's footer, index or metadata went unnoticed";
    EXPECT_EQ(db.status().code(), Code::kCorruption) << db.status().ToString();
    EXPECT_TRUE(Contains(db.status().message(), name)) << db.status().ToString();
  }
}

TEST(DamageTest, FlippedCheckpointDataBlockIsReportedByOpenReadsOrVerify) {
  FaultFileSystem base;
  std::vector<Version> written;
  BuildCheckpointed(&base, &written);
  const std::string name = CheckpointName(base);
  const std::string image = base.ReadRaw(name);
  const uint64_t index_offset = LoadLE(image, image.size() - 64, 8);
  int failed_open = 0, reported = 0;
  for (uint64_t at = 0; at < index_offset; at += 97) {
    SCOPED_TRACE("byte " + std::to_string(at));
    auto fs = Clone(base);
    FlipByte(fs.get(), name, at, 0x08);
    auto db = Database::Open(fs->NewStorage(), Options{});
    if (!db.ok()) {
      EXPECT_EQ(db.status().code(), Code::kCorruption) << db.status().ToString();
      EXPECT_TRUE(Contains(db.status().message(), name)) << db.status().ToString();
      failed_open++;
      continue;
    }
    auto report = (*db)->Verify();
    DMG_ASSERT_OK(report);
    EXPECT_FALSE(report->ok) << "a flipped checkpoint data block passed Verify";
    bool named = false;
    for (const std::string& p : report->problems) named |= Contains(p, name);
    EXPECT_TRUE(named) << "Verify should name " << name;
    reported++;
    // Reads return the original version or CORRUPTION naming the file.
    for (const Version& w : written) {
      auto v = (*db)->Get(w.coll, w.id);
      if (!v.ok()) {
        EXPECT_EQ(v.status().code(), Code::kCorruption) << v.status().ToString();
        EXPECT_TRUE(Contains(v.status().message(), name)) << v.status().ToString();
      } else {
        ASSERT_TRUE(v->has_value()) << w.coll << "/" << w.id << " vanished";
        EXPECT_EQ((*v)->hash, w.hash);
      }
    }
  }
  EXPECT_GT(reported, 0);
  std::cout << "[damage] checkpoint data flips: " << failed_open << " failed open, " << reported
            << " reported by Verify\n";
}

// ---------------------------------------------------------------------------
// The randomized sweep.

using DocKey = std::pair<std::string, std::string>;

// Everything a reader can see, per document.
struct Snapshot {
  Head head;
  std::map<DocKey, std::vector<Version>> histories;
};

Snapshot TakeSnapshot(Database* db, const std::set<DocKey>& docs) {
  Snapshot s;
  s.head = *db->GetHead();
  for (const DocKey& d : docs) s.histories[d] = *db->History(d.first, d.second);
  return s;
}

bool SameVersion(const Version& a, const Version& b) {
  return a.seq == b.seq && a.hash == b.hash && a.coll == b.coll && a.id == b.id &&
         a.data == b.data && a.deleted == b.deleted && a.prev == b.prev && a.ts == b.ts;
}

bool SameHistory(const std::vector<Version>& a, const std::vector<Version>& b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), SameVersion);
}

// Compares what `db` shows with `expected`. With `strict`, everything must be
// identical; otherwise a read may instead fail with CORRUPTION naming
// `file`. Returns "" or the first difference.
std::string Compare(Database* db, const Snapshot& expected, bool strict, const std::string& file) {
  auto head = db->GetHead();
  if (!head.ok()) return "GetHead: " + head.status().ToString();
  if (head->seq != expected.head.seq || head->head != expected.head.head) {
    return "head is seq " + std::to_string(head->seq) + ", expected " +
           std::to_string(expected.head.seq);
  }
  auto acceptable_error = [&](const Status& s) {
    return !strict && s.IsCorruption() && Contains(s.message(), file);
  };
  for (const auto& [doc, history] : expected.histories) {
    const std::string name = doc.first + "/" + doc.second;
    auto h = db->History(doc.first, doc.second);
    if (!h.ok()) {
      if (!acceptable_error(h.status())) return "History(" + name + "): " + h.status().ToString();
    } else if (!SameHistory(*h, history)) {
      return "History(" + name + ") differs";
    }
    auto g = db->Get(doc.first, doc.second);
    if (!g.ok()) {
      if (!acceptable_error(g.status())) return "Get(" + name + "): " + g.status().ToString();
      continue;
    }
    const bool live = !history.empty() && !history.front().deleted;
    if (g->has_value() != live || (live && !SameVersion(**g, history.front()))) {
      return "Get(" + name + ") differs";
    }
    for (const Version& v : history) {
      auto b = db->GetByHash(v.hash);
      if (!b.ok()) {
        if (!acceptable_error(b.status())) return "GetByHash: " + b.status().ToString();
      } else if (!b->has_value() || !SameVersion(**b, v)) {
        return "GetByHash(" + v.hash.ToHex() + ") differs";
      }
    }
  }
  return "";
}

struct SweepImage {
  FaultFileSystem fs;
  std::set<DocKey> docs;
  Snapshot before_last;  // the state without the last commit
  Snapshot full;
  std::string last_segment;
  LogRecord last_record;
};

// Several segments: the first ones covered by a checkpoint, then a replayed
// tail that spans a sealed segment and the last one. Cut by a power cut, so
// the tail is replayed at every open.
void BuildSweepImage(SweepImage* image) {
  StepClock clock;
  Options options;
  options.clock = &clock;
  options.segment_bytes = 64 << 10;
  std::mt19937_64 rng(99);
  auto db = Database::Open(image->fs.NewStorage(), options);
  ASSERT_TRUE(db.ok());
  auto write = [&](int i) {
    const std::string coll = i % 3 ? "alpha" : "beta";
    const std::string id = "d" + std::to_string(rng() % 40);
    image->docs.insert({coll, id});
    if (rng() % 10 == 0) {
      auto cur = (*db)->Get(coll, id);
      ASSERT_TRUE(cur.ok());
      if (cur->has_value()) {
        ASSERT_TRUE((*db)->Delete(coll, id).ok());
        return;
      }
    }
    if (rng() % 8 == 0) {
      std::vector<WriteOp> ops;
      for (int j = 0; j < 3; j++) {
        const std::string batch_id = "b" + std::to_string(rng() % 40);
        image->docs.insert({coll, batch_id});
        ops.push_back(WriteOp{coll, batch_id, DocJson(i + j, rng() % 900), {}});
      }
      ASSERT_TRUE((*db)->PutMany(ops).ok());
      return;
    }
    ASSERT_TRUE((*db)->Put(coll, id, DocJson(i, rng() % 1500)).ok());
  };
  int i = 0;
  while ((*db)->GetStats().segments < 3) write(i++);
  ASSERT_TRUE((*db)->Checkpoint().ok());
  while ((*db)->GetStats().segments < 5) write(i++);
  for (int j = 0; j < 5; j++) write(i++);
  image->before_last = TakeSnapshot(db->get(), image->docs);
  ASSERT_TRUE((*db)->Put("alpha", "last", DocJson(i, 300)).ok());
  image->docs.insert({"alpha", "last"});
  image->full = TakeSnapshot(db->get(), image->docs);
  image->before_last.histories[{"alpha", "last"}] = {};
  image->fs.PowerCut();
  db->reset();

  for (const std::string& name : image->fs.FileNames()) {
    if (name.rfind("log-", 0) == 0) image->last_segment = name;  // names sort by number
  }
  ASSERT_GE(image->last_segment, std::string("log-000005.cairn"));
  const std::vector<LogRecord> records = ParseRecords(image->fs.ReadRaw(image->last_segment));
  ASSERT_GE(records.size(), 3u);
  image->last_record = records.back();
  ASSERT_NE(CheckpointName(image->fs), "");
}

TEST(DamageTest, RandomSingleByteFlipsAreReportedOrHarmless) {
  SweepImage image;
  BuildSweepImage(&image);
  if (HasFatalFailure()) return;
  const std::vector<std::string> files = image.fs.FileNames();
  std::mt19937_64 rng(20240501);
  std::map<std::string, int> outcomes;
  constexpr int kFlips = 300;
  for (int n = 0; n < kFlips; n++) {
    const std::string& file = files[rng() % files.size()];
    const std::string bytes = image.fs.ReadRaw(file);
    const uint64_t at = rng() % bytes.size();
    const uint8_t mask = static_cast<uint8_t>(1 + rng() % 255);
    const std::string context = "flip " + std::to_string(n) + ": " + file + " byte " +
                                std::to_string(at) + " ^ " + std::to_string(mask);
    auto fs = Clone(image.fs);
    FlipByte(fs.get(), file, at, mask);
    auto db = Database::Open(fs->NewStorage(), Options{});
    if (!db.ok()) {
      EXPECT_EQ(db.status().code(), Code::kCorruption) << context << ": " << db.status().ToString();
      EXPECT_TRUE(Contains(db.status().message(), file))
          << context << ": " << db.status().ToString();
      outcomes["open failed naming the file"]++;
      continue;
    }
    auto report = (*db)->Verify();
    ASSERT_TRUE(report.ok()) << context << ": " << report.status().ToString();
    const bool in_last_record = file == image.last_segment && at >= image.last_record.offset &&
                                at < image.last_record.checked_end;
    if (in_last_record) {
      // Open did not report it, so the damage looks like a torn write: the
      // last record is cut.
      EXPECT_TRUE(report->ok) << context;
      EXPECT_EQ(Compare(db->get(), image.before_last, true, file), "") << context;
      outcomes["last record cut as a torn tail"]++;
    } else if (report->ok) {
      // Verify saw nothing: then nothing that anyone reads was damaged.
      EXPECT_EQ(Compare(db->get(), image.full, true, file), "") << context;
      outcomes["harmless (nothing reads it)"]++;
    } else {
      bool named = report->problems.empty();
      for (const std::string& p : report->problems) named |= Contains(p, file);
      EXPECT_TRUE(named) << context << ": Verify's problems do not name the file";
      EXPECT_EQ(Compare(db->get(), image.full, false, file), "") << context;
      outcomes[report->tampered.empty() ? "Verify reported a problem"
                                        : "Verify reported tampered versions"]++;
    }
  }
  std::cout << "[damage sweep] " << kFlips << " flips over " << files.size() << " files:";
  for (const auto& [what, count] : outcomes) std::cout << " " << what << " " << count << ";";
  std::cout << "\n";
  // The sweep must reach both kinds of outcome to mean anything.
  EXPECT_GT(outcomes["open failed naming the file"], 0);
  EXPECT_GT(outcomes["Verify reported tampered versions"], 0);
}

}  // namespace
}  // namespace cairn
