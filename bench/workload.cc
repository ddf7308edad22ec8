#include "bench/workload.h"

#include <algorithm>
#include <numeric>

#include "bench/bench_util.h"

namespace cairn::bench {
namespace {

constexpr uint64_t kFirstHeight = 1000000;

// splitmix64: a small, fast, well-mixed generator; the workload only needs
// reproducible variety, not cryptographic quality.
class Rng {
 public:
  explicit Rng(uint64_t seed) : state_(seed) {}
  uint64_t Next() {
    uint64_t z = (state_ += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  // Uniform in [0, n). REQUIRES: n > 0. The modulo bias is irrelevant here.
  uint64_t Below(uint64_t n) { return Next() % n; }

 private:
  uint64_t state_;
};

void AppendHex64(std::string* out, uint64_t v) {
  static constexpr char kDigits[] = "0123456789abcdef";
  for (int shift = 60; shift >= 0; shift -= 4) out->push_back(kDigits[(v >> shift) & 0xF]);
}

// `n` distinct indexes in [0, universe) in random order (partial Fisher-Yates).
std::vector<uint32_t> Sample(size_t n, size_t universe, Rng* rng) {
  std::vector<uint32_t> all(universe);
  std::iota(all.begin(), all.end(), 0u);
  for (size_t i = 0; i < n; i++) std::swap(all[i], all[i + rng->Below(universe - i)]);
  all.resize(n);
  return all;
}

}  // namespace

Workload::Workload(const WorkloadConfig& config) : config_(config) {
  if (config_.docs == 0) Fatal("--docs must be at least 1");
  if (config_.docs + config_.single_puts > kMaxDocuments) {
    Fatal("--docs plus --single-puts must be at most " + std::to_string(kMaxDocuments));
  }
  if (config_.batch == 0) Fatal("the batch size must be at least 1");
  Rng rng(config_.seed ^ 0x5EEDull);
  const size_t n_rewritten =
      static_cast<size_t>(static_cast<double>(config_.docs) * config_.rewrite_fraction);
  rewritten_ = Sample(n_rewritten, config_.docs, &rng);
  is_rewritten_.assign(config_.docs, 0);
  for (uint32_t i : rewritten_) is_rewritten_[i] = 1;

  get_indexes_.resize(config_.gets);
  for (uint32_t& i : get_indexes_) i = static_cast<uint32_t>(rng.Below(config_.docs));
  if (!rewritten_.empty()) {
    rewritten_get_indexes_.resize(config_.gets);
    for (uint32_t& i : rewritten_get_indexes_) i = rewritten_[rng.Below(rewritten_.size())];
  }
}

size_t Workload::total_versions() const {
  return total_documents() + rewritten_.size() * static_cast<size_t>(config_.rewrite_rounds);
}

std::string Workload::Id(size_t index) const { return std::to_string(kFirstHeight + index); }

std::string Workload::Doc(size_t index, int version) const {
  Rng rng(config_.seed * 0x100000001B3ull ^ (uint64_t{index} << 8) ^
          static_cast<uint64_t>(version));
  rng.Next();
  std::string out;
  out.reserve(160);
  // Members in canonical (byte-sorted) key order: fee, hash, height, miner, tx.
  // The fee's tenths digit is never 0, so the canonical number keeps it.
  out.append("{\"fee\":");
  out.append(std::to_string(rng.Below(100)));
  out.push_back('.');
  out.append(std::to_string(1 + rng.Below(9)));
  out.append(",\"hash\":\"");
  for (int i = 0; i < 4; i++) AppendHex64(&out, rng.Next());
  out.append("\",\"height\":");
  out.append(std::to_string(kFirstHeight + index));
  out.append(",\"miner\":\"m");
  out.append(std::to_string(rng.Below(64)));
  out.append("\",\"tx\":[");
  for (int i = 0; i < 3; i++) {
    if (i) out.push_back(',');
    out.append(std::to_string(rng.Below(1000000)));
  }
  out.append("]}");
  return out;
}

int Workload::FinalVersion(size_t index) const {
  return index < config_.docs && is_rewritten_[index] ? config_.rewrite_rounds : 0;
}

std::vector<std::string> Workload::Ids(const std::vector<uint32_t>& indexes) const {
  std::vector<std::string> out;
  out.reserve(indexes.size());
  for (uint32_t i : indexes) out.push_back(Id(i));
  return out;
}

std::vector<uint32_t> IndexRange(size_t begin, size_t end) {
  std::vector<uint32_t> out(end - begin);
  std::iota(out.begin(), out.end(), static_cast<uint32_t>(begin));
  return out;
}

}  // namespace cairn::bench
