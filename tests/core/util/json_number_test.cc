// Canonical JSON numbers: fixed cases, and a cross-check of the portable
// shortest-digits search against std::to_chars on many doubles.
#include <gtest/gtest.h>

#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <random>
#include <string>

#include "util/json.h"

namespace cairn {
namespace {

std::string Canon(const std::string& text) {
  Result<std::string> r = CanonicalizeJson(text, JsonLimits());
  EXPECT_TRUE(r.ok()) << text << ": " << r.status().ToString();
  return r.ok() ? *r : "<error>";
}

std::string Number(double v) {
  std::string out;
  AppendJsonNumber(&out, v);
  return out;
}

TEST(JsonNumberTest, Literals) {
  const struct {
    const char* input;
    const char* canonical;
  } cases[] = {
      {"0", "0"},
      {"-0", "0"},
      {"-0.0", "0"},
      {"0e10", "0"},
      {"1.0", "1"},
      {"2.5e3", "2500"},
      {"1E2", "100"},
      {"100e-2", "1"},
      {"1e21", "1e+21"},
      {"1e20", "100000000000000000000"},
      {"123e18", "123000000000000000000"},
      {"1e-7", "1e-7"},
      {"1e-6", "0.000001"},
      {"1.5e-7", "1.5e-7"},
      {"0.1", "0.1"},
      {"0.10000", "0.1"},
      {"-1.5e-10", "-1.5e-10"},
      {"0.3333333333333333", "0.3333333333333333"},
      {"0.33333333333333333333", "0.3333333333333333"},
      {"0.30000000000000004", "0.30000000000000004"},
      {"5e-324", "5e-324"},
      {"2.4703282292062328e-324", "5e-324"},  // rounds up to the least subnormal
      {"2.2250738585072014e-308", "2.2250738585072014e-308"},
      {"1.7976931348623157e308", "1.7976931348623157e+308"},
      {"-1.7976931348623157e308", "-1.7976931348623157e+308"},
      {"1e-400", "0"},
      {"3.14159", "3.14159"},
      {"1234.5678", "1234.5678"},
      // Integers exact in int64/uint64 keep every digit.
      {"9007199254740993", "9007199254740993"},
      {"-9007199254740993", "-9007199254740993"},
      {"9223372036854775807", "9223372036854775807"},
      {"-9223372036854775808", "-9223372036854775808"},
      {"18446744073709551615", "18446744073709551615"},
      // Beyond them, and integral doubles >= 2^53, print as doubles.
      {"18446744073709551616", "18446744073709552000"},
      {"-9223372036854775809", "-9223372036854776000"},
      {"9007199254740993.0", "9007199254740992"},
      {"123456789012345678901234567890", "1.2345678901234568e+29"},
      {"9007199254740991.0", "9007199254740991"},
      {"9007199254740992.0", "9007199254740992"},
      {"1e100", "1e+100"},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(Canon(c.input), c.canonical) << "input: " << c.input;
  }
}

TEST(JsonNumberTest, AppendJsonNumber) {
  EXPECT_EQ(Number(0.0), "0");
  EXPECT_EQ(Number(-0.0), "0");
  EXPECT_EQ(Number(1.0), "1");
  EXPECT_EQ(Number(-42.0), "-42");
  EXPECT_EQ(Number(0.1 + 0.2), "0.30000000000000004");
  EXPECT_EQ(Number(1.0 / 3.0), "0.3333333333333333");
  EXPECT_EQ(Number(2.0 / 3.0), "0.6666666666666666");
  EXPECT_EQ(Number(9007199254740991.0), "9007199254740991");
  EXPECT_EQ(Number(-9007199254740991.0), "-9007199254740991");
  EXPECT_EQ(Number(9007199254740992.0), "9007199254740992");
  EXPECT_EQ(Number(std::ldexp(1.0, 60)), "1152921504606847000");
  EXPECT_EQ(Number(1e21), "1e+21");
  EXPECT_EQ(Number(123e-20), "1.23e-18");
  EXPECT_EQ(Number(std::numeric_limits<double>::denorm_min()), "5e-324");
  EXPECT_EQ(Number(-std::numeric_limits<double>::denorm_min()), "-5e-324");
  EXPECT_EQ(Number(std::numeric_limits<double>::max()), "1.7976931348623157e+308");
  EXPECT_EQ(Number(std::numeric_limits<double>::min()), "2.2250738585072014e-308");
  EXPECT_EQ(Number(std::numeric_limits<double>::epsilon()), "2.220446049250313e-16");
  // Powers of two where the nearest 16-digit decimal does not read back but
  // the one on the other side does (the gap below 2^k is half the gap above).
  EXPECT_EQ(Number(std::ldexp(1.0, -705)), "5.940911144672375e-213");
  EXPECT_EQ(Number(std::ldexp(1.0, -695)), "6.083493012144512e-210");
  // Not finite: like JSON.stringify.
  EXPECT_EQ(Number(std::numeric_limits<double>::infinity()), "null");
  EXPECT_EQ(Number(std::numeric_limits<double>::quiet_NaN()), "null");
}

// ECMAScript Number::toString built independently from std::to_chars's
// shortest round-trip digits.
std::string Reference(double v) {
  if (std::fabs(v) < 9007199254740992.0 && v == std::trunc(v)) {
    return std::to_string(static_cast<int64_t>(v));
  }
  char buf[64];
  const auto r = std::to_chars(buf, buf + sizeof(buf), v, std::chars_format::scientific);
  std::string s(buf, r.ptr);
  std::string out;
  if (s[0] == '-') {
    out = "-";
    s.erase(0, 1);
  }
  const size_t e = s.find('e');
  std::string digits;
  for (size_t i = 0; i < e; i++) {
    if (s[i] != '.') digits += s[i];
  }
  const int k = static_cast<int>(digits.size());
  const int n = std::stoi(s.substr(e + 1)) + 1;
  if (k <= n && n <= 21) {
    out += digits + std::string(n - k, '0');
  } else if (0 < n && n <= 21) {
    out += digits.substr(0, n) + "." + digits.substr(n);
  } else if (-6 < n && n <= 0) {
    out += "0." + std::string(-n, '0') + digits;
  } else {
    out += digits.substr(0, 1);
    if (k > 1) out += "." + digits.substr(1);
    out += n - 1 < 0 ? "e-" : "e+";
    out += std::to_string(std::abs(n - 1));
  }
  return out;
}

double FromBits(uint64_t bits) {
  double v;
  std::memcpy(&v, &bits, sizeof(v));
  return v;
}

TEST(JsonNumberTest, ShortestDigitsMatchToChars) {
  std::mt19937_64 rng(7);
  int checked = 0;
  auto check = [&](double v) {
    if (!std::isfinite(v)) return;
    checked++;
    ASSERT_EQ(Number(v), Reference(v)) << std::hexfloat << v;
  };
  // Every power of two and its neighbours: the asymmetric rounding gaps.
  for (int e = -1074; e <= 1023; e++) {
    const double p = std::ldexp(1.0, e);
    check(p);
    check(std::nextafter(p, 0.0));
    check(std::nextafter(p, 2 * p));
    check(-p);
  }
  // Random bit patterns: every exponent, mostly 16-17 digits.
  for (int i = 0; i < 300000; i++) check(FromBits(rng()));
  // Subnormals, where the 15-digit shortcut does not apply.
  for (int i = 0; i < 20000; i++) check(FromBits(rng() & 0x000FFFFFFFFFFFFFull));
  // Integral doubles around 2^53, 2^63 and 1e21, where the notation changes.
  for (double base : {9007199254740992.0, 9223372036854775808.0, 1e21, 1e22}) {
    double v = base;
    for (int i = 0; i < 200; i++, v = std::nextafter(v, 0.0)) check(v);
    v = base;
    for (int i = 0; i < 200; i++, v = std::nextafter(v, 1e300)) check(v);
  }
  // Short decimals with every decimal exponent near the notation switches.
  for (int e = -30; e <= 30; e++) {
    for (double m : {1.0, 1.5, 9.99, 123.456}) check(m * std::pow(10.0, e));
  }
  EXPECT_GT(checked, 320000);
}

// Parsed literals take a shortcut when they have at most 15 significant
// digits; it must agree with the general search.
TEST(JsonNumberTest, LiteralShortcutMatchesToChars) {
  std::mt19937_64 rng(11);
  for (int i = 0; i < 100000; i++) {
    const int digits = 1 + static_cast<int>(rng() % 17);
    std::string literal = rng() % 2 ? "-" : "";
    const int point = static_cast<int>(rng() % (digits + 1));
    for (int d = 0; d < digits; d++) {
      if (d == point && d > 0) literal += '.';
      literal += static_cast<char>('0' + (d == 0 ? 1 + rng() % 9 : rng() % 10));
    }
    const int exponent = static_cast<int>(rng() % 640) - 320;
    literal += "e" + std::to_string(exponent);
    const double v = std::strtod(literal.c_str(), nullptr);
    if (!std::isfinite(v)) continue;
    ASSERT_EQ(Canon(literal), Reference(v)) << literal;
  }
}

}  // namespace
}  // namespace cairn
