// Embind bindings of cairn::Database for the npm package (js/).
//
// Conversions only: arguments arrive as JS strings and numbers, results
// leave as JSON text (parsed and renamed in js/src/database.js), and every
// failure leaves as a plain object { code, message } that the JS layer turns
// into a CairnError. Nothing here throws: core is compiled without
// exceptions, and a JS exception crossing wasm frames would skip C++
// destructors.
#include <emscripten/bind.h>
#include <emscripten/val.h>

#include <charconv>
#include <memory>
#include <string>
#include <vector>

#include "cairn/db.h"
#include "util/json.h"
#include "wasm/js_storage.h"
#include "wasm/space_codec.h"

namespace cairn {
namespace {

using emscripten::val;

val ErrorOf(const Status& s) {
  val e = val::object();
  e.set("code", std::string(CodeName(s.code())));
  e.set("message", s.message());
  return e;
}

// An optional JS number (undefined or null: unset) as a seq.
std::optional<uint64_t> OptionalSeq(const val& v) {
  if (v.isUndefined() || v.isNull()) return std::nullopt;
  return static_cast<uint64_t>(v.as<double>());
}

std::optional<std::string> OptionalString(const val& v) {
  if (v.isUndefined() || v.isNull()) return std::nullopt;
  return v.as<std::string>();
}

// caused_by arrives as comma-separated hex hashes ("" for none).
Result<std::vector<Hash>> ParseHashes(const std::string& csv) {
  std::vector<Hash> out;
  size_t start = 0;
  while (start < csv.size()) {
    size_t end = csv.find(',', start);
    if (end == std::string::npos) end = csv.size();
    CAIRN_ASSIGN_OR_RETURN(Hash h, Hash::FromHex(std::string_view(csv).substr(start, end - start)));
    out.push_back(h);
    start = end + 1;
  }
  return out;
}

Result<WriteOptions> MakeWriteOptions(const std::string& caused_by, const val& valid_from,
                                      const val& valid_to) {
  WriteOptions o;
  CAIRN_ASSIGN_OR_RETURN(o.caused_by, ParseHashes(caused_by));
  o.valid_from = OptionalString(valid_from);
  o.valid_to = OptionalString(valid_to);
  return o;
}

// Versions leave wasm in a compact text form that JS splits without a
// per-field parser (js/src/database.js, parseVersions). First one record per
// version, ended by 0x1E, of ten fields (eleven for a trace entry), each
// ended by 0x1F:
//   coll, id, seq, hash, prev ("" for none), caused_by (comma-separated),
//   ts, valid_from, valid_to ("" when unset), deleted ("1" or "0")[, depth]
// then 0x1D and the versions' data as one JSON array, in the same order:
// JS reads all of them with one JSON.parse, which costs less than one call
// per document. None of the three bytes can occur inside a field or the
// data: names reject control characters and canonical JSON escapes them.
constexpr char kFieldEnd = '\x1f';
constexpr char kRecordEnd = '\x1e';
constexpr char kDataStart = '\x1d';

// A version's caused_by, comma-separated hex, ended by 0x1F.
void AppendCauses(std::string* out, const Version& v) {
  for (size_t i = 0; i < v.caused_by.size(); i++) {
    if (i) out->push_back(',');
    v.caused_by[i].AppendHex(out);
  }
  out->push_back(kFieldEnd);
}

void AppendRecord(std::string* out, const Version& v, const uint32_t* depth) {
  // Written straight into *out: a get's record is most of what it costs
  // in wasm besides the lookup.
  auto field = [&](std::string_view f) {
    out->append(f);
    out->push_back(kFieldEnd);
  };
  auto number = [&](uint64_t n) {
    char digits[20];
    const auto r = std::to_chars(digits, digits + sizeof digits, n);
    out->append(digits, r.ptr);
    out->push_back(kFieldEnd);
  };
  field(v.coll);
  field(v.id);
  number(v.seq);
  v.hash.AppendHex(out);
  out->push_back(kFieldEnd);
  if (v.prev) v.prev->AppendHex(out);
  out->push_back(kFieldEnd);
  AppendCauses(out, v);
  field(std::to_string(v.ts));
  field(v.valid_from.value_or(""));
  field(v.valid_to.value_or(""));
  field(v.deleted ? "1" : "0");
  if (depth) number(*depth);
  out->push_back(kRecordEnd);
}

// 0x1D, then the data of `n` versions (at(i) is the i-th) as a JSON array.
template <typename At>
void AppendData(std::string* out, size_t n, At at) {
  out->push_back(kDataStart);
  out->push_back('[');
  for (size_t i = 0; i < n; i++) {
    if (i) out->push_back(',');
    out->append(at(i).data);
  }
  out->push_back(']');
}

// The records of `n` versions, then their data. at(i) is the i-th version,
// depth_at(i) its trace depth or null.
template <typename At, typename DepthAt>
void AppendRecords(std::string* out, size_t n, At at, DepthAt depth_at) {
  for (size_t i = 0; i < n; i++) AppendRecord(out, at(i), depth_at(i));
  AppendData(out, n, at);
}

const uint32_t* NoDepth(size_t) { return nullptr; }

// putMany's versions, in a shorter form than AppendRecords (read by
// js/src/database.js, parseWritten): the caller named each version's coll
// and id, the seqs are consecutive from the first (DB::PutMany's contract),
// the batch has one ts, and no version is deleted. First the first seq and
// the ts, each ended by 0x1F; then per version a flag digit ('0' plus 1
// when it has a prev, plus 2 when it names causes or validity), its hash,
// its prev when flagged, and when flagged its caused_by (comma-separated),
// valid_from and valid_to, each ended by 0x1F; then 0x1D and the data as one
// JSON array. INTERNAL if the versions break that contract.
Status AppendWritten(std::string* out, const std::vector<Version>& vs) {
  if (vs.empty()) return Status::OK();
  const uint64_t first = vs.front().seq;
  const int64_t ts = vs.front().ts;
  out->append(std::to_string(first));
  out->push_back(kFieldEnd);
  out->append(std::to_string(ts));
  out->push_back(kFieldEnd);
  for (size_t i = 0; i < vs.size(); i++) {
    const Version& v = vs[i];
    if (v.seq != first + i || v.ts != ts || v.deleted) {
      return Status::Internal("putMany: version " + std::to_string(i) +
                              " does not follow the batch's seqs and ts");
    }
    const bool extras = !v.caused_by.empty() || v.valid_from || v.valid_to;
    out->push_back(static_cast<char>('0' + (v.prev ? 1 : 0) + (extras ? 2 : 0)));
    v.hash.AppendHex(out);
    if (v.prev) v.prev->AppendHex(out);
    if (extras) {
      AppendCauses(out, v);
      out->append(v.valid_from.value_or(""));
      out->push_back(kFieldEnd);
      out->append(v.valid_to.value_or(""));
      out->push_back(kFieldEnd);
    }
  }
  AppendData(out, vs.size(), [&](size_t i) -> const Version& { return vs[i]; });
  return Status::OK();
}

Status CountMismatch(size_t docs) {
  return Status::InvalidArgument("putMany: the batch encoding has " + std::to_string(docs) +
                                 " documents for a different number of writes");
}

class WasmDatabase {
 public:
  // null, or an error object.
  val Open(val bridge, int durability, double cache_bytes, double segment_bytes,
           double checkpoint_bytes, bool create_if_missing) {
    Options o;
    o.durability = durability == 1 ? Durability::kRelaxed : Durability::kStrict;
    o.cache_bytes = static_cast<size_t>(cache_bytes);
    o.segment_bytes = static_cast<uint64_t>(segment_bytes);
    o.checkpoint_bytes = static_cast<uint64_t>(checkpoint_bytes);
    o.create_if_missing = create_if_missing;
    auto db = Database::Open(NewJsStorage(std::move(bridge)), o);
    if (!db.ok()) return ErrorOf(db.status());
    db_ = std::move(db).value();
    return val::null();
  }

