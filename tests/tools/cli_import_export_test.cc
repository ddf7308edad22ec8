// cairn import / export: NDJSON in and out, round trips between databases,
// and errors that name the line.
#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "tests/tools/cli_test_util.h"

namespace cairn {
namespace {

using nlohmann::json;

class CliImportExportTest : public ::testing::Test {
 protected:
  std::string Ok(const std::string& db, const std::vector<std::string>& args,
                 std::string_view input = {}) {
    std::vector<std::string> all{db};
    all.insert(all.end(), args.begin(), args.end());
    CliRun r = RunCairn(all, input);
    EXPECT_EQ(r.exit_code, 0) << "stderr: " << r.err;
    EXPECT_EQ(r.err, "");  // no progress bar: stderr is not a terminal
    return r.out;
  }
  CliRun Run(const std::string& db, const std::vector<std::string>& args,
             std::string_view input = {}) {
    std::vector<std::string> all{db};
    all.insert(all.end(), args.begin(), args.end());
    return RunCairn(all, input);
  }

  // Writes a small history to db_a_ and returns every printed version line
  // in write order: updates, a delete, a re-create, provenance, valid time.
  std::vector<std::string> BuildHistory() {
    std::vector<std::string> lines;
    auto add = [&](const std::vector<std::string>& args) {
      lines.push_back(Lines(Ok(db_a_, args)).at(0));
      return ParseJson(lines.back())["hash"].get<std::string>();
    };
    const std::string u1 = add({"put", "users", "u1", R"({"name":"ada","n":1.5e3})"});
    add({"put", "users", "u2", R"({"name":"bob"})"});
    const std::string u1b = add({"put", "users", "u1", R"({"name":"ada","n":2})"});
    add({"delete", "users", "u2"});
    add({"put", "orders", "o1", R"({"items":[1,2,3]})", "--caused-by", u1 + "," + u1b,
         "--valid-from", "2024-01-01T00:00:00Z", "--valid-to", "2025-01-01"});
    add({"put", "users", "u2", R"({"name":"bob","again":true})"});
    add({"put", "users", "u3", "\"text \\u00e9\""});
    add({"delete", "users", "u3"});
    add({"delete", "orders", "o1", "--caused-by", u1b});
    add({"put", "orders", "o2", "null"});
    return lines;
  }

