// ISO-8601 / RFC 3339 instants, parsed by hand: no OS time zone database and
// no libc time calls, so the result is the same on every host.
//
// Accepted:  YYYY-MM-DD
//            YYYY-MM-DD{T|t| }HH:MM[:SS[.fraction]]{Z|z|+HH:MM|-HH:MM|+HHMM|-HHMM}
// Dates are proleptic Gregorian, years 0000-9999. Seconds run 00-59: a leap
// second (:60) is rejected rather than folded into the next second, so that
// no two spellings name the same instant by accident. Hours run 00-23 (no
// 24:00). The fraction may have any number of digits; those past
// milliseconds are dropped, which rounds toward negative infinity because the
// fraction always adds to the local time.
#include "util/time.h"

#include <string>

#include "util/json_internal.h"

namespace cairn {

namespace {

constexpr int64_t kMillisPerDay = 86400000;
constexpr size_t kMaxQuotedText = 64;

// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's
// days_from_civil). REQUIRES: 1 <= m <= 12, 1 <= d <= 31.
constexpr int64_t DaysFromCivil(int64_t y, int64_t m, int64_t d) {
  y -= m <= 2 ? 1 : 0;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const int64_t yoe = y - era * 400;                                    // [0, 399]
  const int64_t doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;  // [0, 365]
  const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;            // [0, 146096]
  return era * 146097 + doe - 719468;
}

// The inverse of DaysFromCivil (Howard Hinnant's civil_from_days).
void CivilFromDays(int64_t z, int64_t* y, int* m, int* d) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const int64_t doe = z - era * 146097;                                       // [0, 146096]
  const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;  // [0, 399]
  const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);                // [0, 365]
  const int64_t mp = (5 * doy + 2) / 153;                                     // [0, 11]
  *d = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
  *m = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
  *y = yoe + era * 400 + (*m <= 2 ? 1 : 0);
}

bool IsLeapYear(int64_t y) { return y % 4 == 0 && (y % 100 != 0 || y % 400 == 0); }

int DaysInMonth(int64_t y, int m) {
  static const int kDays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && IsLeapYear(y) ? 29 : kDays[m - 1];
}

constexpr int64_t kMinMillis = DaysFromCivil(0, 1, 1) * kMillisPerDay;
constexpr int64_t kEndMillis = DaysFromCivil(10000, 1, 1) * kMillisPerDay;  // exclusive

class InstantParser {
 public:
  explicit InstantParser(std::string_view text) : text_(text) {}

  Result<int64_t> Parse() {
    int64_t year, month, day;
    CAIRN_RETURN_IF_ERROR(Number(4, "4-digit year", &year));
    CAIRN_RETURN_IF_ERROR(Char('-', "'-' after the year"));
    const size_t month_at = pos_;
    CAIRN_RETURN_IF_ERROR(Number(2, "2-digit month", &month));
    if (month < 1 || month > 12) {
      return Error(month_at, "month " + Two(month) + " is out of range (01-12)");
    }
    CAIRN_RETURN_IF_ERROR(Char('-', "'-' after the month"));
    const size_t day_at = pos_;
    CAIRN_RETURN_IF_ERROR(Number(2, "2-digit day", &day));
    const int days_in_month = DaysInMonth(year, static_cast<int>(month));
    if (day < 1 || day > days_in_month) {
      return Error(day_at, "day " + Two(day) + " is out of range for " + Four(year) + "-" +
                               Two(month) + " (01-" + std::to_string(days_in_month) + ")");
    }
    const int64_t date_millis = DaysFromCivil(year, month, day) * kMillisPerDay;
    if (AtEnd()) return date_millis;  // a date alone: midnight UTC

    if (Peek() != 'T' && Peek() != 't' && Peek() != ' ') {
      return Expected("'T' and a time after the date, or the end");
    }
    pos_++;
    int64_t hour, minute, second = 0, millis = 0;
    const size_t hour_at = pos_;
    CAIRN_RETURN_IF_ERROR(Number(2, "2-digit hour", &hour));
    if (hour > 23) return Error(hour_at, "hour " + Two(hour) + " is out of range (00-23)");
    CAIRN_RETURN_IF_ERROR(Char(':', "':' after the hour"));
    const size_t minute_at = pos_;
    CAIRN_RETURN_IF_ERROR(Number(2, "2-digit minute", &minute));
    if (minute > 59) return Error(minute_at, "minute " + Two(minute) + " is out of range (00-59)");
    if (!AtEnd() && Peek() == ':') {
      pos_++;
      const size_t second_at = pos_;
      CAIRN_RETURN_IF_ERROR(Number(2, "2-digit second", &second));
      if (second > 59) {
        return Error(second_at, "second " + Two(second) +
                                    " is out of range (00-59; leap seconds are not supported)");
      }
      if (!AtEnd() && Peek() == '.') {
        pos_++;
        if (AtEnd() || !IsDigit(Peek())) return Expected("a digit after '.'");
        int scale = 100;
        for (; !AtEnd() && IsDigit(Peek()); pos_++) {
          millis += (Peek() - '0') * scale;  // digits past the third add 0
          scale /= 10;
        }
      }
    }
    int64_t offset_minutes = 0;
    CAIRN_RETURN_IF_ERROR(Zone(&offset_minutes));
    if (!AtEnd()) return Expected("the end after the time zone");

    const int64_t local = date_millis + ((hour * 60 + minute) * 60 + second) * 1000 + millis;
    const int64_t utc = local - offset_minutes * 60000;
    if (utc < kMinMillis || utc >= kEndMillis) {
      return Status::InvalidArgument("instant " + Quote() +
                                     " lies outside years 0000-9999 once converted to UTC");
    }
    return utc;
  }

