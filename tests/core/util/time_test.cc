#include "util/time.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <random>
#include <string>
#include <utility>

namespace cairn {
namespace {

std::string Normal(std::string_view text) {
  Result<std::string> r = NormalizeInstant(text);
  EXPECT_TRUE(r.ok()) << text << ": " << r.status().ToString();
  return r.ok() ? *r : "<error>";
}

TEST(TimeTest, ValidFormsAndTheirNormalForm) {
  const struct {
    const char* input;
    const char* normal;
  } cases[] = {
      {"2024-05-01T12:00:00Z", "2024-05-01T12:00:00.000Z"},
      {"2024-05-01T12:00:00.5+02:00", "2024-05-01T10:00:00.500Z"},
      {"2024-05-01t12:00:00-0530", "2024-05-01T17:30:00.000Z"},
      {"2024-05-01 12:00Z", "2024-05-01T12:00:00.000Z"},
      {"2024-05-01T12:00z", "2024-05-01T12:00:00.000Z"},
      {"2024-05-01", "2024-05-01T00:00:00.000Z"},
      {"2024-05-01T12:34:56.789Z", "2024-05-01T12:34:56.789Z"},
      {"2024-05-01T12:34:56.7Z", "2024-05-01T12:34:56.700Z"},
      {"2024-05-01T12:34:56.78Z", "2024-05-01T12:34:56.780Z"},
      {"2024-05-01T12:34:56.000000001Z", "2024-05-01T12:34:56.000Z"},
      {"2024-05-01T12:34:56.999999999999Z", "2024-05-01T12:34:56.999Z"},  // truncated
      {"2024-05-01T12:00:00+00:00", "2024-05-01T12:00:00.000Z"},
      {"2024-05-01T12:00:00-00:00", "2024-05-01T12:00:00.000Z"},
      {"2024-05-01T12:00:00+0000", "2024-05-01T12:00:00.000Z"},
      {"2024-05-01T00:00:00+23:59", "2024-04-30T00:01:00.000Z"},
      {"2024-05-01T23:59:59-23:59", "2024-05-02T23:58:59.000Z"},
      {"1970-01-01T00:00:00Z", "1970-01-01T00:00:00.000Z"},
      {"0000-01-01", "0000-01-01T00:00:00.000Z"},
      {"9999-12-31T23:59:59.999Z", "9999-12-31T23:59:59.999Z"},
      // Offsets that cross midnight, a month end, a leap day and a year end.
      {"2024-01-01T01:00:00+02:00", "2023-12-31T23:00:00.000Z"},
      {"2023-12-31T23:30:00-01:00", "2024-01-01T00:30:00.000Z"},
      {"2024-03-01T00:15:00+00:30", "2024-02-29T23:45:00.000Z"},
      {"2023-03-01T00:15:00+00:30", "2023-02-28T23:45:00.000Z"},
      {"2024-02-29T23:59:59.9999-01:00", "2024-03-01T00:59:59.999Z"},
      {"1969-12-31T23:59:59.9999Z", "1969-12-31T23:59:59.999Z"},
      {"1970-01-01T00:59:59.9999+01:00", "1969-12-31T23:59:59.999Z"},
  };
  for (const auto& c : cases) EXPECT_EQ(Normal(c.input), c.normal) << c.input;
}

TEST(TimeTest, Millis) {
  EXPECT_EQ(*ParseInstantMillis("1970-01-01T00:00:00Z"), 0);
  EXPECT_EQ(*ParseInstantMillis("1970-01-01T00:00:00.001Z"), 1);
  EXPECT_EQ(*ParseInstantMillis("1969-12-31T23:59:59.999Z"), -1);
  // Truncation is toward negative infinity on the timeline, also before 1970.
  EXPECT_EQ(*ParseInstantMillis("1969-12-31T23:59:59.9999Z"), -1);
  EXPECT_EQ(*ParseInstantMillis("1969-12-31T23:59:59.0001Z"), -1000);
  EXPECT_EQ(*ParseInstantMillis("2000-03-01"), 951868800000);
  EXPECT_EQ(*ParseInstantMillis("0000-01-01"), -62167219200000);
  EXPECT_EQ(*ParseInstantMillis("9999-12-31T23:59:59.999Z"), 253402300799999);
  EXPECT_EQ(FormatInstantMillis(0), "1970-01-01T00:00:00.000Z");
  EXPECT_EQ(FormatInstantMillis(-1), "1969-12-31T23:59:59.999Z");
  EXPECT_EQ(FormatInstantMillis(1714564800123), "2024-05-01T12:00:00.123Z");
  EXPECT_EQ(FormatInstantMillis(-62167219200000), "0000-01-01T00:00:00.000Z");
}

TEST(TimeTest, LeapYears) {
  for (const char* ok :
       {"2024-02-29", "2000-02-29", "1600-02-29", "0000-02-29", "0004-02-29", "9996-02-29"}) {
    EXPECT_TRUE(ParseInstantMillis(ok).ok()) << ok;
  }
  for (const char* bad : {"2023-02-29", "1900-02-29", "2100-02-29", "0100-02-29", "9999-02-29"}) {
    Result<int64_t> r = ParseInstantMillis(bad);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.status().message(), std::string("day 29 is out of range for ") +
                                        std::string(bad, 7) + " (01-28) at position 8 in \"" + bad +
                                        "\"");
  }
  EXPECT_EQ(ParseInstantMillis("2024-02-30").status().message(),
            "day 30 is out of range for 2024-02 (01-29) at position 8 in \"2024-02-30\"");
  EXPECT_EQ(ParseInstantMillis("2024-04-31").status().message(),
            "day 31 is out of range for 2024-04 (01-30) at position 8 in \"2024-04-31\"");
}

// Every day of two whole 400-year Gregorian cycles and of the years around
// 1970, 2000 and 9999, counted by a plain calendar walk: each date parses to
// the expected day number and formats back to itself.
TEST(TimeTest, EveryDayOfManyYears) {
  auto is_leap = [](int y) { return y % 4 == 0 && (y % 100 != 0 || y % 400 == 0); };
  // Days from 0000-01-01 to January 1st of year y: leap years in [0, y).
  auto days_before = [](int64_t y) {
    return 365 * y + (y + 3) / 4 - (y + 99) / 100 + (y + 399) / 400;
  };
  const int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  char date[] = "0000-01-01T23:59:59.999Z";
  const std::string_view date_only(date, 10);
  int failures = 0;
  for (const auto [first, last] : {std::pair{0, 800}, {1800, 2200}, {9600, 9999}}) {
    int64_t expected = (days_before(first) - days_before(1970)) * 86400000;
    for (int y = first; y <= last && failures < 10; y++) {
      for (int m = 1; m <= 12; m++) {
        const int days = kDays[m - 1] + (m == 2 && is_leap(y) ? 1 : 0);
        for (int d = 1; d <= days; d++) {
          const int fields[] = {y / 1000, y / 100 % 10, y / 10 % 10, y % 10, -1,
                                m / 10,   m % 10,       -1,          d / 10, d % 10};
          for (int i = 0; i < 10; i++) {
            date[i] = fields[i] < 0 ? '-' : static_cast<char>('0' + fields[i]);
          }
          Result<int64_t> r = ParseInstantMillis(date_only);
          if (!r.ok() || *r != expected || FormatInstantMillis(*r + 86399999) != date) {
            ADD_FAILURE() << date_only << " parsed as "
                          << (r.ok() ? std::to_string(*r) : r.status().ToString()) << ", expected "
                          << expected;
            failures++;
          }
          expected += 86400000;
        }
      }
    }
  }
  EXPECT_EQ(failures, 0);
}

TEST(TimeTest, RandomRoundTrip) {
  std::mt19937_64 rng(3);
  const int64_t lo = *ParseInstantMillis("0000-01-01");
  const int64_t hi = *ParseInstantMillis("9999-12-31T23:59:59.999Z");
  for (int i = 0; i < 100000; i++) {
    const int64_t ms = lo + static_cast<int64_t>(rng() % static_cast<uint64_t>(hi - lo + 1));
    const std::string text = FormatInstantMillis(ms);
    ASSERT_EQ(*ParseInstantMillis(text), ms) << text;
  }
}

TEST(TimeTest, Errors) {
  const struct {
    const char* input;
    const char* message;
  } cases[] = {
      {"", "expected 4-digit year at position 0 in \"\""},
      {"24-05-01", "expected 4-digit year at position 0 in \"24-05-01\""},
      {"+2024-05-01", "expected 4-digit year at position 0 in \"+2024-05-01\""},
      {"20240501", "expected '-' after the year at position 4 in \"20240501\""},
      {"2024-5-01", "expected 2-digit month at position 5 in \"2024-5-01\""},
      {"2024-00-01", "month 00 is out of range (01-12) at position 5 in \"2024-00-01\""},
      {"2024-13-01", "month 13 is out of range (01-12) at position 5 in \"2024-13-01\""},
      {"2024-05/01", "expected '-' after the month at position 7 in \"2024-05/01\""},
      {"2024-05-1", "expected 2-digit day at position 8 in \"2024-05-1\""},
      {"2024-05-00", "day 00 is out of range for 2024-05 (01-31) at position 8 in \"2024-05-00\""},
      {"2024-05-01x",
       "expected 'T' and a time after the date, or the end at position 10 in "
       "\"2024-05-01x\""},
      {"2024-05-01T", "expected 2-digit hour at position 11 in \"2024-05-01T\""},
      {"2024-05-01T12", "expected ':' after the hour at position 13 in \"2024-05-01T12\""},
      {"2024-05-01T24:00Z",
       "hour 24 is out of range (00-23) at position 11 in \"2024-05-01T24:00Z\""},
      {"2024-05-01T12:60Z",
       "minute 60 is out of range (00-59) at position 14 in \"2024-05-01T12:60Z\""},
      {"2024-05-01T12:00:6Z", "expected 2-digit second at position 17 in \"2024-05-01T12:00:6Z\""},
      {"2024-05-01T23:59:60Z",
       "second 60 is out of range (00-59; leap seconds are not supported) at position 17 in "
       "\"2024-05-01T23:59:60Z\""},
      {"2024-05-01T12:00:00",
       "expected time zone (Z or \xC2\xB1HH:MM) at position 19 in "
       "\"2024-05-01T12:00:00\""},
      {"2024-05-01T12:00",
       "expected time zone (Z or \xC2\xB1HH:MM) at position 16 in "
       "\"2024-05-01T12:00\""},
      {"2024-05-01T12:00:00.Z",
       "expected a digit after '.' at position 20 in "
       "\"2024-05-01T12:00:00.Z\""},
      {"2024-05-01T12:00.5Z",
       "expected time zone (Z or \xC2\xB1HH:MM) at position 16 in "
       "\"2024-05-01T12:00.5Z\""},
      {"2024-05-01T12:00:00 Z",
       "expected time zone (Z or \xC2\xB1HH:MM) at position 19 in "
       "\"2024-05-01T12:00:00 Z\""},
      {"2024-05-01T12:00:00+5",
       "expected 2-digit time zone hour at position 20 in "
       "\"2024-05-01T12:00:00+5\""},
      {"2024-05-01T12:00:00+05",
       "expected 2-digit time zone minute at position 22 in "
       "\"2024-05-01T12:00:00+05\""},
      {"2024-05-01T12:00:00+05:",
       "expected 2-digit time zone minute at position 23 in "
       "\"2024-05-01T12:00:00+05:\""},
      {"2024-05-01T12:00:00+24:00",
       "time zone hour 24 is out of range (00-23) at position 20 in "
       "\"2024-05-01T12:00:00+24:00\""},
      {"2024-05-01T12:00:00+05:60",
       "time zone minute 60 is out of range (00-59) at position 23 "
       "in \"2024-05-01T12:00:00+05:60\""},
      {"2024-05-01T12:00:00Zx",
       "expected the end after the time zone at position 20 in "
       "\"2024-05-01T12:00:00Zx\""},
      {"2024-05-01T12:00:00+05:30 ",
       "expected the end after the time zone at position 25 in "
       "\"2024-05-01T12:00:00+05:30 \""},
      // U+2212 MINUS SIGN is not '-'.
      {"2024-05-01T12:00:00\xE2\x88\x92"
       "05:00",
       "expected time zone (Z or \xC2\xB1HH:MM) at position 19 in "
       "\"2024-05-01T12:00:00\xE2\x88\x92"
       "05:00\""},
      // Control characters and invalid UTF-8 are shown escaped.
      {"2024-05-01\n",
       "expected 'T' and a time after the date, or the end at position 10 in "
       "\"2024-05-01\\n\""},
      {"2024-05-01\xFF",
       "expected 'T' and a time after the date, or the end at position 10 in "
       "\"2024-05-01\\xff\""},
      // Valid fields, but outside years 0000-9999 once in UTC.
      {"0000-01-01T00:00:00+00:01",
       "instant \"0000-01-01T00:00:00+00:01\" lies outside years 0000-9999 once converted to UTC"},
      {"9999-12-31T23:59:59-00:01",
       "instant \"9999-12-31T23:59:59-00:01\" lies outside years 0000-9999 once converted to UTC"},
  };
  for (const auto& c : cases) {
    Result<std::string> r = NormalizeInstant(c.input);
    ASSERT_FALSE(r.ok()) << c.input;
    EXPECT_EQ(r.status().code(), Code::kInvalidArgument) << c.input;
    EXPECT_EQ(r.status().message(), c.message) << c.input;
  }
  // Long text is shortened in the message.
  const std::string long_text = "2024-05-01T12:00:00Z" + std::string(100, 'x');
  EXPECT_EQ(ParseInstantMillis(long_text).status().message(),
            "expected the end after the time zone at position 20 in \"2024-05-01T12:00:00Z" +
                std::string(44, 'x') + "...\"");
}

}  // namespace
}  // namespace cairn
