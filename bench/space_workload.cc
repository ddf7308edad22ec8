#include "bench/space_workload.h"

#include <algorithm>
#include <cmath>
#include <random>
#include <unordered_set>

#include "bench/bench_util.h"

namespace cairn::bench {
namespace {

constexpr int kClusters = 64;
// A cluster's standard deviation, as a share of the domain's side.
constexpr double kClusterSpread = 0.01;

// Packs a point of up to 3 axes of up to 21 bits into one key, for the
// duplicate check.
uint64_t PackKey(const uint32_t* p, uint32_t dims) {
  uint64_t key = 0;
  for (uint32_t a = 0; a < dims; a++) key = (key << 21) | p[a];
  return key;
}

}  // namespace

const char* DistributionName(Distribution d) {
  return d == Distribution::kUniform ? "uniform" : "clustered";
}

std::string PointPayload(size_t i, int version) {
  std::string s = "{\"i\":" + std::to_string(i);
  if (version > 1) s += ",\"v\":" + std::to_string(version);
  return s + "}";
}

size_t PayloadIndex(const std::string& payload) {
  if (payload.rfind("{\"i\":", 0) != 0) return SIZE_MAX;
  size_t i = 0, at = 5;
  if (at >= payload.size() || payload[at] < '0' || payload[at] > '9') return SIZE_MAX;
  for (; at < payload.size() && payload[at] >= '0' && payload[at] <= '9'; at++) {
    i = i * 10 + static_cast<size_t>(payload[at] - '0');
  }
  return i;
}

SpaceDataset MakeDataset(Distribution distribution, uint32_t dims, size_t n, uint32_t domain_bits,
                         uint64_t seed) {
  if (dims < 1 || dims > 3 || domain_bits < 1 || domain_bits > 21) {
    Fatal("dataset: dims must be 1..3 and domain bits 1..21");
  }
  SpaceDataset data;
  data.distribution = distribution;
  data.dims = dims;
  data.domain_bits = domain_bits;
  data.coords.reserve(n * dims);
  std::mt19937_64 rng(seed);
  const double side = static_cast<double>(data.domain_max()) + 1;
  std::uniform_int_distribution<uint32_t> coord(0, data.domain_max());
  std::vector<double> centres;
  for (int c = 0; c < kClusters * static_cast<int>(dims); c++) centres.push_back(coord(rng));
  std::normal_distribution<double> spread(0, kClusterSpread * side);
  std::uniform_int_distribution<int> cluster(0, kClusters - 1);

  std::unordered_set<uint64_t> seen;
  seen.reserve(n * 2);
  uint32_t p[3];
  while (data.size() < n) {
    if (distribution == Distribution::kUniform) {
      for (uint32_t a = 0; a < dims; a++) p[a] = coord(rng);
    } else {
      const int c = cluster(rng);
      for (uint32_t a = 0; a < dims; a++) {
        const double v = std::round(centres[c * dims + a] + spread(rng));
        p[a] = static_cast<uint32_t>(std::clamp(v, 0.0, side - 1));
      }
    }
    if (seen.insert(PackKey(p, dims)).second) data.coords.insert(data.coords.end(), p, p + dims);
  }
  data.payloads.reserve(n);
  for (size_t i = 0; i < n; i++) data.payloads.push_back(PointPayload(i));
  return data;
}

std::vector<QueryBox> MakeBoxes(const SpaceDataset& data, double fraction, size_t count,
                                uint64_t seed) {
  std::mt19937_64 rng(seed);
  const double domain = static_cast<double>(data.domain_max()) + 1;
  const uint32_t side = std::max<uint32_t>(
      1, static_cast<uint32_t>(std::llround(domain * std::pow(fraction, 1.0 / data.dims))));
  const uint32_t last_lo = data.domain_max() - (side - 1);
  std::uniform_int_distribution<uint32_t> position(0, last_lo);
  std::uniform_int_distribution<size_t> which(0, data.size() - 1);
  std::vector<QueryBox> boxes(count);
  for (QueryBox& b : boxes) {
    const uint32_t* centre = data.point(which(rng));
    for (uint32_t a = 0; a < data.dims; a++) {
      uint32_t lo;
      if (data.distribution == Distribution::kUniform) {
        lo = position(rng);
      } else {
        const int64_t want = static_cast<int64_t>(centre[a]) - side / 2;
        lo = static_cast<uint32_t>(std::clamp<int64_t>(want, 0, last_lo));
      }
      b.lo.push_back(lo);
      b.hi.push_back(lo + side - 1);
    }
  }
  return boxes;
}

std::vector<uint32_t> MakeSubscopeXs(const SpaceDataset& data, size_t count, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::uniform_int_distribution<size_t> which(0, data.size() - 1);
  std::vector<uint32_t> xs(count);
  for (uint32_t& x : xs) x = data.point(which(rng))[0];
  return xs;
}

}  // namespace cairn::bench
