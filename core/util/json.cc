// CanonicalizeJson: RapidJSON's SAX reader drives a CanonicalWriter
// (json_writer.cc) in one pass over the text. Any text that this fast path
// does not accept goes to the reference path (json_reference.cc), which
// parses it again and reports the error exactly as it always has; errors are
// rare, so they may cost a second parse.
//
// The fast path must never accept text that the reference parser rejects,
// nor give a different result; it leaves to the reference path:
//  - anything RapidJSON reports as malformed, including every error in
//    numbers, and numbers it will not read (an exponent above 308 plus the
//    fraction's digits, such as 0e400; an integer part near 1.8e308 or
//    more), which the reference parser may still accept;
//  - strings that are not valid UTF-8 once unescaped: RapidJSON is not asked
//    to check UTF-8 (checking the output is faster), and it turns an escaped
//    lone low surrogate (\udc00) into bytes that are not UTF-8;
//  - numbers out of double range;
//  - a NUL byte, which RapidJSON takes as the end of its input;
//  - any limit broken (depth, size, duplicate keys), so that the error names
//    the same place;
//  - documents nested deeper than kMaxFastPathDepth, as the reader recurses
//    once per level.
//
// Strings are checked for UTF-8 once, in the finished output, which holds
// every byte of every string and key, and only when not all of them are
// ASCII.
//
// Nothing here throws, and RapidJSON's assertions are compiled out: they
// check its own invariants, not the input.
#define RAPIDJSON_ASSERT(x) static_cast<void>(sizeof(x))

#include "util/json.h"

#include <rapidjson/reader.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <string>

#include "util/json_internal.h"

namespace cairn {
namespace json_internal {
namespace {

// What the string scan learns, for the handler and the caller.
struct ScanState {
  // Where the last string without escapes ended (at its closing quote).
  const char* plain_end = nullptr;
  // Every byte of every string, ORed into 8 lanes (with some bytes next to
  // them): no bit 7 set means that all strings are ASCII.
  uint64_t high_bits = 0;
};

constexpr uint64_t kHighBits = 0x8080808080808080ull;

// The text, parsed in place: RapidJSON's in-situ stream (as
// rapidjson::GenericInsituStringStream) over a copy of it that ends in a NUL
// byte and then kTextPadding more bytes, which the string scan may read.
struct InsituText {
  typedef char Ch;

  Ch Peek() const { return *src; }
  Ch Take() { return *src++; }
  size_t Tell() const { return static_cast<size_t>(src - head); }
  // Only escapes (and each string's terminating NUL) are written this way.
  void Put(Ch c) {
    state->high_bits |= static_cast<unsigned char>(c);
    *dst++ = c;
  }
  Ch* PutBegin() { return dst = src; }
  size_t PutEnd(Ch* begin) const { return static_cast<size_t>(dst - begin); }
  void Flush() {}

  Ch* src;
  Ch* dst;
  Ch* head;
  ScanState* state;
};

constexpr size_t kTextPadding = 8;

// Copies string bytes up to the next one that needs attention ('"', '\\' or
// a control character, which includes the text's final NUL), eight at a time.
void ScanString(InsituText* t) {
  char* src = t->src;
  char* dst = t->dst;
  uint64_t word;
  uint64_t high_bits = 0;
  if (src == dst) {
    // No escape yet in this string: the bytes stay where they are.
    for (;; src += 8) {
      word = LoadLittleEndian64(src);
      high_bits |= word;
      if (const uint64_t marked = BytesNeedingEscape(word); marked != 0) {
        src += FirstByteNeedingEscape(marked);
        break;
      }
    }
    if (*src == '"') t->state->plain_end = src;  // the end, with no escape
    t->src = t->dst = src;
  } else {
    // After an escape, each byte moves down by what escapes saved so far; a
    // word is loaded before any of it is overwritten.
    for (;; src += 8, dst += 8) {
      std::memcpy(&word, src, 8);
      high_bits |= word;
      if (AnyByteNeedsEscape(word)) break;
      std::memcpy(dst, &word, 8);
    }
    while (!ByteNeedsEscape(*src)) *dst++ = *src++;
    t->src = src;
    t->dst = dst;
  }
  t->state->high_bits |= high_bits;
}

}  // namespace
}  // namespace json_internal
}  // namespace cairn

namespace rapidjson {

// The reader may work on a copy of the stream and write it back afterwards.
template <>
struct StreamTraits<cairn::json_internal::InsituText> {
  enum { copyOptimization = 1 };
};

// The reader calls this hook before each character of a string, so that a
// stream may copy plain bytes in bulk (RapidJSON's own versions need SSE).
template <>
template <>
inline void
Reader::ScanCopyUnescapedString<cairn::json_internal::InsituText, cairn::json_internal::InsituText>(
    cairn::json_internal::InsituText& is, cairn::json_internal::InsituText&) {
  cairn::json_internal::ScanString(&is);
}

}  // namespace rapidjson

