// The kill -9 crash test (DESIGN.md invariant 4, "Acknowledged means durable").
//
// Each round spawns crash_writer on one database directory, lets it write for
// a short random time (sometimes killing it while it starts up or recovers),
// kills it with SIGKILL, and reopens the directory in this process. The
// writer's stream is a CrashPlan, so for every seq the test knows exactly what
// was written. After every kill:
//  - every acknowledged write is present with exactly its hash and content;
//  - the database holds exactly the plan's writes 1..H, no gaps, H at a batch
//    boundary (PutMany is atomic) and H >= the last acknowledged seq; writes
//    past the last acknowledgement may survive only as that tail;
//  - History, Get, GetByHash and List agree with the plan (delete semantics
//    included); prev links chain every document's versions;
//  - the head recomputed from the versions equals GetHead, and Verify is ok.
// The directory keeps growing across rounds: the writer continues from the
// head it finds. Strict mode runs kDefaultStrictRounds rounds; relaxed mode,
// which must also lose nothing to a process kill, runs fewer.
//
// CAIRN_CRASH_ROUNDS=N runs N strict rounds and N*3/10 relaxed rounds instead;
// CAIRN_CRASH_SEED=S changes the plan and timing seed.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "cairn/db.h"
#include "cairn/hash.h"
#include "cairn/options.h"
#include "storage-backends/posix/posix_storage.h"
#include "tests/crash/space_plan.h"
#include "storage-backends/posix/thread_scheduler.h"
#include "tests/crash/crash_plan.h"

