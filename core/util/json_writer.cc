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

// The first 8 bytes of a key, zero-padded, as a big-endian number: two keys
// whose prefixes differ compare like their prefixes.
uint64_t KeyPrefix(std::string_view key) {
  uint64_t prefix = 0;
  const size_t n = std::min<size_t>(key.size(), 8);
  for (size_t i = 0; i < n; i++) {
    prefix |= uint64_t{static_cast<unsigned char>(key[i])} << (56 - 8 * i);
  }
  return prefix;
}

// KeyPrefix() of the `size` bytes at `p`, reading 8 bytes there.
uint64_t KeyPrefixOf8(const char* p, size_t size) {
  const uint64_t w = ByteSwap64(LoadLittleEndian64(p));
  if (size >= 8) return w;
  return size == 0 ? 0 : w & (~uint64_t{0} << (64 - 8 * size));
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
  // the limit. Only the room in use is written to (Grow() doubles it).
  const size_t expected = std::min(text_size, limits.max_bytes) + 16;
  out_.reserve(expected);
  out_.resize(std::min<size_t>(expected, 4096));
}

CanonicalWriter::~CanonicalWriter() {
  constexpr size_t kKeep = 64 << 10;
  if (keys_.capacity() > kKeep) std::string().swap(keys_);
  if (scratch_.body.capacity() > kKeep) std::string().swap(scratch_.body);
  if (scratch_.piece.capacity() > kKeep) std::string().swap(scratch_.piece);
  if (members_.capacity() * sizeof(Member) > kKeep) std::vector<Member>().swap(members_);
  if (scratch_.order.capacity() * sizeof(size_t) > kKeep) {
    std::vector<size_t>().swap(scratch_.order);
  }
  if (frames_.capacity() * sizeof(Frame) > kKeep) std::vector<Frame>().swap(frames_);
}

std::string CanonicalWriter::TakeOutput() {
  out_.resize(size_);
  return std::move(out_);
}

void CanonicalWriter::Grow(size_t n) { out_.resize(std::max(out_.size() * 2, size_ + n)); }

bool CanonicalWriter::SizeError(size_t path_frames) {
  status_ = Status::InvalidArgument("canonical JSON exceeds the limit of " +
                                    std::to_string(limits_.max_bytes) + " bytes (reached " +
                                    std::to_string(size_) + " bytes at " + Path(path_frames) + ")");
  return false;
}

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

bool CanonicalWriter::Float(double v, std::string_view literal) {
  BeginValue();
  char buf[kMaxJsonNumberLength];
  Append(std::string_view(buf, FormatJsonNumberLiteral(v, literal, buf)));
  return CheckSize(frames_.size());
}

bool CanonicalWriter::String(std::string_view v) {
  BeginValue();
  AppendEscaped(v);
  return CheckSize(frames_.size());
}

bool CanonicalWriter::Key(std::string_view k) { return AppendKey(k, /*plain=*/false); }

bool CanonicalWriter::PlainKey(std::string_view k) { return AppendKey(k, /*plain=*/true); }

// AppendJsonString() into the output, through a scratch buffer.
void CanonicalWriter::AppendEscaped(std::string_view s) {
  std::string& piece = scratch_.piece;
  piece.clear();
  AppendJsonString(&piece, s);
  Append(piece);
}

bool CanonicalWriter::AppendKey(std::string_view k, bool plain) {
  Frame& f = frames_.back();
  if (f.count++ > 0) {
    members_.back().end = size_;
    Put(',');
  }
  const size_t begin = size_;
  if (plain) {
    // '"key":', with room after it to read the key's prefix from the output.
    if (out_.size() - size_ < k.size() + 16) Grow(k.size() + 16);
    char* at = out_.data() + begin;
    at[0] = '"';
    CopyBytes(at + 1, k.data(), k.size());
    at[k.size() + 1] = '"';
    at[k.size() + 2] = ':';
    size_ += k.size() + 3;
    members_.push_back(
        {KeyPrefixOf8(at + 1, k.size()), begin + 1, k.size(), begin, 0, /*key_in_output=*/true});
  } else {
    AppendEscaped(k);
    Put(':');
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
// first 8 bytes. When those are equal and a key has at most 8 bytes, it is a
// prefix of the other key, so the shorter key comes first.
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

  // The members' indices in key order.
  std::vector<size_t>& order = scratch_.order;
  order.resize(n);
  for (size_t i = 0; i < n; i++) order[i] = i;
  const auto compare = [this, m](size_t a, size_t b) { return CompareKeys(m[a], m[b]); };
  bool any_equal = false;
  if (n <= 16) {
    // Insertion sort: objects are usually small, and it needs no calls. A key
    // equal to one already placed is always compared with it.
    for (size_t i = 1; i < n; i++) {
      const size_t x = order[i];
      size_t j = i;
      for (; j > 0; j--) {
        const int c = compare(x, order[j - 1]);
        if (c >= 0) {
          any_equal |= c == 0;
          break;
        }
        order[j] = order[j - 1];
      }
      order[j] = x;
    }
  } else {
    std::sort(order.begin(), order.end(), [&](size_t a, size_t b) { return compare(a, b) < 0; });
    any_equal = true;
  }
  if (any_equal) {
    for (size_t i = 1; i < n; i++) {
      if (compare(order[i - 1], order[i]) == 0) return DuplicateKey(KeyOf(m[order[i]]));
    }
  }
  // The members in key order, then back over the object's body.
  const size_t span = size_ - f.body_start;
  std::string& body = scratch_.body;
  if (body.size() < span) body.resize(span);
  char* p = body.data();
  for (size_t i = 0; i < n; i++) {
    if (i > 0) *p++ = ',';
    const Member& member = m[order[i]];
    const size_t len = member.end - member.begin;
    CopyBytes(p, out_.data() + member.begin, len);
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
