#include "bench/verify.h"

#include <algorithm>
#include <optional>
#include <set>

namespace cairn::bench {
namespace {

constexpr size_t kRandomSamples = 1000;
constexpr size_t kRewrittenSamples = 300;
constexpr size_t kSinglePutSamples = 100;
constexpr size_t kMaxReportedFailures = 20;

std::string Show(const std::optional<std::string>& doc) {
  if (!doc) return "(absent)";
  return doc->size() > 200 ? doc->substr(0, 200) + "..." : *doc;
}

class Checker {
 public:
  explicit Checker(VerifyResult* result) : result_(result) {}

  void Expect(const std::string& what, const std::optional<std::string>& got,
              const std::optional<std::string>& want) {
    result_->checks++;
    if (got == want) return;
    Fail(what + ": got " + Show(got) + ", want " + Show(want));
  }

  void ExpectCount(const std::string& what, uint64_t got, uint64_t want) {
    result_->checks++;
    if (got == want) return;
    Fail(what + ": got " + std::to_string(got) + ", want " + std::to_string(want));
  }

 private:
  void Fail(std::string message) {
    if (result_->failures.size() < kMaxReportedFailures) {
      result_->failures.push_back(std::move(message));
    } else if (result_->failures.size() == kMaxReportedFailures) {
      result_->failures.push_back("... further failures not listed");
    }
  }

  VerifyResult* result_;
};

}  // namespace

VerifyResult VerifyStores(const Workload& w, const WriteRun& cairn_run, CairnStore& cairn,
                          SqliteStore& sqlite) {
  VerifyResult result;
  Checker check(&result);

  const Stats stats = cairn.db().GetStats();
  check.ExpectCount("cairn live documents", stats.documents, w.total_documents());
  check.ExpectCount("cairn versions", stats.versions, w.total_versions());
  check.ExpectCount("sqlite rows", sqlite.Count(), w.total_documents());

  // Sampled ids: the first and last of every range, random ingested ids,
  // rewritten ids and single-put ids.
  std::set<size_t> sample{0, w.docs() - 1};
  if (w.single_puts() > 0) sample.insert({w.docs(), w.total_documents() - 1});
  const auto& gets = w.get_indexes();
  for (size_t i = 0; i < gets.size() && i < kRandomSamples; i++) sample.insert(gets[i]);
  const auto& rewritten = w.rewritten();
  for (size_t i = 0; i < rewritten.size() && i < kRewrittenSamples; i++)
    sample.insert(rewritten[i]);
  for (size_t i = 0; i < w.single_puts() && i < kSinglePutSamples; i++) {
    sample.insert(w.docs() + i * w.single_puts() / std::min(w.single_puts(), kSinglePutSamples));
  }

  for (size_t index : sample) {
    const std::string id = w.Id(index);
    const std::string want = w.Doc(index, w.FinalVersion(index));
    check.Expect("cairn get " + id, cairn.GetData(id, std::nullopt), want);
    check.Expect("sqlite get " + id, sqlite.Get(id), want);
    // Before the rewrites every document held its first version.
    check.Expect("cairn get " + id + " AS OF " + std::to_string(cairn_run.seq_before_rewrites),
                 cairn.GetData(id, cairn_run.seq_before_rewrites), w.Doc(index, 0));
    // Right after the batched ingest the single puts did not exist yet.
    const bool ingested = index < w.docs();
    check.Expect("cairn get " + id + " AS OF " + std::to_string(cairn_run.seq_after_ingest),
                 cairn.GetData(id, cairn_run.seq_after_ingest),
                 ingested ? std::optional<std::string>(w.Doc(index, 0)) : std::nullopt);
  }

  // An id that was never written. Ids stay below 1000000 + kMaxDocuments.
  const std::string missing = w.Id(Workload::kMaxDocuments - 1);
  if (w.total_documents() < Workload::kMaxDocuments) {
    check.Expect("cairn get never-written " + missing, cairn.GetData(missing, std::nullopt),
                 std::nullopt);
    check.Expect("sqlite get never-written " + missing, sqlite.Get(missing), std::nullopt);
  }
  return result;
}

}  // namespace cairn::bench
