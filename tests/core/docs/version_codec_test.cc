// The FORMAT.md test vectors: canonical version bytes, BLAKE2b-256 hashes and
// the Merkle head, reproduced independently of Cairn.
#include "docs/version_codec.h"

#include <gtest/gtest.h>

#include "cairn/db.h"

namespace cairn {
namespace {

class StepClock final : public Clock {
 public:
  int64_t NowMillis() override { return now_++; }
  int64_t now_ = 1700000000000;
};

constexpr char kV1[] =
    R"({"caused_by":[],"coll":"blocks","data":{"hash":"00ab","height":618000},"deleted":false,)"
    R"("id":"618000","prev":null,"seq":1,"ts":1700000000000,"valid_from":null,"valid_to":null})";
constexpr char kH1[] = "fe6c598ba8c476f1667bec9b8c3ec950ef38abb1bbced78b3fe035d66c58602e";
constexpr char kH2[] = "fe8fc534da9c975a36448c112b3a54d64b30d592287360096e0e035127cd050f";
constexpr char kH3[] = "a734c83073a26f404ee80ada03d42a0610dbe69d70f70f2307d83d68e026d508";
constexpr char kHead1[] = "21ec95e284e447cc8bb313f08bdb34c6df97e1bf59369e97d40173b29dda64dc";
constexpr char kHead3[] = "39465cc1d69eb624e0a3f2d03d49445764d2407abeb9cc546aa441e38bdb6d77";

TEST(VersionCodecTest, FormatVectorsThroughThePublicApi) {
  StepClock clock;
  Options opts;
  opts.clock = &clock;
  auto db = Database::OpenInMemory(opts);
  ASSERT_TRUE(db.ok());
  auto v1 = (*db)->Put("blocks", "618000", R"({"height": 618000, "hash": "00ab"})");
  ASSERT_TRUE(v1.ok());
  EXPECT_EQ(CanonicalVersionBytes(*v1), kV1);
  EXPECT_EQ(v1->hash.ToHex(), kH1);
  auto h1 = (*db)->GetHead();
  ASSERT_TRUE(h1.ok());
  EXPECT_EQ(h1->head.ToHex(), kHead1);

  WriteOptions o;
  o.caused_by = {v1->hash};
  o.valid_from = "2024-05-01T12:00:00+02:00";
  auto v2 = (*db)->Put("blocks", "618001", "{\"note\": \"caf\\u00e9 \\\"q\\\"\\n\", \"height\": 618001}", o);
  ASSERT_TRUE(v2.ok()) << v2.status().ToString();
  EXPECT_EQ(v2->hash.ToHex(), kH2) << CanonicalVersionBytes(*v2);
  auto v3 = (*db)->Delete("blocks", "618000");
  ASSERT_TRUE(v3.ok());
  EXPECT_EQ(v3->hash.ToHex(), kH3) << CanonicalVersionBytes(*v3);
  auto h3 = (*db)->GetHead();
  ASSERT_TRUE(h3.ok());
  EXPECT_EQ(h3->seq, 3u);
  EXPECT_EQ(h3->head.ToHex(), kHead3);
}

TEST(VersionCodecTest, EntryRoundTripsEveryField) {
  Version v;
  v.coll = "c";
  v.id = "é/1";
  v.seq = 77;
  v.ts = -5;
  v.prev = Hash::Of("p");
  v.caused_by = {Hash::Of("a"), Hash::Of("b")};
  v.valid_from = "2024-01-01T00:00:00.000Z";
  v.valid_to = "2025-01-01T00:00:00.000Z";
  v.data = R"({"x":[1,2]})";
  std::string entry;
  EncodeVersionEntry(v, &entry);
  Version back;
  ASSERT_TRUE(DecodeVersionEntry(entry, &back).ok());
  EXPECT_EQ(CanonicalVersionBytes(back), CanonicalVersionBytes(v));
  // Every truncation and a trailing byte are rejected, never misread.
  for (size_t n = 0; n < entry.size(); n++) {
    Version partial;
    EXPECT_EQ(DecodeVersionEntry(std::string_view(entry).substr(0, n), &partial).code(),
              Code::kCorruption)
        << n;
  }
  EXPECT_FALSE(DecodeVersionEntry(entry + "x", &back).ok());
}

TEST(VersionCodecTest, ToJsonHasEveryField) {
  Version v;
  v.coll = "c";
  v.id = "i";
  v.seq = 3;
  v.data = "[1]";
  EXPECT_EQ(v.ToJson(),
            R"({"coll":"c","id":"i","seq":3,"hash":")" + Hash().ToHex() +
                R"(","prev":null,"caused_by":[],"ts":0,"valid_from":null,"valid_to":null,)"
                R"("deleted":false,"data":[1]})");
}

}  // namespace
}  // namespace cairn
