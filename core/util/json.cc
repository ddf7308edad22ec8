// CanonicalizeJson: one pass of the JSON SAX parser over the text, writing the
// canonical form as it goes.
//
// Scalars and arrays are written straight into the output. An object's
// members are written in document order too; when the object closes, its
// members are sorted by key bytes and that span of the output is rewritten
// in place (the sorted form has the same length). The output only ever grows
// by bytes of the final result, so the size limit is checked as it grows.
//
// The parser reports errors through callbacks and this handler stops by
// returning false, so nothing here throws.
#include "util/json.h"

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "util/json_internal.h"

namespace cairn {

namespace {

using Json = nlohmann::json;

constexpr size_t kMaxKeyInMessage = 64;

struct Frame {
  bool is_object;
  size_t count;           // members or elements begun so far
  size_t body_start;      // offset in the output just after '{' or '['
  size_t first_member;    // index in Scratch::members of this object's first member
  size_t first_key_byte;  // offset in Scratch::keys of this object's first key
};

// An object member: its key's raw (unescaped) bytes in Scratch::keys, and the
// span of '"key":value' in the output (end is set when the next member or the
// object's end is reached).
struct Member {
  size_t key_offset;
  size_t key_size;
  size_t begin;
  size_t end;
};

// Working buffers, kept per thread so that a document costs no allocations
// beyond its output once they have grown to fit.
struct Scratch {
  std::vector<Frame> frames;
  std::vector<Member> members;
  std::string keys;
  std::vector<Member> sorted;
  std::string body;

  void Clear() {
    frames.clear();
    members.clear();
    keys.clear();
  }
  // Keeps the buffers from pinning the memory of one huge document.
  void Trim() {
    constexpr size_t kKeep = 64 << 10;
    if (keys.capacity() > kKeep) std::string().swap(keys);
    if (body.capacity() > kKeep) std::string().swap(body);
    if (members.capacity() * sizeof(Member) > kKeep) std::vector<Member>().swap(members);
    if (sorted.capacity() * sizeof(Member) > kKeep) std::vector<Member>().swap(sorted);
    if (frames.capacity() * sizeof(Frame) > kKeep) std::vector<Frame>().swap(frames);
  }
};

class CanonicalWriter {
 public:
  CanonicalWriter(const JsonLimits& limits, std::string_view text, Scratch* scratch)
      : limits_(limits),
        text_(text),
        frames_(scratch->frames),
        members_(scratch->members),
        keys_(scratch->keys),
        sorted_(scratch->sorted),
        body_(scratch->body) {
    // Canonical output is rarely longer than its input, and never kept
    // beyond the limit.
    out_.reserve(std::min(text.size(), limits.max_bytes) + 16);
  }

  Status& status() { return status_; }
  std::string TakeOutput() { return std::move(out_); }

  // nlohmann SAX interface.
  bool null() { return Scalar("null", 4); }
  bool boolean(bool v) { return v ? Scalar("true", 4) : Scalar("false", 5); }
  bool number_integer(int64_t v) {
    char buf[24];
    return Scalar(
        buf,
        FormatInteger(buf, v < 0, v < 0 ? 0 - static_cast<uint64_t>(v) : static_cast<uint64_t>(v)));
  }
  bool number_unsigned(uint64_t v) {
    char buf[24];
    return Scalar(buf, FormatInteger(buf, false, v));
  }
  bool number_float(double v, const std::string& literal) {
    BeginValue();
    json_internal::AppendJsonNumberLiteral(&out_, v, literal);
    return CheckSize(frames_.size());
  }
  bool string(std::string& v) {
    BeginValue();
    AppendJsonString(&out_, v);
    return CheckSize(frames_.size());
  }
  bool binary(Json::binary_t&) {
    status_ = Status::Internal("JSON parser produced a binary value");
    return false;
  }
  bool start_object(size_t) { return StartContainer(/*is_object=*/true, '{'); }
  bool key(std::string& k) {
    Frame& f = frames_.back();
    if (f.count++ > 0) {
      members_.back().end = out_.size();
      out_.push_back(',');
    }
    members_.push_back({keys_.size(), k.size(), out_.size(), 0});
    keys_.append(k);
    AppendJsonString(&out_, k);
    out_.push_back(':');
    return CheckSize(frames_.size());
  }
  bool end_object() {
    if (!SortMembers()) return false;
    const Frame& f = frames_.back();
    members_.resize(f.first_member);
    keys_.resize(f.first_key_byte);
    return EndContainer('}');
  }
  bool start_array(size_t) { return StartContainer(/*is_object=*/false, '['); }
  bool end_array() { return EndContainer(']'); }
  bool parse_error(size_t position, const std::string&, const Json::exception& e) {
    status_ = json_internal::JsonSyntaxError(text_, position, e.id, e.what());
    return false;
  }

