// crash_writer: the child process of the kill -9 crash test.
//
//   crash_writer DIR SEED strict|relaxed|space
//
// Mode space writes the spatial plan (space_plan.h) in strict mode instead,
// and prints one A line per batch: A <last seq> space <batch> <zero hash> 0.
//
// Opens (or creates) the database in DIR with small checkpoint and segment
// sizes and a ThreadScheduler, fast-forwards the CrashPlan of SEED to the seq
// the database holds, and then writes the plan's batches until it is killed.
// Output on stdout, each line written with one write(2) call:
//   OPEN <seq>                               once the database is open
//   A <seq> <coll> <id> <hash> <0|1>         one per version, after its call
//                                            returned (the write is acknowledged)
//   ERROR <message>                          then exit status 2
// The driver treats the A lines as the acknowledged writes.
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "cairn/db.h"
#include "cairn/options.h"
#include "storage-backends/posix/posix_storage.h"
#include "storage-backends/posix/thread_scheduler.h"
#include "tests/crash/crash_plan.h"
#include "tests/crash/space_plan.h"

namespace cairn::crash {
namespace {

void WriteAll(const std::string& line) {
  size_t done = 0;
  while (done < line.size()) {
    ssize_t n = ::write(STDOUT_FILENO, line.data() + done, line.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) std::_Exit(3);  // the driver went away
    done += static_cast<size_t>(n);
  }
}

[[noreturn]] void Fail(const std::string& what) {
  WriteAll("ERROR " + what + "\n");
  std::_Exit(2);
}

// The version returned for a planned op must be exactly the planned write.
void CheckReturned(uint64_t seed, const PlannedOp& op, const Version& v) {
  if (v.seq != op.seq || v.coll != op.coll || v.id != op.id || v.deleted != op.is_delete ||
      v.data != PlannedData(seed, op)) {
    Fail("the call for planned seq " + std::to_string(op.seq) + " returned " + v.coll + "/" + v.id +
         " seq " + std::to_string(v.seq));
  }
}

void Ack(const Version& v) {
  WriteAll("A " + std::to_string(v.seq) + " " + v.coll + " " + v.id + " " + v.hash.ToHex() + " " +
           (v.deleted ? "1" : "0") + "\n");
}

WriteOptions OptionsFor(const PlannedOp& op) {
  WriteOptions o;
  if (op.has_valid_from) o.valid_from = PlannedValidFrom(op);
  return o;
}

// Opens the database in `dir` with the crash test's small checkpoint and
// segment sizes, or fails the writer; *head is the seq it holds.
std::unique_ptr<Database> OpenOrFail(const std::string& dir, Durability durability, Scheduler* scheduler,
                                     Head* head) {
  Options options;
  options.durability = durability;
  options.checkpoint_bytes = kCheckpointBytes;
  options.segment_bytes = kSegmentBytes;
  options.scheduler = scheduler;
  auto storage = OpenPosixStorage(dir);
  if (!storage.ok()) Fail("storage: " + storage.status().ToString());
  auto opened = Database::Open(std::move(storage).value(), options);
  if (!opened.ok()) Fail("open: " + opened.status().ToString());
  std::unique_ptr<Database> db = std::move(opened).value();
  auto h = db->GetHead();
  if (!h.ok()) Fail("head: " + h.status().ToString());
  *head = *h;
  return db;
}

int Run(const std::string& dir, uint64_t seed, Durability durability) {
  ThreadScheduler scheduler;  // declared first: destroyed after the database
  Head head;
  std::unique_ptr<Database> db = OpenOrFail(dir, durability, &scheduler, &head);

  CrashPlan plan(seed);
  while (plan.next_seq() <= head.seq) (void)plan.Next();
  if (plan.next_seq() != head.seq + 1) {
    Fail("the database head seq " + std::to_string(head.seq) +
         " is not at a batch boundary of the plan (a batch was applied partially)");
  }
  WriteAll("OPEN " + std::to_string(head.seq) + "\n");

  for (;;) {
    PlannedBatch batch = plan.Next();
    switch (batch.kind) {
      case PlannedBatch::Kind::kPut: {
        const PlannedOp& op = batch.ops[0];
        auto v = db->Put(op.coll, op.id, PlannedData(seed, op), OptionsFor(op));
        if (!v.ok()) Fail("put seq " + std::to_string(op.seq) + ": " + v.status().ToString());
        CheckReturned(seed, op, *v);
        Ack(*v);
        break;
      }
      case PlannedBatch::Kind::kDelete: {
        const PlannedOp& op = batch.ops[0];
        auto v = db->Delete(op.coll, op.id);
        if (!v.ok()) Fail("delete seq " + std::to_string(op.seq) + ": " + v.status().ToString());
        CheckReturned(seed, op, *v);
        Ack(*v);
        break;
      }
      case PlannedBatch::Kind::kPutMany: {
        std::vector<WriteOp> ops;
        for (const PlannedOp& op : batch.ops) {
          ops.push_back(WriteOp{op.coll, op.id, PlannedData(seed, op), OptionsFor(op)});
        }
        auto vs = db->PutMany(ops);
        if (!vs.ok()) {
          Fail("put_many at seq " + std::to_string(batch.first_seq) + ": " +
               vs.status().ToString());
        }
        if (vs->size() != batch.ops.size()) Fail("put_many returned the wrong number of versions");
        for (size_t i = 0; i < vs->size(); i++) CheckReturned(seed, batch.ops[i], (*vs)[i]);
        for (const Version& v : *vs) Ack(v);
        break;
      }
    }
  }
}

int RunSpace(const std::string& dir, uint64_t seed) {
  ThreadScheduler scheduler;
  Head head;
  std::unique_ptr<Database> db = OpenOrFail(dir, Durability::kStrict, &scheduler, &head);
  SpacePlan plan(seed);
  while (plan.seq() < head.seq) (void)plan.Next();
  if (plan.seq() != head.seq) {
    Fail("the database head seq " + std::to_string(head.seq) + " is not at a batch boundary of the plan");
  }
  WriteAll("OPEN " + std::to_string(head.seq) + "\n");
  const std::string zero(64, '0');
  for (;;) {
    SpaceBatch b = plan.Next();
    uint64_t last = 0;
    if (b.kind == SpaceBatch::Kind::kCreateSpace) {
      auto r = db->CreateSpace("s", 2, 12);
      if (!r.ok()) Fail("create space: " + r.status().ToString());
      last = r->created_seq;
    } else if (b.kind == SpaceBatch::Kind::kCreateBranch) {
      auto r = db->CreateBranch("s", "b", "main", std::nullopt);
      if (!r.ok()) Fail("create branch: " + r.status().ToString());
      last = r->created_seq;
    } else {
      auto r = db->SpaceWrite("s", b.branch, b.ops);
      if (!r.ok()) Fail("space write of batch " + std::to_string(b.number) + ": " + r.status().ToString());
      last = r->back();
    }
    if (last != plan.seq()) Fail("batch " + std::to_string(b.number) + " ended at seq " + std::to_string(last));
    WriteAll("A " + std::to_string(last) + " space " + std::to_string(b.number) + " " + zero + " 0\n");
  }
}

}  // namespace
}  // namespace cairn::crash

int main(int argc, char** argv) {
  if (argc != 4) {
    const char kUsage[] = "usage: crash_writer DIR SEED strict|relaxed\n";
    (void)!::write(STDERR_FILENO, kUsage, sizeof(kUsage) - 1);
    return 64;
  }
  const std::string mode = argv[3];
  if (mode == "space") return cairn::crash::RunSpace(argv[1], std::strtoull(argv[2], nullptr, 10));
  if (mode != "strict" && mode != "relaxed") {
    cairn::crash::Fail("unknown mode " + mode);
  }
  const uint64_t seed = std::strtoull(argv[2], nullptr, 10);
  return cairn::crash::Run(
      argv[1], seed, mode == "strict" ? cairn::Durability::kStrict : cairn::Durability::kRelaxed);
}