  val Put(std::string coll, std::string id, std::string doc, std::string caused_by,
          val valid_from, val valid_to) {
    auto o = MakeWriteOptions(caused_by, valid_from, valid_to);
    if (!o.ok()) return ErrorOf(o.status());
    return Record(db_->Put(coll, id, doc, *o));
  }

  // A view of `n` bytes of wasm memory for the next PutMany's input, which
  // JS fills with TextEncoder.encodeInto (much faster than passing a JS
  // string through embind). Valid until the next call.
  val InputBuffer(size_t n) {
    in_.resize(n);
    return val(emscripten::typed_memory_view(n, reinterpret_cast<uint8_t*>(in_.data())));
  }
  // A view of the bytes the last call wrote (UTF-8), for TextDecoder.
  val Output() {
    return val(emscripten::typed_memory_view(out_.size(), reinterpret_cast<uint8_t*>(out_.data())));
  }

  // Calls that return versions write their records (AppendRecords) to the
  // output buffer and return their count; for one optional version, null
  // when there is none.
  val Records(const Result<std::vector<Version>>& r) {
    if (!r.ok()) return ErrorOf(r.status());
    out_.clear();
    AppendRecords(
        &out_, r->size(), [&](size_t i) -> const Version& { return (*r)[i]; }, NoDepth);
    return val(static_cast<double>(r->size()));
  }
  val Record(const Result<Version>& r) {
    if (!r.ok()) return ErrorOf(r.status());
    WriteRecord(*r);
    return val(1);
  }
  val Record(const Result<std::optional<Version>>& r) {
    if (!r.ok()) return ErrorOf(r.status());
    if (!*r) return val::null();
    WriteRecord(**r);
    return val(1);
  }
  // One version's record, alone in the output buffer.
  void WriteRecord(const Version& v) {
    out_.clear();
    AppendRecords(
        &out_, 1, [&](size_t) -> const Version& { return v; }, NoDepth);
  }