  TempDir tmp_;
  const std::string db_a_ = tmp_.Sub("a");
  const std::string db_b_ = tmp_.Sub("b");
};

std::string Joined(const std::vector<std::string>& lines) {
  std::string s;
  for (const std::string& l : lines) s += l + "\n";
  return s;
}

TEST_F(CliImportExportTest, ImportWritesEveryLineAndPrintsTheCount) {
  const std::string input =
      "{\"coll\":\"c\",\"id\":\"1\",\"data\":{\"x\":1}}\n"
      "\n"
      "   \r\n"
      "{\"coll\":\"c\",\"id\":\"2\",\"data\":[true,null],\"valid_from\":\"2024-05-01\"}\r\n"
      "{\"id\":\"1\",\"coll\":\"d\",\"data\":\"s\",\"caused_by\":null,\"valid_to\":null}";
  EXPECT_EQ(Ok(db_a_, {"import"}, input), "{\"imported\":3,\"seq\":3}\n");
  const std::vector<std::string> c = Lines(Ok(db_a_, {"list", "c"}));
  ASSERT_EQ(c.size(), 2u);
  EXPECT_EQ(ParseJson(c[0])["data"], json::parse(R"({"x":1})"));
  EXPECT_EQ(ParseJson(c[1])["data"], json::parse("[true,null]"));
  EXPECT_EQ(ParseJson(c[1])["valid_from"], "2024-05-01T00:00:00.000Z");
  EXPECT_EQ(ParseJson(Lines(Ok(db_a_, {"get", "d", "1"})).at(0))["data"], "s");
}

TEST_F(CliImportExportTest, ImportReadsAFile) {
  const std::string file = tmp_.Sub("in.ndjson");
  WriteFile(file,
            "{\"coll\":\"c\",\"id\":\"1\",\"data\":1}\n{\"coll\":\"c\",\"id\":\"2\",\"data\":2}\n");
  EXPECT_EQ(Ok(db_a_, {"import", file}), "{\"imported\":2,\"seq\":2}\n");
  CliRun missing = Run(db_b_, {"import", tmp_.Sub("nope.ndjson")});
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_EQ(missing.out, "");
  EXPECT_EQ(missing.err, "cairn: NOT_FOUND: cannot open " + tmp_.Sub("nope.ndjson") +
                             ": No such file or directory\n");
  EXPECT_FALSE(std::filesystem::exists(db_b_));  // no empty database left behind
}

TEST_F(CliImportExportTest, ExportPrintsLiveDocumentsByCollectionThenId) {
  BuildHistory();
  const std::string orders = Ok(db_a_, {"list", "orders"});
  const std::string users = Ok(db_a_, {"list", "users"});
  EXPECT_EQ(Lines(users).size(), 2u);  // u1, u2 (u3 deleted)
  EXPECT_EQ(Ok(db_a_, {"export"}), orders + users);
  EXPECT_EQ(Ok(db_a_, {"export", "users"}), users);
  EXPECT_EQ(
      Ok(db_a_, {"export", "--as-of", "5"}),
      Ok(db_a_, {"list", "orders", "--as-of", "5"}) + Ok(db_a_, {"list", "users", "--as-of", "5"}));
  CliRun typo = Run(db_a_, {"export", "user"});
  EXPECT_EQ(typo.exit_code, 1);
  EXPECT_EQ(typo.err,
            "cairn: NOT_FOUND: collection user has never held a document (collections: orders, "
            "users)\n");
  CliRun future = Run(db_a_, {"export", "--as-of", "11"});
  EXPECT_EQ(future.exit_code, 1);
  EXPECT_EQ(future.err, "cairn: INVALID_ARGUMENT: as_of 11 is beyond the latest seq 10\n");
}

TEST_F(CliImportExportTest, ExportHistoryIsEveryVersionInWriteOrder) {
  const std::vector<std::string> written = BuildHistory();
  // Deleted documents (u3, o1) included, tombstones included.
  EXPECT_EQ(Ok(db_a_, {"export", "--history"}), Joined(written));
  std::vector<std::string> orders;
  for (const std::string& l : written) {
    if (ParseJson(l)["coll"] == "orders") orders.push_back(l);
  }
  EXPECT_EQ(Ok(db_a_, {"export", "orders", "--history"}), Joined(orders));
  EXPECT_EQ(Ok(db_a_, {"export", "--history", "--as-of", "4"}),
            Joined({written.begin(), written.begin() + 4}));
}

TEST_F(CliImportExportTest, HistoryRoundTripReplaysEveryVersion) {
  const std::vector<std::string> a_lines = BuildHistory();
  const std::string exported = Ok(db_a_, {"export", "--history"});
  EXPECT_EQ(Ok(db_b_, {"import", "--batch", "3"}, exported), "{\"imported\":10,\"seq\":10}\n");
  const std::vector<std::string> b_lines = Lines(Ok(db_b_, {"export", "--history"}));
  ASSERT_EQ(b_lines.size(), a_lines.size());
  std::map<std::string, std::string> a_to_b;  // hash in A -> hash of the copy in B
  for (size_t i = 0; i < a_lines.size(); i++) {
    const json a = ParseJson(a_lines[i]);
    const json b = ParseJson(b_lines[i]);
    a_to_b[a["hash"].get<std::string>()] = b["hash"].get<std::string>();
    for (const char* field : {"coll", "id", "seq", "deleted", "data", "valid_from", "valid_to"}) {
      EXPECT_EQ(a[field], b[field]) << field << " of line " << i;
    }
    json mapped = json::array();
    for (const auto& h : a["caused_by"]) mapped.push_back(a_to_b.at(h.get<std::string>()));
    EXPECT_EQ(b["caused_by"], mapped) << "line " << i;
    EXPECT_EQ(b["prev"],
              a["prev"].is_null() ? json() : json(a_to_b.at(a["prev"].get<std::string>())));
  }
  // Identical data per document, live view and histories alike.
  auto strip = [](const std::string& text) {
    std::vector<json> out;
    for (const std::string& l : Lines(text)) {
      json v = ParseJson(l);
      for (const char* f : {"hash", "prev", "ts", "caused_by"}) v.erase(f);
      out.push_back(v);
    }
    return out;
  };
  EXPECT_EQ(strip(Ok(db_b_, {"export"})), strip(Ok(db_a_, {"export"})));
  for (const char* id : {"u1", "u2", "u3"}) {
    EXPECT_EQ(strip(Ok(db_b_, {"history", "users", id})),
              strip(Ok(db_a_, {"history", "users", id})));
  }
  EXPECT_EQ(Ok(db_b_, {"verify"}),
            "{\"ok\":true,\"checked\":10,\"tampered\":[],\"problems\":[]}\n");
}

TEST_F(CliImportExportTest, LiveRoundTripCopiesTheCurrentDocuments) {
  BuildHistory();
  const std::string c = tmp_.Sub("c");
  // Live after BuildHistory: users u1 and u2, orders o2.
  EXPECT_EQ(Ok(c, {"import", "-"}, Ok(db_a_, {"export"})), "{\"imported\":3,\"seq\":3}\n");
  for (const char* coll : {"users", "orders"}) {
    const std::vector<std::string> a = Lines(Ok(db_a_, {"list", coll}));
    const std::vector<std::string> b = Lines(Ok(c, {"list", coll}));
    ASSERT_EQ(a.size(), b.size()) << coll;
    for (size_t i = 0; i < a.size(); i++) {
      EXPECT_EQ(ParseJson(a[i])["id"], ParseJson(b[i])["id"]);
      EXPECT_EQ(ParseJson(a[i])["data"], ParseJson(b[i])["data"]);
      EXPECT_EQ(ParseJson(a[i])["valid_from"], ParseJson(b[i])["valid_from"]);
    }
  }
}

TEST_F(CliImportExportTest, MalformedLineStopsTheImportAndKeepsEarlierLines) {
  const std::string input =
      "{\"coll\":\"c\",\"id\":\"1\",\"data\":1}\n"
      "\n"
      "{\"coll\":\"c\",\"id\":\"2\",\"data\":2}\n"
      "{\"coll\":\"c\",\"id\":\"3\",\"data\":}\n"
      "{\"coll\":\"c\",\"id\":\"4\",\"data\":4}\n";
  CliRun r = Run(db_a_, {"import"}, input);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.out, "{\"imported\":2,\"seq\":2}\n");
  EXPECT_EQ(
      r.err.rfind("cairn: PARSE_ERROR: line 4: column 29: syntax error while parsing value", 0), 0u)
      << r.err;
  const std::vector<std::string> docs = Lines(Ok(db_a_, {"export"}));
  ASSERT_EQ(docs.size(), 2u);
  EXPECT_EQ(ParseJson(docs[0])["id"], "1");
  EXPECT_EQ(ParseJson(docs[1])["id"], "2");
}

TEST_F(CliImportExportTest, WrongShapesNameTheLineAndField) {
  const std::string good = "{\"coll\":\"c\",\"id\":\"0\",\"data\":0}\n";
  const std::string hash64 = std::string(64, 'f');
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"[1,2]", "expected a JSON object, got an array"},
      {R"({"id":"1","data":1})", "missing \"coll\""},
      {R"({"coll":"c","data":1})", "missing \"id\""},
      {R"({"coll":"c","id":"1"})", "missing \"data\""},
      {R"({"coll":"c","id":1,"data":1})", "\"id\" must be a string, got a number"},
      {R"({"coll":"c","id":"1","data":1,"colour":"red"})",
       "unknown field \"colour\" (expected coll, id, data, caused_by, valid_from, valid_to, "
       "deleted, hash, prev, seq, ts)"},
      {R"({"coll":"c","id":"1","data":1,"id":"2"})", "field \"id\" is given twice"},
      {R"({"coll":"c","id":"1","data":1,"caused_by":"x"})",
       "\"caused_by\" must be an array of hashes, got a string"},
      {R"({"coll":"c","id":"1","data":1,"caused_by":["abc"]})",
       "\"caused_by\"[0]: hash must be 64 hex digits, got 3 characters"},
      {R"({"coll":"c","id":"1","data":1,"hash":")" + hash64.substr(1) + "g\"}",
       "\"hash\": hash has a non-hex character at position 63"},
      {R"({"coll":"c","id":"1","data":1,"valid_from":5})",
       "\"valid_from\" must be a string or null, got a number"},
      {R"({"coll":"c","id":"1","data":1,"deleted":"yes"})",
       "\"deleted\" must be true or false, got a string"},
      {R"({"coll":"c","id":"0","data":1,"deleted":true})",
       "a deleted version must have \"data\":null"},
      {R"({"coll":"c","id":"1","data":1,"seq":-1})",
       "\"seq\" must be a non-negative integer, got a number"},
  };
  for (const auto& [line, message] : cases) {
    TempDir dir;
    CliRun r = Run(dir.Sub("db"), {"import"}, good + line + "\n");
    EXPECT_EQ(r.exit_code, 1) << line;
    EXPECT_EQ(r.out, "{\"imported\":1,\"seq\":1}\n") << line;
    EXPECT_EQ(r.err, "cairn: INVALID_ARGUMENT: line 2: " + message + "\n") << line;
  }
}

