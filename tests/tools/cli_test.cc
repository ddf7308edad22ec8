// The cairn CLI's commands, run as a user would: the built binary in a
// temporary directory, with exact output and exit codes.
#include <gtest/gtest.h>

#include <cctype>
#include <filesystem>
#include <regex>
#include <string>
#include <vector>

#include "tests/tools/cli_test_util.h"

namespace cairn {
namespace {

using nlohmann::json;

class CliTest : public ::testing::Test {
 protected:
  // Runs `cairn <db> args...` and expects success with nothing on stderr.
  std::string Ok(std::vector<std::string> args, std::string_view input = {}) {
    args.insert(args.begin(), db_);
    CliRun r = RunCairn(args, input);
    EXPECT_EQ(r.exit_code, 0) << "stderr: " << r.err;
    EXPECT_EQ(r.err, "");
    return r.out;
  }
  CliRun Run(std::vector<std::string> args, std::string_view input = {}) {
    args.insert(args.begin(), db_);
    return RunCairn(args, input);
  }

  TempDir tmp_;
  const std::string db_ = tmp_.Sub("db");
};

// The exact line Version::ToJson prints, given the parts the test cannot know
// in advance (hash, ts) from `printed`.
std::string ExpectedVersionLine(const json& printed, const std::string& coll, const std::string& id,
                                uint64_t seq, const std::string& prev, const std::string& caused_by,
                                const std::string& valid_from, bool deleted,
                                const std::string& data) {
  return "{\"coll\":\"" + coll + "\",\"id\":\"" + id + "\",\"seq\":" + std::to_string(seq) +
         ",\"hash\":\"" + printed["hash"].get<std::string>() + "\",\"prev\":" + prev +
         ",\"caused_by\":[" + caused_by +
         "],\"ts\":" + std::to_string(printed["ts"].get<int64_t>()) +
         ",\"valid_from\":" + valid_from +
         ",\"valid_to\":null,\"deleted\":" + (deleted ? "true" : "false") + ",\"data\":" + data +
         "}\n";
}

TEST_F(CliTest, PutPrintsTheVersionAsOneJsonLine) {
  const std::string out = Ok({"put", "users", "u1", R"({ "name" : "ada", "age" : 36.0 })"});
  const json v = ParseJson(Lines(out).at(0));
  EXPECT_TRUE(std::regex_match(v["hash"].get<std::string>(), std::regex("[0-9a-f]{64}")));
  EXPECT_GT(v["ts"].get<int64_t>(), 1600000000000);
  // Canonical data: members sorted, 36.0 printed as 36.
  EXPECT_EQ(out, ExpectedVersionLine(v, "users", "u1", 1, "null", "", "null", false,
                                     R"({"age":36,"name":"ada"})"));
}

TEST_F(CliTest, PutReadsTheDocumentFromStdinForDash) {
  const std::string out = Ok({"put", "users", "u1", "-"}, "{\"from\":\n\"stdin\"}\n");
  EXPECT_EQ(ParseJson(Lines(out).at(0))["data"], json::parse(R"({"from":"stdin"})"));
}

TEST_F(CliTest, OperandsAfterDoubleDashMayStartWithDash) {
  const std::string out = Ok({"put", "nums", "--", "-1", "-5"});
  const json v = ParseJson(Lines(out).at(0));
  EXPECT_EQ(v["id"], "-1");
  EXPECT_EQ(out, ExpectedVersionLine(v, "nums", "-1", 1, "null", "", "null", false, "-5"));
}

TEST_F(CliTest, GetPrintsExactlyWhatPutPrinted) {
  const std::string put = Ok({"put", "users", "u1", R"({"name":"ada"})"});
  EXPECT_EQ(Ok({"get", "users", "u1"}), put);
}

TEST_F(CliTest, GetAsOfTravelsInTime) {
  const std::string v1 = Ok({"put", "users", "u1", R"({"v":1})"});
  Ok({"put", "users", "u2", R"({"other":true})"});
  const std::string v3 = Ok({"put", "users", "u1", R"({"v":2})"});
  EXPECT_EQ(ParseJson(Lines(v3).at(0))["prev"], ParseJson(Lines(v1).at(0))["hash"]);
  EXPECT_EQ(Ok({"get", "users", "u1", "--as-of", "1"}), v1);
  EXPECT_EQ(Ok({"get", "users", "u1", "--as-of=2"}), v1);
  EXPECT_EQ(Ok({"get", "--as-of", "3", "users", "u1"}), v3);
  EXPECT_EQ(Ok({"get", "users", "u1"}), v3);

  CliRun before = Run({"get", "users", "u1", "--as-of", "0"});
  EXPECT_EQ(before.exit_code, 1);
  EXPECT_EQ(before.out, "");
  EXPECT_EQ(before.err,
            "cairn: NOT_FOUND: users/u1 did not exist yet as of seq 0 (first written at seq 1)\n");
  CliRun future = Run({"get", "users", "u1", "--as-of", "4"});
  EXPECT_EQ(future.exit_code, 1);
  EXPECT_EQ(future.err, "cairn: INVALID_ARGUMENT: as_of 4 is beyond the latest seq 3\n");
}

TEST_F(CliTest, GetOfAMissingDocumentIsNotFound) {
  Ok({"put", "users", "u1", "{}"});
  CliRun r = Run({"get", "users", "nobody"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(r.err, "cairn: NOT_FOUND: users/nobody does not exist\n");
}

TEST_F(CliTest, HistoryListsEveryVersionNewestFirst) {
  const std::string v1 = Ok({"put", "users", "u1", R"({"v":1})"});
  const std::string v2 = Ok({"put", "users", "u1", R"({"v":2})"});
  Ok({"put", "users", "u2", R"({"v":0})"});
  EXPECT_EQ(Ok({"history", "users", "u1"}), v2 + v1);
  CliRun never = Run({"history", "users", "never"});
  EXPECT_EQ(never.exit_code, 1);
  EXPECT_EQ(never.out, "");
  EXPECT_EQ(never.err, "cairn: NOT_FOUND: users/never was never written\n");
}

TEST_F(CliTest, DeleteLeavesTheLiveViewButKeepsHistory) {
  const std::string v1 = Ok({"put", "users", "u1", R"({"name":"ada"})"});
  const std::string other = Ok({"put", "users", "u2", R"({"name":"bob"})"});
  const std::string tomb = Ok({"delete", "users", "u1"});
  const json t = ParseJson(Lines(tomb).at(0));
  const std::string prev = "\"" + ParseJson(Lines(v1).at(0))["hash"].get<std::string>() + "\"";
  EXPECT_EQ(tomb, ExpectedVersionLine(t, "users", "u1", 3, prev, "", "null", true, "null"));

  CliRun gone = Run({"get", "users", "u1"});
  EXPECT_EQ(gone.exit_code, 1);
  EXPECT_EQ(gone.out, "");
  EXPECT_EQ(gone.err, "cairn: NOT_FOUND: users/u1 was deleted at seq 3\n");
  EXPECT_EQ(Ok({"list", "users"}), other);
  EXPECT_EQ(Ok({"history", "users", "u1"}), tomb + v1);
  EXPECT_EQ(Ok({"get", "users", "u1", "--as-of", "2"}), v1);
  EXPECT_EQ(Ok({"list", "users", "--as-of", "2"}), v1 + other);
  EXPECT_EQ(Ok({"get-hash", t["hash"].get<std::string>()}), tomb);

  CliRun again = Run({"delete", "users", "u1"});
  EXPECT_EQ(again.exit_code, 1);
  EXPECT_EQ(again.out, "");
  EXPECT_EQ(again.err, "cairn: NOT_FOUND: document users/u1 is not live\n");

  const std::string back = Ok({"put", "users", "u1", R"({"name":"ada2"})"});
  EXPECT_EQ(ParseJson(Lines(back).at(0))["prev"], t["hash"]);
  EXPECT_EQ(Ok({"get", "users", "u1"}), back);
}

TEST_F(CliTest, GetHashFindsAnyVersion) {
  const std::string v1 = Ok({"put", "users", "u1", R"({"v":1})"});
  Ok({"put", "users", "u1", R"({"v":2})"});
  const std::string hash = ParseJson(Lines(v1).at(0))["hash"];
  EXPECT_EQ(Ok({"get-hash", hash}), v1);
  std::string upper = hash;
  for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  EXPECT_EQ(Ok({"get-hash", upper}), v1);
  CliRun missing = Run({"get-hash", std::string(64, '0')});
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_EQ(missing.err, "cairn: NOT_FOUND: no version has hash " + std::string(64, '0') + "\n");
}

TEST_F(CliTest, ListOrdersByIdAndPages) {
  const std::string b = Ok({"put", "items", "b", "2"});
  const std::string a = Ok({"put", "items", "a", "1"});
  const std::string c = Ok({"put", "items", "c", "3"});
  Ok({"put", "other", "x", "0"});
  EXPECT_EQ(Ok({"list", "items"}), a + b + c);
  EXPECT_EQ(Ok({"list", "items", "--limit", "2"}), a + b);
  EXPECT_EQ(Ok({"list", "items", "--offset", "1"}), b + c);
  EXPECT_EQ(Ok({"list", "items", "--offset", "1", "--limit", "1"}), b);
  EXPECT_EQ(Ok({"list", "items", "--offset", "3"}), "");
  EXPECT_EQ(Ok({"list", "items", "--as-of", "2"}), a + b);
  CliRun typo = Run({"list", "item"});
  EXPECT_EQ(typo.exit_code, 1);
  EXPECT_EQ(typo.err,
            "cairn: NOT_FOUND: collection item has never held a document (collections: items, "
            "other)\n");
}

TEST_F(CliTest, CollectionsAreSorted) {
  Ok({"put", "zeta", "1", "1"});
  Ok({"put", "alpha", "1", "1"});
  Ok({"put", "mid", "1", "1"});
  Ok({"delete", "mid", "1"});
  EXPECT_EQ(Ok({"collections"}), "alpha\nmid\nzeta\n");
}

TEST_F(CliTest, HeadOfAnEmptyDatabaseAndAfterWrites) {
  EXPECT_EQ(Ok({"import", "-"}, ""), "{\"imported\":0,\"seq\":0}\n");
  EXPECT_EQ(Ok({"head"}), "{\"seq\":0,\"head\":\"" + std::string(64, '0') + "\"}\n");
  Ok({"put", "users", "u1", "1"});
  const std::string head = Ok({"head"});
  EXPECT_TRUE(std::regex_match(head, std::regex("\\{\"seq\":1,\"head\":\"[0-9a-f]{64}\"\\}\n")))
      << head;
  EXPECT_NE(head, "{\"seq\":1,\"head\":\"" + std::string(64, '0') + "\"}\n");
  EXPECT_EQ(Ok({"head"}), head);  // stable across opens
}

TEST_F(CliTest, CompactMergesTheIndexIntoOneTable) {
  std::string ndjson;
  for (int i = 0; i < 400; i++) {
    ndjson += "{\"coll\":\"c\",\"id\":\"" + std::to_string(i) + "\",\"data\":{\"i\":" +
              std::to_string(i) + "}}\n";
  }
  Ok({"import", "-"}, ndjson);  // its close writes one large table
  Ok({"put", "c", "7", "{\"i\":70}"});  // and this close a small one beside it
  const std::string before = Ok({"get", "c", "7"}) + Ok({"history", "c", "7"}) + Ok({"list", "c"});
  EXPECT_EQ(Ok({"compact"}), "{\"checkpoint_tables_before\":2,\"checkpoint_tables\":1}\n");
  EXPECT_EQ(Ok({"get", "c", "7"}) + Ok({"history", "c", "7"}) + Ok({"list", "c"}), before);
  EXPECT_NE(Ok({"stats"}).find("\"checkpoint_tables\":1,\"mapped_tables\":1,"), std::string::npos);
  // --no-mmap reads the same table through the block cache.
  const std::string unmapped = Ok({"--no-mmap", "stats"});
  EXPECT_NE(unmapped.find("\"checkpoint_tables\":1,\"mapped_tables\":0,"), std::string::npos)
      << unmapped;
  EXPECT_EQ(Ok({"--no-mmap", "get", "c", "7"}) + Ok({"--no-mmap", "history", "c", "7"}) +
                Ok({"list", "c", "--no-mmap"}),
            before);
  Ok({"verify"});
}

TEST_F(CliTest, CompactOfAMissingDatabaseIsNotFoundAndCreatesNothing) {
  CliRun r = Run({"compact"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(r.err.rfind("cairn: NOT_FOUND: ", 0), 0u) << r.err;
  EXPECT_EQ(Run({"head"}).exit_code, 1);  // still no database
}

TEST_F(CliTest, StatsPrintsEveryFieldAsJson) {
  Ok({"put", "users", "u1", "1"});
  Ok({"put", "users", "u1", "2"});
  Ok({"put", "users", "u2", "3"});
  const std::string out = Ok({"stats", "--cache-mb", "8", "--no-direct-io"});
  ASSERT_EQ(Lines(out).size(), 1u);
  const json s = ParseJson(Lines(out)[0]);
  // Every field, in the order of cairn::Stats.
  size_t at = 0;
  for (const char* k :
       {"seq", "documents", "versions", "log_bytes", "segments", "memtable_entries",
        "memtable_bytes", "checkpoint_entries", "checkpoint_tables", "mapped_tables", "spaces",
        "space_branches",
        "cache_bytes", "cache_capacity", "cache_hits",
        "cache_misses", "index_bytes", "replayed_records", "space_blocks_skipped", "direct_io"}) {
    const size_t found = out.find("\"" + std::string(k) + "\":", at);
    EXPECT_NE(found, std::string::npos) << k;
    at = found == std::string::npos ? at : found;
  }
  EXPECT_EQ(s.size(), 20u);
  EXPECT_EQ(s["spaces"], 0);
  EXPECT_EQ(s["space_blocks_skipped"], 0);
  EXPECT_EQ(s["seq"], 3);
  EXPECT_EQ(s["documents"], 2);
  EXPECT_EQ(s["versions"], 3);
  EXPECT_EQ(s["segments"], 1);
  EXPECT_EQ(s["cache_capacity"], 8u << 20);
  EXPECT_EQ(s["direct_io"], false);
  EXPECT_GE(s["checkpoint_tables"].get<uint64_t>(), 1u);
  EXPECT_EQ(s["mapped_tables"], s["checkpoint_tables"]);  // read through mappings by default
  EXPECT_GT(s["log_bytes"].get<uint64_t>(), 0u);
}

TEST_F(CliTest, CausedByRecordsProvenance) {
  const std::string h1 = ParseJson(Lines(Ok({"put", "a", "1", "1"})).at(0))["hash"];
  const std::string h2 = ParseJson(Lines(Ok({"put", "a", "2", "2"})).at(0))["hash"];
  const std::string h3 = ParseJson(Lines(Ok({"put", "a", "3", "3"})).at(0))["hash"];
  const std::string out =
      Ok({"put", "b", "1", "{}", "--caused-by", h2 + "," + h1, "--caused-by", h3});
  const json v = ParseJson(Lines(out).at(0));
  EXPECT_EQ(out, ExpectedVersionLine(v, "b", "1", 4, "null",
                                     "\"" + h2 + "\",\"" + h1 + "\",\"" + h3 + "\"", "null", false,
                                     "{}"));
  const std::string tomb = Ok({"delete", "b", "1", "--caused-by", h1});
  EXPECT_EQ(ParseJson(Lines(tomb).at(0))["caused_by"], json::array({h1}));

  CliRun unknown = Run({"put", "b", "2", "{}", "--caused-by", std::string(64, 'a')});
  EXPECT_EQ(unknown.exit_code, 1);
  EXPECT_EQ(unknown.out, "");
  EXPECT_EQ(unknown.err,
            "cairn: NOT_FOUND: caused_by " + std::string(64, 'a') + " names no version\n");
}

TEST_F(CliTest, ValidTimeIsNormalisedToUtc) {
  const std::string out = Ok({"put", "ev", "1", "{}", "--valid-from", "2024-05-01T12:00:00+02:00",
                              "--valid-to", "2024-06-01"});
  const json v = ParseJson(Lines(out).at(0));
  EXPECT_EQ(v["valid_from"], "2024-05-01T10:00:00.000Z");
  EXPECT_EQ(v["valid_to"], "2024-06-01T00:00:00.000Z");
  CliRun backwards =
      Run({"put", "ev", "2", "{}", "--valid-from", "2024-05-01", "--valid-to", "2024-04-01"});
  EXPECT_EQ(backwards.exit_code, 1);
  EXPECT_EQ(backwards.err,
            "cairn: INVALID_ARGUMENT: valid_from 2024-05-01T00:00:00.000Z is not before "
            "valid_to 2024-04-01T00:00:00.000Z\n");
  CliRun no_zone = Run({"put", "ev", "3", "{}", "--valid-from", "2024-05-01T12:00:00"});
  EXPECT_EQ(no_zone.exit_code, 1);
  EXPECT_EQ(no_zone.err.rfind("cairn: INVALID_ARGUMENT: valid_from: ", 0), 0u) << no_zone.err;
}

TEST_F(CliTest, RelaxedAndBufferedWritesAreReadBack) {
  const std::string v = Ok({"--relaxed", "put", "users", "u1", "1", "--no-direct-io"});
  EXPECT_EQ(Ok({"get", "users", "u1"}), v);
  EXPECT_EQ(ParseJson(Lines(Ok({"stats"})).at(0))["documents"], 1);
}

TEST_F(CliTest, ReadCommandsDoNotCreateADatabase) {
  for (const std::vector<std::string>& args :
       std::vector<std::vector<std::string>>{{"get", "users", "u1"},
                                             {"head"},
                                             {"list", "users"},
                                             {"export"},
                                             {"verify"},
                                             {"delete", "users", "u1"}}) {
    CliRun r = Run(args);
    EXPECT_EQ(r.exit_code, 1) << args[0];
    EXPECT_EQ(r.out, "");
    EXPECT_EQ(r.err.rfind("cairn: NOT_FOUND: open directory " + db_ + ": ", 0), 0u) << r.err;
    EXPECT_FALSE(std::filesystem::exists(db_)) << args[0];
  }
  std::filesystem::create_directory(db_);
  CliRun empty = Run({"head"});
  EXPECT_EQ(empty.exit_code, 1);
  EXPECT_EQ(empty.err, "cairn: NOT_FOUND: " + db_ + " holds no database\n");
}

TEST_F(CliTest, MalformedJsonIsAParseErrorWithLineAndColumn) {
  CliRun r = Run({"put", "users", "u1", "{\"a\":\n  [1,}"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(r.err.rfind("cairn: PARSE_ERROR: document users/u1: line 2, column 6: ", 0), 0u)
      << r.err;
  CliRun dup = Run({"put", "users", "u1", R"({"a":1,"a":2})"});
  EXPECT_EQ(dup.exit_code, 1);
  EXPECT_EQ(dup.err, "cairn: INVALID_ARGUMENT: document users/u1: duplicate key \"a\" in $\n");
  CliRun name = Run({"put", "9users", "u1", "{}"});
  EXPECT_EQ(name.exit_code, 1);
  EXPECT_EQ(name.err,
            "cairn: INVALID_ARGUMENT: collection name has '9' at position 0; names use letters, "
            "digits, '_' and '-' and start with a letter or '_'\n");
}

}  // namespace
}  // namespace cairn