  // The first `len` bytes of the input buffer hold the batch's documents as
  // one JSON array (JSON.stringify of them all: far cheaper in JS than one
  // call per document), ended by 0x00, then per op five fields each ended
  // by 0x00: coll, id, caused_by (comma-separated hex), valid_from, valid_to
  // ("" when unset). JSON text never holds a raw 0x00 and the JS layer
  // rejects it in names. Each document is canonicalized by PutMany, which
  // refuses any element that is not one well-formed value. Returns the
  // versions' count (AppendWritten's form of them is in Output()) or an
  // error object.
  val PutMany(size_t len) {
    std::string_view rest = std::string_view(in_).substr(0, len);
    const size_t docs_end = rest.find('\0');
    if (docs_end == std::string_view::npos) {
      return ErrorOf(Status::InvalidArgument("putMany: truncated batch encoding"));
    }
    auto docs = SplitJsonArray(rest.substr(0, docs_end));
    if (!docs.ok()) return ErrorOf(docs.status().WithContext("putMany: the documents"));
    rest.remove_prefix(docs_end + 1);
    std::vector<WriteOp> ops;
    ops.reserve(docs->size());
    std::string_view f[5];
    while (!rest.empty()) {
      for (auto& field : f) {
        size_t end = rest.find('\0');
        if (end == std::string_view::npos) {
          return ErrorOf(Status::InvalidArgument("putMany: truncated batch encoding"));
        }
        field = rest.substr(0, end);
        rest.remove_prefix(end + 1);
      }
      if (ops.size() == docs->size()) return ErrorOf(CountMismatch(docs->size()));
      WriteOp op;
      op.coll = f[0];
      op.id = f[1];
      op.doc_json = (*docs)[ops.size()];
      auto hashes = ParseHashes(std::string(f[2]));
      if (!hashes.ok()) {
        return ErrorOf(hashes.status().WithContext("op " + std::to_string(ops.size())));
      }
      op.options.caused_by = std::move(*hashes);
      if (!f[3].empty()) op.options.valid_from = std::string(f[3]);
      if (!f[4].empty()) op.options.valid_to = std::string(f[4]);
      ops.push_back(std::move(op));
    }
    if (ops.size() != docs->size()) return ErrorOf(CountMismatch(docs->size()));
    auto vs = db_->PutMany(ops);
    if (!vs.ok()) return ErrorOf(vs.status());
    out_.clear();
    const Status s = AppendWritten(&out_, *vs);
    if (!s.ok()) return ErrorOf(s);
    return val(static_cast<double>(vs->size()));
  }

  val Delete(std::string coll, std::string id, std::string caused_by, val valid_from,
             val valid_to) {
    auto o = MakeWriteOptions(caused_by, valid_from, valid_to);
    if (!o.ok()) return ErrorOf(o.status());
    return Record(db_->Delete(coll, id, *o));
  }

  // The hottest read, so it takes as_of as a number (below 0: none) and
  // answers with one: 1 with the record in Output(), 0 when there is none,
  // -1 when it failed (LastError()). No value handle is made either way.
  int Get(std::string coll, std::string id, double as_of) {
    ReadOptions o;
    if (as_of >= 0) o.as_of = static_cast<uint64_t>(as_of);
    auto r = db_->Get(coll, id, o);
    if (!r.ok()) {
      last_error_ = r.status();
      return -1;
    }
    if (!*r) return 0;
    WriteRecord(**r);
    return 1;
  }
  // The error of the last call that answered -1.
  val LastError() { return ErrorOf(last_error_); }