 private:
  static size_t FormatInteger(char* buf, bool negative, uint64_t magnitude) {
    char tmp[24];
    size_t n = 0;
    do {
      tmp[n++] = static_cast<char>('0' + magnitude % 10);
      magnitude /= 10;
    } while (magnitude != 0);
    size_t len = 0;
    // -0 cannot occur: the parser gives integers, and 0 has no sign.
    if (negative) buf[len++] = '-';
    while (n > 0) buf[len++] = tmp[--n];
    return len;
  }

  // Writes the comma before an array element and counts it.
  void BeginValue() {
    if (frames_.empty()) return;
    Frame& f = frames_.back();
    if (!f.is_object && f.count++ > 0) out_.push_back(',');
  }

  bool Scalar(const char* bytes, size_t n) {
    BeginValue();
    out_.append(bytes, n);
    return CheckSize(frames_.size());
  }

  bool StartContainer(bool is_object, char open) {
    BeginValue();
    if (frames_.size() >= limits_.max_depth) {
      status_ =
          Status::InvalidArgument("nesting depth exceeds " + std::to_string(limits_.max_depth) +
                                  " at " + Path(frames_.size()));
      return false;
    }
    out_.push_back(open);
    if (!CheckSize(frames_.size())) return false;
    frames_.push_back({is_object, 0, out_.size(), members_.size(), keys_.size()});
    return true;
  }

  bool EndContainer(char close) {
    frames_.pop_back();
    out_.push_back(close);
    // The path of the container just closed: its parents' current positions.
    return CheckSize(frames_.size());
  }

  std::string_view Key(const Member& m) const {
    return std::string_view(keys_).substr(m.key_offset, m.key_size);
  }

  // Byte order of two members' keys (<0, 0, >0). Keys are short and usually
  // differ early, so the first bytes are compared inline.
  int CompareKeys(const Member& a, const Member& b) const {
    const unsigned char* pa = reinterpret_cast<const unsigned char*>(keys_.data()) + a.key_offset;
    const unsigned char* pb = reinterpret_cast<const unsigned char*>(keys_.data()) + b.key_offset;
    const size_t n = std::min(a.key_size, b.key_size);
    size_t i = 0;
    for (; i < n && i < 8; i++) {
      if (pa[i] != pb[i]) return pa[i] < pb[i] ? -1 : 1;
    }
    if (i < n) {
      const int c = std::memcmp(pa + i, pb + i, n - i);
      if (c != 0) return c;
    }
    return a.key_size < b.key_size ? -1 : (a.key_size > b.key_size ? 1 : 0);
  }

  // Sorts the innermost object's members by key bytes, rejecting duplicates.
  bool SortMembers() {
    const Frame& f = frames_.back();
    const size_t n = members_.size() - f.first_member;
    if (n == 0) return true;
    Member* m = members_.data() + f.first_member;
    m[n - 1].end = out_.size();
    bool sorted = true;
    for (size_t i = 1; i < n; i++) {
      const int c = CompareKeys(m[i - 1], m[i]);
      if (c == 0) return DuplicateKey(Key(m[i]));
      if (c > 0) sorted = false;
    }
    if (sorted) return true;

    sorted_.assign(m, m + n);
    const auto less = [this](const Member& a, const Member& b) { return CompareKeys(a, b) < 0; };
    if (n <= 16) {
      // Insertion sort: objects are usually small, and it needs no calls.
      for (size_t i = 1; i < n; i++) {
        const Member x = sorted_[i];
        size_t j = i;
        for (; j > 0 && less(x, sorted_[j - 1]); j--) sorted_[j] = sorted_[j - 1];
        sorted_[j] = x;
      }
    } else {
      std::sort(sorted_.begin(), sorted_.end(), less);
    }
    for (size_t i = 1; i < n; i++) {
      if (CompareKeys(sorted_[i - 1], sorted_[i]) == 0) return DuplicateKey(Key(sorted_[i]));
    }
    body_.clear();
    for (size_t i = 0; i < n; i++) {
      if (i > 0) body_.push_back(',');
      body_.append(out_, sorted_[i].begin, sorted_[i].end - sorted_[i].begin);
    }
    std::memcpy(out_.data() + f.body_start, body_.data(), body_.size());
    return true;
  }

