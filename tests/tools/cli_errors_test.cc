// cairn usage errors, help, locking and damage detection.
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "tests/tools/cli_test_util.h"

namespace cairn {
namespace {

using nlohmann::json;

// `text` with its line wrapping undone (a newline and indentation -> a space).
std::string Unwrapped(const std::string& text) {
  std::string out;
  for (size_t i = 0; i < text.size(); i++) {
    if (text[i] != '\n') {
      out += text[i];
      continue;
    }
    out += ' ';
    while (i + 1 < text.size() && text[i + 1] == ' ') i++;
  }
  return out;
}

struct UsageCase {
  std::vector<std::string> args;  // "DB" stands for the database directory
  std::string message;            // after "cairn: USAGE: "
  std::string topic;              // the help the error points to ("" = general)
};

TEST(CliUsageTest, EveryUsageErrorExitsTwoAndTouchesNothing) {
  const std::string hex63 = std::string(63, 'a');
  const std::string range = "must be an integer from 0 to 18446744073709551615, got ";
  const std::vector<UsageCase> cases = {
      {{}, "missing <dir> and <command>; usage: cairn <dir> <command> ...", ""},
      {{"DB"}, "missing <command> after 'DB'", ""},
      {{"DB", "frob"}, "unknown command 'frob'", ""},
      {{"get", "DB", "c", "1"},
       "unknown command 'DB' (the database directory comes first: cairn <dir> get ...)",
       ""},
      {{"DB", "get", "users"},
       "'get' is missing operands; usage: cairn <dir> get <coll> <id> [--as-of SEQ]",
       "get"},
      {{"DB", "put", "c", "1", "{}", "extra"},
       "'put' takes at most 3 operands, got 4 (unexpected 'extra'); usage: cairn <dir> put "
       "<coll> <id> <json|-> [--caused-by H[,H...]] [--valid-from T] [--valid-to T]",
       "put"},
      {{"DB", "head", "x"}, "'head' takes no operands (unexpected 'x')", "head"},
      {{"DB", "compact", "x"}, "'compact' takes no operands (unexpected 'x')", "compact"},
      {{"DB", "import", "a", "b"},
       "'import' takes at most 1 operand, got 2 (unexpected 'b'); usage: cairn <dir> import "
       "[FILE|-] [--batch N]",
       "import"},
      {{"DB", "get", "c", "1", "--as-of", "12abc"}, "--as-of " + range + "'12abc'", "get"},
      {{"DB", "get", "c", "1", "--as-of", "-1"}, "--as-of " + range + "'-1'", "get"},
      {{"DB", "get", "c", "1", "--as-of="}, "--as-of " + range + "''", "get"},
      {{"DB", "get", "c", "1", "--as-of", "+3"}, "--as-of " + range + "'+3'", "get"},
      {{"DB", "get", "c", "1", "--as-of", " 3"}, "--as-of " + range + "' 3'", "get"},
      {{"DB", "get", "c", "1", "--as-of", "18446744073709551616"},
       "--as-of " + range + "'18446744073709551616'",
       "get"},
      {{"DB", "list", "c", "--limit", "1.5"}, "--limit " + range + "'1.5'", "list"},
      {{"DB", "list", "c", "--offset", "1e3"}, "--offset " + range + "'1e3'", "list"},
      {{"DB", "import", "--batch", "0"},
       "--batch must be an integer from 1 to 100000, got '0'",
       "import"},
      {{"DB", "head", "--cache-mb", "0"},
       "--cache-mb must be an integer from 1 to 1048576, got '0'",
       ""},
      {{"DB", "head", "--cache-mb", "64MB"},
       "--cache-mb must be an integer from 1 to 1048576, got '64MB'",
       ""},
      {{"DB", "head", "--bogus"}, "unknown option '--bogus'", ""},
      {{"DB", "get", "c", "-x"},
       "unknown option '-x' (to pass an operand that starts with '-', put it after \"--\")",
       ""},
      {{"DB", "get", "c", "1", "--limit", "2"}, "'get' does not accept --limit", "get"},
      {{"DB", "list", "c", "--limit", "1", "--limit", "2"},
       "--limit is given more than once",
       "list"},
      {{"DB", "get", "c", "1", "--as-of"}, "--as-of needs a value (SEQ)", ""},
      {{"DB", "head", "--relaxed=yes"}, "--relaxed takes no value", ""},
      {{"DB", "head", "--no-mmap=1"}, "--no-mmap takes no value", ""},
      {{"DB", "get-hash", "abc"},
       "get-hash: 'abc' is not a version hash: hash must be 64 hex digits, got 3 characters",
       "get-hash"},
      {{"DB", "get-hash", hex63 + "g"},
       "get-hash: '" + hex63 +
           "g' is not a version hash: hash has a non-hex character at "
           "position 63",
       "get-hash"},
      {{"DB", "put", "c", "1", "{}", "--caused-by", "zz"},
       "--caused-by: 'zz' is not a version hash: hash must be 64 hex digits, got 2 characters",
       "put"},
      {{"DB", "put", "c", "1", "{}", "--caused-by", std::string(64, 'a') + ","},
       "--caused-by has an empty entry in '" + std::string(64, 'a') + ",'",
       "put"},
      {{"help", "nope"}, "unknown command 'nope'", ""},
      {{"help", "put", "get"}, "'help' takes at most one command name", ""},
  };
  for (const UsageCase& c : cases) {
    TempDir tmp;
    const std::string db = tmp.Sub("db");
    std::vector<std::string> args;
    for (const std::string& a : c.args) args.push_back(a == "DB" ? db : a);
    std::string message = c.message;
    // Past each replacement: the temporary path may itself contain "DB".
    for (size_t p = 0; (p = message.find("DB", p)) != std::string::npos; p += db.size()) {
      message.replace(p, 2, db);
    }
    CliRun r = RunCairn(args);
    const std::string where = "args: " + testing::PrintToString(c.args);
    EXPECT_EQ(r.exit_code, 2) << where;
    EXPECT_EQ(r.out, "") << where;
    EXPECT_EQ(r.err, "cairn: USAGE: " + message + "\nrun 'cairn help" +
                         (c.topic.empty() ? "" : " " + c.topic) + "' for usage\n")
        << where;
    EXPECT_FALSE(std::filesystem::exists(db)) << where;
  }
}

TEST(CliHelpTest, HelpDocumentsEveryCommandAndOption) {
  CliRun r = RunCairn({"--help"});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.err, "");
  EXPECT_EQ(r.out.rfind("cairn: the command-line tool of the Cairn database\n", 0), 0u);
  for (const char* command :
       {"put <coll> <id> <json|->", "get <coll> <id>", "get-hash <hash>", "history <coll> <id>",
        "delete <coll> <id>", "list <coll>", "collections", "import [FILE|-]", "export [<coll>]",
        "verify", "head", "stats"}) {
    EXPECT_NE(r.out.find("\n  " + std::string(command) + " "), std::string::npos) << command;
  }
  for (const char* option : {"--as-of SEQ", "--limit N", "--offset N", "--caused-by H[,H...]",
                             "--valid-from T", "--valid-to T", "--history", "--batch N",
                             "--relaxed", "--no-direct-io", "--no-mmap", "--cache-mb N", "-h, --help"}) {
    EXPECT_NE(r.out.find("\n  " + std::string(option) + " "), std::string::npos) << option;
  }
  EXPECT_NE(Unwrapped(r.out).find("RISK: if the operating system crashes or the power fails"),
            std::string::npos);
  EXPECT_NE(r.out.find("Exit status:"), std::string::npos);
  EXPECT_NE(r.out.find("2  USAGE"), std::string::npos);
  EXPECT_EQ(RunCairn({"help"}).out, r.out);
  EXPECT_EQ(RunCairn({"-h"}).out, r.out);
}

TEST(CliHelpTest, EveryCommandHasItsOwnHelp) {
  TempDir tmp;
  const std::string db = tmp.Sub("db");
  for (const char* command : {"put", "get", "get-hash", "history", "delete", "list", "collections",
                              "import", "export", "verify", "head", "stats"}) {
    CliRun r = RunCairn({"help", command});
    EXPECT_EQ(r.exit_code, 0) << command;
    EXPECT_EQ(r.err, "");
    EXPECT_EQ(r.out.rfind("Usage: cairn <dir> " + std::string(command), 0), 0u) << r.out;
    // The same text after the command, with or without a directory.
    EXPECT_EQ(RunCairn({db, command, "--help"}).out, r.out) << command;
    EXPECT_EQ(RunCairn({command, "-h"}).out, r.out) << command;
  }
  EXPECT_FALSE(std::filesystem::exists(db));
  EXPECT_EQ(RunCairn({"help", "put"})
                .out.rfind("Usage: cairn <dir> put <coll> <id> <json|-> [--caused-by H[,H...]] "
                           "[--valid-from T] [--valid-to T]\n",
                           0),
            0u);
  const std::string import_help = Unwrapped(RunCairn({"help", "import"}).out);
  EXPECT_NE(import_help.find("every line before it is kept"), std::string::npos) << import_help;
}

TEST(CliLockTest, ASecondProcessGetsLocked) {
  TempDir tmp;
  const std::string db = tmp.Sub("db");
  ASSERT_EQ(RunCairn({db, "put", "c", "1", "1"}).exit_code, 0);
  // `import -` opens the database, then waits for its input.
  BackgroundCairn holder({db, "import", "-"});
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (!IsFlocked(db + "/LOCK") && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ASSERT_TRUE(IsFlocked(db + "/LOCK")) << "the first process never took the lock";

  for (const std::vector<std::string>& args :
       std::vector<std::vector<std::string>>{{db, "get", "c", "1"}, {db, "put", "c", "2", "2"}}) {
    CliRun second = RunCairn(args);
    EXPECT_EQ(second.exit_code, 1) << args[1];
    EXPECT_EQ(second.out, "");
    EXPECT_EQ(second.err.rfind("cairn: LOCKED: ", 0), 0u) << second.err;
    EXPECT_NE(second.err.find(db), std::string::npos) << second.err;
  }

  holder.Write("{\"coll\":\"c\",\"id\":\"2\",\"data\":2}\n");
  CliRun first = holder.Finish();
  EXPECT_EQ(first.exit_code, 0) << first.err;
  EXPECT_EQ(first.out, "{\"imported\":1,\"seq\":2}\n");
  EXPECT_EQ(first.err, "");
  EXPECT_EQ(RunCairn({db, "list", "c"}).exit_code, 0);  // released
}

TEST(CliVerifyTest, HealthyThenAFlippedByteIsReported) {
  TempDir tmp;
  const std::string db = tmp.Sub("db");
  ASSERT_EQ(RunCairn({db, "put", "docs", "a", R"({"v":"first"})"}).exit_code, 0);
  // b is too large for the index to hold a copy (kMaxInlineItemBytes in
  // core/docs/keys.h), so `get` reads it from the log.
  CliRun b = RunCairn({db, "put", "docs", "b",
                       R"({"pad":")" + std::string(1100, 'p') + R"(","secret":"ZZZZ-marker-ZZZZ"})"});
  ASSERT_EQ(b.exit_code, 0);
  const std::string hash_b = ParseJson(Lines(b.out).at(0))["hash"];
  const std::string c_line = RunCairn({db, "put", "docs", "c", R"({"v":"last"})"}).out;

  CliRun healthy = RunCairn({db, "verify"});
  EXPECT_EQ(healthy.exit_code, 0);
  EXPECT_EQ(healthy.out, "{\"ok\":true,\"checked\":3,\"tampered\":[],\"problems\":[]}\n");
  EXPECT_EQ(healthy.err, "");

  // Flip one bit inside document b's data, in whichever log segment holds it.
  int flipped = 0;
  for (const auto& entry : std::filesystem::directory_iterator(db)) {
    const std::string name = entry.path().filename().string();
    if (name.rfind("log-", 0) != 0) continue;
    std::string bytes = ReadFile(entry.path().string());
    const size_t at = bytes.find("ZZZZ-marker-ZZZZ");
    if (at == std::string::npos) continue;
    bytes[at + 5] ^= 0x01;  // "marker" -> "larker": still valid JSON, wrong hash
    WriteFile(entry.path().string(), bytes);
    flipped++;
  }
  ASSERT_EQ(flipped, 1);

  CliRun damaged = RunCairn({db, "verify"});
  EXPECT_EQ(damaged.exit_code, 1);
  const std::vector<std::string> out = Lines(damaged.out);
  ASSERT_EQ(out.size(), 1u);
  const json report = ParseJson(out[0]);
  EXPECT_EQ(report["ok"], false);
  EXPECT_EQ(report["checked"], 3);
  EXPECT_EQ(report["tampered"], json::array({hash_b}));
  ASSERT_FALSE(report["problems"].empty());
  EXPECT_NE(report["problems"][0].get<std::string>().find("log-000001.cairn at offset"),
            std::string::npos);
  const std::vector<std::string> err = Lines(damaged.err);
  ASSERT_GE(err.size(), 3u);
  EXPECT_EQ(err[0], "tampered version " + hash_b);
  EXPECT_EQ(err[1], "problem: " + report["problems"][0].get<std::string>());
  EXPECT_EQ(err.back().rfind("cairn: CORRUPTION: verify found damage: 1 tampered version and ", 0),
            0u)
      << err.back();

  // Reads of the damaged version fail loudly; the others still work.
  CliRun get_b = RunCairn({db, "get", "docs", "b"});
  EXPECT_EQ(get_b.exit_code, 1);
  EXPECT_EQ(get_b.out, "");
  EXPECT_EQ(get_b.err.rfind("cairn: CORRUPTION: version " + hash_b + " in log-000001.cairn", 0), 0u)
      << get_b.err;
  CliRun get_c = RunCairn({db, "get", "docs", "c"});
  EXPECT_EQ(get_c.exit_code, 0);
  EXPECT_EQ(get_c.out, c_line);
  CliRun export_all = RunCairn({db, "export"});
  EXPECT_EQ(export_all.exit_code, 1);
  EXPECT_EQ(export_all.err.rfind("cairn: CORRUPTION: ", 0), 0u) << export_all.err;
}

}  // namespace
}  // namespace cairn