namespace cairn::crash {
namespace {

using SteadyClock = std::chrono::steady_clock;

constexpr uint64_t kDefaultStrictRounds = 200;
constexpr uint64_t kDefaultRelaxedRounds = 60;
constexpr uint64_t kDefaultSeed = 20240501;
// How long a child may take to open the database before the test gives up.
constexpr auto kOpenTimeout = std::chrono::seconds(60);

uint64_t EnvNumber(const char* name, uint64_t fallback) {
  const char* v = std::getenv(name);
  if (v == nullptr || *v == '\0') return fallback;
  return std::strtoull(v, nullptr, 10);
}

uint64_t StrictRounds() { return EnvNumber("CAIRN_CRASH_ROUNDS", kDefaultStrictRounds); }
uint64_t RelaxedRounds() {
  const char* v = std::getenv("CAIRN_CRASH_ROUNDS");
  if (v == nullptr || *v == '\0') return kDefaultRelaxedRounds;
  return std::max<uint64_t>(1, EnvNumber("CAIRN_CRASH_ROUNDS", 0) * 3 / 10);
}

double Millis(SteadyClock::duration d) {
  return std::chrono::duration<double, std::milli>(d).count();
}

// A fresh directory for one test's database, removed at the end.
class TestDir {
 public:
  explicit TestDir(const std::string& tag) {
    std::string pattern =
        (std::filesystem::temp_directory_path() / ("cairn-crash-" + tag + "-XXXXXX")).string();
    if (::mkdtemp(pattern.data()) != nullptr) path_ = pattern;
  }
  ~TestDir() {
    std::error_code ec;
    if (!path_.empty()) std::filesystem::remove_all(path_, ec);
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

struct Ack {
  uint64_t seq = 0;
  std::string coll, id;
  Hash hash;
  bool deleted = false;
};

// What one child run printed and how it ended.
struct ChildRun {
  std::optional<uint64_t> open_seq;  // from the OPEN line
  std::vector<Ack> acks;
  std::vector<std::string> problems;  // ERROR lines, unparsable lines
  std::string stderr_text;
  int wait_status = 0;
  bool killed_before_open = false;
  double ms_to_open = 0;
  double ms_run = 0;
};

void SetNonBlocking(int fd) { ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK); }

// Reads what is available on the child's pipes until `deadline`, or until
// `until_open` is set and the OPEN line has arrived, or both pipes hit EOF.
// Returns false when both pipes are at EOF.
bool Pump(int out_fd, int err_fd, bool* out_open, bool* err_open, std::string* out,
          std::string* err, SteadyClock::time_point deadline, bool until_open) {
  for (;;) {
    if (until_open && out->find("OPEN ") != std::string::npos &&
        out->find('\n', out->find("OPEN ")) != std::string::npos) {
      return true;
    }
    if (!*out_open && !*err_open) return false;
    const auto now = SteadyClock::now();
    if (now >= deadline) return true;
    pollfd fds[2];
    int n = 0;
    if (*out_open) fds[n++] = {out_fd, POLLIN, 0};
    if (*err_open) fds[n++] = {err_fd, POLLIN, 0};
    const int timeout_ms = static_cast<int>(std::max<int64_t>(
        1, std::chrono::duration_cast<std::chrono::milliseconds>(deadline - now).count()));
    int rc = ::poll(fds, n, timeout_ms);
    if (rc < 0 && errno == EINTR) continue;
    if (rc <= 0) continue;
    for (int i = 0; i < n; i++) {
      if (!(fds[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
      const bool is_out = fds[i].fd == out_fd;
      char buf[65536];
      ssize_t got = ::read(fds[i].fd, buf, sizeof(buf));
      if (got > 0) {
        (is_out ? out : err)->append(buf, static_cast<size_t>(got));
      } else if (got == 0 || (errno != EAGAIN && errno != EINTR)) {
        *(is_out ? out_open : err_open) = false;
      }
    }
  }
}

std::vector<std::string> Split(const std::string& line) {
  std::vector<std::string> parts;
  std::istringstream in(line);
  std::string p;
  while (in >> p) parts.push_back(p);
  return parts;
}

// Parses the child's stdout. An unterminated last line was cut by the kill:
// that write's acknowledgement never completed, so it is not counted.
void ParseOutput(const std::string& out, ChildRun* run) {
  size_t pos = 0;
  for (;;) {
    size_t nl = out.find('\n', pos);
    if (nl == std::string::npos) break;
    const std::string line = out.substr(pos, nl - pos);
    pos = nl + 1;
    std::vector<std::string> parts = Split(line);
    if (parts.size() == 2 && parts[0] == "OPEN") {
      run->open_seq = std::strtoull(parts[1].c_str(), nullptr, 10);
    } else if (parts.size() == 6 && parts[0] == "A") {
      Ack a;
      a.seq = std::strtoull(parts[1].c_str(), nullptr, 10);
      a.coll = parts[2];
      a.id = parts[3];
      auto h = Hash::FromHex(parts[4]);
      if (!h.ok()) {
        run->problems.push_back("bad hash in line: " + line);
        continue;
      }
      a.hash = *h;
      a.deleted = parts[5] == "1";
      run->acks.push_back(std::move(a));
    } else {
      run->problems.push_back("child said: " + line);
    }
  }
}

// Spawns crash_writer, kills it after `delay` (measured from the OPEN line,
// or from the spawn when `at_startup`), and collects what it printed.
ChildRun RunChild(const std::string& dir, uint64_t seed, const char* mode, bool at_startup,
                  SteadyClock::duration delay) {
  ChildRun run;
  int out_pipe[2], err_pipe[2];
  if (::pipe2(out_pipe, O_CLOEXEC) != 0 || ::pipe2(err_pipe, O_CLOEXEC) != 0) {
    run.problems.push_back(std::string("pipe: ") + std::strerror(errno));
    return run;
  }
  const std::string writer = CAIRN_CRASH_WRITER_PATH;
  const std::string seed_text = std::to_string(seed);
  std::vector<char*> argv = {const_cast<char*>(writer.c_str()), const_cast<char*>(dir.c_str()),
                             const_cast<char*>(seed_text.c_str()), const_cast<char*>(mode),
                             nullptr};
  const auto start = SteadyClock::now();
  pid_t pid = ::fork();
  if (pid == 0) {
    // Only async-signal-safe calls between fork and exec.
    ::dup2(out_pipe[1], STDOUT_FILENO);
    ::dup2(err_pipe[1], STDERR_FILENO);
    ::execv(argv[0], argv.data());
    ::_exit(127);
  }
  ::close(out_pipe[1]);
  ::close(err_pipe[1]);
  if (pid < 0) {
    run.problems.push_back(std::string("fork: ") + std::strerror(errno));
    ::close(out_pipe[0]);
    ::close(err_pipe[0]);
    return run;
  }
  SetNonBlocking(out_pipe[0]);
  SetNonBlocking(err_pipe[0]);
  bool out_open = true, err_open = true;
  std::string out, err;
  if (at_startup) {
    Pump(out_pipe[0], err_pipe[0], &out_open, &err_open, &out, &err, start + delay, false);
    run.killed_before_open = out.find("OPEN ") == std::string::npos;
  } else {
    Pump(out_pipe[0], err_pipe[0], &out_open, &err_open, &out, &err, start + kOpenTimeout, true);
    const auto opened = SteadyClock::now();
    if (out.find("OPEN ") == std::string::npos && opened - start >= kOpenTimeout) {
      run.problems.push_back("the writer did not open the database within " +
                             std::to_string(kOpenTimeout.count()) + " s");
    }
    run.ms_to_open = Millis(opened - start);
    Pump(out_pipe[0], err_pipe[0], &out_open, &err_open, &out, &err, opened + delay, false);
  }
  ::kill(pid, SIGKILL);
  run.ms_run = Millis(SteadyClock::now() - start);
  const auto drain_deadline = SteadyClock::now() + std::chrono::seconds(30);
  while (Pump(out_pipe[0], err_pipe[0], &out_open, &err_open, &out, &err, drain_deadline, false) &&
         SteadyClock::now() < drain_deadline) {
  }
  ::close(out_pipe[0]);
  ::close(err_pipe[0]);
  while (::waitpid(pid, &run.wait_status, 0) < 0 && errno == EINTR) {
  }
  run.stderr_text = err;
  ParseOutput(out, &run);
  return run;
}

// Files of the database directory, for evidence of what the kill interrupted.
struct DirState {
  uint32_t max_segment = 0;
  std::set<std::string> checkpoints;
  bool checkpoint_tmp = false;
};

DirState ListDir(const std::string& dir) {
  DirState st;
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator(dir, ec)) {
    const std::string name = e.path().filename().string();
    if (name.rfind("log-", 0) == 0) {
      st.max_segment = std::max<uint32_t>(
          st.max_segment, static_cast<uint32_t>(std::strtoul(name.c_str() + 4, nullptr, 10)));
    } else if (name.rfind("checkpoint-", 0) == 0) {
      if (name.size() > 4 && name.compare(name.size() - 4, 4, ".tmp") == 0) {
        st.checkpoint_tmp = true;
      } else {
        st.checkpoints.insert(name);
      }
    }
  }
  return st;
}

// head' = BLAKE2b-256(head || BE64(seq) || hash), from the empty (zero) head:
// the Merkle head formula, recomputed independently of the engine.
Hash NextHead(const Hash& head, uint64_t seq, const Hash& hash) {
  std::string in(reinterpret_cast<const char*>(head.bytes.data()), Hash::kSize);
  for (int i = 7; i >= 0; i--) in.push_back(static_cast<char>((seq >> (8 * i)) & 0xFF));
  in.append(reinterpret_cast<const char*>(hash.bytes.data()), Hash::kSize);
  return Hash::Of(in);
}

using DocKey = std::pair<std::string, std::string>;

// The test's model of the database: the plan replayed up to what the database
// holds, the hashes read back, and every acknowledgement so far.
class Model {
 public:
  explicit Model(uint64_t seed) : seed_(seed), plan_(seed) {}

  uint64_t seed() const { return seed_; }
  uint64_t head_seq() const { return head_seq_; }
  const Hash& head() const { return head_; }
  const std::map<uint64_t, Ack>& acks() const { return acks_; }

  // Replays the plan until it covers `seq`.
  void Extend(uint64_t seq) {
    while (plan_.next_seq() <= seq) {
      PlannedBatch b = plan_.Next();
      for (PlannedOp& op : b.ops) {
        doc_seqs_[{op.coll, op.id}].push_back(op.seq);
        ops_.push_back(std::move(op));
      }
      batch_ends_.insert(plan_.next_seq() - 1);
    }
  }
  bool IsBatchEnd(uint64_t seq) const { return seq == 0 || batch_ends_.count(seq) != 0; }
  const PlannedOp& Op(uint64_t seq) const { return ops_.at(seq - 1); }

  // Checks the acknowledgements of one run against the plan and records them.
  // Returns a description of the first problem, or "".
  std::string AddAcks(const std::vector<Ack>& acks) {
    uint64_t expect = head_seq_ + 1;
    for (const Ack& a : acks) {
      if (a.seq != expect) {
        return "acknowledged seq " + std::to_string(a.seq) + " where " + std::to_string(expect) +
               " was expected";
      }
      expect++;
      Extend(a.seq);
      const PlannedOp& op = Op(a.seq);
      if (a.coll != op.coll || a.id != op.id || a.deleted != op.is_delete) {
        return "acknowledged seq " + std::to_string(a.seq) + " is " + a.coll + "/" + a.id +
               " but the plan wrote " + op.coll + "/" + op.id;
      }
      acks_[a.seq] = a;
    }
    return "";
  }

  // Every version of `doc` with seq <= h, oldest first.
  std::vector<uint64_t> DocSeqs(const DocKey& doc, uint64_t h) const {
    std::vector<uint64_t> out;
    auto it = doc_seqs_.find(doc);
    if (it == doc_seqs_.end()) return out;
    for (uint64_t s : it->second) {
      if (s <= h) out.push_back(s);
    }
    return out;
  }

  std::set<DocKey> DocsTouched(uint64_t from_exclusive, uint64_t to) const {
    std::set<DocKey> docs;
    for (uint64_t s = from_exclusive + 1; s <= to; s++) docs.insert({Op(s).coll, Op(s).id});
    return docs;
  }

  std::set<DocKey> AllDocs(uint64_t h) const { return DocsTouched(0, h); }

  // Compares History(doc) with the plan up to `h` and records the hashes.
  // Returns "" or a description of the first difference.
  std::string CheckDoc(Database* db, const DocKey& doc, uint64_t h) {
    const std::string name = doc.first + "/" + doc.second;
    auto history = db->History(doc.first, doc.second);
    if (!history.ok()) return "History(" + name + "): " + history.status().ToString();
    std::vector<uint64_t> seqs = DocSeqs(doc, h);
    if (history->size() != seqs.size()) {
      return "History(" + name + ") has " + std::to_string(history->size()) +
             " versions; the plan wrote " + std::to_string(seqs.size()) + " up to seq " +
             std::to_string(h);
    }
    // History is newest first; the plan's list is oldest first.
    std::optional<Hash> prev;
    for (size_t i = 0; i < seqs.size(); i++) {
      const Version& v = (*history)[seqs.size() - 1 - i];
      const PlannedOp& op = Op(seqs[i]);
      const std::string where = name + " seq " + std::to_string(op.seq);
      if (v.seq != op.seq) return where + ": History holds seq " + std::to_string(v.seq);
      if (v.coll != op.coll || v.id != op.id)
        return where + ": wrong document " + v.coll + "/" + v.id;
      if (v.deleted != op.is_delete) return where + ": wrong deleted flag";
      if (v.data != PlannedData(seed_, op)) return where + ": data differs from what was written";
      std::optional<std::string> vf;
      if (op.has_valid_from) vf = PlannedValidFrom(op);
      if (v.valid_from != vf || v.valid_to.has_value()) return where + ": wrong valid time";
      if (!v.caused_by.empty()) return where + ": caused_by appeared";
      if (v.prev != prev) return where + ": prev does not name the previous version";
      if (auto a = acks_.find(op.seq); a != acks_.end() && a->second.hash != v.hash) {
        return where + ": hash " + v.hash.ToHex() + " differs from the acknowledged " +
               a->second.hash.ToHex();
      }
      if (hash_by_seq_.size() < op.seq) hash_by_seq_.resize(op.seq);
      hash_by_seq_[op.seq - 1] = v.hash;
      prev = v.hash;
    }
    // Get: the newest version unless it is a tombstone.
    auto got = db->Get(doc.first, doc.second);
    if (!got.ok()) return "Get(" + name + "): " + got.status().ToString();
    const bool live = !seqs.empty() && !Op(seqs.back()).is_delete;
    if (live != got->has_value()) {
      return "Get(" + name + ") " +
             (live ? "found nothing for a live document" : "returned a deleted document");
    }
    if (live && ((*got)->seq != seqs.back() || (*got)->hash != *prev)) {
      return "Get(" + name + ") returned seq " + std::to_string((*got)->seq) +
             " instead of the newest, " + std::to_string(seqs.back());
    }
    return "";
  }

  // Folds seqs (head_seq_, h] into the recomputed head and adopts h.
  std::string Advance(uint64_t h) {
    for (uint64_t s = head_seq_ + 1; s <= h; s++) {
      if (hash_by_seq_.size() < s || hash_by_seq_[s - 1].IsZero()) {
        return "no version was read back for seq " + std::to_string(s);
      }
      head_ = NextHead(head_, s, hash_by_seq_[s - 1]);
    }
    head_seq_ = h;
    return "";
  }

  // Live documents of `coll` up to h, by id.
  std::map<std::string, uint64_t> LiveDocs(const std::string& coll, uint64_t h) const {
    std::map<std::string, uint64_t> live;
    for (const auto& [doc, seqs] : doc_seqs_) {
      if (doc.first != coll) continue;
      std::vector<uint64_t> upto = DocSeqs(doc, h);
      if (!upto.empty() && !Op(upto.back()).is_delete) live[doc.second] = upto.back();
    }
    return live;
  }

 private:
  uint64_t seed_;
  CrashPlan plan_;
  std::vector<PlannedOp> ops_;  // by seq - 1
  std::set<uint64_t> batch_ends_;
  std::map<DocKey, std::vector<uint64_t>> doc_seqs_;
  std::vector<Hash> hash_by_seq_;  // by seq - 1, read back from the database
  std::map<uint64_t, Ack> acks_;
  uint64_t head_seq_ = 0;
  Hash head_;
};

struct Summary {
  uint64_t rounds = 0;
  uint64_t kills_before_open = 0;
  uint64_t acks = 0;
  uint64_t unacked_tail_rounds = 0;  // rounds where writes past the last ack survived
  uint64_t unacked_tail_writes = 0;
  uint64_t killed_mid_checkpoint = 0;  // a checkpoint .tmp was left behind
  uint64_t checkpoints_in_child = 0;   // rounds in which the child finished a checkpoint
  uint64_t rotations_in_child = 0;     // rounds in which the child started a new segment
  double child_ms = 0;
  double verify_ms = 0;  // everything after the kill: reopen, checks, Verify, close
  double open_ms = 0;
  double engine_verify_ms = 0;  // Database::Verify alone
};

Options ReopenOptions(Durability durability, Scheduler* scheduler) {
  Options o;
  o.durability = durability;
  o.checkpoint_bytes = kCheckpointBytes;
  o.segment_bytes = kSegmentBytes;
  o.scheduler = scheduler;
  return o;
}

// Reopens the directory after a kill and checks it against the model.
void CheckAfterKill(const std::string& dir, Durability durability, Model* model,
                    const ChildRun& run, const std::string& context, Summary* summary,
                    bool full_check) {
  ThreadScheduler scheduler;  // outlives the database below
  const auto open_start = SteadyClock::now();
  auto storage = OpenPosixStorage(dir);
  ASSERT_TRUE(storage.ok()) << context << storage.status().ToString();
  auto opened = Database::Open(std::move(storage).value(), ReopenOptions(durability, &scheduler));
  ASSERT_TRUE(opened.ok()) << context
                           << "reopen after kill -9 failed: " << opened.status().ToString();
  std::unique_ptr<Database> db = std::move(opened).value();
  summary->open_ms += Millis(SteadyClock::now() - open_start);

  auto head = db->GetHead();
  ASSERT_TRUE(head.ok()) << context << head.status().ToString();
  const uint64_t h = head->seq;
  const uint64_t prev_h = model->head_seq();
  const uint64_t last_ack = run.acks.empty() ? prev_h : run.acks.back().seq;
  ASSERT_GE(h, prev_h) << context << "the database lost writes that an earlier round verified";
  ASSERT_GE(h, last_ack) << context << "acknowledged writes up to seq " << last_ack
                         << " were lost: the database holds only up to seq " << h;
  model->Extend(h);
  ASSERT_TRUE(model->IsBatchEnd(h))
      << context << "head seq " << h << " falls inside a PutMany batch: the batch was not atomic";
  if (h > last_ack) {
    summary->unacked_tail_rounds++;
    summary->unacked_tail_writes += h - last_ack;
  }

  const std::set<DocKey> docs = full_check ? model->AllDocs(h) : model->DocsTouched(prev_h, h);
  for (const DocKey& doc : docs) {
    std::string problem = model->CheckDoc(db.get(), doc, h);
    ASSERT_EQ(problem, "") << context;
  }
  std::string problem = model->Advance(h);
  ASSERT_EQ(problem, "") << context;
  EXPECT_EQ(head->head, model->head())
      << context << "GetHead differs from the head recomputed from every version";

  // Every acknowledged version by its hash: this round's, or all of them.
  for (const auto& [seq, ack] : model->acks()) {
    if (!full_check && seq <= prev_h) continue;
    auto v = db->GetByHash(ack.hash);
    ASSERT_TRUE(v.ok()) << context << "GetByHash(seq " << seq << "): " << v.status().ToString();
    ASSERT_TRUE(v->has_value()) << context << "acknowledged seq " << seq << " (" << ack.coll << "/"
                                << ack.id << ") is missing by hash";
    ASSERT_EQ((*v)->seq, seq) << context;
    ASSERT_EQ((*v)->coll, ack.coll) << context;
    ASSERT_EQ((*v)->id, ack.id) << context;
    ASSERT_EQ((*v)->deleted, ack.deleted) << context;
  }

  uint64_t live = 0;
  for (size_t c = 0; c < kCollectionCount; c++) {
    const std::string coll = kCollections[c];
    auto list = db->List(coll);
    ASSERT_TRUE(list.ok()) << context << list.status().ToString();
    std::map<std::string, uint64_t> listed;
    for (const Version& v : *list) listed[v.id] = v.seq;
    const std::map<std::string, uint64_t> expected = model->LiveDocs(coll, h);
    EXPECT_EQ(listed, expected) << context << "List(" << coll << ")";
    live += expected.size();
  }

  Stats stats = db->GetStats();
  EXPECT_EQ(stats.seq, h) << context;
  EXPECT_EQ(stats.versions, h) << context;
  EXPECT_EQ(stats.documents, live) << context << "the live-document count drifted";

  const auto verify_start = SteadyClock::now();
  auto report = db->Verify();
  summary->engine_verify_ms += Millis(SteadyClock::now() - verify_start);
  ASSERT_TRUE(report.ok()) << context << report.status().ToString();
  EXPECT_TRUE(report->ok) << context << "Verify found problems after a kill";
  EXPECT_TRUE(report->tampered.empty()) << context;
  for (const std::string& p : report->problems) ADD_FAILURE() << context << "verify: " << p;
  EXPECT_EQ(report->checked, h) << context;

  Status closed = db->Close();
  EXPECT_TRUE(closed.ok()) << context << closed.ToString();
}

void RunCrashRounds(const char* mode, Durability durability, uint64_t rounds, uint64_t seed) {
  TestDir dir(mode);
  ASSERT_FALSE(dir.path().empty()) << "mkdtemp failed";
  Model model(seed);
  Summary summary;
  std::mt19937_64 timing(seed * 7919 + (durability == Durability::kStrict ? 1 : 2));
  double ms_to_open_avg = 5.0;
  const auto start = SteadyClock::now();

  for (uint64_t round = 1; round <= rounds; round++) {
    const bool at_startup = timing() % 100 < 12;
    SteadyClock::duration delay;
    if (at_startup) {
      // Anywhere from exec to shortly after the database is open: kills land
      // in process start-up, in recovery (cutting a torn tail, restarting a
      // segment) and in the first writes.
      const double ms = std::uniform_real_distribution<double>(0, 1.3 * ms_to_open_avg)(timing);
      delay = std::chrono::microseconds(static_cast<int64_t>(ms * 1000));
    } else {
      delay =
          std::chrono::microseconds(std::uniform_int_distribution<int64_t>(5000, 60000)(timing));
    }
    const std::string context = std::string(mode) + " round " + std::to_string(round) + "/" +
                                std::to_string(rounds) +
                                " (CAIRN_CRASH_SEED=" + std::to_string(seed) + ", head before " +
                                std::to_string(model.head_seq()) + "): ";

    const DirState before = ListDir(dir.path());
    ChildRun run = RunChild(dir.path(), seed, mode, at_startup, delay);
    const DirState after = ListDir(dir.path());
    summary.child_ms += run.ms_run;

    ASSERT_TRUE(WIFSIGNALED(run.wait_status) && WTERMSIG(run.wait_status) == SIGKILL)
        << context << "the writer ended before it was killed (wait status " << run.wait_status
        << ")\nstderr: " << run.stderr_text
        << (run.problems.empty() ? "" : "\nfirst problem: " + run.problems.front());
    ASSERT_TRUE(run.problems.empty()) << context << run.problems.front();
    if (run.open_seq) {
      ASSERT_EQ(*run.open_seq, model.head_seq())
          << context << "the writer opened at a different head than the test verified";
      if (!at_startup) ms_to_open_avg = 0.8 * ms_to_open_avg + 0.2 * run.ms_to_open;
    } else {
      ASSERT_TRUE(run.acks.empty()) << context;
      summary.kills_before_open++;
    }
    std::string problem = model.AddAcks(run.acks);
    ASSERT_EQ(problem, "") << context;
    summary.acks += run.acks.size();
    if (after.checkpoint_tmp) summary.killed_mid_checkpoint++;
    if (after.checkpoints != before.checkpoints && !after.checkpoints.empty()) {
      summary.checkpoints_in_child++;
    }
    if (after.max_segment > before.max_segment && before.max_segment > 0) {
      summary.rotations_in_child++;
    }

    const auto verify_start = SteadyClock::now();
    CheckAfterKill(dir.path(), durability, &model, run, context, &summary, round == rounds);
    summary.verify_ms += Millis(SteadyClock::now() - verify_start);
    if (testing::Test::HasFailure()) return;
    summary.rounds++;
  }

  const double total_s = Millis(SteadyClock::now() - start) / 1000;
  std::cout << "[crash " << mode << "] seed " << seed << ": " << summary.rounds
            << " kill -9 rounds in " << total_s << " s (children " << summary.child_ms / 1000
            << " s, after-kill checks " << summary.verify_ms / 1000 << " s of which reopen "
            << summary.open_ms / 1000 << " s, Verify " << summary.engine_verify_ms / 1000 << " s); "
            << summary.acks << " acknowledged writes, head seq " << model.head_seq() << "; "
            << summary.kills_before_open << " kills before the database was open; "
            << summary.unacked_tail_rounds << " rounds kept " << summary.unacked_tail_writes
            << " written-but-unacknowledged writes; " << summary.checkpoints_in_child
            << " rounds finished a checkpoint, " << summary.killed_mid_checkpoint
            << " killed one mid-way; " << summary.rotations_in_child
            << " rounds rotated a segment\n";
  testing::Test::RecordProperty("rounds", static_cast<int>(summary.rounds));
  testing::Test::RecordProperty("acknowledged_writes", static_cast<int>(summary.acks));

  // The kill window must really have covered the engine's background work;
  // with few rounds (CAIRN_CRASH_ROUNDS) there is no such promise.
  if (rounds >= 100) {
    EXPECT_GT(summary.checkpoints_in_child + summary.killed_mid_checkpoint, 0u)
        << "no kill window contained a checkpoint; the test lost its reach";
    EXPECT_GT(summary.rotations_in_child, 0u)
        << "no kill window contained a segment rotation; the test lost its reach";
  }
}

TEST(CrashTest, StrictModeKeepsEveryAcknowledgedWriteAcrossKill9) {
  const uint64_t rounds = StrictRounds();
  ASSERT_GT(rounds, 0u);
  RunCrashRounds("strict", Durability::kStrict, rounds,
                 EnvNumber("CAIRN_CRASH_SEED", kDefaultSeed));
}

// Relaxed mode skips the sync, but a write call still hands its bytes to the
// OS before returning, so killing the process (not the machine) loses nothing.
TEST(CrashTest, RelaxedModeKeepsEveryAcknowledgedWriteAcrossKill9) {
  const uint64_t rounds = RelaxedRounds();
  RunCrashRounds("relaxed", Durability::kRelaxed, rounds,
                 EnvNumber("CAIRN_CRASH_SEED", kDefaultSeed) + 1);
}

// Spatial writes under kill -9: after every kill, the database holds exactly
// the spatial plan's batches up to its head (each batch atomic), at least
// every acknowledged one; both branches' views equal the plan's, now and as
// of an earlier acknowledged batch; Verify passes.
TEST(CrashTest, SpatialWritesSurviveKill9) {
  const uint64_t rounds = std::max<uint64_t>(1, StrictRounds() / 4);
  const uint64_t seed = EnvNumber("CAIRN_CRASH_SEED", kDefaultSeed) + 2;
  TestDir dir("space");
  ASSERT_FALSE(dir.path().empty());
  std::mt19937_64 timing(seed);
  uint64_t acked = 0, kills = 0;
  std::vector<uint64_t> acked_seqs;
  for (uint64_t round = 1; round <= rounds; round++) {
    const auto delay = std::chrono::microseconds(std::uniform_int_distribution<int64_t>(2000, 40000)(timing));
    ChildRun run = RunChild(dir.path(), seed, "space", false, delay);
    const std::string context = "space round " + std::to_string(round) + ": ";
    ASSERT_TRUE(WIFSIGNALED(run.wait_status) && WTERMSIG(run.wait_status) == SIGKILL)
        << context << "the writer ended before it was killed\nstderr: " << run.stderr_text
        << (run.problems.empty() ? "" : "\nfirst problem: " + run.problems.front());
    ASSERT_TRUE(run.problems.empty()) << context << run.problems.front();
    for (const Ack& a : run.acks) {
      acked = std::max(acked, a.seq);
      acked_seqs.push_back(a.seq);
    }
    kills++;

    auto storage = OpenPosixStorage(dir.path());
    ASSERT_TRUE(storage.ok()) << context << storage.status().ToString();
    Options o;
    o.checkpoint_bytes = kCheckpointBytes;
    o.segment_bytes = kSegmentBytes;
    auto db = Database::Open(std::move(storage).value(), o);
    ASSERT_TRUE(db.ok()) << context << db.status().ToString();
    const uint64_t h = (*db)->GetHead()->seq;
    ASSERT_GE(h, acked) << context << "an acknowledged spatial write is missing";
    // The plan up to the head, and an earlier acknowledged boundary to check AS OF.
    const uint64_t past = acked_seqs.empty() ? 0 : acked_seqs[timing() % acked_seqs.size()];
    SpacePlan plan(seed);
    std::map<std::string, std::map<Point, std::string>> at_past;
    while (plan.seq() < h) {
      (void)plan.Next();
      if (plan.seq() == past) at_past = {{"main", plan.State("main")}, {"b", plan.State("b")}};
    }
    ASSERT_EQ(plan.seq(), h) << context << "the head is inside a batch: a spatial write was applied partially";
    if (h < 2) continue;
    for (const std::string branch : {"main", "b"}) {
      for (bool as_of_past : {false, true}) {
        if (as_of_past && past < 2) continue;
        SpaceReadOptions ro;
        ro.branch = branch;
        if (as_of_past) ro.as_of = past;
        auto r = (*db)->SpaceBox("s", {0, 0}, {4095, 4095}, ro);
        ASSERT_TRUE(r.ok()) << context << r.status().ToString();
        std::map<Point, std::string> got;
        for (const SpatialRecord& rec : r->records) got[rec.point] = rec.payload.data;
        ASSERT_EQ(got, as_of_past ? at_past[branch] : plan.State(branch))
            << context << branch << (as_of_past ? " as of " + std::to_string(past) : " now");
      }
    }
    auto report = (*db)->Verify();
    ASSERT_TRUE(report.ok());
    ASSERT_TRUE(report->ok) << context << (report->problems.empty() ? "" : report->problems.front());
  }
  std::cout << "[crash space] " << kills << " kill -9 rounds, " << acked_seqs.size()
            << " acknowledged spatial batches, head seq " << acked << "\n";
}

}  // namespace
}  // namespace cairn::crash
