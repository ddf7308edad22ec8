// Secondary indexes, the full-text index and links (README, "Indexes" and
// "Links"; FORMAT.md, "Index keys").
//
// Definitions and links are versions in the system collections
// _cairn_index and _cairn_link, written through the normal write path, so
// they are durable, hashed into the head and replayed like any write. The
// index entries they imply are derived in ApplyVersions (ApplySecondary):
//   'I' coll 0 name              -> "P" defined or "R" ready, then BE64(gen); "D" dropped
//   'i' coll 0 field 0 gen vkey id   -> ref (or "D": removed)  ascending order
//   'k' coll 0 field 0 gen ~vkey id  -> ref (or "D")           descending order
//   'j' coll 0 field 0 gen id        -> "P" vkey (or "D")      the current entry of a document
//   't' coll 0 gen word 0 id         -> "" (or "D")            full text
//   'u' coll 0 gen id                -> words, each ended by 0 (or "D")
// ref is the hash and log location of the version indexed (files written
// before refs hold ""), so an index read needs no lookup by id.
// gen is the seq of the index's definition, so the entries of a dropped
// index never mix with those of a later one on the same field.
//   'l' from 0 rel 0 to 0 BE64(~seq) -> "1" linked / "0" unlinked
//   'L' to 0 rel 0 from 0 BE64(~seq) -> the same, reversed
// Entries are never removed: a newer "D" value shadows them (the merging
// iterator returns the newest value of a key).
#include <algorithm>
#include <set>

#include "docs/validate.h"
#include "engine/db_impl.h"
#include "index/tokenizer.h"
#include "index/value_key.h"
#include "nql/row.h"
#include "util/coding.h"
#include "util/json.h"