TEST_F(CliImportExportTest, DatabaseErrorInsideABatchKeepsTheLinesBeforeIt) {
  std::string input;
  for (int i = 1; i <= 5; i++) {
    const std::string coll = i == 4 ? "9bad" : "c";
    input += "{\"coll\":\"" + coll + "\",\"id\":\"" + std::to_string(i) +
             "\",\"data\":" + std::to_string(i) + "}\n";
  }
  CliRun r = Run(db_a_, {"import"}, input);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.out, "{\"imported\":3,\"seq\":3}\n");
  EXPECT_EQ(r.err,
            "cairn: INVALID_ARGUMENT: line 4: collection name has '9' at position 0; names use "
            "letters, digits, '_' and '-' and start with a letter or '_'\n");
  EXPECT_EQ(Lines(Ok(db_a_, {"list", "c"})).size(), 3u);
}

TEST_F(CliImportExportTest, ErrorAfterABatchBoundaryKeepsEveryEarlierBatch) {
  std::string input;
  for (int i = 1; i <= 6; i++) {
    input += "{\"coll\":\"c\",\"id\":\"" + std::to_string(i) + "\",\"data\":" + std::to_string(i) +
             (i == 5 ? ",\"caused_by\":[\"" + std::string(64, 'e') + "\"]" : "") + "}\n";
  }
  CliRun r = Run(db_a_, {"import", "-", "--batch", "2"}, input);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.out, "{\"imported\":4,\"seq\":4}\n");
  EXPECT_EQ(r.err,
            "cairn: NOT_FOUND: line 5: caused_by " + std::string(64, 'e') + " names no version\n");
}

