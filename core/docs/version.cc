#include "cairn/db.h"
#include "util/json.h"

namespace cairn {
namespace {

void AppendHash(std::string* out, const std::optional<Hash>& h) {
  if (!h) {
    out->append("null");
    return;
  }
  out->push_back('"');
  out->append(h->ToHex());
  out->push_back('"');
}

}  // namespace

std::string Version::ToJson() const {
  std::string out;
  out.reserve(200 + data.size());
  out.append("{\"coll\":");
  AppendJsonString(&out, coll);
  out.append(",\"id\":");
  AppendJsonString(&out, id);
  out.append(",\"seq\":");
  out.append(std::to_string(seq));
  out.append(",\"hash\":");
  AppendHash(&out, hash);
  out.append(",\"prev\":");
  AppendHash(&out, prev);
  out.append(",\"caused_by\":[");
  for (size_t i = 0; i < caused_by.size(); i++) {
    if (i) out.push_back(',');
    AppendHash(&out, caused_by[i]);
  }
  out.append("],\"ts\":");
  out.append(std::to_string(ts));
  out.append(",\"valid_from\":");
  if (valid_from) AppendJsonString(&out, *valid_from); else out.append("null");
  out.append(",\"valid_to\":");
  if (valid_to) AppendJsonString(&out, *valid_to); else out.append("null");
  out.append(",\"deleted\":");
  out.append(deleted ? "true" : "false");
  out.append(",\"data\":");
  out.append(data);
  out.push_back('}');
  return out;
}

}  // namespace cairn
