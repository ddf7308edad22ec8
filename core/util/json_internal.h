// Internals shared by the canonical JSON files (json.cc, json_reference.cc,
// json_writer.cc, json_number.cc, json_number_literal.cc, json_string.cc,
// json_syntax_error.cc) and by other util/ code that quotes user text in
// error messages. Not part of any public contract.
//
// Thread-safety: pure functions; a CanonicalWriter belongs to one thread.
#ifndef CAIRN_UTIL_JSON_INTERNAL_H_
#define CAIRN_UTIL_JSON_INTERNAL_H_

#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>
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

// memcpy() for the short, non-overlapping copies that writing canonical JSON
// is made of (keys, numbers, members), without a library call for them.
inline void CopyBytes(char* dst, const char* src, size_t n) {
  if (n > 16) {
    std::memcpy(dst, src, n);
  } else if (n >= 8) {
    uint64_t head, tail;
    std::memcpy(&head, src, 8);
    std::memcpy(&tail, src + n - 8, 8);
    std::memcpy(dst, &head, 8);
    std::memcpy(dst + n - 8, &tail, 8);
  } else if (n >= 4) {
    uint32_t head, tail;
    std::memcpy(&head, src, 4);
    std::memcpy(&tail, src + n - 4, 4);
    std::memcpy(dst, &head, 4);
    std::memcpy(dst + n - 4, &tail, 4);
  } else if (n > 0) {
    dst[0] = src[0];
    dst[n / 2] = src[n / 2];
    dst[n - 1] = src[n - 1];
  }
}

// `w` with its bytes in the opposite order.
inline uint64_t ByteSwap64(uint64_t w) {
  w = ((w & 0x00ff00ff00ff00ffull) << 8) | ((w >> 8) & 0x00ff00ff00ff00ffull);
  w = ((w & 0x0000ffff0000ffffull) << 16) | ((w >> 16) & 0x0000ffff0000ffffull);
  return (w << 32) | (w >> 32);
}

// The 8 bytes at `p` as a number whose least significant byte is p[0].
inline uint64_t LoadLittleEndian64(const char* p) {
  uint64_t w;
  std::memcpy(&w, p, 8);
  if constexpr (std::endian::native == std::endian::big) w = ByteSwap64(w);
  return w;
}

// For eight bytes in `w`: bit 7 of a byte is set when it is one that a
// canonical string escapes (< 0x20, '"' or '\\'), or when a less significant
// byte is (the classic SWAR zero-byte and less-than tests, whose borrows
// only reach more significant bytes).
inline uint64_t BytesNeedingEscape(uint64_t w) {
  constexpr uint64_t kOnes = 0x0101010101010101ull;
  constexpr uint64_t kHighs = 0x8080808080808080ull;
  const uint64_t quote = w ^ (kOnes * '"');
  const uint64_t backslash = w ^ (kOnes * '\\');
  return ((w - kOnes * 0x20) | (quote - kOnes) | (backslash - kOnes)) & ~w & kHighs;
}

// True when any of the eight bytes in `w` is one that a canonical string
// escapes.
inline bool AnyByteNeedsEscape(uint64_t w) { return BytesNeedingEscape(w) != 0; }

// For BytesNeedingEscape(LoadLittleEndian64(p)) != 0: the index of the first
// byte from p on that needs an escape.
inline size_t FirstByteNeedingEscape(uint64_t mask) {
  return static_cast<size_t>(std::countr_zero(mask)) / 8;
}

// True for the bytes a canonical string escapes: < 0x20, '"' and '\\'.
inline bool ByteNeedsEscape(char c) {
  return static_cast<unsigned char>(c) < 0x20 || c == '"' || c == '\\';
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

// FormatJsonNumberLiteral() writes at most this many bytes.
constexpr size_t kMaxJsonNumberLength = 32;

// AppendJsonNumberLiteral() into `buf`, which must hold kMaxJsonNumberLength
// bytes; returns the length written. REQUIRES: `v` is finite.
size_t FormatJsonNumberLiteral(double v, std::string_view literal, char* buf);

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
// reference parser, such as 0e400 or nesting 128 levels deep).
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
      uint64_t prefix;    // the key's first 8 bytes, big-endian, zero-padded
      size_t key_offset;  // of the key's bytes: in the output, or in keys
      size_t key_size;
      size_t begin;
      size_t end;
      bool key_in_output;  // a plain key is the same bytes in the output
    };
    std::vector<Frame> frames;
    std::vector<Member> members;
    std::string keys;
    std::vector<size_t> order;  // of an object's members, by key
    std::string body;
    std::string piece;  // an escaped string, formatted before it is copied
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
  bool AppendKey(std::string_view k, bool plain);
  void AppendEscaped(std::string_view s);
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

// The writer's smallest events, inline for the parsers' handlers.

inline char* CanonicalWriter::Extend(size_t n) {
  if (n > out_.size() - size_) Grow(n);
  char* at = out_.data() + size_;
  size_ += n;
  return at;
}

inline void CanonicalWriter::Put(char c) { *Extend(1) = c; }

inline void CanonicalWriter::Append(std::string_view bytes) {
  CopyBytes(Extend(bytes.size()), bytes.data(), bytes.size());
}

inline void CanonicalWriter::BeginValue() {
  if (frames_.empty()) return;
  Frame& f = frames_.back();
  if (!f.is_object && f.count++ > 0) Put(',');
}

inline bool CanonicalWriter::CheckSize(size_t path_frames) {
  return size_ <= limits_.max_bytes || SizeError(path_frames);
}

inline bool CanonicalWriter::Scalar(const char* bytes, size_t n) {
  BeginValue();
  Append(std::string_view(bytes, n));
  return CheckSize(frames_.size());
}

inline bool CanonicalWriter::Null() { return Scalar("null", 4); }

inline bool CanonicalWriter::Bool(bool v) { return v ? Scalar("true", 4) : Scalar("false", 5); }

inline bool CanonicalWriter::IntegerText(std::string_view digits) {
  return Scalar(digits.data(), digits.size());
}

inline bool CanonicalWriter::PlainString(std::string_view v) {
  BeginValue();
  char* at = Extend(v.size() + 2);
  at[0] = '"';
  CopyBytes(at + 1, v.data(), v.size());
  at[v.size() + 1] = '"';
  return CheckSize(frames_.size());
}

}  // namespace json_internal
}  // namespace cairn

#endif  // CAIRN_UTIL_JSON_INTERNAL_H_