  val GetByHash(std::string hex) {
    auto h = Hash::FromHex(hex);
    if (!h.ok()) return ErrorOf(h.status());
    return Record(db_->GetByHash(*h));
  }

  val History(std::string coll, std::string id) {
    return Records(db_->History(coll, id));
  }

  val List(std::string coll, val as_of, double limit, double offset, val start_after) {
    ListOptions o;
    o.as_of = OptionalSeq(as_of);
    o.limit = limit < 0 ? SIZE_MAX : static_cast<size_t>(limit);
    o.offset = static_cast<size_t>(offset);
    o.start_after = OptionalString(start_after);
    return Records(db_->List(coll, o));
  }

  val Versions(double from_seq, double limit) {
    return Records(db_->Versions(static_cast<uint64_t>(from_seq),
                                 limit < 0 ? SIZE_MAX : static_cast<size_t>(limit)));
  }

  val Collections() {
    auto cs = db_->Collections();
    if (!cs.ok()) return ErrorOf(cs.status());
    std::string out = "[";
    for (size_t i = 0; i < cs->size(); i++) {
      if (i) out.push_back(',');
      AppendJsonString(&out, (*cs)[i]);
    }
    out.push_back(']');
    return val(out);
  }

  val Trace(std::string hex, bool reverse, double depth, double limit, val as_of) {
    auto h = Hash::FromHex(hex);
    if (!h.ok()) return ErrorOf(h.status());
    TraceOptions o;
    o.reverse = reverse;
    o.depth = depth < 0 ? SIZE_MAX : static_cast<size_t>(depth);
    o.limit = limit < 0 ? SIZE_MAX : static_cast<size_t>(limit);
    o.as_of = OptionalSeq(as_of);
    auto es = db_->Trace(*h, o);
    if (!es.ok()) return ErrorOf(es.status());
    out_.clear();
    AppendRecords(
        &out_, es->size(), [&](size_t i) -> const Version& { return (*es)[i].version; },
        [&](size_t i) -> const uint32_t* { return &(*es)[i].depth; });
    return val(static_cast<double>(es->size()));
  }

  // {"rows":[...],"seq":..,"head":"..","plan":".."} as JSON text.
  val Query(std::string nql) {
    auto r = db_->Query(nql);
    if (!r.ok()) return ErrorOf(r.status());
    std::string out = "{\"rows\":[";
    for (size_t i = 0; i < r->rows.size(); i++) {
      if (i) out.push_back(',');
      out.append(r->rows[i]);
    }
    out.append("],\"seq\":" + std::to_string(r->seq) + ",\"head\":\"" + r->head.ToHex() + "\",\"plan\":");
    AppendJsonString(&out, r->plan);
    out.push_back('}');
    return val(out);
  }

  val CreateIndex(std::string coll, std::string field) { return StatusVal(db_->CreateIndex(coll, field)); }
  val CreateTextIndex(std::string coll) { return StatusVal(db_->CreateTextIndex(coll)); }
  val DropIndex(std::string coll, std::string field) { return StatusVal(db_->DropIndex(coll, field)); }
  val Indexes() {
    auto all = db_->Indexes();
    if (!all.ok()) return ErrorOf(all.status());
    std::string out = "[";
    for (size_t i = 0; i < all->size(); i++) {
      const IndexInfo& x = (*all)[i];
      if (i) out.push_back(',');
      out.append("{\"coll\":");
      AppendJsonString(&out, x.coll);
      out.append(",\"field\":");
      if (x.text) {
        out.append("null");
      } else {
        AppendJsonString(&out, x.field);
      }
      out.append(std::string(",\"text\":") + (x.text ? "true" : "false") + ",\"ready\":" + (x.ready ? "true" : "false") + "}");
    }
    out.push_back(']');
    return val(out);
  }

  val Link(std::string from, std::string rel, std::string to, bool link) {
    return Record(link ? db_->Link(from, rel, to) : db_->Unlink(from, rel, to));
  }