namespace cairn {
namespace {

constexpr char kIndexCollection[] = "_cairn_index";
constexpr char kLinkCollection[] = "_cairn_link";
constexpr char kTextName[] = "*text";

std::string Key(char tag, std::initializer_list<std::string_view> parts) {
  std::string k(1, tag);
  bool first = true;
  for (std::string_view p : parts) {
    if (!first) k.push_back('\0');
    first = false;
    k.append(p);
  }
  return k;
}

std::string Inverted(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(~static_cast<unsigned char>(c));
  return out;
}

nql::Field FieldOf(std::string_view text) {
  nql::Field f;
  f.text = std::string(text);
  size_t a = 0;
  while (true) {
    size_t b = text.find('.', a);
    f.path.emplace_back(text.substr(a, b == std::string_view::npos ? std::string_view::npos : b - a));
    if (b == std::string_view::npos) break;
    a = b + 1;
  }
  return f;
}

// The id of a link version: the BLAKE2b of its endpoints and relation.
std::string LinkId(std::string_view from, std::string_view rel, std::string_view to) {
  std::string buf;
  for (std::string_view p : {from, rel, to}) {
    PutFixed32(&buf, static_cast<uint32_t>(p.size()));
    buf.append(p);
  }
  return Hash::Of(buf).ToHex();
}

std::string LinkData(std::string_view from, std::string_view rel, std::string_view to, bool linked) {
  std::string data = "{\"from\":";
  AppendJsonString(&data, from);
  data += linked ? ",\"linked\":true,\"rel\":" : ",\"linked\":false,\"rel\":";
  AppendJsonString(&data, rel);
  data += ",\"to\":";
  AppendJsonString(&data, to);
  data += "}";
  return data;
}

std::string Gen(uint64_t gen) {
  std::string g;
  PutBigEndian64(&g, gen);
  return g;
}

// "coll:id" -> (coll, id).
Result<std::pair<std::string, std::string>> SplitNode(std::string_view node, const char* what) {
  const size_t colon = node.find(':');
  if (colon == std::string_view::npos || colon == 0 || colon + 1 == node.size()) {
    return Status::InvalidArgument(std::string(what) + " \"" + std::string(node) +
                                   "\" must name a document as coll:id");
  }
  return std::make_pair(std::string(node.substr(0, colon)), std::string(node.substr(colon + 1)));
}

Status ValidateRelation(std::string_view rel, const Limits& limits) {
  Status s = ValidateCollection(rel, limits);  // the same alphabet as collection names
  if (!s.ok()) return Status::InvalidArgument("link relation: " + s.message());
  return Status::OK();
}

Status ValidateField(std::string_view field) {
  if (field.empty()) return Status::InvalidArgument("index field is empty");
  if (field.size() > 256) return Status::InvalidArgument("index field is longer than 256 bytes");
  if (field.front() == '.' || field.back() == '.' || field.find("..") != std::string_view::npos) {
    return Status::InvalidArgument("index field \"" + std::string(field) + "\" has an empty path part");
  }
  if (field.find('\0') != std::string_view::npos || !IsValidUtf8(field)) {
    return Status::InvalidArgument("index field must be valid UTF-8 without NUL");
  }
  return Status::OK();
}

}  // namespace

// ---- lookups of derived entries (index_mu_ held)

Result<std::optional<std::string>> DBImpl::DerivedValue(std::string_view key) {
  std::string_view value;
  for (const MemTable* m : {mem_.get(), imm_.get()}) {
    if (m && m->Find(key, &value)) return std::optional<std::string>(std::string(value));
  }
  auto it = NewIndexIterator();
  CAIRN_RETURN_IF_ERROR(it->Seek(key));
  if (it->Valid() && it->key() == key) return std::optional<std::string>(std::string(it->value()));
  return std::optional<std::string>();
}

void DBImpl::ApplySecondary(const Version& v, const Location& loc) {
  if (v.coll == "_cairn_space" || v.coll == "_cairn_branch" || v.coll == "_cairn_point") {
    ApplySpatial(v);
    return;
  }
  if (v.coll == "_cairn_edge") {
    ApplyEdge(v);
    return;
  }
  if (v.coll == kIndexCollection) {
    nql::Doc d;
    (void)nql::ParseJson(v.data, &d);
    std::string coll, name;
    if (!v.deleted && d.IsObject() && d.HasMember("coll") && d["coll"].IsString()) {
      coll = d["coll"].GetString();
      name = d.HasMember("text") ? kTextName : (d.HasMember("field") && d["field"].IsString() ? d["field"].GetString() : "");
    } else {
      // A drop: the id is coll ":" name.
      const size_t colon = v.id.find(':');
      coll = v.id.substr(0, colon);
      name = colon == std::string::npos ? "" : v.id.substr(colon + 1);
    }
    if (coll.empty() || name.empty()) return;
    if (v.deleted) {
      mem_->Put(Key('I', {coll, name}), "D");
      index_defs_[coll].erase(name);
      if (index_defs_[coll].empty()) index_defs_.erase(coll);
    } else {
      std::string value = "P";
      PutBigEndian64(&value, v.seq);
      mem_->Put(Key('I', {coll, name}), value);
      index_defs_[coll][name] = IndexDef{'P', v.seq};
    }
    return;
  }
  if (v.coll == kLinkCollection) {
    // A link version holds {"from","rel","to","linked"}; unlinking writes
    // linked: false, so every version names its endpoints.
    nql::Doc d;
    (void)nql::ParseJson(v.data, &d);
    if (v.deleted || !d.IsObject() || !d.HasMember("from") || !d.HasMember("rel") || !d.HasMember("to") ||
        !d["from"].IsString() || !d["rel"].IsString() || !d["to"].IsString()) {
      return;
    }
    const std::string from = d["from"].GetString(), rel = d["rel"].GetString(), to = d["to"].GetString();
    const bool linked = !d.HasMember("linked") || d["linked"].IsTrue();
    const std::string state = linked ? "1" : "0";
    std::string k = Key('l', {from, rel, to});
    k.push_back('\0');
    PutBigEndian64(&k, ~v.seq);
    mem_->Put(k, state);
    std::string r = Key('L', {to, rel, from});
    r.push_back('\0');
    PutBigEndian64(&r, ~v.seq);
    mem_->Put(r, state);
    return;
  }
  auto defs = index_defs_.find(v.coll);
  if (defs == index_defs_.end()) return;
  // Fields are looked up in the version's query row, so special fields
  // (_id, _seq, ...) index like any other.
  nql::Row row;
  if (!v.deleted) {
    Result<nql::Row> r = nql::RowOfVersion(v);
    if (r.ok()) row = std::move(r).value();
  }
  static const nql::Doc kEmpty;
  const nql::Doc& d = row.doc ? *row.doc : kEmpty;
  std::string ref;  // the value of this version's 'i' and 'k' entries
  AppendIndexRef(&ref, v.hash, loc);
  for (const auto& [name, def] : defs->second) {
    const std::string gen = Gen(def.gen);
    if (name == kTextName) {
      ApplyText(v, d, gen);
      continue;
    }
    const std::string jkey = Key('j', {v.coll, name, gen + v.id});
    Result<std::optional<std::string>> old = DerivedValue(jkey);
    if (old.ok() && *old && (*old)->size() > 0 && (**old)[0] == 'P') {
      const std::string_view okey = std::string_view(**old).substr(1);
      std::string ik = Key('i', {v.coll, name, gen});
      ik.append(okey).append(v.id);
      mem_->Put(ik, "D");
      std::string kk = Key('k', {v.coll, name, gen});
      kk.append(Inverted(okey)).append(v.id);
      mem_->Put(kk, "D");
    }
    if (v.deleted) {
      mem_->Put(jkey, "D");
      continue;
    }
    std::string vkey;
    const nql::JsonValue* value = d.IsObject() ? nql::Lookup(d, FieldOf(name)) : nullptr;
    AppendValueKey(&vkey, value);
    std::string ik = Key('i', {v.coll, name, gen});
    ik.append(vkey).append(v.id);
    mem_->Put(ik, ref);
    std::string kk = Key('k', {v.coll, name, gen});
    kk.append(Inverted(vkey)).append(v.id);
    mem_->Put(kk, ref);
    mem_->Put(jkey, "P" + vkey);
  }
}

void DBImpl::ApplyText(const Version& v, const nql::Doc& d, const std::string& gen) {
  const std::string ukey = Key('u', {v.coll, gen + v.id});
  std::set<std::string> old_words, new_words;
  Result<std::optional<std::string>> old = DerivedValue(ukey);
  if (old.ok() && *old && **old != "D") {
    std::string_view rest = **old;
    while (!rest.empty()) {
      const size_t end = rest.find('\0');
      old_words.emplace(rest.substr(0, end));
      rest.remove_prefix(end + 1);
    }
  }
  if (!v.deleted) {
    std::vector<std::string> words;
    std::function<void(const nql::JsonValue&)> collect = [&](const nql::JsonValue& x) {
      if (x.IsString()) {
        Tokenize(std::string_view(x.GetString(), x.GetStringLength()), &words);
      } else if (x.IsArray()) {
        for (const auto& e : x.GetArray()) collect(e);
      } else if (x.IsObject()) {
        for (const auto& m : x.GetObject()) collect(m.value);
      }
    };
    if (d.IsObject()) {
      for (const auto& m : d.GetObject()) {
        if (!nql::IsSpecialField(std::string_view(m.name.GetString(), m.name.GetStringLength()))) collect(m.value);
      }
    }
    new_words.insert(words.begin(), words.end());
  }
  for (const std::string& w : old_words) {
    if (!new_words.count(w)) mem_->Put(Key('t', {v.coll, gen + w, v.id}), "D");
  }
  std::string list;
  for (const std::string& w : new_words) {
    if (!old_words.count(w)) mem_->Put(Key('t', {v.coll, gen + w, v.id}), "");
    list.append(w).push_back('\0');
  }
  mem_->Put(ukey, v.deleted ? "D" : list);
}

Status DBImpl::LoadDerivedState() {
  // Index definitions, from their 'I' entries.
  index_defs_.clear();
  auto it = NewIndexIterator();
  CAIRN_RETURN_IF_ERROR(it->Seek("I"));
  while (it->Valid() && it->key()[0] == 'I') {
    std::string_view k = it->key().substr(1);
    const size_t sep = k.find('\0');
    const std::string_view value = it->value();
    if (sep != std::string_view::npos && value.size() == 9 && value[0] != 'D') {
      index_defs_[std::string(k.substr(0, sep))][std::string(k.substr(sep + 1))] =
          IndexDef{value[0], DecodeBigEndian64(value.data() + 1)};
    }
    CAIRN_RETURN_IF_ERROR(it->Next());
  }
  // Spaces and branches, from their 'G' and 'B' entries (db_space.cc).
  spaces_.clear();
  branches_.clear();
  CAIRN_RETURN_IF_ERROR(it->Seek("B"));
  while (it->Valid() && it->key()[0] == 'B') {
    std::string_view k = it->key().substr(1);
    const size_t sep = k.find('\0');
    const std::string_view value = it->value();
    if (sep != std::string_view::npos && value.size() >= 16 && value != "D") {
      branches_[std::string(k.substr(0, sep))][std::string(k.substr(sep + 1))] =
          BranchDef{std::string(value.substr(16)), DecodeBigEndian64(value.data() + 8), DecodeBigEndian64(value.data())};
    }
    CAIRN_RETURN_IF_ERROR(it->Next());
  }
  CAIRN_RETURN_IF_ERROR(it->Seek("G"));
  while (it->Valid() && it->key()[0] == 'G') {
    const std::string_view value = it->value();
    if (value.size() == 16) {
      const uint32_t dims = DecodeBigEndian32(value.data() + 8), bits = DecodeBigEndian32(value.data() + 12);
      spaces_[std::string(it->key().substr(1))] = SpaceDef{dims, bits, DecodeBigEndian64(value.data()), {}, {}};
    }
    CAIRN_RETURN_IF_ERROR(it->Next());
  }
  // Their bounding boxes, from 'H' entries (by generation).
  for (auto& [name, def] : spaces_) {
    std::string key = "H";
    PutBigEndian64(&key, def.gen);
    CAIRN_RETURN_IF_ERROR(it->Seek(key));
    if (!it->Valid() || it->key() != key) continue;
    const std::string_view box = it->value();
    if (box.size() != 8 * size_t{def.dims}) return Status::Corruption("malformed bounding box of space " + name);
    def.min.resize(def.dims);
    def.max.resize(def.dims);
    for (uint32_t i = 0; i < def.dims; i++) {
      def.min[i] = DecodeBigEndian32(box.data() + 8 * i);
      def.max[i] = DecodeBigEndian32(box.data() + 8 * i + 4);
    }
  }
  return Status::OK();
}

// ---- public calls

Result<Version> DBImpl::WriteSystem(std::string_view coll, std::string id, std::string data,
                                    bool is_delete) {
  PreparedOp op;
  op.coll.assign(coll);
  op.id = std::move(id);
  op.data = is_delete ? "null" : std::move(data);
  op.is_delete = is_delete;
  std::vector<PreparedOp> ops;
  ops.push_back(std::move(op));
  CAIRN_ASSIGN_OR_RETURN(std::vector<Version> out, Write(std::move(ops)));
  return std::move(out[0]);
}

Status DBImpl::CreateIndex(std::string_view coll, std::string_view field) {
  CAIRN_RETURN_IF_ERROR(CheckOpen());
  CAIRN_RETURN_IF_ERROR(ValidateCollection(coll, options_.limits));
  CAIRN_RETURN_IF_ERROR(ValidateField(field));
  std::string data = "{\"coll\":";
  AppendJsonString(&data, coll);
  data += ",\"field\":";
  AppendJsonString(&data, field);
  data += "}";
  return DefineIndex(coll, field, std::move(data));
}

Status DBImpl::CreateTextIndex(std::string_view coll) {
  CAIRN_RETURN_IF_ERROR(CheckOpen());
  CAIRN_RETURN_IF_ERROR(ValidateCollection(coll, options_.limits));
  std::string data = "{\"coll\":";
  AppendJsonString(&data, coll);
  data += ",\"text\":true}";
  return DefineIndex(coll, kTextName, std::move(data));
}

Status DBImpl::DefineIndex(std::string_view coll, std::string_view name, std::string data) {
  {
    ReaderLock l(&index_mu_);
    auto defs = index_defs_.find(std::string(coll));
    if (defs != index_defs_.end() && defs->second.count(std::string(name)) &&
        defs->second.at(std::string(name)).state == 'R') {
      return Status::OK();  // already there and ready
    }
  }
  Result<Version> def = WriteSystem(kIndexCollection, std::string(coll) + ":" + std::string(name), std::move(data), false);
  if (!def.ok()) return def.status();
  return Backfill(std::string(coll), std::string(name), def->seq);
}

Status DBImpl::BackfillPending() {
  std::vector<std::pair<std::string, std::string>> pending;
  std::vector<uint64_t> gens;
  {
    ReaderLock l(&index_mu_);
    for (const auto& [coll, defs] : index_defs_) {
      for (const auto& [name, def] : defs) {
        if (def.state == 'P') {
          pending.emplace_back(coll, name);
          gens.push_back(def.gen);
        }
      }
    }
  }
  for (size_t i = 0; i < pending.size(); i++) {
    CAIRN_RETURN_IF_ERROR(Backfill(pending[i].first, pending[i].second, gens[i]));
  }
  return Status::OK();
}

// Adds entries for the documents live at the definition's seq that no write
// since has indexed (ApplySecondary indexes those), then marks it ready.
Status DBImpl::Backfill(const std::string& coll, const std::string& name, uint64_t def_seq) {
  ListOptions o;
  o.as_of = def_seq;
  o.limit = 1024;
  while (true) {
    std::vector<VersionRef> refs;
    CAIRN_RETURN_IF_ERROR(ListRefs(coll, o, &refs));
    CAIRN_ASSIGN_OR_RETURN(std::vector<Version> page, ReadVersions(refs));
    {
      WriterLock l(&index_mu_);
      auto defs = index_defs_.find(coll);
      if (defs == index_defs_.end() || !defs->second.count(name) || defs->second.at(name).gen != def_seq) {
        return Status::NotFound("the index on " + coll + "." + name + " was dropped while it was built");
      }
      const std::string gen = Gen(def_seq);
      for (size_t i = 0; i < page.size(); i++) {
        const Version& v = page[i];
        const std::string marker = name == kTextName ? Key('u', {coll, gen + v.id}) : Key('j', {coll, name, gen + v.id});
        CAIRN_ASSIGN_OR_RETURN(std::optional<std::string> seen, DerivedValue(marker));
        if (seen) continue;  // written since the definition: already indexed
        // Index this version alone.
        std::map<std::string, IndexDef> only{{name, IndexDef{'P', def_seq}}};
        std::swap(index_defs_[coll], only);
        ApplySecondary(v, refs[i].loc);
        std::swap(index_defs_[coll], only);
      }
    }
    if (page.size() < o.limit) break;
    o.start_after = page.back().id;
  }
  WriterLock l(&index_mu_);
  std::string value = "R";
  PutBigEndian64(&value, def_seq);
  mem_->Put(Key('I', {coll, name}), value);
  index_defs_[coll][name].state = 'R';
  return Status::OK();
}

Status DBImpl::DropIndex(std::string_view coll, std::string_view field) {
  CAIRN_RETURN_IF_ERROR(CheckOpen());
  CAIRN_RETURN_IF_ERROR(ValidateCollection(coll, options_.limits));
  {
    ReaderLock l(&index_mu_);
    auto defs = index_defs_.find(std::string(coll));
    if (defs == index_defs_.end() || !defs->second.count(std::string(field))) {
      return Status::NotFound("no index on " + std::string(coll) + "." + std::string(field));
    }
  }
  return WriteSystem(kIndexCollection, std::string(coll) + ":" + std::string(field), "", true).status();
}

Result<std::vector<IndexInfo>> DBImpl::Indexes() {
  CAIRN_RETURN_IF_ERROR(CheckOpen());
  ReaderLock l(&index_mu_);
  std::vector<IndexInfo> out;
  for (const auto& [coll, defs] : index_defs_) {
    for (const auto& [name, def] : defs) {
      out.push_back(IndexInfo{coll, name == kTextName ? "" : name, name == kTextName, def.state == 'R'});
    }
  }
  return out;
}

Result<Version> DBImpl::Link(std::string_view from, std::string_view rel, std::string_view to) {
  CAIRN_RETURN_IF_ERROR(CheckOpen());
  CAIRN_RETURN_IF_ERROR(ValidateRelation(rel, options_.limits));
  for (auto [node, what] : {std::pair{from, "link source"}, std::pair{to, "link target"}}) {
    CAIRN_ASSIGN_OR_RETURN(auto parts, SplitNode(node, what));
    CAIRN_RETURN_IF_ERROR(ValidateCollection(parts.first, options_.limits));
    CAIRN_ASSIGN_OR_RETURN(std::optional<Version> live, Get(parts.first, parts.second, {}));
    if (!live) return Status::NotFound(std::string(what) + " " + std::string(node) + " is not a live document");
  }
  return WriteSystem(kLinkCollection, LinkId(from, rel, to), LinkData(from, rel, to, true), false);
}

Result<Version> DBImpl::Unlink(std::string_view from, std::string_view rel, std::string_view to) {
  CAIRN_RETURN_IF_ERROR(CheckOpen());
  CAIRN_RETURN_IF_ERROR(ValidateRelation(rel, options_.limits));
  const std::string id = LinkId(from, rel, to);
  CAIRN_ASSIGN_OR_RETURN(std::optional<Version> live, Get(kLinkCollection, id, {}));
  if (!live || live->data.find("\"linked\":false") != std::string::npos) {
    return Status::NotFound("no link " + std::string(from) + " -" + std::string(rel) + "-> " + std::string(to));
  }
  return WriteSystem(kLinkCollection, id, LinkData(from, rel, to, false), false);
}

Result<std::vector<std::string>> DBImpl::Neighbors(std::string_view node, std::string_view rel,
                                                   const NeighborOptions& options) {
  CAIRN_RETURN_IF_ERROR(CheckOpen());
  CAIRN_RETURN_IF_ERROR(ValidateRelation(rel, options_.limits));
  CAIRN_RETURN_IF_ERROR(SplitNode(node, "node").status());
  uint64_t as_of;
  std::vector<std::string> candidates;
  {
    ReaderLock l(&index_mu_);
    if (options.as_of && *options.as_of > visible_seq_) {
      return Status::InvalidArgument("as_of " + std::to_string(*options.as_of) +
                                     " is beyond the latest seq " + std::to_string(visible_seq_));
    }
    as_of = options.as_of.value_or(visible_seq_);
    std::string prefix = Key(options.reverse ? 'L' : 'l', {node, rel, ""});
    auto it = NewIndexIterator();
    CAIRN_RETURN_IF_ERROR(it->Seek(prefix));
    std::string current;
    bool decided = false;
    while (it->Valid() && it->key().starts_with(prefix)) {
      std::string_view rest = it->key().substr(prefix.size());
      if (rest.size() < 9) return Status::Corruption("malformed link index entry under " + std::string(node));
      std::string_view other = rest.substr(0, rest.size() - 9);
      const uint64_t seq = ~DecodeBigEndian64(rest.data() + rest.size() - 8);
      if (other != current) {
        current.assign(other);
        decided = false;
      }
      // Newest first: the first entry at or before as_of decides.
      if (!decided && seq <= as_of) {
        decided = true;
        if (it->value() == "1") candidates.push_back(current);
      }
      CAIRN_RETURN_IF_ERROR(it->Next());
    }
  }
  std::vector<std::string> out;
  ReadOptions ro;
  ro.as_of = as_of;
  for (const std::string& c : candidates) {
    auto parts = SplitNode(c, "node");
    if (!parts.ok()) continue;
    CAIRN_ASSIGN_OR_RETURN(std::optional<Version> live, Get(parts->first, parts->second, ro));
    if (live) out.push_back(c);  // deleted endpoints are skipped
  }
  return out;
}

std::vector<std::string> DBImpl::ReadyIndexes(std::string_view coll, bool text) {
  ReaderLock l(&index_mu_);
  std::vector<std::string> out;
  auto defs = index_defs_.find(std::string(coll));
  if (defs == index_defs_.end()) return out;
  for (const auto& [name, def] : defs->second) {
    if (def.state != 'R') continue;
    if ((name == kTextName) == text) out.push_back(name);
  }
  return out;
}

Result<uint64_t> DBImpl::IndexGen(std::string_view coll, std::string_view name) {
  ReaderLock l(&index_mu_);
  auto defs = index_defs_.find(std::string(coll));
  if (defs == index_defs_.end() || !defs->second.count(std::string(name))) {
    return Status::NotFound(name == kTextName ? "no text index on " + std::string(coll)
                                              : "no index on " + std::string(coll) + "." + std::string(name));
  }
  return defs->second.at(std::string(name)).gen;
}

Status DBImpl::ScanIndex(std::string_view coll, std::string_view field, const std::string* lo,
                         bool lo_inclusive, const std::string* hi, bool hi_inclusive, bool reverse,
                         const std::function<bool(std::string_view, std::string_view, std::string_view)>& fn,
                         size_t expected) {
  CAIRN_ASSIGN_OR_RETURN(const uint64_t gen, IndexGen(coll, field));
  const std::string prefix = Key(reverse ? 'k' : 'i', {coll, field, Gen(gen)});
  // Bounds are checked on plain (not inverted) value keys. A bound may be a
  // lone type byte ("every number"), a prefix of the keys it bounds.
  auto below_lo = [&](std::string_view plain) {
    if (!lo) return false;
    const int c = plain.compare(*lo);
    return c < 0 || (c == 0 && !lo_inclusive);
  };
  auto above_hi = [&](std::string_view plain) {
    if (!hi) return false;
    const int c = plain.compare(*hi);
    return c > 0 || (c == 0 && !hi_inclusive);
  };
  std::string resume = prefix;
  if (!reverse && lo) {
    resume += *lo;
  } else if (reverse && hi) {
    // Descending keys invert every byte; a lone type byte T bounding from
    // above (exclusive) starts at the first key of the type below it.
    resume += hi->size() == 1 && !hi_inclusive ? std::string(1, static_cast<char>(~(*hi)[0] + 1)) : Inverted(*hi);
  }
  // Entries are copied out in batches (the callback runs without the lock);
  // batches start small (or at what the caller expects to take, with a
  // margin for entries its filter rejects), as most scans stop early, and
  // grow.
  struct Entry {
    std::string plain, id;
    uint32_t ref_at, ref_size;  // in `refs`: one buffer, not a string per entry
    bool removed;
  };
  std::vector<Entry> batch;
  std::string refs;
  size_t batch_size = std::clamp<size_t>(expected + expected / 4 + 1, 16, 4096);
  bool at_end = false;
  while (!at_end) {
    batch.clear();
    refs.clear();
    {
      ReaderLock l(&index_mu_);
      auto it = NewIndexIterator();
      CAIRN_RETURN_IF_ERROR(it->Seek(resume));
      while (batch.size() < batch_size) {
        if (!it->Valid() || !it->key().starts_with(prefix)) {
          at_end = true;
          break;
        }
        const std::string_view rest = it->key().substr(prefix.size());
        size_t vlen;  // rest = value key (self-delimiting) + id
        if (!ValueKeyLength(rest, reverse, &vlen)) {
          return Status::Corruption("malformed index entry in " + std::string(coll) + "." + std::string(field));
        }
        std::string plain = reverse ? Inverted(rest.substr(0, vlen)) : std::string(rest.substr(0, vlen));
        if (reverse ? below_lo(plain) : above_hi(plain)) {
          at_end = true;  // past the end of the range
          break;
        }
        if (!(reverse ? above_hi(plain) : below_lo(plain))) {  // reached the range
          const std::string_view value = it->value();
          const bool removed = value == "D";
          const size_t ref_at = refs.size();
          if (!removed) refs.append(value);
          batch.push_back(Entry{std::move(plain), std::string(rest.substr(vlen)), static_cast<uint32_t>(ref_at),
                                static_cast<uint32_t>(refs.size() - ref_at), removed});
        }
        resume.assign(it->key());
        CAIRN_RETURN_IF_ERROR(it->Next());
      }
    }
    for (const Entry& e : batch) {
      if (e.removed) continue;
      if (!fn(e.plain, e.id, std::string_view(refs).substr(e.ref_at, e.ref_size))) return Status::OK();
    }
    resume.push_back('\0');  // the smallest key after the last one seen
    batch_size = std::min<size_t>(batch_size * 4, 4096);
  }
  return Status::OK();
}

Status DBImpl::TextIntersect(std::string_view coll,
                             const std::vector<std::pair<std::string, bool>>& terms,
                             const std::string& after, size_t max, std::vector<std::string>* ids) {
  CAIRN_ASSIGN_OR_RETURN(const uint64_t gen, IndexGen(coll, kTextName));
  // Prefix terms: their ids, gathered from every matching word.
  std::vector<std::vector<std::string>> sets(terms.size());
  for (size_t i = 0; i < terms.size(); i++) {
    if (!terms[i].second) continue;
    CAIRN_RETURN_IF_ERROR(TextIds(coll, terms[i].first, true, &sets[i]));
    std::sort(sets[i].begin(), sets[i].end());
    sets[i].erase(std::unique(sets[i].begin(), sets[i].end()), sets[i].end());
  }
  ReaderLock l(&index_mu_);
  std::vector<std::unique_ptr<Table::Iterator>> its(terms.size());
  std::vector<std::string> prefixes(terms.size());
  for (size_t i = 0; i < terms.size(); i++) {
    if (terms[i].second) continue;
    its[i] = NewIndexIterator();
    prefixes[i] = Key('t', {coll, Gen(gen) + terms[i].first, ""});
  }
  // The first id >= target holding term i (empty: none).
  auto next = [&](size_t i, const std::string& target, bool strictly_after, std::string* out) -> Status {
    if (terms[i].second) {
      auto it = strictly_after ? std::upper_bound(sets[i].begin(), sets[i].end(), target)
                               : std::lower_bound(sets[i].begin(), sets[i].end(), target);
      out->assign(it == sets[i].end() ? "" : *it);
      if (it == sets[i].end()) out->clear();
      return Status::OK();
    }
    std::string seek = prefixes[i] + target;
    if (strictly_after) seek.push_back('\0');
    CAIRN_RETURN_IF_ERROR(its[i]->Seek(seek));
    while (its[i]->Valid() && its[i]->key().starts_with(prefixes[i])) {
      if (its[i]->value() != "D") {
        out->assign(its[i]->key().substr(prefixes[i].size()));
        return Status::OK();
      }
      CAIRN_RETURN_IF_ERROR(its[i]->Next());
    }
    out->clear();
    return Status::OK();
  };
  std::string candidate;
  CAIRN_RETURN_IF_ERROR(next(0, after, !after.empty(), &candidate));
  std::string other;
  while (!candidate.empty() && ids->size() < max) {
    bool agreed = true;
    for (size_t i = 1; i < terms.size(); i++) {
      CAIRN_RETURN_IF_ERROR(next(i, candidate, false, &other));
      if (other.empty()) return Status::OK();
      if (other != candidate) {
        agreed = false;
        CAIRN_RETURN_IF_ERROR(next(0, other, false, &candidate));  // leapfrog
        break;
      }
    }
    if (!agreed) continue;
    ids->push_back(candidate);
    CAIRN_RETURN_IF_ERROR(next(0, candidate, true, &candidate));
  }
  return Status::OK();
}

Status DBImpl::TextIds(std::string_view coll, std::string_view word, bool prefix,
                       std::vector<std::string>* ids) {
  CAIRN_ASSIGN_OR_RETURN(const uint64_t gen, IndexGen(coll, kTextName));
  const std::string base = Key('t', {coll, Gen(gen)});
  const std::string start = base + std::string(word);
  ReaderLock l(&index_mu_);
  auto it = NewIndexIterator();
  CAIRN_RETURN_IF_ERROR(it->Seek(start));
  while (it->Valid() && it->key().starts_with(start)) {
    std::string_view rest = it->key().substr(base.size());
    const size_t sep = rest.find('\0');
    if (sep == std::string_view::npos) return Status::Corruption("malformed text index entry in " + std::string(coll));
    if (!prefix && sep != word.size()) {
      CAIRN_RETURN_IF_ERROR(it->Next());
      continue;
    }
    if (it->value() != "D") ids->emplace_back(rest.substr(sep + 1));
    CAIRN_RETURN_IF_ERROR(it->Next());
  }
  return Status::OK();
}

}  // namespace cairn