TEST_F(CliImportExportTest, SourceHashesAreMappedToTheImportedCopies) {
  const std::string ha(64, 'a'), hb(64, 'b');
  const std::string input =
      "{\"coll\":\"c\",\"id\":\"1\",\"data\":1,\"hash\":\"" + ha + "\",\"seq\":7,\"ts\":5}\n" +
      "{\"coll\":\"c\",\"id\":\"2\",\"data\":2,\"hash\":\"" + hb + "\",\"caused_by\":[\"" + ha +
      "\"]}\n" + "{\"coll\":\"c\",\"id\":\"1\",\"data\":null,\"deleted\":true,\"caused_by\":[\"" +
      hb + "\",\"" + ha + "\"]}\n";
  EXPECT_EQ(Ok(db_a_, {"import"}, input), "{\"imported\":3,\"seq\":3}\n");
  const std::vector<std::string> h1 = Lines(Ok(db_a_, {"history", "c", "1"}));
  const std::vector<std::string> h2 = Lines(Ok(db_a_, {"history", "c", "2"}));
  ASSERT_EQ(h1.size(), 2u);
  ASSERT_EQ(h2.size(), 1u);
  const json first = ParseJson(h1[1]), tomb = ParseJson(h1[0]), second = ParseJson(h2[0]);
  EXPECT_EQ(second["caused_by"], json::array({first["hash"]}));
  EXPECT_EQ(tomb["deleted"], true);
  EXPECT_EQ(tomb["caused_by"], json::array({second["hash"], first["hash"]}));
}

TEST_F(CliImportExportTest, TombstoneOfAMissingDocumentNamesTheLine) {
  CliRun r = Run(db_a_, {"import"},
                 "{\"coll\":\"c\",\"id\":\"1\",\"data\":1}\n"
                 "{\"coll\":\"c\",\"id\":\"2\",\"data\":null,\"deleted\":true}\n");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.out, "{\"imported\":1,\"seq\":1}\n");
  EXPECT_EQ(r.err, "cairn: NOT_FOUND: line 2: document c/2 is not live\n");
}

TEST_F(CliImportExportTest, DataTextReachesTheDatabaseUntouched) {
  // Duplicate keys inside data are the database's to reject, not silently
  // resolved by the line parser.
  CliRun r = Run(db_a_, {"import"}, "{\"coll\":\"c\",\"id\":\"1\",\"data\":{\"k\":1,\"k\":2}}\n");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.out, "{\"imported\":0,\"seq\":0}\n");
  EXPECT_EQ(r.err, "cairn: INVALID_ARGUMENT: line 1: document c/1: duplicate key \"k\" in $\n");
  EXPECT_EQ(Ok(db_a_, {"export"}), "");
}

}  // namespace
}  // namespace cairn
