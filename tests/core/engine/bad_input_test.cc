// Bad input to every public Database call (DESIGN.md invariant 7): each is
// rejected with the right code and a message that says what is wrong and
// where, and the database is unchanged afterwards: same head, same
// collections, same documents, and not one byte written to storage.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <cstdint>
#include <filesystem>
#include <initializer_list>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "cairn/db.h"
#include "cairn/hash.h"
#include "cairn/options.h"
#include "cairn/status.h"
#include "storage-backends/fault/fault_storage.h"
#include "storage-backends/posix/posix_storage.h"

namespace cairn {
namespace {

template <typename T>
const Status& StatusOf(const Result<T>& r) {
  return r.status();
}

bool Contains(const std::string& s, const std::string& part) {
  return s.find(part) != std::string::npos;
}

// Strict UTF-8: no overlongs, no surrogates, nothing past U+10FFFF.
bool IsUtf8(const std::string& s) {
  size_t i = 0;
  while (i < s.size()) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    size_t n;
    uint32_t cp;
    if (c < 0x80) {
      i++;
      continue;
    } else if (c >= 0xC2 && c <= 0xDF) {
      n = 1, cp = c & 0x1F;
    } else if (c >= 0xE0 && c <= 0xEF) {
      n = 2, cp = c & 0x0F;
    } else if (c >= 0xF0 && c <= 0xF4) {
      n = 3, cp = c & 0x07;
    } else {
      return false;
    }
    for (size_t k = 1; k <= n; k++) {
      if (i + k >= s.size()) return false;
      const unsigned char cc = static_cast<unsigned char>(s[i + k]);
      if ((cc & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (cc & 0x3F);
    }
    if ((n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) || cp > 0x10FFFF ||
        (cp >= 0xD800 && cp <= 0xDFFF)) {
      return false;
    }
    i += n + 1;
  }
  return true;
}

// A status must carry `code`, and its message every one of `parts`. Messages
// travel on as JSON strings (HTTP) and JavaScript errors, so they must be
// valid UTF-8 even when the bad input is not.
testing::AssertionResult Rejected(const Status& s, Code code,
                                  std::initializer_list<std::string> parts) {
  if (s.ok()) return testing::AssertionFailure() << "accepted; expected " << CodeName(code);
  if (s.code() != code) {
    return testing::AssertionFailure() << "got " << s.ToString() << "; expected " << CodeName(code);
  }
  if (!IsUtf8(s.message())) {
    return testing::AssertionFailure()
           << "the message is not valid UTF-8: \"" << s.message() << "\"";
  }
  for (const std::string& p : parts) {
    if (!Contains(s.message(), p)) {
      return testing::AssertionFailure()
             << "message \"" << s.message() << "\" lacks \"" << p << "\"";
    }
  }
  return testing::AssertionSuccess();
}

class StepClock final : public Clock {
 public:
  int64_t NowMillis() override { return now_++; }

 private:
  int64_t now_ = 1714521600000;
};

// A database with a little history: users/u1 (two versions), users/u2
// (deleted), orders/o1.
class BadInputTest : public testing::Test {
 protected:
  void SetUp() override {
    options_.clock = &clock_;
    auto db = Database::Open(fs_.NewStorage(), options_);
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    db_ = std::move(db).value();
    ASSERT_TRUE(db_->Put("users", "u1", "{\"name\":\"ada\"}").ok());
    auto u1 = db_->Put("users", "u1", "{\"name\":\"ada\",\"v\":2}");
    ASSERT_TRUE(u1.ok());
    u1_ = *u1;
    ASSERT_TRUE(db_->Put("users", "u2", "{\"name\":\"bob\"}").ok());
    ASSERT_TRUE(db_->Delete("users", "u2").ok());
    ASSERT_TRUE(db_->Put("orders", "o1", "[1,2,3]").ok());
    Remember();
  }

  // The state every rejected call must leave alone.
  void Remember() {
    head_ = *db_->GetHead();
    writes_ = fs_.writes();
    syncs_ = fs_.syncs();
    collections_ = *db_->Collections();
    versions_ = db_->GetStats().versions;
    documents_ = db_->GetStats().documents;
  }

  void ExpectUnchanged(const std::string& after) {
    auto head = db_->GetHead();
    ASSERT_TRUE(head.ok()) << after;
    EXPECT_EQ(head->seq, head_.seq) << after << " advanced the seq";
    EXPECT_EQ(head->head, head_.head) << after << " changed the head";
    EXPECT_EQ(fs_.writes(), writes_) << after << " wrote to storage";
    EXPECT_EQ(fs_.syncs(), syncs_) << after << " synced storage";
    EXPECT_EQ(*db_->Collections(), collections_) << after << " added a collection";
    EXPECT_EQ(db_->GetStats().versions, versions_) << after;
    EXPECT_EQ(db_->GetStats().documents, documents_) << after;
    auto u1 = db_->Get("users", "u1");
    ASSERT_TRUE(u1.ok() && u1->has_value()) << after;
    EXPECT_EQ((*u1)->hash, u1_.hash) << after;
  }

  // Checks the rejection, then that nothing changed.
  template <typename R>
  void Expect(const R& result, Code code, std::initializer_list<std::string> parts,
              const std::string& what) {
    EXPECT_TRUE(Rejected(StatusOf(result), code, parts)) << what;
    ExpectUnchanged(what);
  }

  FaultFileSystem fs_;
  StepClock clock_;
  Options options_;
  std::unique_ptr<Database> db_;
  Version u1_;
  Head head_;
  uint64_t writes_ = 0, syncs_ = 0, versions_ = 0, documents_ = 0;
  std::vector<std::string> collections_;
};

struct BadName {
  std::string value;
  std::vector<std::string> parts;  // what and where
};

std::vector<BadName> BadCollections() {
  return {
      {"", {"collection name is empty"}},
      {std::string(65, 'c'), {"collection name is 65 bytes", "limit is 64"}},
      {"../x", {"collection name", "'.' at position 0"}},
      {"a/b", {"collection name", "'/' at position 1"}},
      {"a b", {"collection name", "' ' at position 1"}},
      {std::string("ab\0c", 4), {"collection name", "byte 0 at position 2"}},
      {"tab\there", {"collection name", "byte 9 at position 3"}},
      {"1abc", {"collection name", "'1' at position 0"}},
      {"-abc", {"collection name", "'-' at position 0"}},
      {"caf\xC3\xA9", {"collection name", "at position 3"}},
  };
}

std::vector<BadName> BadIds() {
  return {
      {"", {"document id is empty"}},
      {std::string(257, 'i'), {"document id is 257 bytes", "limit is 256"}},
      {"a\nb", {"document id", "control character 10 at position 1"}},
      {std::string("x\0y", 3), {"document id", "control character 0 at position 1"}},
      {"del\x7f", {"document id", "control character 127 at position 3"}},
      {"bad\xFF", {"document id", "not valid UTF-8"}},
      {"cut\xC3", {"document id", "not valid UTF-8"}},
      {"overlong\xC0\xAF", {"document id", "not valid UTF-8"}},
      {"surrogate\xED\xA0\x80", {"document id", "not valid UTF-8"}},
  };
}

TEST_F(BadInputTest, EveryCallRejectsBadCollectionNames) {
  for (const BadName& c : BadCollections()) {
    const std::string what = "collection \"" + c.value + "\"";
    for (const std::string& p : c.parts) {
      Expect(db_->Put(c.value, "u1", "{}"), Code::kInvalidArgument, {p}, "Put " + what);
      Expect(db_->Delete(c.value, "u1"), Code::kInvalidArgument, {p}, "Delete " + what);
      Expect(db_->Get(c.value, "u1"), Code::kInvalidArgument, {p}, "Get " + what);
      Expect(db_->History(c.value, "u1"), Code::kInvalidArgument, {p}, "History " + what);
      Expect(db_->List(c.value), Code::kInvalidArgument, {p}, "List " + what);
      Expect(db_->PutMany({WriteOp{"users", "ok", "{}", {}}, WriteOp{c.value, "x", "{}", {}}}),
             Code::kInvalidArgument, {p, "batch item 1"}, "PutMany " + what);
    }
  }
}

TEST_F(BadInputTest, EveryCallRejectsBadIds) {
  for (const BadName& id : BadIds()) {
    const std::string what = "id of " + std::to_string(id.value.size()) + " bytes";
    for (const std::string& p : id.parts) {
      Expect(db_->Put("users", id.value, "{}"), Code::kInvalidArgument, {p}, "Put " + what);
      Expect(db_->Delete("users", id.value), Code::kInvalidArgument, {p}, "Delete " + what);
      Expect(db_->Get("users", id.value), Code::kInvalidArgument, {p}, "Get " + what);
      Expect(db_->History("users", id.value), Code::kInvalidArgument, {p}, "History " + what);
      Expect(db_->PutMany({WriteOp{"users", "ok", "{}", {}}, WriteOp{"users", "ok2", "{}", {}},
                           WriteOp{"users", id.value, "{}", {}}}),
             Code::kInvalidArgument, {p, "batch item 2"}, "PutMany " + what);
    }
  }
}

TEST_F(BadInputTest, NamesAtTheLimitsAreAccepted) {
  auto v = db_->Put(std::string(64, 'c'), std::string(256, 'i'), "{}");
  ASSERT_TRUE(v.ok()) << v.status().ToString();
  auto u = db_->Put("_x-9", "\xC3\xA9t\xC3\xA9 \xF0\x9F\x8C\x8D", "{}");
  ASSERT_TRUE(u.ok()) << u.status().ToString();
  auto got = db_->Get("_x-9", "\xC3\xA9t\xC3\xA9 \xF0\x9F\x8C\x8D");
  ASSERT_TRUE(got.ok() && got->has_value());
}

TEST_F(BadInputTest, MalformedJsonIsParseErrorWithLineAndColumn) {
  struct Case {
    std::string json;
    std::vector<std::string> parts;
  };
  const Case cases[] = {
      {"", {"line 1, column 1"}},
      {"{", {"line 1, column 2"}},
      {"{\"a\":}", {"line 1, column 6"}},
      {"[1,]", {"line 1, column 4"}},
      {"{} x", {"line 1, column 4"}},
      {"NaN", {"line 1, column 1"}},
      {"{\n  \"a\": 1,\n  \"b\": tru\n}", {"line 3, column "}},
      {"{\"a\": \"caf\xFF\"}", {"line 1, column ", "UTF-8"}},
      {"{'a': 1}", {"line 1, column 2"}},
      {"[1, 2", {"line 1, column 6", "end of input"}},
  };
  for (const Case& c : cases) {
    const std::string what = "JSON \"" + c.json + "\"";
    for (const std::string& p : c.parts) {
      Expect(db_->Put("users", "u9", c.json), Code::kParseError, {p, "users/u9"}, "Put " + what);
      Expect(db_->PutMany({WriteOp{"users", "a", "{}", {}}, WriteOp{"users", "b", "{}", {}},
                           WriteOp{"users", "c", "{}", {}}, WriteOp{"orders", "u9", c.json, {}}}),
             Code::kParseError, {p, "batch item 3", "orders/u9"}, "PutMany " + what);
    }
  }
}

TEST_F(BadInputTest, DuplicateKeysTooDeepAndOversizeDocumentsAreRejected) {
  Expect(db_->Put("users", "u9", "{\"a\":1,\"a\":2}"), Code::kInvalidArgument,
         {"duplicate key \"a\"", "users/u9"}, "duplicate key");
  Expect(db_->Put("users", "u9", "{\"x\":[0,0,{\"k\":1,\"k\":2}]}"), Code::kInvalidArgument,
         {"duplicate key \"k\"", "$.x[2]"}, "nested duplicate key");
  const std::string deep = std::string(65, '[') + std::string(65, ']');
  Expect(db_->Put("users", "u9", deep), Code::kInvalidArgument, {"nesting depth exceeds 64"},
         "65 levels of nesting");
  const std::string deep_object = [] {
    std::string s;
    for (int i = 0; i < 65; i++) s += "{\"k\":";
    s += "1";
    for (int i = 0; i < 65; i++) s += "}";
    return s;
  }();
  Expect(db_->Put("users", "u9", deep_object), Code::kInvalidArgument, {"nesting depth exceeds 64"},
         "65 nested objects");
  const std::string big = "\"" + std::string((1 << 20), 'b') + "\"";
  Expect(db_->Put("users", "u9", big), Code::kInvalidArgument, {"users/u9"}, "oversize document");
  Expect(db_->PutMany({WriteOp{"users", "a", "{}", {}}, WriteOp{"users", "big", big, {}}}),
         Code::kInvalidArgument, {"batch item 1", "users/big"}, "oversize document in a batch");

  // The limits themselves are allowed.
  EXPECT_TRUE(db_->Put("users", "deep", std::string(64, '[') + std::string(64, ']')).ok());
  const std::string fits = "\"" + std::string((1 << 20) - 2, 'f') + "\"";
  auto v = db_->Put("users", "fits", fits);
  EXPECT_TRUE(v.ok()) << v.status().ToString();
}

TEST_F(BadInputTest, BadWriteOptionsAreRejected) {
  Hash unknown = Hash::Of("no such version");
  WriteOptions o;
  o.caused_by = {u1_.hash, unknown};
  Expect(db_->Put("users", "u9", "{}", o), Code::kNotFound, {"caused_by", unknown.ToHex()},
         "caused_by an unknown hash");
  Expect(db_->Delete("users", "u1", o), Code::kNotFound, {"caused_by", unknown.ToHex()},
         "Delete caused_by an unknown hash");
  Expect(db_->PutMany({WriteOp{"users", "a", "{}", {}}, WriteOp{"users", "b", "{}", o}}),
         Code::kNotFound, {"batch item 1", unknown.ToHex()}, "PutMany caused_by an unknown hash");

  WriteOptions many;
  many.caused_by.assign(65, u1_.hash);
  Expect(db_->Put("users", "u9", "{}", many), Code::kInvalidArgument,
         {"caused_by has 65 entries", "limit is 64"}, "65 caused_by");

  struct TimeCase {
    std::optional<std::string> from, to;
    std::vector<std::string> parts;
  };
  const TimeCase times[] = {
      {"yesterday", std::nullopt, {"valid_from", "position 0"}},
      {"2024-13-01T00:00:00Z", std::nullopt, {"valid_from", "position"}},
      {"2024-05-01T12:00:00", std::nullopt, {"valid_from", "position 19"}},
      {std::nullopt, "2024-05-01T25:00:00Z", {"valid_to", "position"}},
      {std::nullopt, "", {"valid_to"}},
      {"2024-05-01T00:00:00Z",
       "2024-05-01T00:00:00Z",
       {"valid_from 2024-05-01T00:00:00.000Z is not before valid_to 2024-05-01T00:00:00.000Z"}},
      {"2024-05-02T00:00:00Z", "2024-05-01T00:00:00Z", {"is not before valid_to"}},
      {"2024-05-01T02:00:00+02:00", "2024-05-01T00:00:00Z", {"is not before valid_to"}},
  };
  for (const TimeCase& t : times) {
    WriteOptions w;
    w.valid_from = t.from;
    w.valid_to = t.to;
    const std::string what =
        "valid_from " + t.from.value_or("-") + " valid_to " + t.to.value_or("-");
    for (const std::string& p : t.parts) {
      Expect(db_->Put("users", "u9", "{}", w), Code::kInvalidArgument, {p}, "Put " + what);
      Expect(db_->Delete("users", "u1", w), Code::kInvalidArgument, {p}, "Delete " + what);
      Expect(db_->PutMany({WriteOp{"users", "a", "{}", {}}, WriteOp{"users", "b", "{}", w}}),
             Code::kInvalidArgument, {p, "batch item 1"}, "PutMany " + what);
    }
  }
}

TEST_F(BadInputTest, DeleteOfAMissingOrDeletedDocumentIsNotFound) {
  Expect(db_->Delete("users", "nobody"), Code::kNotFound, {"users/nobody", "not live"},
         "Delete of a missing document");
  Expect(db_->Delete("users", "u2"), Code::kNotFound, {"users/u2", "not live"},
         "Delete of a deleted document");
  Expect(db_->Delete("nowhere", "u1"), Code::kNotFound, {"nowhere/u1"},
         "Delete in a collection that never existed");
}

TEST_F(BadInputTest, AsOfBeyondTheLatestSeqIsRejected) {
  const uint64_t latest = head_.seq;
  for (uint64_t as_of : {latest + 1, latest + 1000, UINT64_MAX}) {
    const std::string n = std::to_string(as_of);
    Expect(db_->Get("users", "u1", ReadOptions{as_of}), Code::kInvalidArgument,
           {"as_of " + n, "latest seq " + std::to_string(latest)}, "Get as_of " + n);
    ListOptions lo;
    lo.as_of = as_of;
    Expect(db_->List("users", lo), Code::kInvalidArgument,
           {"as_of " + n, "latest seq " + std::to_string(latest)}, "List as_of " + n);
  }
  // The latest seq itself, and 0, are fine.
  auto at = db_->Get("users", "u1", ReadOptions{latest});
  ASSERT_TRUE(at.ok());
  EXPECT_TRUE(at->has_value());
  auto zero = db_->Get("users", "u1", ReadOptions{0});
  ASSERT_TRUE(zero.ok());
  EXPECT_FALSE(zero->has_value());
}

TEST_F(BadInputTest, ReadsOfUnknownThingsAreEmptyNotErrors) {
  auto h = db_->GetByHash(Hash::Of("nothing"));
  ASSERT_TRUE(h.ok());
  EXPECT_FALSE(h->has_value());
  auto zero = db_->GetByHash(Hash{});
  ASSERT_TRUE(zero.ok());
  EXPECT_FALSE(zero->has_value());
  auto history = db_->History("users", "nobody");
  ASSERT_TRUE(history.ok());
  EXPECT_TRUE(history->empty());
  auto list = db_->List("nowhere");
  ASSERT_TRUE(list.ok());
  EXPECT_TRUE(list->empty());
  ExpectUnchanged("reads of unknown things");
}

TEST_F(BadInputTest, PutManyWithOneBadItemWritesNothing) {
  // Valid items around one bad one, including a new collection that must not
  // appear, and an update of an existing document that must not happen.
  for (size_t bad = 0; bad < 5; bad++) {
    std::vector<WriteOp> ops;
    for (size_t i = 0; i < 5; i++) {
      ops.push_back(WriteOp{i == 2 ? "fresh" : "users",
                            i == 1 ? "u1" : "n" + std::to_string(i),
                            "{\"i\":" + std::to_string(i) + "}",
                            {}});
    }
    ops[bad].doc_json = "{\"broken\":";
    Expect(db_->PutMany(ops), Code::kParseError, {"batch item " + std::to_string(bad), "line 1"},
           "PutMany with item " + std::to_string(bad) + " malformed");
    ops[bad].doc_json = "{}";
    ops[bad].options.caused_by = {Hash::Of("unknown")};
    Expect(db_->PutMany(ops), Code::kNotFound, {"batch item " + std::to_string(bad), "caused_by"},
           "PutMany with item " + std::to_string(bad) + " caused_by unknown");
  }
  // An empty batch is not an error, and writes nothing.
  auto empty = db_->PutMany({});
  ASSERT_TRUE(empty.ok()) << empty.status().ToString();
  EXPECT_TRUE(empty->empty());
  ExpectUnchanged("an empty PutMany");
}

TEST(BadInputLimitsTest, OversizeBatchIsRejectedWholesale) {
  FaultFileSystem fs;
  Options options;
  options.limits.max_batch_writes = 10;
  auto db = Database::Open(fs.NewStorage(), options);
  ASSERT_TRUE(db.ok());
  std::vector<WriteOp> ops;
  for (int i = 0; i < 11; i++) ops.push_back(WriteOp{"c", "d" + std::to_string(i), "{}", {}});
  const uint64_t writes = fs.writes();
  auto r = (*db)->PutMany(ops);
  EXPECT_TRUE(Rejected(r.status(), Code::kInvalidArgument, {"11 writes", "limit is 10"}));
  EXPECT_EQ(fs.writes(), writes);
  EXPECT_EQ((*db)->GetHead()->seq, 0u);
  ops.pop_back();
  EXPECT_TRUE((*db)->PutMany(ops).ok());
}

TEST_F(BadInputTest, EveryCallAfterCloseIsClosed) {
  ASSERT_TRUE(db_->Close().ok());
  const uint64_t writes = fs_.writes();
  auto closed = [](const Status& s) { return Rejected(s, Code::kClosed, {"closed"}); };
  EXPECT_TRUE(closed(db_->Put("users", "u9", "{}").status()));
  EXPECT_TRUE(closed(db_->Put("", "", "not json").status())) << "CLOSED comes before validation";
  EXPECT_TRUE(closed(db_->PutMany({WriteOp{"users", "u9", "{}", {}}}).status()));
  EXPECT_TRUE(closed(db_->PutMany({}).status()));
  EXPECT_TRUE(closed(db_->Delete("users", "u1").status()));
  EXPECT_TRUE(closed(db_->Get("users", "u1").status()));
  EXPECT_TRUE(closed(db_->History("users", "u1").status()));
  EXPECT_TRUE(closed(db_->GetByHash(u1_.hash).status()));
  EXPECT_TRUE(closed(db_->List("users").status()));
  EXPECT_TRUE(closed(db_->Collections().status()));
  EXPECT_TRUE(closed(db_->GetHead().status()));
  EXPECT_TRUE(closed(db_->Verify().status()));
  EXPECT_TRUE(closed(db_->Checkpoint()));
  EXPECT_TRUE(closed(db_->Sync()));
  EXPECT_TRUE(db_->Close().ok()) << "Close is idempotent";
  EXPECT_EQ(fs_.writes(), writes) << "calls after Close wrote to storage";

  // Nothing was lost by closing: a new open sees every write.
  auto reopened = Database::Open(fs_.NewStorage(), options_);
  ASSERT_TRUE(reopened.ok()) << reopened.status().ToString();
  EXPECT_EQ((*reopened)->GetHead()->head, head_.head);
}

TEST_F(BadInputTest, SecondOpenerIsLocked) {
  auto second = Database::Open(fs_.NewStorage(), options_);
  ASSERT_FALSE(second.ok()) << "two opens of one database at once";
  EXPECT_TRUE(Rejected(second.status(), Code::kLocked, {"locked"}));
  ExpectUnchanged("a second open");
  // The failed open took nothing from the first: it still writes, and the
  // lock is still held.
  ASSERT_TRUE(db_->Put("users", "u9", "{}").ok());
  EXPECT_EQ(Database::Open(fs_.NewStorage(), options_).status().code(), Code::kLocked);
  ASSERT_TRUE(db_->Close().ok());
  auto third = Database::Open(fs_.NewStorage(), options_);
  ASSERT_TRUE(third.ok()) << third.status().ToString();
  auto u9 = (*third)->Get("users", "u9");
  ASSERT_TRUE(u9.ok() && u9->has_value());
}

TEST(BadInputOpenTest, SecondPosixOpenerIsLockedNamingTheDirectory) {
  std::string pattern =
      (std::filesystem::temp_directory_path() / "cairn-bad-input-XXXXXX").string();
  ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
  const std::string dir = pattern;
  {
    auto first = Database::Open(*OpenPosixStorage(dir), Options{});
    ASSERT_TRUE(first.ok()) << first.status().ToString();
    ASSERT_TRUE((*first)->Put("c", "d", "{}").ok());
    auto storage = OpenPosixStorage(dir);
    ASSERT_TRUE(storage.ok());
    auto second = Database::Open(std::move(storage).value(), Options{});
    ASSERT_FALSE(second.ok());
    EXPECT_TRUE(Rejected(second.status(), Code::kLocked, {dir, "locked"}));
    ASSERT_TRUE((*first)->Put("c", "e", "{}").ok()) << "the failed open disturbed the first";
  }
  auto again = Database::Open(*OpenPosixStorage(dir), Options{});
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_EQ((*again)->GetHead()->seq, 2u);
  again = Status::Closed("released");
  std::error_code ec;
  std::filesystem::remove_all(dir, ec);
}

TEST(BadInputOpenTest, BadOpenArgumentsAreRejected) {
  EXPECT_TRUE(
      Rejected(Database::Open(nullptr, Options{}).status(), Code::kInvalidArgument, {"storage"}));
  FaultFileSystem fs;
  Options small;
  small.segment_bytes = 4096;
  EXPECT_TRUE(Rejected(Database::Open(fs.NewStorage(), small).status(), Code::kInvalidArgument,
                       {"segment_bytes"}));
  Options no_create;
  no_create.create_if_missing = false;
  EXPECT_TRUE(Rejected(Database::Open(fs.NewStorage(), no_create).status(), Code::kNotFound,
                       {"no database"}));
  EXPECT_TRUE(fs.FileNames().empty()) << "a refused open created files";
}

}  // namespace
}  // namespace cairn
