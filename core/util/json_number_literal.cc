// The value of a JSON number literal, for parsers that report numbers as
// text: the reference parser's split into integers and doubles, and a
// correctly rounded conversion to double that does not depend on the C
// locale.
#include <cfloat>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "util/json_internal.h"

namespace cairn {
namespace json_internal {

namespace {

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// 10^0 .. 10^22: every one is exact as a double (5^22 < 2^53).
constexpr double kExactPowersOfTen[] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                        1e8,  1e9,  1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
                                        1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};
constexpr int kMaxExactPowerOfTen = 22;
constexpr uint64_t kTwoPow53 = uint64_t{1} << 53;

// One IEEE operation on exact operands rounds correctly only when double
// arithmetic is not carried out in a wider format.
constexpr bool kDoubleArithmeticIsExact = FLT_EVAL_METHOD == 0;

// Exponents stop growing once they reach this magnitude, far beyond any
// exponent that changes the result (a literal would need about 2^59 digits to
// make up for it), and long before int64 arithmetic on them could overflow.
constexpr int64_t kExponentCap = int64_t{1} << 59;

// Clinger's fast path: mantissa x 10^e computed with exact operands and a
// single rounding, hence correctly rounded. False when that is not possible.
bool ExactProduct(uint64_t mantissa, int64_t e, double* v) {
  if (!kDoubleArithmeticIsExact || mantissa > kTwoPow53) return false;
  if (e >= 0 && e <= kMaxExactPowerOfTen) {
    *v = static_cast<double>(mantissa) * kExactPowersOfTen[e];
    return true;
  }
  if (e < 0 && e >= -kMaxExactPowerOfTen) {
    *v = static_cast<double>(mantissa) / kExactPowersOfTen[-e];
    return true;
  }
  if (e <= kMaxExactPowerOfTen) return false;
  // Move the exponent's excess into the mantissa while it stays exact.
  for (; e > kMaxExactPowerOfTen; e--) {
    if (mantissa > kTwoPow53 / 10) return false;
    mantissa *= 10;
  }
  *v = static_cast<double>(mantissa) * kExactPowersOfTen[kMaxExactPowerOfTen];
  return true;
}

// The significant digits of a JSON number literal: its digits before any
// exponent, without the leading zeros.
std::string SignificantDigits(std::string_view literal) {
  std::string digits;
  for (const char c : literal) {
    if (c == 'e' || c == 'E') break;
    if (IsDigit(c) && !(digits.empty() && c == '0')) digits += c;
  }
  return digits;
}

// strtod() of `digits` x 10^exponent, written without a decimal point so
// that the C locale does not matter.
double StrtodDigits(std::string digits, int64_t exponent) {
  digits += 'e';
  digits += std::to_string(exponent);
  return std::strtod(digits.c_str(), nullptr);
}

}  // namespace

bool JsonIntegerLiteral(std::string_view literal, bool* negative, uint64_t* magnitude) {
  constexpr uint64_t kMaxOverTen = UINT64_MAX / 10;    // 1844674407370955161
  constexpr unsigned kMaxLastDigit = UINT64_MAX % 10;  // 5
  size_t i = 0;
  *negative = !literal.empty() && literal[0] == '-';
  if (*negative) i++;
  uint64_t m = 0;
  for (; i < literal.size(); i++) {
    const char c = literal[i];
    if (!IsDigit(c)) return false;  // a fraction or an exponent
    const unsigned d = static_cast<unsigned>(c - '0');
    if (m > kMaxOverTen || (m == kMaxOverTen && d > kMaxLastDigit)) return false;
    m = m * 10 + d;
  }
  if (*negative && m > (uint64_t{1} << 63)) return false;
  *magnitude = m;
  return true;
}

double JsonLiteralToDouble(std::string_view literal) {
  // The literal's value is D x 10^e for its significant digits D (the
  // first up to 19 of them in `mantissa`, `count` in all).
  const char* p = literal.data();
  const char* const end = p + literal.size();
  const bool negative = p < end && *p == '-';
  if (negative) p++;
  uint64_t mantissa = 0;
  int64_t count = 0;
  int64_t fraction_digits = 0;
  bool in_fraction = false;
  for (; p < end; p++) {
    const char c = *p;
    if (c == '.') {
      in_fraction = true;
      continue;
    }
    if (!IsDigit(c)) break;  // the exponent's 'e' or 'E'
    if (in_fraction) fraction_digits++;
    if (count == 0 && c == '0') continue;
    if (++count <= 19) mantissa = mantissa * 10 + static_cast<unsigned>(c - '0');
  }
  int64_t exponent = 0;
  if (p < end) {
    p++;
    bool exponent_negative = false;
    if (p < end && (*p == '+' || *p == '-')) exponent_negative = *p++ == '-';
    for (; p < end; p++) {
      if (exponent < kExponentCap) exponent = exponent * 10 + (*p - '0');
    }
    if (exponent_negative) exponent = -exponent;
  }
  const int64_t e = exponent - fraction_digits;
  const double zero = negative ? -0.0 : 0.0;
  if (count == 0) return zero;

  double v;
  if (count <= 19 && ExactProduct(mantissa, e, &v)) return negative ? -v : v;

  // D x 10^e lies in [10^(count-1+e), 10^(count+e)). Beyond DBL_MAX
  // (< 10^309) it is infinite; below 10^-324, less than half the smallest
  // subnormal (4.9e-324), it rounds to zero. In between, e is small enough
  // to print.
  if (count - 1 + e >= 309) return negative ? -HUGE_VAL : HUGE_VAL;
  if (count + e <= -324) return zero;
  v = StrtodDigits(SignificantDigits(literal), e);
  return negative ? -v : v;
}

}  // namespace json_internal
}  // namespace cairn