  bool DuplicateKey(std::string_view key) {
    std::string msg = "duplicate key ";
    json_internal::AppendQuotedForMessage(&msg, key, kMaxKeyInMessage);
    msg += " in ";
    msg += Path(frames_.size() - 1);
    status_ = Status::InvalidArgument(std::move(msg));
    return false;
  }

  bool CheckSize(size_t path_frames) {
    if (out_.size() <= limits_.max_bytes) return true;
    status_ = Status::InvalidArgument(
        "canonical JSON exceeds the limit of " + std::to_string(limits_.max_bytes) +
        " bytes (reached " + std::to_string(out_.size()) + " bytes at " + Path(path_frames) + ")");
    return false;
  }

  // "$", then ".key", "[\"odd key\"]" or "[index]" for the current position
  // in each of the outermost `depth` frames.
  std::string Path(size_t depth) const {
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
      // The object's current member is its last one so far: the one before
      // the next frame's first, or the last of all.
      const size_t last =
          d + 1 < frames_.size() ? frames_[d + 1].first_member - 1 : members_.size() - 1;
      const std::string_view key = Key(members_[last]);
      if (IsIdentifier(key)) {
        path += '.';
        path.append(key);
      } else {
        path += '[';
        json_internal::AppendQuotedForMessage(&path, key, kMaxKeyInMessage);
        path += ']';
      }
    }
    return path;
  }

  static bool IsIdentifier(std::string_view key) {
    if (key.empty() || key.size() > kMaxKeyInMessage) return false;
    for (size_t i = 0; i < key.size(); i++) {
      const char c = key[i];
      const bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
      if (!alpha && !(i > 0 && c >= '0' && c <= '9')) return false;
    }
    return true;
  }

  const JsonLimits& limits_;
  std::string_view text_;
  Status status_;
  std::string out_;
  std::vector<Frame>& frames_;
  std::vector<Member>& members_;
  std::string& keys_;
  std::vector<Member>& sorted_;
  std::string& body_;
};

}  // namespace

Result<std::string> CanonicalizeJson(std::string_view text, const JsonLimits& limits) {
  // RFC 8259 allows a parser to skip a byte order mark; canonical input is
  // strict JSON text, so it is an error rather than silently dropped bytes.
  if (text.starts_with("\xEF\xBB\xBF")) {
    return json_internal::JsonErrorAt(text, 0, "a byte order mark (U+FEFF)", "a JSON value");
  }
  thread_local Scratch scratch;
  scratch.Clear();
  CanonicalWriter writer(limits, text, &scratch);
  const bool ok = Json::sax_parse(text.data(), text.data() + text.size(), &writer,
                                  nlohmann::detail::input_format_t::json, /*strict=*/true,
                                  /*ignore_comments=*/false);
  scratch.Trim();
  if (!ok) {
    if (writer.status().ok()) return Status::Internal("JSON parser stopped without an error");
    return std::move(writer.status());
  }
  // The parser ends its input at a NUL byte outside a string (one inside a
  // string is an error already), so a NUL after a complete value would
  // silently cut the text short.
  if (const void* nul = std::memchr(text.data(), '\0', text.size()); nul != nullptr) {
    const size_t offset = static_cast<size_t>(static_cast<const char*>(nul) - text.data());
    return json_internal::JsonErrorAt(text, offset, "control character U+0000", "end of input");
  }
  return writer.TakeOutput();
}

}  // namespace cairn