  val Neighbors(std::string node, std::string rel, bool reverse, val as_of) {
    NeighborOptions o;
    o.reverse = reverse;
    o.as_of = OptionalSeq(as_of);
    auto n = db_->Neighbors(node, rel, o);
    if (!n.ok()) return ErrorOf(n.status());
    std::string out = "[";
    for (size_t i = 0; i < n->size(); i++) {
      if (i) out.push_back(',');
      AppendJsonString(&out, (*n)[i]);
    }
    out.push_back(']');
    return val(out);
  }

  val Head() {
    auto h = db_->GetHead();
    if (!h.ok()) return ErrorOf(h.status());
    return val("{\"seq\":" + std::to_string(h->seq) + ",\"head\":\"" + h->head.ToHex() + "\"}");
  }

  val Verify() {
    auto r = db_->Verify();
    if (!r.ok()) return ErrorOf(r.status());
    std::string out = std::string("{\"ok\":") + (r->ok ? "true" : "false") +
                      ",\"checked\":" + std::to_string(r->checked) + ",\"tampered\":[";
    for (size_t i = 0; i < r->tampered.size(); i++) {
      out.append(i ? ",\"" : "\"").append(r->tampered[i].ToHex()).push_back('"');
    }
    out.append("],\"problems\":[");
    for (size_t i = 0; i < r->problems.size(); i++) {
      if (i) out.push_back(',');
      AppendJsonString(&out, r->problems[i]);
    }
    out.append("]}");
    return val(out);
  }

  val Stats() {
    const cairn::Stats s = db_->GetStats();
    std::string out = "{";
    auto field = [&](const char* name, uint64_t v) {
      if (out.size() > 1) out.push_back(',');
      out.append("\"").append(name).append("\":").append(std::to_string(v));
    };
    field("seq", s.seq);
    field("documents", s.documents);
    field("versions", s.versions);
    field("logBytes", s.log_bytes);
    field("segments", s.segments);
    field("memtableEntries", s.memtable_entries);
    field("memtableBytes", s.memtable_bytes);
    field("checkpointEntries", s.checkpoint_entries);
    field("checkpointTables", s.checkpoint_tables);
    field("mappedTables", s.mapped_tables);
    field("spaces", s.spaces);
    field("spaceBranches", s.space_branches);
    field("cacheBytes", s.cache_bytes);
    field("cacheCapacity", s.cache_capacity);
    field("cacheHits", s.cache_hits);
    field("cacheMisses", s.cache_misses);
    field("indexBytes", s.index_bytes);
    field("replayedRecords", s.replayed_records);
    field("spaceBlocksSkipped", s.space_blocks_skipped);
    out.push_back('}');
    return val(out);
  }

  // ---- spaces and hyperedges (js/src/space.js). Points, payloads and
  // records cross as words (wasm/space_codec.h): JS fills SpaceInput(), and
  // reads SpaceOutput() after a call that returns records.

  // A Uint32Array view of `words` words for the next spatial call's input.
  // Valid until the next call.
  val SpaceInput(size_t words) {
    words_in_.assign(words, 0);
    return val(emscripten::typed_memory_view(words_in_.size(), words_in_.data()));
  }
  val SpaceOutput() {
    return val(emscripten::typed_memory_view(words_out_.size(), words_out_.data()));
  }

  val CreateSpace(std::string name, double dims, double bits) {
    auto s = db_->CreateSpace(name, static_cast<uint32_t>(dims), static_cast<uint32_t>(bits));
    if (!s.ok()) return ErrorOf(s.status());
    return val(SpaceInfoJson(*s));
  }
  val Spaces() {
    auto all = db_->Spaces();
    if (!all.ok()) return ErrorOf(all.status());
    std::string out = "[";
    for (size_t i = 0; i < all->size(); i++) out.append(i ? "," : "").append(SpaceInfoJson((*all)[i]));
    return val(out + "]");
  }
  val DropSpace(std::string name) { return StatusVal(db_->DropSpace(name)); }

  // The input holds `words` words of write ops; their seqs leave as
  // (low, high) word pairs in SpaceOutput(). Returns the count.
  val SpaceWrite(std::string space, std::string branch, size_t words) {
    auto ops = DecodeSpaceWrites(words_in_, words);
    if (!ops.ok()) return ErrorOf(ops.status());
    auto seqs = db_->SpaceWrite(space, branch, *ops);
    if (!seqs.ok()) return ErrorOf(seqs.status());
    words_out_.clear();
    for (uint64_t seq : *seqs) {
      words_out_.push_back(static_cast<uint32_t>(seq));
      words_out_.push_back(static_cast<uint32_t>(seq >> 32));
    }
    return val(static_cast<double>(seqs->size()));
  }

