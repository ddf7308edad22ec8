// Internals shared by the canonical JSON files (json.cc, json_reference.cc,
// json_writer.cc, json_number.cc, json_number_literal.cc, json_string.cc,
// json_syntax_error.cc) and by other util/ code that quotes user text in
// error messages. Not part of any public contract.
//
// Thread-safety: pure functions; a CanonicalWriter belongs to one thread.
#ifndef CAIRN_UTIL_JSON_INTERNAL_H_
#define CAIRN_UTIL_JSON_INTERNAL_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "cairn/status.h"
#include "util/json.h"

namespace cairn {
namespace json_internal {

// Length (1-4) of the well-formed UTF-8 sequence that starts at s[i], or 0
// when s[i] does not start one. REQUIRES: i < s.size().
size_t Utf8SequenceLength(std::string_view s, size_t i);

// True when any of the eight bytes in `w` is one that a canonical string
// escapes: < 0x20, '"' or '\\' (the classic SWAR zero-byte and less-than
// tests, exact for these constants).
inline bool AnyByteNeedsEscape(uint64_t w) {
  constexpr uint64_t kOnes = 0x0101010101010101ull;
  constexpr uint64_t kHighs = 0x8080808080808080ull;
  const uint64_t quote = w ^ (kOnes * '"');
  const uint64_t backslash = w ^ (kOnes * '\\');
  const uint64_t found = ((w - kOnes * 0x20) | (quote - kOnes) | (backslash - kOnes)) & ~w & kHighs;
  return found != 0;
}

// True for the bytes a canonical string escapes: < 0x20, '"' and '\\'.
inline bool ByteNeedsEscape(char c) {
  return static_cast<unsigned char>(c) < 0x20 || c == '"' || c == '\\';
}

// AppendJsonString for a string with no byte that needs an escape: `s`
// between quotes. REQUIRES: no byte of `s` is < 0x20, '"' or '\\'.
inline void AppendPlainJsonString(std::string* out, std::string_view s) {
  out->push_back('"');
  out->append(s);
  out->push_back('"');
}

// Appends `s` quoted for an error message: like AppendJsonString, but invalid
// UTF-8 bytes become \xNN, and at most about `max_bytes` of `s` are shown
// (cut at a character boundary and marked with "...").
void AppendQuotedForMessage(std::string* out, std::string_view s, size_t max_bytes);

// Appends the canonical form of the finite double `v` that was parsed from the
// JSON number `literal`. The literal's own digits are used when they are
// provably the shortest round-trip digits (at most 15 significant digits and
// a normal double); otherwise this is AppendJsonNumber(out, v).
void AppendJsonNumberLiteral(std::string* out, double v, std::string_view literal);

// For a JSON number `literal` (already checked against the JSON grammar)
// with no fraction and no exponent whose value is exact in int64 when it is
// negative, or in uint64 otherwise: true, with its sign and magnitude ("-0"
// is negative zero). False for any other literal, which is then a double.
// This is the split the reference parser makes between its integer and
// floating-point numbers.
bool JsonIntegerLiteral(std::string_view literal, bool* negative, uint64_t* magnitude);

// The double nearest to the JSON number `literal` (already checked against
// the JSON grammar), rounding half to even like strtod, independent of the C
// locale. Too large a magnitude gives +-infinity; too small a one +-0.
double JsonLiteralToDouble(std::string_view literal);

// PARSE_ERROR "line L, column C: found <found>, expected <expected>" for the
// character at byte `offset` of `text` (offset == text.size(): its end).
Status JsonErrorAt(std::string_view text, size_t offset, std::string_view found,
                   std::string_view expected);

// Builds the PARSE_ERROR for a syntax error reported by the JSON parser:
// "line L, column C: <found>, expected <what>". `position` is the parser's
// count of bytes read (one past the byte that failed, or text.size() + 1 at
// end of input); `error_id` and `what` are the parser's exception id and text.
Status JsonSyntaxError(std::string_view text, size_t position, int error_id, std::string_view what);

// CanonicalizeJson through the reference parser (nlohmann's SAX parser). It
// decides every error message: the fast path in CanonicalizeJson hands it
// any text that it does not accept itself.
Result<std::string> CanonicalizeJsonReference(std::string_view text, const JsonLimits& limits);

// The fast path of CanonicalizeJson alone: true with the canonical form in
// `*out` when it accepts `text`, false when `text` must go to the reference
// path (malformed text, any limit exceeded, or a rare input it leaves to the
// reference parser, such as a number with more than 308 integer digits).
// Whenever it returns true, `*out` is what CanonicalizeJsonReference gives.
bool CanonicalizeJsonFast(std::string_view text, const JsonLimits& limits, std::string* out);

// Writes the canonical form of one JSON value as a parser reports its events,
// in document order (json_writer.cc explains how). An event returns false
// when it breaks a limit; status() then says why and the parse must stop.
//
// Thread-safety: thread-compatible; one writer per document.
class CanonicalWriter {
 public:
  // Working buffers, reused from document to document on one thread.
  class Scratch {
   public:
    // This thread's buffers. REQUIRES: at most one writer at a time uses them.
    static Scratch& ForThisThread();

