// The benchmark workload: which documents are written, rewritten and read.
//
// Documents look like small blockchain blocks, about 140 bytes each:
//   {"fee":12.3,"hash":"<64 hex>","height":1000042,"miner":"m17","tx":[5,981,44]}
// Document i has id std::to_string(1000000 + i) in collection "blocks", so ids
// have 7 digits and arrive in key order during ingest (the friendliest order
// for a B-tree peer). Documents [0, docs) are ingested in batches; documents
// [docs, docs + single_puts) are written one durable put at a time.
//
// Every document is generated already in Cairn's canonical JSON form (members
// sorted by key, no whitespace, shortest numbers), so both engines store and
// return exactly these bytes and the harness compares them byte for byte.
//
// Contents are a pure function of (seed, index, version): nothing is stored,
// so a child process can rebuild any part of the workload.
//
// Thread-safety: immutable after construction; safe to share.
#ifndef CAIRN_BENCH_WORKLOAD_H_
#define CAIRN_BENCH_WORKLOAD_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace cairn::bench {

struct WorkloadConfig {
  size_t docs = 1000000;       // ingested in batches
  size_t single_puts = 10000;  // written one put per transaction
  size_t gets = 200000;        // point lookups per measured pass
  size_t batch = 1000;         // documents per batch (PutMany / transaction)
  // After ingest and the single puts, this fraction of the ingested
  // documents is rewritten `rewrite_rounds` times, so each of them has
  // rewrite_rounds + 1 versions.
  double rewrite_fraction = 0.10;
  int rewrite_rounds = 3;
  uint64_t seed = 20240501;
};

class Workload {
 public:
  static constexpr std::string_view kCollection = "blocks";
  // Ids are 7 digits: 1000000 + index.
  static constexpr size_t kMaxDocuments = 9000000;

  // REQUIRES: config.docs + config.single_puts <= kMaxDocuments, docs >= 1.
  explicit Workload(const WorkloadConfig& config);

  const WorkloadConfig& config() const { return config_; }
  size_t docs() const { return config_.docs; }
  size_t single_puts() const { return config_.single_puts; }
  // Documents alive at the end: docs + single_puts.
  size_t total_documents() const { return config_.docs + config_.single_puts; }
  // Versions written at the end: ingest, single puts and every rewrite.
  size_t total_versions() const;

  std::string Id(size_t index) const;
  // The canonical JSON of version `version` (0 = as first written) of
  // document `index`.
  std::string Doc(size_t index, int version) const;
  // The version a document holds after every rewrite round.
  int FinalVersion(size_t index) const;

  // Indexes of the rewritten documents (distinct, in [0, docs), in the random
  // order they are rewritten in every round).
  const std::vector<uint32_t>& rewritten() const { return rewritten_; }

  // `gets` uniformly random indexes in [0, docs), for point lookups.
  const std::vector<uint32_t>& get_indexes() const { return get_indexes_; }
  // `gets` uniformly random picks from rewritten(), for lookups of documents
  // with several versions.
  const std::vector<uint32_t>& rewritten_get_indexes() const { return rewritten_get_indexes_; }

  // Ids of `indexes`, so timed loops do no formatting.
  std::vector<std::string> Ids(const std::vector<uint32_t>& indexes) const;

 private:
  WorkloadConfig config_;
  std::vector<uint32_t> rewritten_;
  std::vector<uint8_t> is_rewritten_;  // by index in [0, docs)
  std::vector<uint32_t> get_indexes_;
  std::vector<uint32_t> rewritten_get_indexes_;
};

// The indexes begin, begin + 1, ..., end - 1.
std::vector<uint32_t> IndexRange(size_t begin, size_t end);

}  // namespace cairn::bench

#endif  // CAIRN_BENCH_WORKLOAD_H_