 private:
  static bool IsDigit(char c) { return c >= '0' && c <= '9'; }
  bool AtEnd() const { return pos_ >= text_.size(); }
  char Peek() const { return text_[pos_]; }

  Status Zone(int64_t* offset_minutes) {
    if (AtEnd()) return Expected("time zone (Z or \xC2\xB1HH:MM)");
    const char c = Peek();
    if (c == 'Z' || c == 'z') {
      pos_++;
      *offset_minutes = 0;
      return Status::OK();
    }
    if (c != '+' && c != '-') return Expected("time zone (Z or \xC2\xB1HH:MM)");
    pos_++;
    int64_t hours, minutes;
    const size_t hours_at = pos_;
    CAIRN_RETURN_IF_ERROR(Number(2, "2-digit time zone hour", &hours));
    if (hours > 23) {
      return Error(hours_at, "time zone hour " + Two(hours) + " is out of range (00-23)");
    }
    if (!AtEnd() && Peek() == ':') pos_++;
    const size_t minutes_at = pos_;
    CAIRN_RETURN_IF_ERROR(Number(2, "2-digit time zone minute", &minutes));
    if (minutes > 59) {
      return Error(minutes_at, "time zone minute " + Two(minutes) + " is out of range (00-59)");
    }
    *offset_minutes = (c == '-' ? -1 : 1) * (hours * 60 + minutes);
    return Status::OK();
  }

  Status Number(size_t digits, const char* what, int64_t* value) {
    *value = 0;
    for (size_t i = 0; i < digits; i++) {
      if (pos_ + i >= text_.size() || !IsDigit(text_[pos_ + i])) return Expected(what);
      *value = *value * 10 + (text_[pos_ + i] - '0');
    }
    pos_ += digits;
    return Status::OK();
  }

  Status Char(char c, const char* what) {
    if (AtEnd() || Peek() != c) return Expected(what);
    pos_++;
    return Status::OK();
  }

  Status Expected(const std::string& what) const { return Error(pos_, "expected " + what); }

  Status Error(size_t at, const std::string& what) const {
    return Status::InvalidArgument(what + " at position " + std::to_string(at) + " in " + Quote());
  }

  std::string Quote() const {
    std::string q;
    json_internal::AppendQuotedForMessage(&q, text_, kMaxQuotedText);
    return q;
  }

  static std::string Two(int64_t v) {
    return std::string(1, static_cast<char>('0' + v / 10)) + static_cast<char>('0' + v % 10);
  }
  static std::string Four(int64_t v) { return Two(v / 100) + Two(v % 100); }

  std::string_view text_;
  size_t pos_ = 0;
};

void AppendDigits(std::string* out, int64_t v, int width) {
  char buf[20];
  int n = 0;
  do {
    buf[n++] = static_cast<char>('0' + v % 10);
    v /= 10;
  } while (v != 0);
  for (int i = n; i < width; i++) out->push_back('0');
  while (n > 0) out->push_back(buf[--n]);
}

}  // namespace

Result<int64_t> ParseInstantMillis(std::string_view text) { return InstantParser(text).Parse(); }

std::string FormatInstantMillis(int64_t millis) {
  // Floor division, so that instants before 1970 land on the right day.
  int64_t days = millis / kMillisPerDay;
  int64_t ms_of_day = millis % kMillisPerDay;
  if (ms_of_day < 0) {
    ms_of_day += kMillisPerDay;
    days--;
  }
  int64_t year;
  int month, day;
  CivilFromDays(days, &year, &month, &day);
  std::string out;
  out.reserve(24);
  if (year >= 0 && year <= 9999) {
    AppendDigits(&out, year, 4);
  } else {
    // Outside the REQUIRES range: ISO-8601 expanded years rather than garbage.
    out.push_back(year < 0 ? '-' : '+');
    AppendDigits(&out, year < 0 ? -year : year, 6);
  }
  out.push_back('-');
  AppendDigits(&out, month, 2);
  out.push_back('-');
  AppendDigits(&out, day, 2);
  out.push_back('T');
  AppendDigits(&out, ms_of_day / 3600000, 2);
  out.push_back(':');
  AppendDigits(&out, ms_of_day / 60000 % 60, 2);
  out.push_back(':');
  AppendDigits(&out, ms_of_day / 1000 % 60, 2);
  out.push_back('.');
  AppendDigits(&out, ms_of_day % 1000, 3);
  out.push_back('Z');
  return out;
}

Result<std::string> NormalizeInstant(std::string_view text) {
  CAIRN_ASSIGN_OR_RETURN(const int64_t millis, ParseInstantMillis(text));
  return FormatInstantMillis(millis);
}

}  // namespace cairn
