#include "tools/cli_export.h"

#include <set>
#include <string>
#include <utility>
#include <vector>

namespace cairn {
namespace {

// Documents per List call. List has no cursor, so each page re-walks the
// index from the collection's start: bigger pages cost memory, smaller ones
// index steps.
constexpr size_t kPage = 8192;

// Calls `visit` with every live document of `coll` as of `as_of`, by id.
template <typename Visit>
CliOutcome ForEachLive(Database* db, const std::string& coll, uint64_t as_of, Visit visit) {
  ListOptions lo;
  lo.as_of = as_of;
  lo.limit = kPage;
  for (lo.offset = 0;; lo.offset += kPage) {
    Result<std::vector<Version>> page = db->List(coll, lo);
    if (!page.ok()) return CliOutcome::FromStatus(page.status());
    for (const Version& v : *page) {
      CliOutcome o = visit(v);
      if (!o.ok()) return o;
    }
    if (page->size() < kPage) return CliOutcome::Ok();
  }
}

// Finds the version written at every seq in [1, limit].
//
// The API lists live documents only, so a document that is deleted now is
// found through a snapshot in which it was live: every seq names exactly one
// version, and a seq not yet accounted for (taken in increasing order) must
// be a put, since the put before a tombstone accounts for the tombstone by
// revealing the whole history of its document. Listing every collection as of
// that seq finds the document, and History gives all of its versions.
class HistoryCollector {
 public:
  HistoryCollector(Database* db, uint64_t limit, std::optional<std::string> only)
      : db_(db),
        limit_(limit),
        only_(std::move(only)),
        state_(limit + 1, kUnknown),
        hashes_(limit + 1) {}

  CliOutcome Collect() {
    Result<std::vector<std::string>> colls = db_->Collections();
    if (!colls.ok()) return CliOutcome::FromStatus(colls.status());
    colls_ = std::move(colls).value();
    if (limit_ == 0) return CliOutcome::Ok();
    CliOutcome o = Discover(limit_);
    for (uint64_t seq = 1; o.ok() && seq <= limit_; seq++) {
      if (state_[seq] == kUnknown) o = Discover(seq);
    }
    return o;
  }

  // Prints the collected versions in seq order.
  CliOutcome Print(CliOutput* out) {
    for (uint64_t seq = 1; seq <= limit_; seq++) {
      if (state_[seq] != kExported) continue;
      Result<std::optional<Version>> v = db_->GetByHash(hashes_[seq]);
      if (!v.ok()) return CliOutcome::FromStatus(v.status());
      if (!v->has_value()) {
        return CliOutcome::Failure("INTERNAL", "version " + hashes_[seq].ToHex() + " of seq " +
                                                   std::to_string(seq) +
                                                   " was listed in a history but cannot be read");
      }
      out->Line((*v)->ToJson());
    }
    return CliOutcome::Ok();
  }

 private:
  enum State : uint8_t { kUnknown, kOther, kExported };

  // Takes in every document live as of `as_of` that is not known yet.
  CliOutcome Discover(uint64_t as_of) {
    for (const std::string& coll : colls_) {
      CliOutcome o = ForEachLive(db_, coll, as_of, [&](const Version& v) {
        if (!known_.emplace(v.coll, v.id).second) return CliOutcome::Ok();
        return TakeHistory(v.coll, v.id);
      });
      if (!o.ok()) return o;
    }
    return CliOutcome::Ok();
  }

  CliOutcome TakeHistory(const std::string& coll, const std::string& id) {
    Result<std::vector<Version>> history = db_->History(coll, id);
    if (!history.ok()) return CliOutcome::FromStatus(history.status());
    const bool wanted = !only_ || *only_ == coll;
    for (const Version& v : *history) {
      if (v.seq == 0 || v.seq > limit_) continue;
      state_[v.seq] = wanted ? kExported : kOther;
      if (wanted) hashes_[v.seq] = v.hash;
    }
    return CliOutcome::Ok();
  }

  Database* db_;
  const uint64_t limit_;
  const std::optional<std::string> only_;
  std::vector<std::string> colls_;
  std::vector<State> state_;  // by seq
  std::vector<Hash> hashes_;  // by seq, for kExported
  std::set<std::pair<std::string, std::string>> known_;
};

}  // namespace

CliOutcome RunExport(CommandContext& ctx) {
  Result<Head> head = ctx.db->GetHead();
  if (!head.ok()) return CliOutcome::FromStatus(head.status());
  const std::optional<uint64_t> as_of = ctx.options->as_of;
  if (as_of && *as_of > head->seq) {
    return CliOutcome::Failure("INVALID_ARGUMENT", "as_of " + std::to_string(*as_of) +
                                                       " is beyond the latest seq " +
                                                       std::to_string(head->seq));
  }
  // Pinned, so every page and every collection shows the same snapshot.
  const uint64_t snapshot = as_of.value_or(head->seq);

  std::vector<std::string> colls;
  std::optional<std::string> only;
  if (!ctx.cl->operands.empty()) {
    only = ctx.cl->operands[0];
    ListOptions probe;  // validates the name
    probe.limit = 0;
    Result<std::vector<Version>> checked = ctx.db->List(*only, probe);
    if (!checked.ok()) return CliOutcome::FromStatus(checked.status());
    CliOutcome exists = CheckCollectionExists(ctx.db, *only);
    if (!exists.ok()) return exists;
    colls.push_back(*only);
  } else {
    Result<std::vector<std::string>> all = ctx.db->Collections();
    if (!all.ok()) return CliOutcome::FromStatus(all.status());
    colls = std::move(all).value();
  }

  if (ctx.options->history) {
    HistoryCollector collector(ctx.db, snapshot, only);
    CliOutcome o = collector.Collect();
    if (!o.ok()) return o;
    return collector.Print(ctx.out);
  }
  for (const std::string& coll : colls) {
    CliOutcome o = ForEachLive(ctx.db, coll, snapshot, [&](const Version& v) {
      ctx.out->Line(v.ToJson());
      return CliOutcome::Ok();
    });
    if (!o.ok()) return o;
  }
  return CliOutcome::Ok();
}

}  // namespace cairn
