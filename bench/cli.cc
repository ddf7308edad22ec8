#include "bench/cli.h"

#include <cerrno>
#include <cstdlib>

namespace cairn::bench {
namespace {

// Parses a whole decimal number in [min, max].
bool ParseCount(const std::string& text, unsigned long long min, unsigned long long max,
                unsigned long long* out) {
  if (text.empty() || text.find_first_not_of("0123456789") != std::string::npos) return false;
  errno = 0;
  const unsigned long long v = std::strtoull(text.c_str(), nullptr, 10);
  if (errno != 0 || v < min || v > max) return false;
  *out = v;
  return true;
}

}  // namespace

const char* Usage() {
  return "usage: cairn-bench [options]\n"
         "  Runs one workload on Cairn and on SQLite and prints medians with ratios.\n"
         "  --docs N          documents ingested in batches of 1000 (default 1000000)\n"
         "  --single-puts N   documents written one durable put each (default 10000)\n"
         "  --gets N          point lookups per measured pass (default 200000)\n"
         "  --runs R          repetitions of each measured phase (default 3)\n"
         "  --opens K         open-time and memory probes per engine (default 5)\n"
         "  --dir PATH        make the fresh data directory inside PATH (default /var/tmp);\n"
         "                    use a real disk: tmpfs has no O_DIRECT and no real fsync\n"
         "  --json FILE       also write the report as JSON to FILE\n"
         "  --sqlite-table T  without-rowid (default) or rowid\n"
         "  --keep            keep the data directory\n";
}

bool ParseCli(int argc, char** argv, CliOptions* o, std::string* error) {
  for (int i = 0; i < argc; i++) o->command += (i ? " " : "") + std::string(argv[i]);
  for (int i = 1; i < argc; i++) {
    const std::string flag = argv[i];
    if (flag == "--help" || flag == "-h") {
      o->help = true;
      continue;
    }
    if (flag == "--keep") {
      o->keep = true;
      continue;
    }
    if (i + 1 >= argc) {
      *error = flag.rfind("--", 0) == 0 ? flag + " needs a value" : "unexpected argument " + flag;
      return false;
    }
    const std::string value = argv[++i];
    unsigned long long n = 0;
    auto count = [&](unsigned long long min, unsigned long long max) {
      if (ParseCount(value, min, max, &n)) return true;
      *error = flag + " needs a whole number from " + std::to_string(min) + " to " +
               std::to_string(max) + ", not '" + value + "'";
      return false;
    };
    if (flag == "--docs") {
      if (!count(1, Workload::kMaxDocuments)) return false;
      o->workload.docs = n;
    } else if (flag == "--single-puts") {
      if (!count(0, Workload::kMaxDocuments)) return false;
      o->workload.single_puts = n;
    } else if (flag == "--gets") {
      if (!count(1, 100000000)) return false;
      o->workload.gets = n;
    } else if (flag == "--runs") {
      if (!count(1, 100)) return false;
      o->runs = static_cast<int>(n);
    } else if (flag == "--opens") {
      if (!count(1, 100)) return false;
      o->opens = static_cast<int>(n);
    } else if (flag == "--dir") {
      o->dir = value;
    } else if (flag == "--json") {
      o->json = value;
    } else if (flag == "--sqlite-table") {
      if (value == "without-rowid") {
        o->sqlite_table = SqliteTable::kWithoutRowid;
      } else if (value == "rowid") {
        o->sqlite_table = SqliteTable::kRowid;
      } else {
        *error = "--sqlite-table is without-rowid or rowid, not '" + value + "'";
        return false;
      }
    } else if (flag == "--probe-open") {
      if (value != "cairn" && value != "sqlite") {
        *error = "--probe-open is cairn or sqlite";
        return false;
      }
      o->probe_engine = value;
    } else {
      *error = "unknown option " + flag;
      return false;
    }
  }
  if (o->workload.docs + o->workload.single_puts > Workload::kMaxDocuments) {
    *error = "--docs plus --single-puts must be at most " + std::to_string(Workload::kMaxDocuments);
    return false;
  }
  if (!o->probe_engine.empty() && o->dir.empty()) {
    *error = "--probe-open needs --dir";
    return false;
  }
  return true;
}

std::vector<std::string> ProbeArguments(const CliOptions& o, const std::string& engine,
                                        const std::string& dir) {
  return {"--probe-open",   engine,
          "--dir",          dir,
          "--docs",         std::to_string(o.workload.docs),
          "--single-puts",  std::to_string(o.workload.single_puts),
          "--gets",         std::to_string(o.workload.gets),
          "--sqlite-table", SqliteTableName(o.sqlite_table)};
}

}  // namespace cairn::bench
