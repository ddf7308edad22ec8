// Canonical JSON numbers (FORMAT.md, "Canonical JSON").
//
// A double that is integral with |x| < 2^53 prints as an integer. Any other
// finite double prints like ECMAScript Number.prototype.toString: the shortest
// decimal digits that read back (round to nearest even) as exactly the same
// double, the one nearest to it when several exist, in plain notation for
// decimal exponents -7 < e < 21 and in "d.ddde+n" form otherwise.
//
// The shortest digits come from correctly rounded printf("%.*e") plus strtod()
// checks rather than std::to_chars, which not every target's C++ library has
// for floating point. The strings handed to strtod() hold no decimal point, so
// the result does not depend on the C locale.
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "util/json.h"
#include "util/json_internal.h"

namespace cairn {

namespace {

constexpr double kTwoPow53 = 9007199254740992.0;

// A positive decimal 0.d1 d2 ... dk x 10^point, as in ECMAScript's
// Number::toString (point is its "n").
struct Decimal {
  char digits[20];
  int count = 0;
  int point = 0;
};

// A number's text, built in a caller's buffer of kMaxJsonNumberLength bytes;
// it takes at most 25 ("-0.00000" and 17 digits, or "-d." and 16 digits and
// "e-324").
class NumberText {
 public:
  explicit NumberText(char* buf) : bytes_(buf) {}

  void push_back(char c) { bytes_[size_++] = c; }
  void append(const char* p, size_t n) {
    std::memcpy(bytes_ + size_, p, n);
    size_ += n;
  }
  void append(size_t n, char c) {
    std::memset(bytes_ + size_, c, n);
    size_ += n;
  }
  size_t size() const { return size_; }

