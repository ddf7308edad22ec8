// The file-name rules every backend enforces (cairn/storage.h).
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "cairn/status.h"
#include "cairn/storage.h"

namespace cairn {
namespace {

TEST(FileNameTest, AcceptsNamesOfTheAllowedBytes) {
  for (const std::string& name :
       {std::string("a"), std::string("seg-000001.log"), std::string("MANIFEST_2"),
        std::string("-"), std::string("_"), std::string("9"), std::string("a..b"),
        std::string("trailing."), std::string(64, 'z')}) {
    EXPECT_TRUE(IsValidFileName(name)) << name;
    Status s = CheckFileName(name);
    EXPECT_TRUE(s.ok()) << name << ": " << s.ToString();
  }
}

struct BadName {
  std::string name;
  std::string reason;  // a part of the message that says what is wrong
};

TEST(FileNameTest, RejectsOtherNamesSayingWhatIsWrong) {
  const std::vector<BadName> cases = {
      {"", "it is empty"},
      {std::string(65, 'n'), "65 bytes long; the limit is 64"},
      {".hidden", "starts with '.'"},
      {".", "starts with '.'"},
      {"..", "starts with '.'"},
      {"../x", "starts with '.'"},
      {"a/b", "byte 1 ('/')"},
      {"/abs", "byte 0 ('/')"},
      {"a\\b", "byte 1 ('\\x5c')"},
      {std::string("x\0y", 3), "byte 1 ('\\x00')"},
      {"sp ace", "byte 2 (' ')"},
      {"caf\xc3\xa9", "byte 3 ('\\xc3')"},
      {"a:b", "byte 1 (':')"},
  };
  for (const BadName& c : cases) {
    SCOPED_TRACE(c.reason);
    EXPECT_FALSE(IsValidFileName(c.name));
    Status s = CheckFileName(c.name);
    EXPECT_EQ(s.code(), Code::kInvalidArgument) << s.ToString();
    EXPECT_NE(s.message().find(c.reason), std::string::npos) << s.ToString();
  }
}

TEST(FileNameTest, MessageQuotesTheNameReadably) {
  Status s = CheckFileName("a/b");
  EXPECT_EQ(s.message().find("invalid file name \"a/b\""), 0u) << s.message();
  // Bytes that would garble a message are escaped.
  s = CheckFileName(std::string("x\0y", 3));
  EXPECT_NE(s.message().find("\"x\\x00y\""), std::string::npos) << s.message();
  // A very long name is quoted only in part.
  s = CheckFileName(std::string(1000, 'q'));
  EXPECT_NE(s.message().find(std::string(80, 'q') + "...\""), std::string::npos) << s.message();
  EXPECT_EQ(s.message().find(std::string(81, 'q')), std::string::npos);
}

}  // namespace
}  // namespace cairn
