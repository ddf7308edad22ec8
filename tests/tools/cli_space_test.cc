// The `cairn <dir> space ...` commands: spaces, points, branches, hyperedges.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>

#include "tests/tools/cli_test_util.h"

namespace cairn {
namespace {

using nlohmann::json;

class CliSpaceTest : public ::testing::Test {
 protected:
  CliRun Run(std::vector<std::string> args, std::string_view input = {}) {
    args.insert(args.begin(), {dir_.Sub("db"), "space"});
    return RunCairn(args, input);
  }
  // Runs a command that must succeed; returns its lines as JSON.
  std::vector<json> Ok(std::vector<std::string> args, std::string_view input = {}) {
    CliRun r = Run(args, input);
    EXPECT_EQ(r.exit_code, 0) << testing::PrintToString(args) << ": " << r.err;
    EXPECT_EQ(r.err, "");
    std::vector<json> out;
    for (const std::string& line : Lines(r.out)) out.push_back(ParseJson(line));
    return out;
  }
  TempDir dir_;
};

TEST_F(CliSpaceTest, CreateListDrop) {
  std::vector<json> created = Ok({"create", "geo", "--dims", "2", "--bits", "16"});
  ASSERT_EQ(created.size(), 1u);
  EXPECT_EQ(created[0], json::parse(R"({"name":"geo","dims":2,"bits":16,"created_seq":1})"));
  // Creating again with the same shape prints it again; bits default to 32.
  EXPECT_EQ(Ok({"create", "geo", "--dims", "2", "--bits", "16"})[0], created[0]);
  EXPECT_EQ(Ok({"create", "wide", "--dims", "3"})[0]["bits"], 32);
  CliRun r = Run({"create", "geo", "--dims", "3"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("cairn: INVALID_ARGUMENT: space geo exists with dims"), std::string::npos)
      << r.err;
  std::vector<json> all = Ok({"list"});
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0]["name"], "geo");
  EXPECT_EQ(all[1]["name"], "wide");
  EXPECT_TRUE(Ok({"drop", "wide"}).empty());
  EXPECT_EQ(Ok({"list"}).size(), 1u);
  r = Run({"drop", "wide"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("NOT_FOUND"), std::string::npos);
}

TEST_F(CliSpaceTest, InsertQueryDeleteHistory) {
  Ok({"create", "g", "--dims", "2", "--bits", "8"});
  EXPECT_EQ(Ok({"insert", "g", "1,2", R"({"t":1})"})[0], json::parse(R"({"point":[1,2],"seq":2})"));
  Ok({"insert", "g", "3,4", "-"}, "[1, \"two\"]\n");
  Ok({"insert", "g", "200,200", "null"});
  std::vector<json> box = Ok({"box", "g", "0,0", "10,10"});
  ASSERT_EQ(box.size(), 2u);
  EXPECT_EQ(box[0], json::parse(R"({"point":[1,2],"seq":2,"data":{"t":1}})"));
  EXPECT_EQ(box[1], json::parse(R"({"point":[3,4],"seq":3,"data":[1,"two"]})"));
  EXPECT_EQ(Ok({"box", "g", "0,0", "255,255", "--limit", "1"}).size(), 1u);
  EXPECT_EQ(Ok({"box", "g", "0,0", "255,255", "--as-of", "2"}).size(), 1u);
  EXPECT_EQ(Ok({"count", "g", "0,0", "255,255"})[0], json::parse(R"({"count":3})"));
  EXPECT_EQ(Ok({"count", "g", "0,0", "255,255", "--as-of", "3"})[0]["count"], 2);
  EXPECT_EQ(Ok({"subscope", "g", "3"}).size(), 1u);
  EXPECT_EQ(Ok({"subscope", "g"}).size(), 3u);
  EXPECT_EQ(Ok({"subscope", "g", ""}).size(), 3u);

  std::vector<json> near = Ok({"nearest", "g", "0,0", "--k", "2"});
  ASSERT_EQ(near.size(), 2u);
  EXPECT_EQ(near[0]["point"], json::parse("[1,2]"));
  EXPECT_DOUBLE_EQ(near[0]["distance"].get<double>(), std::sqrt(5.0));
  EXPECT_EQ(near[1]["point"], json::parse("[3,4]"));

  EXPECT_EQ(Ok({"delete", "g", "1,2"})[0],
            json::parse(R"({"point":[1,2],"seq":5,"deleted":true})"));
  std::vector<json> hist = Ok({"history", "g", "1,2"});
  ASSERT_EQ(hist.size(), 2u);
  EXPECT_EQ(hist[0], json::parse(R"({"point":[1,2],"seq":5,"data":null,"deleted":true})"));
  EXPECT_EQ(hist[1], json::parse(R"({"point":[1,2],"seq":2,"data":{"t":1},"deleted":false})"));
  CliRun r = Run({"delete", "g", "1,2"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("NOT_FOUND"), std::string::npos) << r.err;
  // A coordinate beyond the space's bits is the engine's INVALID_ARGUMENT.
  r = Run({"insert", "g", "1,256", "1"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("INVALID_ARGUMENT"), std::string::npos) << r.err;
  r = Run({"insert", "g", "1,1", "{bad"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("PARSE_ERROR"), std::string::npos) << r.err;
}

TEST_F(CliSpaceTest, ImportBatchesAndBytes) {
  Ok({"create", "g", "--dims", "2"});
  std::string input;
  for (int i = 0; i < 250; i++) {
    input +=
        R"({"point":[)" + std::to_string(i) + R"(,1],"data":{"i":)" + std::to_string(i) + "}}\n";
  }
  input +=
      "\n"
      R"({"point":[7,7],"bytes":"AAEC/w=="})"
      "\n";
  std::vector<json> out = Ok({"import", "g", "--batch", "100"}, input);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0], json::parse(R"({"imported":251,"seq":252})"));
  EXPECT_EQ(Ok({"count", "g", "0,0", "4294967295,4294967295"})[0]["count"], 251);
  std::vector<json> bytes = Ok({"box", "g", "7,7", "7,7"});
  ASSERT_EQ(bytes.size(), 1u);
  EXPECT_EQ(bytes[0], json::parse(R"({"point":[7,7],"seq":252,"bytes":"AAEC/w=="})"));
  EXPECT_FALSE(bytes[0].contains("data"));

  // box output imports as it is (into another branch here).
  Ok({"branch", "g", "copy"});
  CliRun box = Run({"box", "g", "0,0", "9,9"});
  EXPECT_EQ(Ok({"import", "g", "--branch", "copy"}, box.out)[0]["imported"], 11);

  // A bad line stops the import; the lines before it are kept.
  CliRun r = Run({"import", "g"}, R"({"point":[500,1],"data":1})"
                                  "\n"
                                  R"({"point":[501,-1],"data":1})"
                                  "\n");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("cairn: INVALID_ARGUMENT: line 2: point[1] must be an integer from 0 to "
                       "4294967295, got -1"),
            std::string::npos)
      << r.err;
  EXPECT_EQ(ParseJson(Lines(r.out).at(0))["imported"], 1);
  r = Run({"import", "g"}, R"({"point":[1,1]})"
                           "\n");
  EXPECT_NE(r.err.find("line 1: the line needs exactly one of \"data\" and \"bytes\""),
            std::string::npos)
      << r.err;
  r = Run({"import", "g"}, "{oops\n");
  EXPECT_NE(r.err.find("PARSE_ERROR: line 1: column"), std::string::npos) << r.err;
  // An engine failure names the line of the batch item.
  r = Run({"import", "g"}, R"({"point":[1,1],"data":1})"
                           "\n"
                           R"({"point":[1,1,1],"data":1})"
                           "\n");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("INVALID_ARGUMENT: line 2: point has 3"), std::string::npos) << r.err;
}

TEST_F(CliSpaceTest, BranchesDiffMerge) {
  Ok({"create", "m", "--dims", "1"});
  Ok({"insert", "m", "1", "1"});
  Ok({"insert", "m", "2", "2"});
  EXPECT_EQ(Ok({"branch", "m", "dev"})[0],
            json::parse(R"({"name":"dev","parent":"main","fork_seq":3,"created_seq":4})"));
  Ok({"insert", "m", "3", "\"new\"", "--branch", "dev"});
  Ok({"insert", "m", "1", "\"changed\"", "--branch", "dev"});
  Ok({"delete", "m", "2", "--branch", "dev"});
  EXPECT_EQ(Ok({"box", "m", "0", "9"}).size(), 2u);
  EXPECT_EQ(Ok({"box", "m", "0", "9", "--branch", "dev"}).size(), 2u);
  std::vector<json> diff = Ok({"diff", "m", "main", "dev"});
  ASSERT_EQ(diff.size(), 3u);
  EXPECT_EQ(diff[0], json::parse(R"({"change":"added","point":[3],"seq":5,"data":"new"})"));
  EXPECT_EQ(diff[1], json::parse(R"({"change":"removed","point":[2],"seq":3,"data":2})"));
  EXPECT_EQ(diff[2]["change"], "changed");
  EXPECT_EQ(diff[2]["from"]["data"], 1);
  EXPECT_EQ(diff[2]["to"]["data"], "changed");
  EXPECT_EQ(Ok({"branch", "m", "old", "--from", "main", "--at", "2"})[0]["fork_seq"], 2);
  EXPECT_EQ(Ok({"branches", "m"}).size(), 3u);
  Ok({"drop-branch", "m", "old"});
  EXPECT_EQ(Ok({"branches", "m"}).size(), 2u);
  CliRun r = Run({"drop-branch", "m", "main"});
  EXPECT_EQ(r.exit_code, 1);

  Ok({"insert", "m", "1", "\"main side\""});
  std::vector<json> report = Ok({"merge", "m", "dev", "main", "--strategy", "report"});
  ASSERT_EQ(report.size(), 1u);
  EXPECT_EQ(report[0]["applied"], 0);
  ASSERT_EQ(report[0]["conflicts"].size(), 1u);
  const json& c = report[0]["conflicts"][0];
  EXPECT_EQ(c["point"], json::parse("[1]"));
  EXPECT_EQ(c["base"]["data"], 1);
  EXPECT_EQ(c["source"]["data"], "changed");
  EXPECT_EQ(c["target"]["data"], "main side");
  std::vector<json> merged = Ok({"merge", "m", "dev", "main", "--strategy", "prefer-target"});
  EXPECT_EQ(merged[0]["applied"], 2);
  EXPECT_TRUE(Ok({"diff", "m", "main", "dev"}).size() == 1u);  // [1] kept the target's state
  EXPECT_EQ(Ok({"box", "m", "1", "1"})[0]["data"], "main side");
}

TEST_F(CliSpaceTest, Hyperedges) {
  Ok({"create", "a", "--dims", "2"});
  Ok({"create", "b", "--dims", "1"});
  std::vector<json> put =
      Ok({"edge", "put",
          R"({"kind":"road","ends":[{"space":"a","point":[0,0],"dir":"tail","role":"from"},)"
          R"({"space":"a","point":[1,1],"dir":"head"}],"weight":2.5,"meta":{"n":"A1"}})"});
  ASSERT_EQ(put.size(), 1u);
  const json& e = put[0];
  EXPECT_EQ(e["kind"], "road");
  EXPECT_EQ(e["weight"], 2.5);
  EXPECT_EQ(e["meta"], json::parse(R"({"n":"A1"})"));
  EXPECT_EQ(e["ends"][0], json::parse(R"({"space":"a","point":[0,0],"role":"from","dir":"tail"})"));
  EXPECT_EQ(e["ends"][1]["role"], nullptr);
  EXPECT_EQ(e["validFrom"], nullptr);
  // What edge put prints can be put again as it is.
  EXPECT_EQ(Ok({"edge", "put", "-"}, e.dump())[0]["id"], e["id"]);
  const uint64_t rail_seq =
      Ok({"edge", "put",
          R"({"id":"rail1","kind":"rail","ends":[{"space":"a","point":[1,1]},{"space":"b","point":[7]}]})"})
          .at(0)["seq"];
  EXPECT_EQ(Ok({"edge", "at", "a", "1,1"}).size(), 2u);
  EXPECT_EQ(Ok({"edge", "at", "a", "1,1", "--kind", "rail"}).size(), 1u);
  EXPECT_EQ(Ok({"edge", "kind", "road"}).size(), 1u);
  std::vector<json> hops = Ok({"edge", "traverse", "a", "0,0", "--depth", "2"});
  ASSERT_EQ(hops.size(), 2u);
  EXPECT_EQ(hops[0],
            json::parse(R"({"space":"a","point":[1,1],"depth":1,"via":)" + e["id"].dump() + "}"));
  EXPECT_EQ(hops[1]["space"], "b");
  EXPECT_EQ(Ok({"edge", "traverse", "a", "1,1", "--directed", "--kind", "road"}).size(), 0u);
  Ok({"edge", "delete", "rail1"});
  EXPECT_EQ(Ok({"edge", "kind", "rail"}).size(), 0u);
  EXPECT_EQ(Ok({"edge", "kind", "rail", "--as-of", std::to_string(rail_seq)}).size(), 1u);
  CliRun r = Run({"edge", "delete", "rail1"});
  EXPECT_EQ(r.exit_code, 1);
  r = Run({"edge", "put", R"({"kind":"k","ends":[{"space":"a","point":[0,0],"dir":"up"}]})"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("ends[0].dir must be \"tail\", \"head\" or null"), std::string::npos)
      << r.err;
  r = Run({"edge", "put", R"({"kind":"k","ends":[],"colour":1})"});
  EXPECT_NE(r.err.find("unknown edge field \"colour\""), std::string::npos) << r.err;
}

TEST_F(CliSpaceTest, UsageErrorsNameThePart) {
  struct Case {
    std::vector<std::string> args;
    std::string message;
    std::string topic;
  };
  const std::vector<Case> cases = {
      {{"box", "g", "0,x", "1,1"},
       "min corner '0,x': coordinate 2 'x' is not an integer from 0 to 4294967295",
       "space box"},
      {{"insert", "g", "1,,2", "1"}, "point '1,,2': coordinate 2 '' is empty", "space insert"},
      {{"insert", "g", "", "1"}, "point is empty; give its coordinates as x,y,...", "space insert"},
      {{"count", "g", "0,0", "1,4294967296"},
       "max corner '1,4294967296': coordinate 2 '4294967296' is not an integer from 0 to "
       "4294967295",
       "space count"},
      {{"nearest", "g", "1,-2", "--k", "1"},
       "point '1,-2': coordinate 2 '-2' is not an integer from 0 to 4294967295",
       "space nearest"},
      {{"nearest", "g", "1,1"}, "'space nearest' needs --k K", "space nearest"},
      {{"create", "g"}, "'space create' needs --dims D (1 to 16)", "space create"},
      {{"create", "g", "--dims", "17"},
       "--dims must be an integer from 1 to 16, got '17'",
       "space create"},
      {{"merge", "g", "a", "b"},
       "'space merge' needs --strategy (prefer-target, prefer-source, latest-wins or report)",
       "space merge"},
      {{"merge", "g", "a", "b", "--strategy", "newest"},
       "--strategy must be prefer-target, prefer-source, latest-wins or report, got 'newest'",
       "space merge"},
      {{"box", "g", "0,0"},
       "'space box' is missing operands; usage: cairn <dir> space box <name> <min> <max> "
       "[--as-of SEQ] [--branch NAME] [--limit N]",
       "space box"},
      {{"list", "--dims", "2"}, "'space list' does not accept --dims", "space list"},
      {{"frobnicate"},
       "unknown space subcommand 'frobnicate' (subcommands: create, list, drop, insert, delete, "
       "import, box, "
       "subscope, count, nearest, history, branch, branches, drop-branch, diff, merge, edge put, "
       "edge delete, "
       "edge at, edge kind, edge traverse)",
       "space"},
      {{},
       "'space' needs a subcommand: create, list, drop, insert, delete, import, box, subscope, "
       "count, nearest, "
       "history, branch, branches, drop-branch, diff, merge, edge put, edge delete, edge at, edge "
       "kind, "
       "edge traverse",
       "space"},
      {{"edge"}, "'space edge' needs a subcommand: put, delete, at, kind, traverse", "space"},
  };
  for (const Case& c : cases) {
    CliRun r = Run(c.args);
    const std::string where = testing::PrintToString(c.args);
    EXPECT_EQ(r.exit_code, 2) << where;
    EXPECT_EQ(r.out, "") << where;
    EXPECT_EQ(r.err, "cairn: USAGE: " + c.message + "\nrun 'cairn help" +
                         (c.topic.empty() ? "" : " " + c.topic) + "' for usage\n")
        << where;
  }
  // Usage errors never create the database; a space query on a missing one fails.
  EXPECT_FALSE(std::filesystem::exists(dir_.Sub("db")));
  CliRun r = Run({"list"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_FALSE(std::filesystem::exists(dir_.Sub("db")));
  // A space that does not exist.
  Ok({"create", "g", "--dims", "2"});
  r = Run({"box", "nope", "0,0", "1,1"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("NOT_FOUND: no space named \"nope\""), std::string::npos) << r.err;
  r = Run({"box", "g", "0,0,0", "1,1,1"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("INVALID_ARGUMENT"), std::string::npos) << r.err;
}

TEST_F(CliSpaceTest, HelpDocumentsEverySubcommand) {
  CliRun general = RunCairn({"--help"});
  for (const char* sub : {"create <name> [--dims D] [--bits B]",
                          "list",
                          "drop <name>",
                          "insert <name> <point> <json|->",
                          "delete <name> <point>",
                          "import <name>",
                          "box <name> <min> <max>",
                          "subscope <name>",
                          "count <name>",
                          "nearest <name> <point> [--k K]",
                          "history <name> <point>",
                          "branch <name> <branch> [--from NAME] [--at SEQ]",
                          "branches <name>",
                          "drop-branch <name> <branch>",
                          "diff <name> <from> <to>",
                          "merge <name> <source> <target> [--strategy S]",
                          "edge put <json|->",
                          "edge delete <id>",
                          "edge at <space> <point>",
                          "edge kind <kind>",
                          "edge traverse <space> <point>"}) {
    EXPECT_NE(general.out.find("\n  space " + std::string(sub)), std::string::npos) << sub;
  }
  for (const char* option : {"--dims D", "--bits B", "--branch NAME", "--from NAME", "--at SEQ",
                             "--k K", "--strategy S", "--kind KIND", "--directed"}) {
    EXPECT_NE(general.out.find("\n  " + std::string(option) + " "), std::string::npos) << option;
  }
  CliRun box = RunCairn({"help", "space", "box"});
  EXPECT_EQ(box.exit_code, 0);
  EXPECT_EQ(box.out.rfind("Usage: cairn <dir> space box <name> <min> <max> [--as-of SEQ] [--branch "
                          "NAME] [--limit N]\n",
                          0),
            0u)
      << box.out;
  EXPECT_EQ(RunCairn({dir_.Sub("db"), "space", "box", "--help"}).out, box.out);
  CliRun put = RunCairn({"help", "space", "edge", "put"});
  EXPECT_EQ(put.out.rfind("Usage: cairn <dir> space edge put <json|->", 0), 0u) << put.out;
  CliRun space = RunCairn({"help", "space"});
  EXPECT_NE(space.out.find("Subcommands:"), std::string::npos);
  EXPECT_NE(space.out.find("  space merge <name> <source> <target> [--strategy S]"),
            std::string::npos);
  EXPECT_EQ(RunCairn({"help", "space", "nope"}).exit_code, 2);
  EXPECT_FALSE(std::filesystem::exists(dir_.Sub("db")));
}

}  // namespace
}  // namespace cairn