   private:
    friend class CanonicalWriter;
    struct Frame {
      bool is_object;
      size_t count;           // members or elements begun so far
      size_t body_start;      // offset in the output just after '{' or '['
      size_t first_member;    // index in members of this object's first member
      size_t first_key_byte;  // offset in keys of this object's first key
    };
    // An object member: its key's raw (unescaped) bytes, and the span of
    // '"key":value' in the output (end is set when the next member or the
    // object's end is reached).
    struct Member {
      uint64_t prefix;     // the key's first 8 bytes, big-endian, zero-padded
      size_t key_offset;   // of the key's bytes: in the output, or in keys
      size_t key_size;
      size_t begin;
      size_t end;
      bool key_in_output;  // a plain key is the same bytes in the output
    };
    std::vector<Frame> frames;
    std::vector<Member> members;
    std::string keys;
    std::vector<Member> sorted;
    std::string body;
    std::string piece;  // a string or number, formatted before it is copied
  };

  // REQUIRES: `limits` and `*scratch` outlive the writer. `text_size` is the
  // input's size, a hint for the output's.
  CanonicalWriter(const JsonLimits& limits, size_t text_size, Scratch* scratch);
  // Keeps the scratch buffers from pinning the memory of one huge document.
  ~CanonicalWriter();

  CanonicalWriter(const CanonicalWriter&) = delete;
  CanonicalWriter& operator=(const CanonicalWriter&) = delete;

  // Strings and keys are written as the bytes they are; the caller checks
  // that they are valid UTF-8 (before, or in the finished output).
  bool Null();
  bool Bool(bool v);
  bool Integer(int64_t v);
  bool Unsigned(uint64_t v);
  // REQUIRES: `digits` is the decimal form of an integer exact in int64 or
  // uint64, as Integer() or Unsigned() would write it.
  bool IntegerText(std::string_view digits);
  // REQUIRES: `v` is finite and was read from the JSON number `literal`.
  bool Float(double v, std::string_view literal);
  bool String(std::string_view v);
  bool Key(std::string_view k);  // REQUIRES: inside an object
  // String() and Key() for text with no byte that needs an escape (< 0x20,
  // '"' or '\\'), which they then do not look for.
  bool PlainString(std::string_view v);
  bool PlainKey(std::string_view k);
  bool StartObject();
  bool EndObject();
  bool StartArray();
  bool EndArray();

  // Arrays and objects open around the current position.
  size_t depth() const { return frames_.size(); }
  Status& status() { return status_; }
  // The output so far; after the last event, the canonical form.
  std::string TakeOutput();

 private:
  using Frame = Scratch::Frame;
  using Member = Scratch::Member;

  void Grow(size_t n);
  char* Extend(size_t n);
  void Put(char c);
  void Append(std::string_view bytes);
  void BeginValue();
  bool Scalar(const char* bytes, size_t n);
  bool AppendString(std::string_view v, bool plain);
  bool AppendKey(std::string_view k, bool plain);
  void AppendQuoted(std::string_view s, bool plain);
  bool StartContainer(bool is_object, char open);
  bool EndContainer(char close);
  const char* KeyData(const Member& m) const;
  std::string_view KeyOf(const Member& m) const;
  int CompareKeys(const Member& a, const Member& b) const;
  bool SortMembers();
  bool DuplicateKey(std::string_view key);
  bool CheckSize(size_t path_frames);
  bool SizeError(size_t path_frames);
  std::string Path(size_t depth) const;

  const JsonLimits& limits_;
  Status status_;
  // The output is out_[0, size_); the rest of out_ is room to grow into,
  // written without std::string's per-call checks.
  std::string out_;
  size_t size_ = 0;
  Scratch& scratch_;
  std::vector<Frame>& frames_;
  std::vector<Member>& members_;
  std::string& keys_;
};

}  // namespace json_internal
}  // namespace cairn

#endif  // CAIRN_UTIL_JSON_INTERNAL_H_
