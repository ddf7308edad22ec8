// Checks of caller-supplied names and options against Limits.
#ifndef CAIRN_DOCS_VALIDATE_H_
#define CAIRN_DOCS_VALIDATE_H_

#include <string_view>

#include "cairn/db.h"
#include "cairn/options.h"
#include "cairn/status.h"

namespace cairn {

// 1..max_collection_bytes of [A-Za-z0-9_-], starting with a letter or '_'.
Status ValidateCollection(std::string_view coll, const Limits& limits);

// 1..max_id_bytes of valid UTF-8 without control characters (U+0000-U+001F,
// U+007F).
Status ValidateId(std::string_view id, const Limits& limits);

// caused_by count; valid_from / valid_to parse as instants and are normalised
// into *out; valid_from < valid_to when both are set.
Status ValidateWriteOptions(const WriteOptions& in, const Limits& limits, WriteOptions* out);

}  // namespace cairn

#endif  // CAIRN_DOCS_VALIDATE_H_
