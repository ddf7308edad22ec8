// Shared by the database tests: a second database to compare one against.
#ifndef CAIRN_TESTS_CORE_ENGINE_DB_TEST_UTIL_H_
#define CAIRN_TESTS_CORE_ENGINE_DB_TEST_UTIL_H_

#include <gtest/gtest.h>

#include <memory>

#include "cairn/db.h"
#include "storage-backends/fault/fault_storage.h"

namespace cairn {

// Opens a database on `fs` with `options`, but the scheduler and clock
// given (a database with the scheduler's helpers, compared with one
// without). Fails the test and returns null if the open fails.
inline std::unique_ptr<Database> OpenWithScheduler(FaultFileSystem* fs, Options options, Scheduler* scheduler,
                                                   Clock* clock) {
  options.scheduler = scheduler;
  options.clock = clock;
  auto opened = Database::Open(fs->NewStorage(), options);
  EXPECT_TRUE(opened.ok()) << opened.status().ToString();
  return opened.ok() ? std::move(opened).value() : nullptr;
}

}  // namespace cairn

#endif  // CAIRN_TESTS_CORE_ENGINE_DB_TEST_UTIL_H_