  // Box (the input: min then max, `dims` words each) and subscope (the
  // input: the prefix, `dims` words): records in SpaceOutput(); returns the
  // cursor ("" when there are no more).
  val SpaceBox(std::string space, std::string branch, val as_of, double limit, std::string cursor,
               size_t dims) {
    if (words_in_.size() < 2 * dims) return ErrorOf(Status::InvalidArgument("bbox: truncated input"));
    RecordEncoder enc;
    return SpaceRecords(db_->SpaceBoxEach(space, PointAt(words_in_, 0, dims), PointAt(words_in_, dims, dims),
                                          ReadOpts(branch, as_of, limit, cursor),
                                          [&](const SpatialRecordView& r) { enc.Add(r); }),
                        &enc);
  }
  val SpaceSubscope(std::string space, std::string branch, val as_of, double limit,
                    std::string cursor, size_t dims) {
    if (words_in_.size() < dims) return ErrorOf(Status::InvalidArgument("subscope: truncated input"));
    RecordEncoder enc;
    return SpaceRecords(db_->SpaceSubscopeEach(space, PointAt(words_in_, 0, dims), ReadOpts(branch, as_of, limit, cursor),
                                               [&](const SpatialRecordView& r) { enc.Add(r); }),
                        &enc);
  }
  val SpaceCount(std::string space, std::string branch, val as_of, size_t dims) {
    if (words_in_.size() < 2 * dims) return ErrorOf(Status::InvalidArgument("count: truncated input"));
    auto n = db_->SpaceCount(space, PointAt(words_in_, 0, dims), PointAt(words_in_, dims, dims),
                             ReadOpts(branch, as_of, -1, ""));
    if (!n.ok()) return ErrorOf(n.status());
    return val(static_cast<double>(*n));
  }
  val SpaceNearest(std::string space, std::string branch, val as_of, size_t dims, double k) {
    if (words_in_.size() < dims) return ErrorOf(Status::InvalidArgument("nearest: truncated input"));
    auto r = db_->SpaceNearest(space, PointAt(words_in_, 0, dims), static_cast<size_t>(k),
                               ReadOpts(branch, as_of, -1, ""));
    if (!r.ok()) return ErrorOf(r.status());
    RecordEncoder enc;
    for (const NearestRecord& n : *r) enc.Add(n.record, 0, &n.distance);
    enc.Finish(&words_out_);
    return val(static_cast<double>(r->size()));
  }
  val SpaceHistory(std::string space, std::string branch, size_t dims) {
    if (words_in_.size() < dims) return ErrorOf(Status::InvalidArgument("history: truncated input"));
    auto r = db_->SpaceHistory(space, branch, PointAt(words_in_, 0, dims));
    if (!r.ok()) return ErrorOf(r.status());
    RecordEncoder enc;
    for (const SpatialRecord& rec : *r) enc.Add(rec);
    enc.Finish(&words_out_);
    return val(static_cast<double>(r->size()));
  }

  val CreateBranch(std::string space, std::string name, std::string from, val at) {
    auto b = db_->CreateBranch(space, name, from, OptionalSeq(at));
    if (!b.ok()) return ErrorOf(b.status());
    return val(BranchInfoJson(*b));
  }
  val Branches(std::string space) {
    auto all = db_->Branches(space);
    if (!all.ok()) return ErrorOf(all.status());
    std::string out = "[";
    for (size_t i = 0; i < all->size(); i++) out.append(i ? "," : "").append(BranchInfoJson((*all)[i]));
    return val(out + "]");
  }
  val DropBranch(std::string space, std::string name) { return StatusVal(db_->DropBranch(space, name)); }

  // Records tagged 0 added, 1 removed, 2/3 a changed pair (from, to).
  val SpaceDiff(std::string space, std::string from, std::string to, val as_of) {
    auto d = db_->SpaceDiff(space, from, to, OptionalSeq(as_of));
    if (!d.ok()) return ErrorOf(d.status());
    RecordEncoder enc;
    for (const SpatialRecord& r : d->added) enc.Add(r, 0);
    for (const SpatialRecord& r : d->removed) enc.Add(r, 1);
    for (const auto& [a, b] : d->changed) {
      enc.Add(a, 2);
      enc.Add(b, 3);
    }
    enc.Finish(&words_out_);
    return val::null();
  }

