#include "tools/cli_commands.h"

#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <algorithm>
#include <cctype>
#include <cstring>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "tools/cli_export.h"
#include "tools/cli_import.h"
#include "tools/cli_space.h"

namespace cairn {
namespace {

std::string JsonString(std::string_view s) {
  // Names and messages may hold invalid UTF-8 (a damaged file name, say):
  // replace it rather than throw.
  return nlohmann::json(std::string(s))
      .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string DocName(std::string_view coll, std::string_view id) {
  return std::string(coll) + "/" + std::string(id);
}

WriteOptions ToWriteOptions(const CommandOptions& o) {
  WriteOptions w;
  w.caused_by = o.caused_by;
  w.valid_from = o.valid_from;
  w.valid_to = o.valid_to;
  return w;
}

CliOutcome RunPut(CommandContext& ctx) {
  const auto& ops = ctx.cl->operands;
  Result<Version> v = ctx.db->Put(ops[0], ops[1], ctx.document, ToWriteOptions(*ctx.options));
  if (!v.ok()) return CliOutcome::FromStatus(v.status());
  ctx.out->Line(v->ToJson());
  return CliOutcome::Ok();
}

CliOutcome RunDelete(CommandContext& ctx) {
  const auto& ops = ctx.cl->operands;
  Result<Version> v = ctx.db->Delete(ops[0], ops[1], ToWriteOptions(*ctx.options));
  if (!v.ok()) return CliOutcome::FromStatus(v.status());
  ctx.out->Line(v->ToJson());
  return CliOutcome::Ok();
}

// Why Get found nothing: never written, not yet written at as_of, or deleted.
CliOutcome ExplainAbsent(Database* db, std::string_view coll, std::string_view id,
                         std::optional<uint64_t> as_of) {
  const std::string name = DocName(coll, id);
  const std::string when = as_of ? " as of seq " + std::to_string(*as_of) : "";
  Result<std::vector<Version>> history = db->History(coll, id);
  if (!history.ok()) return CliOutcome::FromStatus(history.status());
  if (history->empty()) return CliOutcome::Failure("NOT_FOUND", name + " does not exist");
  // The newest version at as_of (history is newest first).
  const Version* at = nullptr;
  for (const Version& v : *history) {
    if (!as_of || v.seq <= *as_of) {
      at = &v;
      break;
    }
  }
  if (!at) {
    return CliOutcome::Failure("NOT_FOUND", name + " did not exist yet" + when +
                                                " (first written at seq " +
                                                std::to_string(history->back().seq) + ")");
  }
  if (at->deleted) {
    return CliOutcome::Failure("NOT_FOUND",
                               name + " was deleted at seq " + std::to_string(at->seq) + when);
  }
  return CliOutcome::Failure("NOT_FOUND", name + " is not live" + when);
}

CliOutcome RunGet(CommandContext& ctx) {
  const auto& ops = ctx.cl->operands;
  ReadOptions ro;
  ro.as_of = ctx.options->as_of;
  Result<std::optional<Version>> v = ctx.db->Get(ops[0], ops[1], ro);
  if (!v.ok()) return CliOutcome::FromStatus(v.status());
  if (!v->has_value()) return ExplainAbsent(ctx.db, ops[0], ops[1], ro.as_of);
  ctx.out->Line((*v)->ToJson());
  return CliOutcome::Ok();
}

CliOutcome RunGetHash(CommandContext& ctx) {
  const Hash& h = ctx.options->hash;
  Result<std::optional<Version>> v = ctx.db->GetByHash(h);
  if (!v.ok()) return CliOutcome::FromStatus(v.status());
  if (!v->has_value()) return CliOutcome::Failure("NOT_FOUND", "no version has hash " + h.ToHex());
  ctx.out->Line((*v)->ToJson());
  return CliOutcome::Ok();
}

CliOutcome RunHistory(CommandContext& ctx) {
  const auto& ops = ctx.cl->operands;
  Result<std::vector<Version>> history = ctx.db->History(ops[0], ops[1]);
  if (!history.ok()) return CliOutcome::FromStatus(history.status());
  if (history->empty()) {
    return CliOutcome::Failure("NOT_FOUND", DocName(ops[0], ops[1]) + " was never written");
  }
  for (const Version& v : *history) ctx.out->Line(v.ToJson());
  return CliOutcome::Ok();
}

CliOutcome RunList(CommandContext& ctx) {
  const std::string& coll = ctx.cl->operands[0];
  ListOptions lo;
  lo.as_of = ctx.options->as_of;
  if (ctx.options->limit) lo.limit = static_cast<size_t>(*ctx.options->limit);
  if (ctx.options->offset) lo.offset = static_cast<size_t>(*ctx.options->offset);
  Result<std::vector<Version>> docs = ctx.db->List(coll, lo);
  if (!docs.ok()) return CliOutcome::FromStatus(docs.status());
  if (docs->empty()) {
    CliOutcome exists = CheckCollectionExists(ctx.db, coll);
    if (!exists.ok()) return exists;
  }
  for (const Version& v : *docs) ctx.out->Line(v.ToJson());
  return CliOutcome::Ok();
}

CliOutcome RunCollections(CommandContext& ctx) {
  Result<std::vector<std::string>> colls = ctx.db->Collections();
  if (!colls.ok()) return CliOutcome::FromStatus(colls.status());
  for (const std::string& c : *colls) ctx.out->Line(c);
  return CliOutcome::Ok();
}

CliOutcome RunHead(CommandContext& ctx) {
  Result<Head> head = ctx.db->GetHead();
  if (!head.ok()) return CliOutcome::FromStatus(head.status());
  ctx.out->Line("{\"seq\":" + std::to_string(head->seq) + ",\"head\":\"" + head->head.ToHex() +
                "\"}");
  return CliOutcome::Ok();
}

CliOutcome RunCompact(CommandContext& ctx) {
  const uint64_t before = ctx.db->GetStats().checkpoint_tables;
  const Status s = ctx.db->Compact();
  if (!s.ok()) return CliOutcome::FromStatus(s);
  ctx.out->Line("{\"checkpoint_tables_before\":" + std::to_string(before) +
                ",\"checkpoint_tables\":" + std::to_string(ctx.db->GetStats().checkpoint_tables) +
                "}");
  return CliOutcome::Ok();
}

CliOutcome RunStats(CommandContext& ctx) {
  const Stats s = ctx.db->GetStats();
  const std::pair<const char*, uint64_t> fields[] = {
      {"seq", s.seq},
      {"documents", s.documents},
      {"versions", s.versions},
      {"log_bytes", s.log_bytes},
      {"segments", s.segments},
      {"memtable_entries", s.memtable_entries},
      {"memtable_bytes", s.memtable_bytes},
      {"checkpoint_entries", s.checkpoint_entries},
      {"checkpoint_tables", s.checkpoint_tables},
      {"mapped_tables", s.mapped_tables},
      {"spaces", s.spaces},
      {"space_branches", s.space_branches},
      {"cache_bytes", s.cache_bytes},
      {"cache_capacity", s.cache_capacity},
      {"cache_hits", s.cache_hits},
      {"cache_misses", s.cache_misses},
      {"index_bytes", s.index_bytes},
      {"replayed_records", s.replayed_records},
      {"space_blocks_skipped", s.space_blocks_skipped},
  };
  std::string line = "{";
  for (const auto& [name, value] : fields) {
    line += "\"" + std::string(name) + "\":" + std::to_string(value) + ",";
  }
  line += std::string("\"direct_io\":") + (s.direct_io ? "true" : "false") + "}";
  ctx.out->Line(line);
  return CliOutcome::Ok();
}

CliOutcome RunVerify(CommandContext& ctx) {
  Result<VerifyReport> r = ctx.db->Verify();
  if (!r.ok()) return CliOutcome::FromStatus(r.status());
  std::string line = std::string("{\"ok\":") + (r->ok ? "true" : "false") +
                     ",\"checked\":" + std::to_string(r->checked) + ",\"tampered\":[";
  for (size_t i = 0; i < r->tampered.size(); i++) {
    line += (i ? ",\"" : "\"") + r->tampered[i].ToHex() + "\"";
  }
  line += "],\"problems\":[";
  for (size_t i = 0; i < r->problems.size(); i++) {
    line += (i ? "," : "") + JsonString(r->problems[i]);
  }
  line += "]}";
  ctx.out->Line(line);
  if (r->ok) return CliOutcome::Ok();
  ctx.out->Flush();  // the report first, then the damage list on stderr
  for (const Hash& h : r->tampered) {
    std::fprintf(stderr, "tampered version %s\n", h.ToHex().c_str());
  }
  for (const std::string& p : r->problems) std::fprintf(stderr, "problem: %s\n", p.c_str());
  const size_t n = r->tampered.size();
  const size_t m = r->problems.size();
  return CliOutcome::Failure("CORRUPTION", "verify found damage: " + std::to_string(n) +
                                               " tampered version" + (n == 1 ? "" : "s") + " and " +
                                               std::to_string(m) + " other problem" +
                                               (m == 1 ? "" : "s") + " (" +
                                               std::to_string(r->checked) + " objects checked)");
}

}  // namespace

CliOutcome CheckCollectionExists(Database* db, const std::string& coll) {
  Result<std::vector<std::string>> colls = db->Collections();
  if (!colls.ok()) return CliOutcome::FromStatus(colls.status());
  for (const std::string& c : *colls) {
    if (c == coll) return CliOutcome::Ok();
  }
  std::string known;
  for (const std::string& c : *colls) known += (known.empty() ? "" : ", ") + c;
  return CliOutcome::Failure("NOT_FOUND", "collection " + coll + " has never held a document" +
                                              (known.empty() ? " (the database is empty)"
                                                             : " (collections: " + known + ")"));
}

void CliOutput::Line(std::string_view text) {
  if (defer_) {
    pending_.append(text);
    pending_.push_back('\n');
    return;
  }
  std::fwrite(text.data(), 1, text.size(), stdout);
  std::fputc('\n', stdout);
}

void CliOutput::Flush() {
  if (!pending_.empty()) {
    std::fwrite(pending_.data(), 1, pending_.size(), stdout);
    pending_.clear();
  }
  std::fflush(stdout);
}

CliOutcome PrepareInput(const CommandLine& cl, CommandContext* ctx) {
  // The document operand of put, space insert and space edge put.
  const int document = cl.command == "put" || cl.command == "space insert" ? 2
                       : cl.command == "space edge put"                   ? 0
                                                                          : -1;
  if (document >= 0) {
    const std::string& operand = cl.operands[static_cast<size_t>(document)];
    if (operand != "-") {
      ctx->document = operand;
      return CliOutcome::Ok();
    }
    ctx->document.clear();
    char buf[1 << 16];
    for (;;) {
      const ssize_t n = ::read(STDIN_FILENO, buf, sizeof(buf));
      if (n > 0) {
        ctx->document.append(buf, static_cast<size_t>(n));
      } else if (n == 0) {
        return CliOutcome::Ok();
      } else if (errno != EINTR) {
        return CliOutcome::Failure("IO_ERROR",
                                   std::string("reading standard input: ") + std::strerror(errno));
      }
    }
  }
  if (cl.command == "space import") {
    ctx->input = stdin;
    ctx->input_name = "standard input";
    return CliOutcome::Ok();
  }
  if (cl.command == "import") {
    const std::string path = cl.operands.empty() ? "-" : cl.operands[0];
    if (path == "-") {
      ctx->input = stdin;
      ctx->input_name = "standard input";
      return CliOutcome::Ok();
    }
    ctx->input = std::fopen(path.c_str(), "rb");
    ctx->input_name = path;
    if (!ctx->input) {
      const int err = errno;
      return CliOutcome::Failure(err == ENOENT ? "NOT_FOUND" : "IO_ERROR",
                                 "cannot open " + path + ": " + std::strerror(err));
    }
  }
  return CliOutcome::Ok();
}

CliOutcome RunQuery(CommandContext& ctx) {
  Result<QueryResult> r = ctx.db->Query(ctx.cl->operands[0]);
  if (!r.ok()) return CliOutcome::FromStatus(r.status());
  const std::string& q = ctx.cl->operands[0];
  const size_t start = q.find_first_not_of(" \t\r\n");
  const bool explain = start != std::string::npos && q.size() - start >= 7 &&
                       std::equal(q.begin() + static_cast<ptrdiff_t>(start), q.begin() + static_cast<ptrdiff_t>(start) + 7,
                                  "EXPLAIN", [](char a, char b) { return std::toupper(static_cast<unsigned char>(a)) == b; });
  if (explain) {
    size_t at = 0;
    while (at <= r->plan.size()) {
      const size_t nl = r->plan.find('\n', at);
      ctx.out->Line(r->plan.substr(at, nl == std::string::npos ? std::string::npos : nl - at));
      if (nl == std::string::npos) break;
      at = nl + 1;
    }
    return CliOutcome::Ok();
  }
  for (const std::string& row : r->rows) ctx.out->Line(row);
  return CliOutcome::Ok();
}

CliOutcome RunCreateIndex(CommandContext& ctx) {
  const auto& ops = ctx.cl->operands;
  Status s = ctx.options->text ? ctx.db->CreateTextIndex(ops[0]) : ctx.db->CreateIndex(ops[0], ops[1]);
  if (!s.ok()) return CliOutcome::FromStatus(s);
  ctx.out->Line("{\"coll\":" + JsonString(ops[0]) + ",\"field\":" +
                JsonString(ctx.options->text ? "" : ops[1]) + ",\"text\":" +
                (ctx.options->text ? "true" : "false") + ",\"ready\":true}");
  return CliOutcome::Ok();
}

CliOutcome RunDropIndex(CommandContext& ctx) {
  Status s = ctx.db->DropIndex(ctx.cl->operands[0], ctx.cl->operands[1]);
  return s.ok() ? CliOutcome::Ok() : CliOutcome::FromStatus(s);
}

CliOutcome RunIndexes(CommandContext& ctx) {
  Result<std::vector<IndexInfo>> all = ctx.db->Indexes();
  if (!all.ok()) return CliOutcome::FromStatus(all.status());
  for (const IndexInfo& i : *all) {
    ctx.out->Line("{\"coll\":" + JsonString(i.coll) + ",\"field\":" + JsonString(i.field) +
                  ",\"text\":" + (i.text ? "true" : "false") + ",\"ready\":" + (i.ready ? "true" : "false") + "}");
  }
  return CliOutcome::Ok();
}

CliOutcome RunLink(CommandContext& ctx, bool link) {
  const auto& ops = ctx.cl->operands;
  Result<Version> v = link ? ctx.db->Link(ops[0], ops[1], ops[2]) : ctx.db->Unlink(ops[0], ops[1], ops[2]);
  if (!v.ok()) return CliOutcome::FromStatus(v.status());
  ctx.out->Line(v->ToJson());
  return CliOutcome::Ok();
}

CliOutcome RunNeighbors(CommandContext& ctx) {
  NeighborOptions o;
  o.reverse = ctx.options->reverse;
  o.as_of = ctx.options->as_of;
  Result<std::vector<std::string>> n = ctx.db->Neighbors(ctx.cl->operands[0], ctx.cl->operands[1], o);
  if (!n.ok()) return CliOutcome::FromStatus(n.status());
  for (const std::string& node : *n) ctx.out->Line(node);
  return CliOutcome::Ok();
}

CliOutcome RunTrace(CommandContext& ctx) {
  TraceOptions o;
  o.reverse = ctx.options->reverse;
  if (ctx.options->depth) o.depth = static_cast<size_t>(*ctx.options->depth);
  if (ctx.options->limit) o.limit = static_cast<size_t>(*ctx.options->limit);
  o.as_of = ctx.options->as_of;
  Result<std::vector<TraceEntry>> chain = ctx.db->Trace(ctx.options->hash, o);
  if (!chain.ok()) return CliOutcome::FromStatus(chain.status());
  for (const TraceEntry& e : *chain) {
    std::string line = e.version.ToJson();
    line.insert(1, "\"depth\":" + std::to_string(e.depth) + ",");
    ctx.out->Line(line);
  }
  return CliOutcome::Ok();
}

CliOutcome RunCommand(CommandContext& ctx) {
  const std::string& c = ctx.cl->command;
  if (c == "put") return RunPut(ctx);
  if (c == "get") return RunGet(ctx);
  if (c == "get-hash") return RunGetHash(ctx);
  if (c == "history") return RunHistory(ctx);
  if (c == "delete") return RunDelete(ctx);
  if (c == "list") return RunList(ctx);
  if (c == "collections") return RunCollections(ctx);
  if (c == "import") return RunImport(ctx);
  if (c == "export") return RunExport(ctx);
  if (c == "verify") return RunVerify(ctx);
  if (c == "head") return RunHead(ctx);
  if (c == "stats") return RunStats(ctx);
  if (c == "compact") return RunCompact(ctx);
  if (c == "query") return RunQuery(ctx);
  if (c == "create-index") return RunCreateIndex(ctx);
  if (c == "drop-index") return RunDropIndex(ctx);
  if (c == "indexes") return RunIndexes(ctx);
  if (c == "link") return RunLink(ctx, true);
  if (c == "unlink") return RunLink(ctx, false);
  if (c == "neighbors") return RunNeighbors(ctx);
  if (c == "trace") return RunTrace(ctx);
  if (c.rfind("space ", 0) == 0) return RunSpaceCommand(ctx);
  return CliOutcome::Usage("unknown command '" + c + "'");
}

}  // namespace cairn
