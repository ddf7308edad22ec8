// The data and the queries of cairn-space-bench: point sets and query boxes,
// generated from a fixed seed so every engine (and every run) sees the same
// points and the same queries.
//
// Coordinates lie in [0, 2^domain_bits) on every axis. Points are distinct
// (a Cairn point is identified by its coordinates, so a duplicate would be a
// rewrite there and a second row in the peers). Point i carries the payload
// {"i":i}, canonical JSON, so every engine can name the points it returns.
//
// Thread-safety: values; a SpaceDataset is read-only once made.
#ifndef CAIRN_BENCH_SPACE_WORKLOAD_H_
#define CAIRN_BENCH_SPACE_WORKLOAD_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace cairn::bench {

enum class Distribution {
  kUniform,    // every coordinate uniform over the domain
  kClustered,  // Gaussian clusters around uniform centres
};

const char* DistributionName(Distribution d);

struct SpaceDataset {
  Distribution distribution = Distribution::kUniform;
  uint32_t dims = 0;
  uint32_t domain_bits = 0;
  std::vector<uint32_t> coords;       // point i is coords[i * dims, (i + 1) * dims)
  std::vector<std::string> payloads;  // PointPayload(i), made before any clock starts

  size_t size() const { return dims ? coords.size() / dims : 0; }
  const uint32_t* point(size_t i) const { return coords.data() + i * dims; }
  uint32_t domain_max() const { return static_cast<uint32_t>((uint64_t{1} << domain_bits) - 1); }
};

// The payload of point i: {"i":<i>}; with `version` > 1, {"i":<i>,"v":<version>}.
std::string PointPayload(size_t i, int version = 1);
// The i of a payload made by PointPayload; SIZE_MAX when it is not one.
size_t PayloadIndex(const std::string& payload);

// `n` distinct points. REQUIRES: 1 <= dims <= 3, n far below 2^(dims * domain_bits).
SpaceDataset MakeDataset(Distribution distribution, uint32_t dims, size_t n, uint32_t domain_bits,
                         uint64_t seed);

struct QueryBox {
  std::vector<uint32_t> lo, hi;  // inclusive on every axis
};

// `count` boxes, each covering `fraction` of the domain's volume (the same
// side on every axis), inside the domain. Uniform data: at uniform random
// positions. Clustered data: centred on random points of the data, so the
// queries follow the data as real ones would.
std::vector<QueryBox> MakeBoxes(const SpaceDataset& data, double fraction, size_t count,
                                uint64_t seed);

// `count` x coordinates of random points of the data, for the subscope
// (exact x, any y) queries.
std::vector<uint32_t> MakeSubscopeXs(const SpaceDataset& data, size_t count, uint64_t seed);

}  // namespace cairn::bench

#endif  // CAIRN_BENCH_SPACE_WORKLOAD_H_