  // strategy: 0 prefer-target, 1 prefer-source, 2 latest-wins, 3 report.
  // Returns {"applied","seq"}; each conflict is three records in
  // SpaceOutput(): its base, source and target states (absent: no state).
  val MergeBranch(std::string space, std::string source, std::string target, int strategy) {
    static constexpr MergeStrategy kStrategies[] = {MergeStrategy::kPreferTarget, MergeStrategy::kPreferSource,
                                                    MergeStrategy::kLatestWins, MergeStrategy::kReport};
    if (strategy < 0 || strategy > 3) return ErrorOf(Status::InvalidArgument("unknown merge strategy"));
    auto m = db_->MergeBranch(space, source, target, kStrategies[strategy]);
    if (!m.ok()) return ErrorOf(m.status());
    RecordEncoder enc;
    for (const MergeConflict& c : m->conflicts) {
      for (const auto* side : {&c.base, &c.source, &c.target}) {
        if (*side) {
          enc.Add(**side);
        } else {
          enc.AddAbsent(c.point);
        }
      }
    }
    enc.Finish(&words_out_);
    return val("{\"applied\":" + std::to_string(m->applied) + ",\"seq\":" + std::to_string(m->seq) + "}");
  }

  // The input holds `words` words encoding the edge.
  val PutEdge(size_t words) {
    auto e = DecodeEdge(words_in_, words);
    if (!e.ok()) return ErrorOf(e.status());
    auto put = db_->PutEdge(*e);
    if (!put.ok()) return ErrorOf(put.status());
    return val(EdgeJson(*put));
  }
  val DeleteEdge(std::string id) { return StatusVal(db_->DeleteEdge(id)); }
  // The point is the first `dims` input words; kinds a JS array of strings.
  val EdgesAt(std::string space, size_t dims, val as_of, val kinds) {
    if (words_in_.size() < dims) return ErrorOf(Status::InvalidArgument("edgesAt: truncated input"));
    EdgeQueryOptions o;
    o.as_of = OptionalSeq(as_of);
    o.kinds = emscripten::vecFromJSArray<std::string>(kinds);
    return Edges(db_->EdgesAt(space, PointAt(words_in_, 0, dims), o));
  }
  val EdgesOfKind(std::string kind, val as_of) {
    EdgeQueryOptions o;
    o.as_of = OptionalSeq(as_of);
    return Edges(db_->EdgesOfKind(kind, o));
  }
  val TraverseEdges(std::string space, size_t dims, val as_of, val kinds, double depth, double limit,
                    bool directed) {
    if (words_in_.size() < dims) return ErrorOf(Status::InvalidArgument("traverseEdges: truncated input"));
    EdgeTraverseOptions o;
    o.as_of = OptionalSeq(as_of);
    o.kinds = emscripten::vecFromJSArray<std::string>(kinds);
    o.depth = static_cast<size_t>(depth);
    o.limit = limit < 0 ? SIZE_MAX : static_cast<size_t>(limit);
    o.directed = directed;
    auto hops = db_->TraverseEdges(space, PointAt(words_in_, 0, dims), o);
    if (!hops.ok()) return ErrorOf(hops.status());
    std::string out = "[";
    for (size_t i = 0; i < hops->size(); i++) out.append(i ? "," : "").append(HopJson((*hops)[i]));
    return val(out + "]");
  }

  val Checkpoint() { return StatusVal(db_->Checkpoint()); }
  val Compact() { return StatusVal(db_->Compact()); }
  val Sync() { return StatusVal(db_->Sync()); }
  // Closes and frees the engine (and with it the storage bridge).
  val Close() {
    if (!db_) return val::null();
    Status s = db_->Close();
    db_.reset();
    return StatusVal(s);
  }

 private:
  static val StatusVal(const Status& s) { return s.ok() ? val::null() : ErrorOf(s); }

  static SpaceReadOptions ReadOpts(const std::string& branch, const val& as_of, double limit,
                                   const std::string& cursor) {
    SpaceReadOptions o;
    o.branch = branch;
    o.as_of = OptionalSeq(as_of);
    o.limit = limit < 0 ? SIZE_MAX : static_cast<size_t>(limit);
    o.cursor = cursor;
    return o;
  }
  // The records `enc` received to SpaceOutput(); returns the cursor.
  val SpaceRecords(const Result<SpaceQueryResult>& r, RecordEncoder* enc) {
    if (!r.ok()) return ErrorOf(r.status());
    enc->Finish(&words_out_);
    return val(r->cursor);
  }
  static val Edges(const Result<std::vector<Hyperedge>>& r) {
    if (!r.ok()) return ErrorOf(r.status());
    std::string out = "[";
    for (size_t i = 0; i < r->size(); i++) out.append(i ? "," : "").append(EdgeJson((*r)[i]));
    return val(out + "]");
  }

