#include "docs/validate.h"

#include "util/json.h"
#include "util/time.h"

namespace cairn {

Status ValidateCollection(std::string_view coll, const Limits& limits) {
  if (coll.empty()) return Status::InvalidArgument("collection name is empty");
  if (coll.size() > limits.max_collection_bytes) {
    return Status::InvalidArgument("collection name is " + std::to_string(coll.size()) +
                                   " bytes; the limit is " +
                                   std::to_string(limits.max_collection_bytes));
  }
  for (size_t i = 0; i < coll.size(); i++) {
    char c = coll[i];
    bool letter = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
    bool ok = letter || (i > 0 && ((c >= '0' && c <= '9') || c == '-'));
    if (!ok) {
      const unsigned char u = static_cast<unsigned char>(c);
      std::string shown = (u >= 0x20 && u < 0x7f)
                              ? std::string("'") + c + "'"
                              : "byte " + std::to_string(static_cast<unsigned char>(c));
      return Status::InvalidArgument(
          "collection name has " + shown + " at position " + std::to_string(i) +
          "; names use letters, digits, '_' and '-' and start with a letter or '_'");
    }
  }
  return Status::OK();
}

Status ValidateId(std::string_view id, const Limits& limits) {
  if (id.empty()) return Status::InvalidArgument("document id is empty");
  if (id.size() > limits.max_id_bytes) {
    return Status::InvalidArgument("document id is " + std::to_string(id.size()) +
                                   " bytes; the limit is " + std::to_string(limits.max_id_bytes));
  }
  if (!IsValidUtf8(id)) return Status::InvalidArgument("document id is not valid UTF-8");
  for (size_t i = 0; i < id.size(); i++) {
    unsigned char c = static_cast<unsigned char>(id[i]);
    if (c < 0x20 || c == 0x7f) {
      return Status::InvalidArgument("document id has control character " + std::to_string(c) +
                                     " at position " + std::to_string(i));
    }
  }
  return Status::OK();
}

Status ValidateWriteOptions(const WriteOptions& in, const Limits& limits, WriteOptions* out) {
  if (in.caused_by.size() > limits.max_caused_by) {
    return Status::InvalidArgument("caused_by has " + std::to_string(in.caused_by.size()) +
                                   " entries; the limit is " +
                                   std::to_string(limits.max_caused_by));
  }
  out->caused_by = in.caused_by;
  int64_t from = 0, to = 0;
  out->valid_from.reset();
  out->valid_to.reset();
  if (in.valid_from) {
    auto ms = ParseInstantMillis(*in.valid_from);
    if (!ms.ok()) return ms.status().WithContext("valid_from");
    from = *ms;
    out->valid_from = FormatInstantMillis(from);
  }
  if (in.valid_to) {
    auto ms = ParseInstantMillis(*in.valid_to);
    if (!ms.ok()) return ms.status().WithContext("valid_to");
    to = *ms;
    out->valid_to = FormatInstantMillis(to);
  }
  if (in.valid_from && in.valid_to && !(from < to)) {
    return Status::InvalidArgument("valid_from " + *out->valid_from +
                                   " is not before valid_to " + *out->valid_to);
  }
  return Status::OK();
}

}  // namespace cairn
