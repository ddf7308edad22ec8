// Instants for valid time: ISO-8601 / RFC 3339 parsing and one normal form.
#ifndef CAIRN_UTIL_TIME_H_
#define CAIRN_UTIL_TIME_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "cairn/status.h"

namespace cairn {

// Parses an ISO-8601 instant with a time zone: "2024-05-01T12:00:00Z",
// "2024-05-01T12:00:00.5+02:00", "2024-05-01t12:00:00-0530",
// "2024-05-01 12:00Z" (seconds optional), or a date alone "2024-05-01"
// (midnight UTC). Returns milliseconds since the Unix epoch (UTC); fractional
// digits past milliseconds are truncated toward negative infinity. Years
// 0000-9999. INVALID_ARGUMENT naming the character position and what was
// expected; a time without a zone is rejected.
Result<int64_t> ParseInstantMillis(std::string_view text);

// Formats as "YYYY-MM-DDTHH:MM:SS.sssZ" (always UTC, always milliseconds).
// REQUIRES: the instant lies in years 0000-9999.
std::string FormatInstantMillis(int64_t millis);

// ParseInstantMillis then FormatInstantMillis: the stored normal form.
Result<std::string> NormalizeInstant(std::string_view text);

}  // namespace cairn

#endif  // CAIRN_UTIL_TIME_H_