  std::unique_ptr<Database> db_;
  std::string in_, out_;
  Status last_error_;  // of the last Get that failed
  std::vector<uint32_t> words_in_, words_out_;  // spatial calls (wasm/space_codec.h)
};

// BLAKE2b-256 of `bytes` (a Uint8Array), as hex: lets the package's tests
// check the wasm build's hash against published vectors.
std::string Blake2b256Hex(val bytes) {
  std::vector<uint8_t> in = emscripten::convertJSArrayToNumberVector<uint8_t>(bytes);
  return Hash::Of(std::string_view(reinterpret_cast<const char*>(in.data()), in.size())).ToHex();
}

}  // namespace
}  // namespace cairn

EMSCRIPTEN_BINDINGS(cairn) {
  using cairn::WasmDatabase;
  emscripten::class_<WasmDatabase>("Database")
      .constructor<>()
      .function("open", &WasmDatabase::Open)
      .function("put", &WasmDatabase::Put)
      .function("inputBuffer", &WasmDatabase::InputBuffer)
      .function("output", &WasmDatabase::Output)
      .function("putMany", &WasmDatabase::PutMany)
      .function("deleteDoc", &WasmDatabase::Delete)  // embind reserves delete()
      .function("get", &WasmDatabase::Get)
      .function("lastError", &WasmDatabase::LastError)
      .function("getByHash", &WasmDatabase::GetByHash)
      .function("history", &WasmDatabase::History)
      .function("list", &WasmDatabase::List)
      .function("versions", &WasmDatabase::Versions)
      .function("collections", &WasmDatabase::Collections)
      .function("trace", &WasmDatabase::Trace)
      .function("query", &WasmDatabase::Query)
      .function("createIndex", &WasmDatabase::CreateIndex)
      .function("createTextIndex", &WasmDatabase::CreateTextIndex)
      .function("dropIndex", &WasmDatabase::DropIndex)
      .function("indexes", &WasmDatabase::Indexes)
      .function("link", &WasmDatabase::Link)
      .function("neighbors", &WasmDatabase::Neighbors)
      .function("head", &WasmDatabase::Head)
      .function("verify", &WasmDatabase::Verify)
      .function("stats", &WasmDatabase::Stats)
      .function("spaceInput", &WasmDatabase::SpaceInput)
      .function("spaceOutput", &WasmDatabase::SpaceOutput)
      .function("createSpace", &WasmDatabase::CreateSpace)
      .function("spaces", &WasmDatabase::Spaces)
      .function("dropSpace", &WasmDatabase::DropSpace)
      .function("spaceWrite", &WasmDatabase::SpaceWrite)
      .function("spaceBox", &WasmDatabase::SpaceBox)
      .function("spaceSubscope", &WasmDatabase::SpaceSubscope)
      .function("spaceCount", &WasmDatabase::SpaceCount)
      .function("spaceNearest", &WasmDatabase::SpaceNearest)
      .function("spaceHistory", &WasmDatabase::SpaceHistory)
      .function("createBranch", &WasmDatabase::CreateBranch)
      .function("branches", &WasmDatabase::Branches)
      .function("dropBranch", &WasmDatabase::DropBranch)
      .function("spaceDiff", &WasmDatabase::SpaceDiff)
      .function("mergeBranch", &WasmDatabase::MergeBranch)
      .function("putEdge", &WasmDatabase::PutEdge)
      .function("deleteEdge", &WasmDatabase::DeleteEdge)
      .function("edgesAt", &WasmDatabase::EdgesAt)
      .function("edgesOfKind", &WasmDatabase::EdgesOfKind)
      .function("traverseEdges", &WasmDatabase::TraverseEdges)
      .function("checkpoint", &WasmDatabase::Checkpoint)
      .function("compact", &WasmDatabase::Compact)
      .function("sync", &WasmDatabase::Sync)
      .function("close", &WasmDatabase::Close);
  emscripten::function("blake2b256Hex", &cairn::Blake2b256Hex);
}
