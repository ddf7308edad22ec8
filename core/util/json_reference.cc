// CanonicalizeJsonReference: nlohmann's SAX parser driving a CanonicalWriter.
//
// Slower than the fast path in json.cc, but it is the reference: its error
// messages are the ones CanonicalizeJson reports, and the fast path only
// accepts text that this parser accepts, with the same result.
//
// The parser reports errors through callbacks and the handler stops it by
// returning false, so nothing here throws.
#include <cstdint>
#include <cstring>
#include <nlohmann/json.hpp>
#include <string>

#include "util/json.h"
#include "util/json_internal.h"

namespace cairn {
namespace json_internal {

namespace {

using Json = nlohmann::json;

// Forwards the parser's events to the writer, and its syntax errors into the
// writer's status.
class ReferenceHandler {
 public:
  ReferenceHandler(std::string_view text, CanonicalWriter* writer)
      : text_(text), writer_(*writer) {}

  // nlohmann SAX interface.
  bool null() { return writer_.Null(); }
  bool boolean(bool v) { return writer_.Bool(v); }
  bool number_integer(int64_t v) { return writer_.Integer(v); }
  bool number_unsigned(uint64_t v) { return writer_.Unsigned(v); }
  bool number_float(double v, const std::string& literal) { return writer_.Float(v, literal); }
  bool string(std::string& v) { return writer_.String(v); }
  bool binary(Json::binary_t&) {
    writer_.status() = Status::Internal("JSON parser produced a binary value");
    return false;
  }
  bool start_object(size_t) { return writer_.StartObject(); }
  bool key(std::string& k) { return writer_.Key(k); }
  bool end_object() { return writer_.EndObject(); }
  bool start_array(size_t) { return writer_.StartArray(); }
  bool end_array() { return writer_.EndArray(); }
  bool parse_error(size_t position, const std::string&, const Json::exception& e) {
    writer_.status() = JsonSyntaxError(text_, position, e.id, e.what());
    return false;
  }

 private:
  std::string_view text_;
  CanonicalWriter& writer_;
};

}  // namespace

Result<std::string> CanonicalizeJsonReference(std::string_view text, const JsonLimits& limits) {
  // RFC 8259 allows a parser to skip a byte order mark; canonical input is
  // strict JSON text, so it is an error rather than silently dropped bytes.
  if (text.starts_with("\xEF\xBB\xBF")) {
    return JsonErrorAt(text, 0, "a byte order mark (U+FEFF)", "a JSON value");
  }
  CanonicalWriter writer(limits, text.size(), &CanonicalWriter::Scratch::ForThisThread());
  ReferenceHandler handler(text, &writer);
  const bool ok = Json::sax_parse(text.data(), text.data() + text.size(), &handler,
                                  nlohmann::detail::input_format_t::json, /*strict=*/true,
                                  /*ignore_comments=*/false);
  if (!ok) {
    if (writer.status().ok()) return Status::Internal("JSON parser stopped without an error");
    return std::move(writer.status());
  }
  // The parser ends its input at a NUL byte outside a string (one inside a
  // string is an error already), so a NUL after a complete value would
  // silently cut the text short.
  if (const void* nul = std::memchr(text.data(), '\0', text.size()); nul != nullptr) {
    const size_t offset = static_cast<size_t>(static_cast<const char*>(nul) - text.data());
    return JsonErrorAt(text, offset, "control character U+0000", "end of input");
  }
  return writer.TakeOutput();
}

}  // namespace json_internal
}  // namespace cairn
