#include "tools/cli_export.h"

#include <set>
#include <string>
#include <utility>
#include <vector>

namespace cairn {
namespace {

// Documents per List call; pages follow the id cursor.
constexpr size_t kPage = 8192;

// Calls `visit` with every live document of `coll` as of `as_of`, by id.
template <typename Visit>
CliOutcome ForEachLive(Database* db, const std::string& coll, uint64_t as_of, Visit visit) {
  ListOptions lo;
  lo.as_of = as_of;
  lo.limit = kPage;
  for (;;) {
    Result<std::vector<Version>> page = db->List(coll, lo);
    if (!page.ok()) return CliOutcome::FromStatus(page.status());
    for (const Version& v : *page) {
      CliOutcome o = visit(v);
      if (!o.ok()) return o;
    }
    if (page->size() < kPage) return CliOutcome::Ok();
    lo.start_after = page->back().id;
  }
}

// Prints every version up to `snapshot`, in seq order (the order the writes
// were made), optionally of one collection only: one pass over the log.
CliOutcome PrintHistory(Database* db, uint64_t snapshot, const std::optional<std::string>& only,
                        CliOutput* out) {
  for (uint64_t from = 1; from <= snapshot;) {
    Result<std::vector<Version>> page = db->Versions(from, kPage);
    if (!page.ok()) return CliOutcome::FromStatus(page.status());
    if (page->empty()) break;
    for (const Version& v : *page) {
      if (v.seq > snapshot) return CliOutcome::Ok();
      if (!only || *only == v.coll) out->Line(v.ToJson());
    }
    from = page->back().seq + 1;
  }
  return CliOutcome::Ok();
}

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

  if (ctx.options->history) return PrintHistory(ctx.db, snapshot, only, ctx.out);
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