 private:
  char* bytes_;
  size_t size_ = 0;
};

void AppendInt64(NumberText* out, int64_t v) {
  char buf[24];
  char* end = buf + sizeof(buf);
  char* p = end;
  uint64_t u = v < 0 ? 0 - static_cast<uint64_t>(v) : static_cast<uint64_t>(v);
  do {
    *--p = static_cast<char>('0' + u % 10);
    u /= 10;
  } while (u != 0);
  if (v < 0) *--p = '-';
  out->append(p, static_cast<size_t>(end - p));
}

void StripTrailingZeros(Decimal* d) {
  while (d->count > 1 && d->digits[d->count - 1] == '0') d->count--;
}

// The double nearest to `d` (strtod rounding), read from "DDDDeX" form.
double ToDouble(const Decimal& d) {
  char buf[40];
  std::memcpy(buf, d.digits, static_cast<size_t>(d.count));
  char* p = buf + d.count;
  *p++ = 'e';
  int exponent = d.point - d.count;
  if (exponent < 0) {
    *p++ = '-';
    exponent = -exponent;
  }
  char rev[8];
  int n = 0;
  do {
    rev[n++] = static_cast<char>('0' + exponent % 10);
    exponent /= 10;
  } while (exponent != 0);
  while (n > 0) *p++ = rev[--n];
  *p = '\0';
  return std::strtod(buf, nullptr);
}

// `v` (> 0) correctly rounded to `precision` significant digits.
void RoundToDigits(double v, int precision, Decimal* d) {
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%.*e", precision - 1, v);
  // "d.ddde+XX"; the decimal point depends on the locale, so skip non-digits.
  const char* p = buf;
  d->count = 0;
  for (; *p != '\0' && *p != 'e'; p++) {
    if (*p >= '0' && *p <= '9' && d->count < precision) d->digits[d->count++] = *p;
  }
  int exponent = 0;
  if (*p == 'e') exponent = static_cast<int>(std::strtol(p + 1, nullptr, 10));
  d->point = exponent + 1;
}

// Moves `d` by one unit in its last digit, up or down, keeping its digit
// count. False when that is impossible without changing the count (999 + 1).
bool StepOneUnit(Decimal* d, bool up) {
  if (up) {
    for (int i = d->count - 1; i >= 0; i--) {
      if (d->digits[i] != '9') {
        d->digits[i]++;
        return true;
      }
      d->digits[i] = '0';
    }
    return false;
  }
  for (int i = d->count - 1; i >= 0; i--) {
    if (d->digits[i] != '0') {
      d->digits[i]--;
      if (d->digits[0] == '0') {
        // 100..0 - 1 unit: the next lower value with as many digits is 99..9
        // one decade down.
        std::memset(d->digits, '9', static_cast<size_t>(d->count));
        d->point--;
      }
      return true;
    }
    d->digits[i] = '9';
  }
  return false;
}

// The nearest `precision`-digit decimal that reads back as `v`, if any. The
// round-trip interval of v always contains v, so when any such decimal
// exists, one of the two that bracket v does; the nearest is tried first.
bool ShortestAtPrecision(double v, int precision, Decimal* d, bool try_far_side = true) {
  RoundToDigits(v, precision, d);
  const double back = ToDouble(*d);
  if (back == v) return true;
  if (!try_far_side) return false;
  // The nearest missed: at a power of two the interval is narrower below v
  // than above it, so the decimal on the far side may still read back.
  if (!StepOneUnit(d, back < v)) return false;
  return ToDouble(*d) == v;
}

// The shortest round-trip digits of v > 0, trailing zeros removed.
void ShortestDecimal(double v, Decimal* d) {
  if (std::fpclassify(v) == FP_NORMAL) {
    // Two distinct decimals with at most 15 significant digits never read
    // back as the same normal double (DBL_DIG is 15). So if the nearest
    // 15-digit decimal reads back, its digits with trailing zeros removed are
    // the shortest; otherwise 16 or 17 digits are needed, and 17 always do.
    // (15-digit decimals are too far apart for the far side to read back.)
    if (ShortestAtPrecision(v, 15, d, /*try_far_side=*/false) || ShortestAtPrecision(v, 16, d)) {
      StripTrailingZeros(d);
      return;
    }
    RoundToDigits(v, 17, d);
    StripTrailingZeros(d);
    return;
  }
  // Subnormal: the 15-digit argument does not hold; search upward.
  for (int precision = 1; precision < 17; precision++) {
    if (ShortestAtPrecision(v, precision, d)) {
      StripTrailingZeros(d);
      return;
    }
  }
  RoundToDigits(v, 17, d);
  StripTrailingZeros(d);
}

// ECMAScript Number::toString, steps 5-10, for the digits of |x|.
void AppendEcmaScript(NumberText* out, const Decimal& d, bool negative) {
  const int k = d.count;
  const int n = d.point;
  const auto len = [](int v) { return static_cast<size_t>(v); };
  if (negative) out->push_back('-');
  if (k <= n && n <= 21) {
    out->append(d.digits, len(k));
    out->append(len(n - k), '0');
  } else if (0 < n && n <= 21) {
    out->append(d.digits, len(n));
    out->push_back('.');
    out->append(d.digits + n, len(k - n));
  } else if (-6 < n && n <= 0) {
    out->append("0.", 2);
    out->append(len(-n), '0');
    out->append(d.digits, len(k));
  } else {
    out->push_back(d.digits[0]);
    if (k > 1) {
      out->push_back('.');
      out->append(d.digits + 1, len(k - 1));
    }
    out->push_back('e');
    const int exponent = n - 1;
    out->push_back(exponent < 0 ? '-' : '+');
    AppendInt64(out, exponent < 0 ? -exponent : exponent);
  }
}

// Prints `v` as an integer when it is integral and |v| < 2^53 (-0.0 as 0).
bool AppendIfSmallInteger(NumberText* out, double v) {
  if (!(std::fabs(v) < kTwoPow53)) return false;
  const int64_t i = static_cast<int64_t>(v);
  if (static_cast<double>(i) != v) return false;
  AppendInt64(out, i);
  return true;
}

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// The significant digits of a JSON number literal when there are at most 15
// of them. The parser may have replaced '.' with the C locale's decimal
// point, so any single non-digit before the exponent is taken as the point.
bool LiteralDigits(std::string_view literal, Decimal* d) {
  constexpr int64_t kExponentCap = int64_t{1} << 40;
  size_t i = 0;
  if (i < literal.size() && literal[i] == '-') i++;
  int64_t point = 0;
  int64_t leading_zeros = 0;
  bool seen_nonzero = false;
  int count = 0;
  int zeros_pending = 0;  // zeros after the last nonzero digit
  bool in_fraction = false;
  for (; i < literal.size() && literal[i] != 'e' && literal[i] != 'E'; i++) {
    const char c = literal[i];
    if (!IsDigit(c)) {
      if (in_fraction) return false;
      in_fraction = true;
      continue;
    }
    if (!in_fraction) point++;
    if (c == '0') {
      if (!seen_nonzero) {
        leading_zeros++;
      } else {
        zeros_pending++;
      }
      continue;
    }
    seen_nonzero = true;
    if (count + zeros_pending + 1 > 15) return false;
    for (; zeros_pending > 0; zeros_pending--) d->digits[count++] = '0';
    d->digits[count++] = c;
  }
  if (!seen_nonzero || point > kExponentCap || leading_zeros > kExponentCap) return false;
  int64_t exponent = 0;
  if (i < literal.size()) {
    i++;  // 'e' or 'E'
    bool negative = false;
    if (i < literal.size() && (literal[i] == '+' || literal[i] == '-')) {
      negative = literal[i] == '-';
      i++;
    }
    for (; i < literal.size(); i++) {
      if (!IsDigit(literal[i])) return false;
      exponent = exponent * 10 + (literal[i] - '0');
      if (exponent > kExponentCap) return false;
    }
    if (negative) exponent = -exponent;
  }
  const int64_t n = point - leading_zeros + exponent;
  if (n > 400 || n < -400) return false;
  d->count = count;
  d->point = static_cast<int>(n);
  return true;
}

}  // namespace

void AppendJsonNumber(std::string* out, double v) {
  // The contract requires a finite value; like JSON.stringify, anything else
  // becomes null rather than text that is not JSON.
  if (!std::isfinite(v)) {
    out->append("null", 4);
    return;
  }
  char buf[json_internal::kMaxJsonNumberLength];
  NumberText text(buf);
  if (!AppendIfSmallInteger(&text, v)) {
    Decimal d;
    ShortestDecimal(std::fabs(v), &d);
    AppendEcmaScript(&text, d, std::signbit(v));
  }
  out->append(buf, text.size());
}

namespace json_internal {

size_t FormatJsonNumberLiteral(double v, std::string_view literal, char* buf) {
  NumberText text(buf);
  if (!AppendIfSmallInteger(&text, v)) {
    Decimal d;
    // Fifteen or fewer significant digits that read as a normal double are
    // the only decimal of that length to do so (see ShortestDecimal), hence
    // the shortest ones.
    if (!(std::fpclassify(v) == FP_NORMAL && LiteralDigits(literal, &d))) {
      ShortestDecimal(std::fabs(v), &d);
    }
    AppendEcmaScript(&text, d, std::signbit(v));
  }
  return text.size();
}

void AppendJsonNumberLiteral(std::string* out, double v, std::string_view literal) {
  if (!std::isfinite(v)) {
    out->append("null", 4);
    return;
  }
  char buf[kMaxJsonNumberLength];
  out->append(buf, FormatJsonNumberLiteral(v, literal, buf));
}

}  // namespace json_internal
}  // namespace cairn