namespace cairn {
namespace json_internal {
namespace {

// Parse in place (strings are unescaped inside the copy of the text, and
// numbers are reported as their literal text, not converted by RapidJSON).
// No comments, NaN or trailing commas: strict JSON only.
constexpr unsigned kReaderFlags =
    rapidjson::kParseInsituFlag | rapidjson::kParseNumbersAsStringsFlag;

// Deeper nesting is only possible with a max_depth above this.
constexpr size_t kMaxFastPathDepth = 128;

// RapidJSON counts the bytes of a string or a number in 32 bits.
constexpr size_t kMaxFastPathBytes = UINT32_MAX - kTextPadding;

// Integer literals with at most this many digits are exact in int64.
constexpr size_t kSafeIntegerDigits = 18;

// Copies of the text kept for the next document unless they grew past this.
constexpr size_t kKeepCopyBytes = 64 << 10;

// Forwards RapidJSON's events to the writer; returning false stops the parse.
class FastHandler : public rapidjson::BaseReaderHandler<rapidjson::UTF8<>, FastHandler> {
 public:
  FastHandler(CanonicalWriter* writer, const ScanState* scan) : writer_(*writer), scan_(*scan) {}

  // Int, Uint, Int64, Uint64 and Double: with kParseNumbersAsStringsFlag the
  // reader reports every number through RawNumber instead.
  bool Default() { return false; }

  bool Null() { return writer_.Null(); }
  bool Bool(bool v) { return writer_.Bool(v); }
  bool RawNumber(const char* text, rapidjson::SizeType size, bool) {
    const std::string_view literal(text, size);
    // The reader has checked the grammar: -?[0-9]+ is an integer literal,
    // and a '.', 'e' or 'E' (of these only '.' sorts below '9') makes a
    // double, as it does for the reference parser.
    for (const char c : literal) {
      if (c > '9' || c == '.') return Float(literal);
    }
    if (literal.size() - (literal[0] == '-') <= kSafeIntegerDigits) {
      // The literal is already canonical, but for "-0".
      return literal == "-0" ? writer_.Integer(0) : writer_.IntegerText(literal);
    }
    bool negative;
    uint64_t magnitude;
    if (!JsonIntegerLiteral(literal, &negative, &magnitude)) return Float(literal);
    // 2^63 wraps to INT64_MIN, as it should.
    return negative ? writer_.Integer(static_cast<int64_t>(0 - magnitude))
                    : writer_.Unsigned(magnitude);
  }
  // A string that the scan found to end without any escape is its own raw
  // bytes, none of which needs an escape in canonical form either.
  bool String(const char* text, rapidjson::SizeType size, bool) {
    const std::string_view s(text, size);
    return text + size == scan_.plain_end ? writer_.PlainString(s) : writer_.String(s);
  }
  bool Key(const char* text, rapidjson::SizeType size, bool) {
    const std::string_view k(text, size);
    return text + size == scan_.plain_end ? writer_.PlainKey(k) : writer_.Key(k);
  }
  bool StartObject() { return writer_.depth() < kMaxFastPathDepth && writer_.StartObject(); }
  bool EndObject(rapidjson::SizeType) { return writer_.EndObject(); }
  bool StartArray() { return writer_.depth() < kMaxFastPathDepth && writer_.StartArray(); }
  bool EndArray(rapidjson::SizeType) { return writer_.EndArray(); }

 private:
  bool Float(std::string_view literal) {
    const double v = JsonLiteralToDouble(literal);
    return std::isfinite(v) && writer_.Float(v, literal);
  }

  CanonicalWriter& writer_;
  const ScanState& scan_;
};

}  // namespace

bool CanonicalizeJsonFast(std::string_view text, const JsonLimits& limits, std::string* out) {
  if (text.size() > kMaxFastPathBytes) return false;
  thread_local std::string copy;
  copy.assign(text);
  copy.append(1 + kTextPadding, '\0');
  ScanState scan;
  InsituText stream{copy.data(), nullptr, copy.data(), &scan};
  bool ok;
  {
    CanonicalWriter writer(limits, text.size(), &CanonicalWriter::Scratch::ForThisThread());
    FastHandler handler(&writer, &scan);
    rapidjson::Reader reader;
    ok = !reader.Parse<kReaderFlags>(stream, handler).IsError() &&
         stream.Tell() == text.size();  // else it stopped early, at a NUL byte
    if (ok) {
      std::string result = writer.TakeOutput();
      ok = (scan.high_bits & kHighBits) == 0 || IsValidUtf8(result);
      if (ok) *out = std::move(result);
    }
  }
  if (copy.capacity() > kKeepCopyBytes) std::string().swap(copy);
  return ok;
}

}  // namespace json_internal

Result<std::string> CanonicalizeJson(std::string_view text, const JsonLimits& limits) {
  std::string out;
  if (json_internal::CanonicalizeJsonFast(text, limits, &out)) return out;
  return json_internal::CanonicalizeJsonReference(text, limits);
}

}  // namespace cairn
