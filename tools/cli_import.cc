#include "tools/cli_import.h"

#include <sys/stat.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "tools/cli_ndjson.h"
#include "tools/cli_progress.h"

namespace cairn {
namespace {

constexpr size_t kDefaultBatch = 1000;

CliOutcome AtLine(uint64_t line, const Status& s) {
  return CliOutcome::Failure(CodeName(s.code()),
                             "line " + std::to_string(line) + ": " + s.message());
}

// Writes records in batches. Source hashes ("hash" on exported lines) are
// mapped to the hashes of the imported copies so that later caused_by
// entries naming them point at the copies; the map holds one entry per
// imported line that had a hash.
class Importer {
 public:
  Importer(Database* db, size_t batch_size) : db_(db), batch_size_(batch_size) {}

  // Queues (or, for a tombstone, writes) the record of line `line`.
  CliOutcome Add(ImportRecord rec, uint64_t line) {
    for (Hash& h : rec.caused_by) {
      if (pending_sources_.count(h)) {
        // It names a line still queued: its new hash exists only once written.
        CliOutcome flushed = Flush();
        if (!flushed.ok()) return flushed;
      }
      if (auto it = renamed_.find(h); it != renamed_.end()) h = it->second;
    }
    WriteOp op;
    op.coll = std::move(rec.coll);
    op.id = std::move(rec.id);
    op.doc_json = std::move(rec.data);
    op.options.caused_by = std::move(rec.caused_by);
    op.options.valid_from = std::move(rec.valid_from);
    op.options.valid_to = std::move(rec.valid_to);
    if (rec.deleted) {
      CliOutcome flushed = Flush();
      if (!flushed.ok()) return flushed;
      Result<Version> v = db_->Delete(op.coll, op.id, op.options);
      if (!v.ok()) return AtLine(line, v.status());
      Written(rec.source_hash, *v);
      return CliOutcome::Ok();
    }
    if (rec.source_hash) pending_sources_.insert(*rec.source_hash);
    batch_.push_back(std::move(op));
    lines_.push_back(line);
    sources_.push_back(rec.source_hash);
    if (batch_.size() >= batch_size_) return Flush();
    return CliOutcome::Ok();
  }

  // Writes the queued records as one atomic batch. When the batch fails at an
  // item, the items before it are written as a batch of their own, so that
  // exactly the lines before the bad one end up imported.
  CliOutcome Flush() {
    if (batch_.empty()) return CliOutcome::Ok();
    Result<std::vector<Version>> written = db_->PutMany(batch_);
    if (written.ok()) {
      Done(*written);
      return CliOutcome::Ok();
    }
    const Status failure = written.status();
    std::string detail = failure.message();
    std::optional<size_t> item = FailedBatchItem(failure.message(), &detail);
    if (!item && batch_.size() == 1) item = 0;
    if (!item || *item >= batch_.size()) {
      const std::string lines =
          "lines " + std::to_string(lines_.front()) + "-" + std::to_string(lines_.back());
      Clear();
      return CliOutcome::Failure(CodeName(failure.code()),
                                 lines + " (one batch, not written): " + failure.message());
    }
    const uint64_t bad_line = lines_[*item];
    if (*item > 0) {
      std::vector<WriteOp> before(batch_.begin(), batch_.begin() + *item);
      Result<std::vector<Version>> kept = db_->PutMany(before);
      if (!kept.ok()) {
        const std::string lines =
            "lines " + std::to_string(lines_.front()) + "-" + std::to_string(bad_line - 1);
        Clear();
        return CliOutcome::Failure(CodeName(kept.status().code()),
                                   lines + " (one batch, not written): " + kept.status().message());
      }
      Done(*kept);
    }
    Clear();
    return CliOutcome::Failure(CodeName(failure.code()),
                               "line " + std::to_string(bad_line) + ": " + detail);
  }

  uint64_t imported() const { return imported_; }

 private:
  // Records the versions written for the first versions.size() queued items.
  void Done(const std::vector<Version>& versions) {
    for (size_t i = 0; i < versions.size(); i++) Written(sources_[i], versions[i]);
    Clear();
  }

  void Written(const std::optional<Hash>& source, const Version& v) {
    if (source) renamed_[*source] = v.hash;
    imported_++;
  }

  void Clear() {
    batch_.clear();
    lines_.clear();
    sources_.clear();
    pending_sources_.clear();
  }

  Database* db_;
  const size_t batch_size_;
  std::vector<WriteOp> batch_;
  std::vector<uint64_t> lines_;               // input line of each queued op
  std::vector<std::optional<Hash>> sources_;  // source hash of each queued op
  std::unordered_set<Hash, HashHasher> pending_sources_;
  std::unordered_map<Hash, Hash, HashHasher> renamed_;
  uint64_t imported_ = 0;
};

// The input size when it is a regular file, else 0.
uint64_t InputSize(std::FILE* f) {
  struct stat st;
  if (::fstat(::fileno(f), &st) == 0 && S_ISREG(st.st_mode))
    return static_cast<uint64_t>(st.st_size);
  return 0;
}

// Reads every line, handing each to the importer; stops at the first error.
CliOutcome ImportLines(CommandContext& ctx, Importer* importer) {
  ProgressBar progress("importing", InputSize(ctx.input));
  char* buf = nullptr;
  size_t cap = 0;
  uint64_t line_no = 0;
  uint64_t bytes = 0;
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
    bytes += static_cast<uint64_t>(n);
    std::string_view line(buf, static_cast<size_t>(n));
    if (!line.empty() && line.back() == '\n') line.remove_suffix(1);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (IsBlankLine(line)) continue;
    ImportRecord rec;
    CliOutcome parsed = ParseImportLine(line, &rec);
    if (!parsed.ok()) {
      // Keep every line before this one.
      CliOutcome flushed = importer->Flush();
      result = flushed.ok() ? CliOutcome::Failure(parsed.code(), "line " + std::to_string(line_no) +
                                                                     ": " + parsed.message())
                            : flushed;
      break;
    }
    result = importer->Add(std::move(rec), line_no);
    if (!result.ok()) break;
    progress.Update(bytes, line_no);
  }
  std::free(buf);
  if (result.ok()) result = importer->Flush();
  progress.Clear();
  return result;
}

}  // namespace

CliOutcome RunImport(CommandContext& ctx) {
  Importer importer(ctx.db, ctx.options->batch.value_or(kDefaultBatch));
  CliOutcome result = ImportLines(ctx, &importer);
  Result<Head> head = ctx.db->GetHead();
  if (head.ok()) {
    ctx.out->Line("{\"imported\":" + std::to_string(importer.imported()) +
                  ",\"seq\":" + std::to_string(head->seq) + "}");
  } else if (result.ok()) {
    result = CliOutcome::FromStatus(head.status());
  }
  return result;
}

}  // namespace cairn
