#include "tools/cli_space.h"

#include <string>
#include <vector>

#include "tools/cli_space_json.h"

namespace cairn {
namespace {

std::string Branch(const CommandContext& ctx) { return ctx.options->branch.value_or("main"); }

SpaceReadOptions ReadOptionsOf(const CommandContext& ctx) {
  SpaceReadOptions ro;
  ro.as_of = ctx.options->as_of;
  ro.branch = Branch(ctx);
  if (ctx.options->limit) ro.limit = static_cast<size_t>(*ctx.options->limit);
  return ro;
}

CliOutcome PrintRecords(CommandContext& ctx, const Result<SpaceQueryResult>& r) {
  if (!r.ok()) return CliOutcome::FromStatus(r.status());
  for (const SpatialRecord& rec : r->records) ctx.out->Line(RecordJson(rec));
  return CliOutcome::Ok();
}

CliOutcome RunCreate(CommandContext& ctx) {
  const uint32_t bits = static_cast<uint32_t>(ctx.options->bits.value_or(32));
  Result<SpaceInfo> s =
      ctx.db->CreateSpace(ctx.cl->operands[0], static_cast<uint32_t>(*ctx.options->dims), bits);
  if (!s.ok()) return CliOutcome::FromStatus(s.status());
  ctx.out->Line(SpaceInfoJson(*s));
  return CliOutcome::Ok();
}

CliOutcome RunList(CommandContext& ctx) {
  Result<std::vector<SpaceInfo>> all = ctx.db->Spaces();
  if (!all.ok()) return CliOutcome::FromStatus(all.status());
  for (const SpaceInfo& s : *all) ctx.out->Line(SpaceInfoJson(s));
  return CliOutcome::Ok();
}

CliOutcome RunWrite(CommandContext& ctx, bool is_delete) {
  SpatialWrite w;
  w.point = ctx.options->points.at(0);
  w.is_delete = is_delete;
  if (!is_delete) w.payload.data = ctx.document;
  Result<std::vector<uint64_t>> seqs = ctx.db->SpaceWrite(ctx.cl->operands[0], Branch(ctx), {w});
  if (!seqs.ok()) return CliOutcome::FromStatus(seqs.status());
  ctx.out->Line("{\"point\":" + PointJson(w.point) + ",\"seq\":" + std::to_string(seqs->at(0)) +
                (is_delete ? ",\"deleted\":true}" : "}"));
  return CliOutcome::Ok();
}

CliOutcome RunNearest(CommandContext& ctx) {
  Result<std::vector<NearestRecord>> r =
      ctx.db->SpaceNearest(ctx.cl->operands[0], ctx.options->points.at(0),
                           static_cast<size_t>(*ctx.options->k), ReadOptionsOf(ctx));
  if (!r.ok()) return CliOutcome::FromStatus(r.status());
  for (const NearestRecord& n : *r) {
    ctx.out->Line("{" + RecordFields(n.record) + ",\"distance\":" + NumberJson(n.distance) + "}");
  }
  return CliOutcome::Ok();
}

CliOutcome RunHistory(CommandContext& ctx) {
  Result<std::vector<SpatialRecord>> r =
      ctx.db->SpaceHistory(ctx.cl->operands[0], Branch(ctx), ctx.options->points.at(0));
  if (!r.ok()) return CliOutcome::FromStatus(r.status());
  for (const SpatialRecord& rec : *r) ctx.out->Line(RecordJson(rec, true));
  return CliOutcome::Ok();
}

CliOutcome RunBranch(CommandContext& ctx) {
  const auto& ops = ctx.cl->operands;
  Result<BranchInfo> b =
      ctx.db->CreateBranch(ops[0], ops[1], ctx.options->from.value_or("main"), ctx.options->at);
  if (!b.ok()) return CliOutcome::FromStatus(b.status());
  ctx.out->Line(BranchInfoJson(*b));
  return CliOutcome::Ok();
}

CliOutcome RunBranches(CommandContext& ctx) {
  Result<std::vector<BranchInfo>> all = ctx.db->Branches(ctx.cl->operands[0]);
  if (!all.ok()) return CliOutcome::FromStatus(all.status());
  for (const BranchInfo& b : *all) ctx.out->Line(BranchInfoJson(b));
  return CliOutcome::Ok();
}

CliOutcome RunDiff(CommandContext& ctx) {
  const auto& ops = ctx.cl->operands;
  Result<SpatialDiff> d = ctx.db->SpaceDiff(ops[0], ops[1], ops[2], ctx.options->as_of);
  if (!d.ok()) return CliOutcome::FromStatus(d.status());
  for (const SpatialRecord& r : d->added)
    ctx.out->Line("{\"change\":\"added\"," + RecordFields(r) + "}");
  for (const SpatialRecord& r : d->removed)
    ctx.out->Line("{\"change\":\"removed\"," + RecordFields(r) + "}");
  for (const auto& [from, to] : d->changed) {
    ctx.out->Line("{\"change\":\"changed\",\"from\":" + RecordJson(from) +
                  ",\"to\":" + RecordJson(to) + "}");
  }
  return CliOutcome::Ok();
}

CliOutcome RunMerge(CommandContext& ctx) {
  const auto& ops = ctx.cl->operands;
  Result<MergeResult> m = ctx.db->MergeBranch(ops[0], ops[1], ops[2], *ctx.options->strategy);
  if (!m.ok()) return CliOutcome::FromStatus(m.status());
  ctx.out->Line(MergeResultJson(*m));
  return CliOutcome::Ok();
}

CliOutcome StatusOutcome(const Status& s) { return CliOutcome::FromStatus(s); }

}  // namespace

CliOutcome RunSpaceCommand(CommandContext& ctx) {
  const std::string& c = ctx.cl->command;
  const auto& ops = ctx.cl->operands;
  const auto& points = ctx.options->points;
  if (c.rfind("space edge ", 0) == 0) return RunEdgeCommand(ctx);
  if (c == "space create") return RunCreate(ctx);
  if (c == "space list") return RunList(ctx);
  if (c == "space drop") return StatusOutcome(ctx.db->DropSpace(ops[0]));
  if (c == "space insert") return RunWrite(ctx, false);
  if (c == "space delete") return RunWrite(ctx, true);
  if (c == "space import") return RunSpaceImport(ctx);
  if (c == "space box") {
    return PrintRecords(ctx,
                        ctx.db->SpaceBox(ops[0], points.at(0), points.at(1), ReadOptionsOf(ctx)));
  }
  if (c == "space subscope") {
    return PrintRecords(ctx, ctx.db->SpaceSubscope(ops[0], points.at(0), ReadOptionsOf(ctx)));
  }
  if (c == "space count") {
    Result<uint64_t> n = ctx.db->SpaceCount(ops[0], points.at(0), points.at(1), ReadOptionsOf(ctx));
    if (!n.ok()) return CliOutcome::FromStatus(n.status());
    ctx.out->Line("{\"count\":" + std::to_string(*n) + "}");
    return CliOutcome::Ok();
  }
  if (c == "space nearest") return RunNearest(ctx);
  if (c == "space history") return RunHistory(ctx);
  if (c == "space branch") return RunBranch(ctx);
  if (c == "space branches") return RunBranches(ctx);
  if (c == "space drop-branch") return StatusOutcome(ctx.db->DropBranch(ops[0], ops[1]));
  if (c == "space diff") return RunDiff(ctx);
  if (c == "space merge") return RunMerge(ctx);
  return CliOutcome::Usage("unknown space subcommand '" + c + "'", "space");
}

}  // namespace cairn
