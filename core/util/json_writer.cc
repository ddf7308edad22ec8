// CanonicalWriter: the canonical form of a JSON value, written in one pass
// over the parser's events, whichever parser reports them.
//
// Scalars and arrays are written straight into the output. An object's
// members are written in document order too; when the object closes, its
// members are sorted by key bytes and that span of the output is rewritten
// in place (the sorted form has the same length). The output only ever grows
// by bytes of the final result, so the size limit is checked as it grows.
#include <algorithm>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "util/json.h"
#include "util/json_internal.h"

namespace cairn {
namespace json_internal {

namespace {

constexpr size_t kMaxKeyInMessage = 64;

size_t FormatInteger(char* buf, bool negative, uint64_t magnitude) {
  char tmp[24];
  size_t n = 0;
  do {
    tmp[n++] = static_cast<char>('0' + magnitude % 10);
    magnitude /= 10;
  } while (magnitude != 0);
  size_t len = 0;
  if (negative) buf[len++] = '-';
  while (n > 0) buf[len++] = tmp[--n];
  return len;
}

// The first 8 bytes of `key`, zero-padded, as a big-endian number: two keys
// whose prefixes differ compare like their prefixes.
uint64_t KeyPrefix(std::string_view key) {
  uint64_t prefix = 0;
  const size_t n = std::min<size_t>(key.size(), 8);
  for (size_t i = 0; i < n; i++) {
    prefix |= uint64_t{static_cast<unsigned char>(key[i])} << (56 - 8 * i);
  }
  return prefix;
}

bool IsIdentifier(std::string_view key) {
  if (key.empty() || key.size() > kMaxKeyInMessage) return false;
  for (size_t i = 0; i < key.size(); i++) {
    const char c = key[i];
    const bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
    if (!alpha && !(i > 0 && c >= '0' && c <= '9')) return false;
  }
  return true;
}

}  // namespace

CanonicalWriter::Scratch& CanonicalWriter::Scratch::ForThisThread() {
  thread_local Scratch scratch;
  return scratch;
}

CanonicalWriter::CanonicalWriter(const JsonLimits& limits, size_t text_size, Scratch* scratch)
    : limits_(limits),
      scratch_(*scratch),
      frames_(scratch->frames),
      members_(scratch->members),
      keys_(scratch->keys) {
  frames_.clear();
  members_.clear();
  keys_.clear();
  // Canonical output is rarely longer than its input, and never kept beyond
  // the limit.
  out_.resize(std::min(text_size, limits.max_bytes) + 16);
}

CanonicalWriter::~CanonicalWriter() {
  constexpr size_t kKeep = 64 << 10;
  if (keys_.capacity() > kKeep) std::string().swap(keys_);
  if (scratch_.body.capacity() > kKeep) std::string().swap(scratch_.body);
  if (scratch_.piece.capacity() > kKeep) std::string().swap(scratch_.piece);
  if (members_.capacity() * sizeof(Member) > kKeep) std::vector<Member>().swap(members_);
  if (scratch_.sorted.capacity() * sizeof(Member) > kKeep) {
    std::vector<Member>().swap(scratch_.sorted);
  }
  if (frames_.capacity() * sizeof(Frame) > kKeep) std::vector<Frame>().swap(frames_);
}

std::string CanonicalWriter::TakeOutput() {
  out_.resize(size_);
  return std::move(out_);
}

void CanonicalWriter::Grow(size_t n) { out_.resize(std::max(out_.size() * 2, size_ + n)); }

// Room for `n` more bytes of output, which the caller fills.
inline char* CanonicalWriter::Extend(size_t n) {
  if (n > out_.size() - size_) Grow(n);
  char* at = out_.data() + size_;
  size_ += n;
  return at;
}

inline void CanonicalWriter::Put(char c) { *Extend(1) = c; }

inline void CanonicalWriter::Append(std::string_view bytes) {
  if (!bytes.empty()) std::memcpy(Extend(bytes.size()), bytes.data(), bytes.size());
}

// Writes the comma before an array element and counts it.
inline void CanonicalWriter::BeginValue() {
  if (frames_.empty()) return;
  Frame& f = frames_.back();
  if (!f.is_object && f.count++ > 0) Put(',');
}

inline bool CanonicalWriter::CheckSize(size_t path_frames) {
  return size_ <= limits_.max_bytes || SizeError(path_frames);
}

bool CanonicalWriter::SizeError(size_t path_frames) {
  status_ = Status::InvalidArgument(
      "canonical JSON exceeds the limit of " + std::to_string(limits_.max_bytes) +
      " bytes (reached " + std::to_string(size_) + " bytes at " + Path(path_frames) + ")");
  return false;
}

bool CanonicalWriter::Scalar(const char* bytes, size_t n) {
  BeginValue();
  Append(std::string_view(bytes, n));
  return CheckSize(frames_.size());
}

bool CanonicalWriter::Null() { return Scalar("null", 4); }

bool CanonicalWriter::Bool(bool v) { return v ? Scalar("true", 4) : Scalar("false", 5); }

bool CanonicalWriter::Integer(int64_t v) {
  char buf[24];
  // -0 cannot occur: 0 has no sign as an int64.
  const uint64_t magnitude = v < 0 ? 0 - static_cast<uint64_t>(v) : static_cast<uint64_t>(v);
  return Scalar(buf, FormatInteger(buf, v < 0, magnitude));
}

bool CanonicalWriter::Unsigned(uint64_t v) {
  char buf[24];
  return Scalar(buf, FormatInteger(buf, false, v));
}

bool CanonicalWriter::IntegerText(std::string_view digits) {
  return Scalar(digits.data(), digits.size());
}

bool CanonicalWriter::Float(double v, std::string_view literal) {
  BeginValue();
  std::string& piece = scratch_.piece;
  piece.clear();
  AppendJsonNumberLiteral(&piece, v, literal);
  Append(piece);
  return CheckSize(frames_.size());
}

bool CanonicalWriter::String(std::string_view v) { return AppendString(v, /*plain=*/false); }

bool CanonicalWriter::PlainString(std::string_view v) { return AppendString(v, /*plain=*/true); }

bool CanonicalWriter::Key(std::string_view k) { return AppendKey(k, /*plain=*/false); }

bool CanonicalWriter::PlainKey(std::string_view k) { return AppendKey(k, /*plain=*/true); }

void CanonicalWriter::AppendQuoted(std::string_view s, bool plain) {
  if (plain) {
    char* at = Extend(s.size() + 2);
    at[0] = '"';
    if (!s.empty()) std::memcpy(at + 1, s.data(), s.size());
    at[s.size() + 1] = '"';
    return;
  }
  std::string& piece = scratch_.piece;
  piece.clear();
  AppendJsonString(&piece, s);
  Append(piece);
}

bool CanonicalWriter::AppendString(std::string_view v, bool plain) {
  BeginValue();
  AppendQuoted(v, plain);
  return CheckSize(frames_.size());
}

bool CanonicalWriter::AppendKey(std::string_view k, bool plain) {
  Frame& f = frames_.back();
  if (f.count++ > 0) {
    members_.back().end = size_;
    Put(',');
  }
  const size_t begin = size_;
  AppendQuoted(k, plain);
  Put(':');
  if (plain) {
    members_.push_back({KeyPrefix(k), begin + 1, k.size(), begin, 0, /*key_in_output=*/true});
  } else {
    members_.push_back({KeyPrefix(k), keys_.size(), k.size(), begin, 0, /*key_in_output=*/false});
    keys_.append(k);
  }
  return CheckSize(frames_.size());
}

bool CanonicalWriter::StartObject() { return StartContainer(/*is_object=*/true, '{'); }

bool CanonicalWriter::EndObject() {
  if (!SortMembers()) return false;
  const Frame& f = frames_.back();
  members_.resize(f.first_member);
  keys_.resize(f.first_key_byte);
  return EndContainer('}');
}

bool CanonicalWriter::StartArray() { return StartContainer(/*is_object=*/false, '['); }

bool CanonicalWriter::EndArray() { return EndContainer(']'); }

bool CanonicalWriter::StartContainer(bool is_object, char open) {
  BeginValue();
  if (frames_.size() >= limits_.max_depth) {
    status_ = Status::InvalidArgument("nesting depth exceeds " + std::to_string(limits_.max_depth) +
                                      " at " + Path(frames_.size()));
    return false;
  }
  Put(open);
  if (!CheckSize(frames_.size())) return false;
  frames_.push_back({is_object, 0, size_, members_.size(), keys_.size()});
  return true;
}

bool CanonicalWriter::EndContainer(char close) {
  frames_.pop_back();
  Put(close);
  // The path of the container just closed: its parents' current positions.
  return CheckSize(frames_.size());
}

// A plain key's bytes stay put in the output until its object is sorted.
const char* CanonicalWriter::KeyData(const Member& m) const {
  return (m.key_in_output ? out_.data() : keys_.data()) + m.key_offset;
}

std::string_view CanonicalWriter::KeyOf(const Member& m) const {
  return std::string_view(KeyData(m), m.key_size);
}

// Byte order of two members' keys (<0, 0, >0). Keys usually differ in their
// first 8 bytes. When those are equal and one key is no longer, it is the
// other's prefix.
int CanonicalWriter::CompareKeys(const Member& a, const Member& b) const {
  if (a.prefix != b.prefix) return a.prefix < b.prefix ? -1 : 1;
  const size_t n = std::min(a.key_size, b.key_size);
  if (n > 8) {
    const int c = std::memcmp(KeyData(a) + 8, KeyData(b) + 8, n - 8);
    if (c != 0) return c;
  }
  return a.key_size < b.key_size ? -1 : (a.key_size > b.key_size ? 1 : 0);
}

// Sorts the innermost object's members by key bytes, rejecting duplicates:
// the first pair in document order that is adjacent and equal, else the
// first in key order.
bool CanonicalWriter::SortMembers() {
  const Frame& f = frames_.back();
  const size_t n = members_.size() - f.first_member;
  if (n == 0) return true;
  Member* m = members_.data() + f.first_member;
  m[n - 1].end = size_;
  bool sorted = true;
  for (size_t i = 1; i < n; i++) {
    const int c = CompareKeys(m[i - 1], m[i]);
    if (c == 0) return DuplicateKey(KeyOf(m[i]));
    if (c > 0) sorted = false;
  }
  if (sorted) return true;

  std::vector<Member>& by_key = scratch_.sorted;
  by_key.assign(m, m + n);
  bool any_equal = false;
  if (n <= 16) {
    // Insertion sort: objects are usually small, and it needs no calls. A key
    // equal to one already placed is always compared with it.
    for (size_t i = 1; i < n; i++) {
      const Member x = by_key[i];
      size_t j = i;
      for (; j > 0; j--) {
        const int c = CompareKeys(x, by_key[j - 1]);
        if (c >= 0) {
          any_equal |= c == 0;
          break;
        }
        by_key[j] = by_key[j - 1];
      }
      by_key[j] = x;
    }
  } else {
    std::sort(by_key.begin(), by_key.end(),
              [this](const Member& a, const Member& b) { return CompareKeys(a, b) < 0; });
    any_equal = true;
  }
  if (any_equal) {
    for (size_t i = 1; i < n; i++) {
      if (CompareKeys(by_key[i - 1], by_key[i]) == 0) return DuplicateKey(KeyOf(by_key[i]));
    }
  }
  // The members in key order, then back over the object's body.
  const size_t span = size_ - f.body_start;
  std::string& body = scratch_.body;
  if (body.size() < span) body.resize(span);
  char* p = body.data();
  for (size_t i = 0; i < n; i++) {
    if (i > 0) *p++ = ',';
    const size_t len = by_key[i].end - by_key[i].begin;
    std::memcpy(p, out_.data() + by_key[i].begin, len);
    p += len;
  }
  std::memcpy(out_.data() + f.body_start, body.data(), span);
  return true;
}

bool CanonicalWriter::DuplicateKey(std::string_view key) {
  std::string msg = "duplicate key ";
  AppendQuotedForMessage(&msg, key, kMaxKeyInMessage);
  msg += " in ";
  msg += Path(frames_.size() - 1);
  status_ = Status::InvalidArgument(std::move(msg));
  return false;
}

// "$", then ".key", "[\"odd key\"]" or "[index]" for the current position in
// each of the outermost `depth` frames.
std::string CanonicalWriter::Path(size_t depth) const {
  std::string path = "$";
  for (size_t d = 0; d < depth; d++) {
    const Frame& f = frames_[d];
    if (!f.is_object) {
      path += '[';
      path += std::to_string(f.count == 0 ? 0 : f.count - 1);
      path += ']';
      continue;
    }
    if (f.count == 0) break;  // an object still waiting for its first key
    // The object's current member is its last one so far: the one before the
    // next frame's first, or the last of all.
    const size_t last =
        d + 1 < frames_.size() ? frames_[d + 1].first_member - 1 : members_.size() - 1;
    const std::string_view key = KeyOf(members_[last]);
    if (IsIdentifier(key)) {
      path += '.';
      path.append(key);
    } else {
      path += '[';
      AppendQuotedForMessage(&path, key, kMaxKeyInMessage);
      path += ']';
    }
  }
  return path;
}

}  // namespace json_internal
}  // namespace cairn
