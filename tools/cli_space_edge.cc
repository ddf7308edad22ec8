// `cairn <dir> space import` and `cairn <dir> space edge ...`.
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <string>
#include <vector>

#include "tools/cli_ndjson.h"
#include "tools/cli_space.h"
#include "tools/cli_space_json.h"

namespace cairn {
namespace {

constexpr size_t kDefaultSpaceBatch = 100000;

// Writes queued points in atomic batches; a failure names the input line.
class PointImporter {
 public:
  PointImporter(Database* db, std::string space, std::string branch, size_t batch)
      : db_(db), space_(std::move(space)), branch_(std::move(branch)), batch_size_(batch) {}

  CliOutcome Add(SpatialWrite w, uint64_t line) {
    batch_.push_back(std::move(w));
    lines_.push_back(line);
    return batch_.size() >= batch_size_ ? Flush() : CliOutcome::Ok();
  }

  CliOutcome Flush() {
    if (batch_.empty()) return CliOutcome::Ok();
    Result<std::vector<uint64_t>> seqs = db_->SpaceWrite(space_, branch_, batch_);
    if (!seqs.ok()) {
      const Status& s = seqs.status();
      std::string rest;
      std::optional<size_t> item = FailedBatchItem(s.message(), &rest);
      if (batch_.size() == 1) item = 0, rest = s.message();
      std::string where = item && *item < lines_.size()
                              ? "line " + std::to_string(lines_[*item]) + ": "
                              : "lines " + std::to_string(lines_.front()) + " to " +
                                    std::to_string(lines_.back()) + ": ";
      return CliOutcome::Failure(CodeName(s.code()), where + (item ? rest : s.message()));
    }
    imported_ += batch_.size();
    batch_.clear();
    lines_.clear();
    return CliOutcome::Ok();
  }

  uint64_t imported() const { return imported_; }

 private:
  Database* db_;
  const std::string space_, branch_;
  const size_t batch_size_;
  std::vector<SpatialWrite> batch_;
  std::vector<uint64_t> lines_;
  uint64_t imported_ = 0;
};

CliOutcome ImportPoints(CommandContext& ctx, PointImporter* importer) {
  char* buf = nullptr;
  size_t cap = 0;
  uint64_t line_no = 0;
  CliOutcome result = CliOutcome::Ok();
  for (;;) {
    errno = 0;
    const ssize_t n = ::getline(&buf, &cap, ctx.input);
    if (n < 0) {
      if (std::ferror(ctx.input)) {
        result = CliOutcome::Failure(
            "IO_ERROR", "reading " + ctx.input_name + ": " + std::strerror(errno ? errno : EIO));
      }
      break;
    }
    line_no++;
    std::string_view line(buf, static_cast<size_t>(n));
    if (!line.empty() && line.back() == '\n') line.remove_suffix(1);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (IsBlankLine(line)) continue;
    SpatialWrite w;
    CliOutcome parsed = ParsePointLine(line, &w);
    if (!parsed.ok()) {
      CliOutcome flushed = importer->Flush();  // keep every line before this one
      result = flushed.ok() ? CliOutcome::Failure(parsed.code(), "line " + std::to_string(line_no) +
                                                                     ": " + parsed.message())
                            : flushed;
      break;
    }
    result = importer->Add(std::move(w), line_no);
    if (!result.ok()) break;
  }
  std::free(buf);
  if (result.ok()) result = importer->Flush();
  return result;
}

EdgeQueryOptions QueryOptionsOf(const CommandContext& ctx) {
  EdgeQueryOptions o;
  o.as_of = ctx.options->as_of;
  o.kinds = ctx.options->kinds;
  return o;
}

CliOutcome PrintEdges(CommandContext& ctx, const Result<std::vector<Hyperedge>>& edges) {
  if (!edges.ok()) return CliOutcome::FromStatus(edges.status());
  for (const Hyperedge& e : *edges) ctx.out->Line(EdgeJson(e));
  return CliOutcome::Ok();
}

}  // namespace

CliOutcome RunSpaceImport(CommandContext& ctx) {
  PointImporter importer(ctx.db, ctx.cl->operands[0], ctx.options->branch.value_or("main"),
                         ctx.options->batch.value_or(kDefaultSpaceBatch));
  CliOutcome result = ImportPoints(ctx, &importer);
  Result<Head> head = ctx.db->GetHead();
  if (head.ok()) {
    ctx.out->Line("{\"imported\":" + std::to_string(importer.imported()) +
                  ",\"seq\":" + std::to_string(head->seq) + "}");
  } else if (result.ok()) {
    result = CliOutcome::FromStatus(head.status());
  }
  return result;
}

CliOutcome RunEdgeCommand(CommandContext& ctx) {
  const std::string& c = ctx.cl->command;
  const auto& ops = ctx.cl->operands;
  if (c == "space edge put") {
    Hyperedge edge;
    CliOutcome parsed = ParseEdgeJson(ctx.document, &edge);
    if (!parsed.ok()) return parsed;
    Result<Hyperedge> put = ctx.db->PutEdge(edge);
    if (!put.ok()) return CliOutcome::FromStatus(put.status());
    ctx.out->Line(EdgeJson(*put));
    return CliOutcome::Ok();
  }
  if (c == "space edge delete") return CliOutcome::FromStatus(ctx.db->DeleteEdge(ops[0]));
  if (c == "space edge at") {
    return PrintEdges(ctx, ctx.db->EdgesAt(ops[0], ctx.options->points.at(0), QueryOptionsOf(ctx)));
  }
  if (c == "space edge kind")
    return PrintEdges(ctx, ctx.db->EdgesOfKind(ops[0], QueryOptionsOf(ctx)));
  if (c == "space edge traverse") {
    EdgeTraverseOptions o;
    o.as_of = ctx.options->as_of;
    o.kinds = ctx.options->kinds;
    o.directed = ctx.options->directed;
    if (ctx.options->depth) o.depth = static_cast<size_t>(*ctx.options->depth);
    if (ctx.options->limit) o.limit = static_cast<size_t>(*ctx.options->limit);
    Result<std::vector<EdgeHop>> hops = ctx.db->TraverseEdges(ops[0], ctx.options->points.at(0), o);
    if (!hops.ok()) return CliOutcome::FromStatus(hops.status());
    for (const EdgeHop& h : *hops) ctx.out->Line(HopJson(h));
    return CliOutcome::Ok();
  }
  return CliOutcome::Usage("unknown space subcommand '" + c + "'", "space");
}

}  // namespace cairn
