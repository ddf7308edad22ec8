#include "tools/cli_args.h"

#include <limits>
#include <utility>

#include "tools/cli_help.h"

namespace cairn {
namespace {

// The largest block cache the CLI accepts, in MiB (1 TiB).
constexpr uint64_t kMaxCacheMb = uint64_t{1} << 20;

std::string Quoted(std::string_view s) { return "'" + std::string(s) + "'"; }

// Applies a global option to *g.
CliOutcome ApplyGlobal(const OptionSpec& spec, const std::string& value, GlobalOptions* g) {
  const std::string_view name = spec.name;
  if (name == "relaxed") {
    g->relaxed = true;
  } else if (name == "no-direct-io") {
    g->direct_io = false;
  } else if (name == "no-mmap") {
    g->mmap_reads = false;
  } else if (name == "cache-mb") {
    return ParseUnsigned("--cache-mb", value, 1, kMaxCacheMb, &g->cache_mb);
  }
  return CliOutcome::Ok();
}

// Checks the options and operand count of a named command.
CliOutcome CheckAgainstSpec(const CommandSpec& spec, const CommandLine& cl) {
  const std::string topic = spec.name;
  for (auto it = cl.options.begin(); it != cl.options.end();
       it = cl.options.upper_bound(it->first)) {
    const std::string& name = it->first;
    bool accepted = false;
    for (const char* o : spec.options) accepted |= name == o;
    if (!accepted) {
      return CliOutcome::Usage("'" + topic + "' does not accept --" + name, topic);
    }
    const OptionSpec* option = FindCliOption(name);
    if (!option->repeatable && cl.options.count(name) > 1) {
      return CliOutcome::Usage("--" + name + " is given more than once", topic);
    }
  }
  const size_t n = cl.operands.size();
  if (n < spec.min_operands) {
    return CliOutcome::Usage("'" + topic + "' is missing operands; usage: " + CommandSynopsis(spec),
                             topic);
  }
  if (n > 0 && spec.max_operands == 0) {
    return CliOutcome::Usage(
        "'" + topic + "' takes no operands (unexpected " + Quoted(cl.operands[0]) + ")", topic);
  }
  if (n > spec.max_operands) {
    return CliOutcome::Usage(
        "'" + topic + "' takes at most " + std::to_string(spec.max_operands) + " operand" +
            (spec.max_operands == 1 ? "" : "s") + ", got " + std::to_string(n) + " (unexpected " +
            Quoted(cl.operands[spec.max_operands]) + "); usage: " + CommandSynopsis(spec),
        topic);
  }
  return CliOutcome::Ok();
}

// The longest space subcommand named by positionals[at + 1...] ("space box",
// "space edge put"), or "space" when they name none. `*used` counts the
// positionals it took after "space".
std::string SpaceTopic(const std::vector<std::string>& positionals, size_t at, size_t* used) {
  *used = 0;
  std::string topic = "space";
  std::string name = "space";
  for (size_t i = at + 1; i < positionals.size() && i <= at + 2; i++) {
    name += " " + positionals[i];
    if (FindCliCommand(name)) {
      topic = name;
      *used = i - at;
    }
  }
  return topic;
}

// Resolves what `cairn ... --help` asks about: the first positional that
// names a command (or the topic of `cairn help <topic>`).
CliOutcome ResolveHelp(const std::vector<std::string>& positionals, CommandLine* out) {
  out->help = true;
  if (!positionals.empty() && positionals[0] == "help") {
    size_t used = 0;
    if (positionals.size() >= 2 && positionals[1] == "space") {
      out->help_topic = SpaceTopic(positionals, 1, &used);
      if (positionals.size() > 2 + used) {
        return CliOutcome::Usage("unknown space subcommand " + Quoted(positionals[2 + used]));
      }
      return CliOutcome::Ok();
    }
    if (positionals.size() > 2) {
      return CliOutcome::Usage("'help' takes at most one command name");
    }
    if (positionals.size() == 2) {
      if (!FindCliCommand(positionals[1])) {
        return CliOutcome::Usage("unknown command " + Quoted(positionals[1]));
      }
      out->help_topic = positionals[1];
    }
    return CliOutcome::Ok();
  }
  // "cairn <dir> <command> --help", or "cairn <command> --help".
  for (size_t i : {size_t{1}, size_t{0}}) {
    if (i < positionals.size() && FindCliCommand(positionals[i])) {
      size_t used = 0;
      out->help_topic =
          positionals[i] == "space" ? SpaceTopic(positionals, i, &used) : positionals[i];
      break;
    }
  }
  return CliOutcome::Ok();
}

// Replaces out->command "space" by the subcommand its operands name
// ("space box", "space edge put") and drops those operands.
CliOutcome ResolveSpaceCommand(CommandLine* out) {
  std::vector<std::string>& ops = out->operands;
  std::string subs;
  for (const CommandSpec& c : SpaceCommands())
    subs += (subs.empty() ? "" : ", ") + std::string(c.name + 6);
  if (ops.empty()) return CliOutcome::Usage("'space' needs a subcommand: " + subs, "space");
  size_t used = 1;
  std::string name = "space " + ops[0];
  if (ops[0] == "edge") {
    if (ops.size() < 2) {
      return CliOutcome::Usage("'space edge' needs a subcommand: put, delete, at, kind, traverse",
                               "space");
    }
    name += " " + ops[1];
    used = 2;
  }
  if (!FindCliCommand(name)) {
    return CliOutcome::Usage(
        "unknown space subcommand " + Quoted(name.substr(6)) + " (subcommands: " + subs + ")",
        "space");
  }
  out->command = name;
  ops.erase(ops.begin(), ops.begin() + static_cast<ptrdiff_t>(used));
  return CliOutcome::Ok();
}

}  // namespace

CliOutcome CliOutcome::FromStatus(const Status& s) {
  if (s.ok()) return Ok();
  return Failure(CodeName(s.code()), s.message());
}

CliOutcome ParseCommandLine(int argc, const char* const* argv, CommandLine* out) {
  *out = CommandLine();
  std::vector<std::string> positionals;
  bool operands_only = false;
  bool help = false;
  for (int i = 1; i < argc; i++) {
    const std::string token = argv[i];
    if (operands_only || token.size() < 2 || token[0] != '-') {
      positionals.push_back(token);  // includes "-" (standard input)
      continue;
    }
    if (token == "--") {
      operands_only = true;
      continue;
    }
    if (token == "-h" || token == "--help") {
      help = true;
      continue;
    }
    if (token[1] != '-') {
      return CliOutcome::Usage("unknown option " + Quoted(token) +
                               " (to pass an operand that starts with '-', put it after \"--\")");
    }
    const size_t eq = token.find('=');
    const std::string name = token.substr(2, eq == std::string::npos ? std::string::npos : eq - 2);
    const OptionSpec* spec = FindCliOption(name);
    if (!spec) return CliOutcome::Usage("unknown option " + Quoted("--" + name));
    std::string value;
    if (spec->value) {
      if (eq != std::string::npos) {
        value = token.substr(eq + 1);
      } else if (i + 1 < argc) {
        value = argv[++i];
      } else {
        return CliOutcome::Usage("--" + name + " needs a value (" + spec->value + ")");
      }
    } else if (eq != std::string::npos) {
      return CliOutcome::Usage("--" + name + " takes no value");
    }
    if (spec->global) {
      CliOutcome applied = ApplyGlobal(*spec, value, &out->global);
      if (!applied.ok()) return applied;
    } else {
      out->options.emplace(name, std::move(value));
    }
  }
  if (help || (!positionals.empty() && positionals[0] == "help")) {
    return ResolveHelp(positionals, out);
  }
  if (positionals.empty()) {
    return CliOutcome::Usage("missing <dir> and <command>; usage: cairn <dir> <command> ...");
  }
  out->dir = positionals[0];
  if (positionals.size() < 2) {
    return CliOutcome::Usage("missing <command> after " + Quoted(out->dir));
  }
  out->command = positionals[1];
  const CommandSpec* spec = FindCliCommand(out->command);
  if (!spec) {
    std::string message = "unknown command " + Quoted(out->command);
    if (FindCliCommand(out->dir)) {
      message += " (the database directory comes first: cairn <dir> " + out->dir + " ...)";
    }
    return CliOutcome::Usage(std::move(message));
  }
  out->operands.assign(positionals.begin() + 2, positionals.end());
  if (out->command == "space") {
    CliOutcome resolved = ResolveSpaceCommand(out);
    if (!resolved.ok()) return resolved;
    spec = FindCliCommand(out->command);
  }
  return CheckAgainstSpec(*spec, *out);
}

CliOutcome ParseUnsigned(std::string_view what, std::string_view text, uint64_t min, uint64_t max,
                         uint64_t* out) {
  auto range = [&] {
    return std::string(what) + " must be an integer from " + std::to_string(min) + " to " +
           std::to_string(max) + ", got " + Quoted(text);
  };
  if (text.empty()) return CliOutcome::Usage(range());
  uint64_t v = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return CliOutcome::Usage(range());
    const uint64_t digit = static_cast<uint64_t>(c - '0');
    if (v > (std::numeric_limits<uint64_t>::max() - digit) / 10) {
      return CliOutcome::Usage(range());
    }
    v = v * 10 + digit;
  }
  if (v < min || v > max) return CliOutcome::Usage(range());
  *out = v;
  return CliOutcome::Ok();
}

CliOutcome ParseHashText(std::string_view what, std::string_view text, const std::string& topic,
                         Hash* out) {
  Result<Hash> h = Hash::FromHex(text);
  if (!h.ok()) {
    return CliOutcome::Usage(
        std::string(what) + ": " + Quoted(text) + " is not a version hash: " + h.status().message(),
        topic);
  }
  *out = *h;
  return CliOutcome::Ok();
}

CliOutcome ParsePointText(std::string_view what, std::string_view text, bool allow_empty,
                          const std::string& topic, Point* out) {
  out->clear();
  if (text.empty()) {
    if (allow_empty) return CliOutcome::Ok();
    return CliOutcome::Usage(std::string(what) + " is empty; give its coordinates as x,y,...",
                             topic);
  }
  size_t start = 0;
  for (size_t axis = 1;; axis++) {
    const size_t comma = text.find(',', start);
    const std::string_view part = text.substr(
        start, comma == std::string_view::npos ? std::string_view::npos : comma - start);
    uint64_t v = 0;
    CliOutcome o = ParseUnsigned("x", part, 0, std::numeric_limits<uint32_t>::max(), &v);
    if (!o.ok()) {
      return CliOutcome::Usage(
          std::string(what) + " " + Quoted(text) + ": coordinate " + std::to_string(axis) + " " +
              Quoted(part) +
              (part.empty() ? " is empty" : " is not an integer from 0 to 4294967295"),
          topic);
    }
    out->push_back(static_cast<uint32_t>(v));
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  return CliOutcome::Ok();
}

namespace {

// The point operands of each space command: their index and name.
struct PointOperand {
  const char* command;
  size_t index;
  const char* what;
};
constexpr PointOperand kPointOperands[] = {
    {"space insert", 1, "point"},        {"space delete", 1, "point"},
    {"space box", 1, "min corner"},      {"space box", 2, "max corner"},
    {"space subscope", 1, "prefix"},     {"space count", 1, "min corner"},
    {"space count", 2, "max corner"},    {"space nearest", 1, "point"},
    {"space history", 1, "point"},       {"space edge at", 1, "point"},
    {"space edge traverse", 1, "point"},
};

CliOutcome ParseStrategy(const std::string& value, const std::string& topic, MergeStrategy* out) {
  if (value == "prefer-target") {
    *out = MergeStrategy::kPreferTarget;
  } else if (value == "prefer-source") {
    *out = MergeStrategy::kPreferSource;
  } else if (value == "latest-wins") {
    *out = MergeStrategy::kLatestWins;
  } else if (value == "report") {
    *out = MergeStrategy::kReport;
  } else {
    return CliOutcome::Usage(
        "--strategy must be prefer-target, prefer-source, latest-wins or report, got " +
            Quoted(value),
        topic);
  }
  return CliOutcome::Ok();
}

// Parses the point operands and checks the options a space command requires.
CliOutcome ParseSpaceOperands(const CommandLine& cl, CommandOptions* out) {
  const std::string& topic = cl.command;
  for (const PointOperand& p : kPointOperands) {
    if (cl.command != p.command) continue;
    Point point;
    if (p.index < cl.operands.size()) {
      CliOutcome o = ParsePointText(p.what, cl.operands[p.index], cl.command == "space subscope",
                                    topic, &point);
      if (!o.ok()) return o;
    }
    out->points.push_back(std::move(point));
  }
  if (cl.command == "space create" && !out->dims) {
    return CliOutcome::Usage("'space create' needs --dims D (1 to 16)", topic);
  }
  if (cl.command == "space nearest" && !out->k) {
    return CliOutcome::Usage("'space nearest' needs --k K", topic);
  }
  if (cl.command == "space merge" && !out->strategy) {
    return CliOutcome::Usage(
        "'space merge' needs --strategy (prefer-target, prefer-source, latest-wins or report)",
        topic);
  }
  return CliOutcome::Ok();
}

}  // namespace

CliOutcome ParseCommandOptions(const CommandLine& cl, CommandOptions* out) {
  *out = CommandOptions();
  const std::string& topic = cl.command;
  constexpr uint64_t kMax = std::numeric_limits<uint64_t>::max();
  for (const auto& [name, value] : cl.options) {
    CliOutcome o = CliOutcome::Ok();
    uint64_t n = 0;
    if (name == "as-of") {
      o = ParseUnsigned("--as-of", value, 0, kMax, &n);
      out->as_of = n;
    } else if (name == "limit") {
      o = ParseUnsigned("--limit", value, 0, kMax, &n);
      out->limit = n;
    } else if (name == "offset") {
      o = ParseUnsigned("--offset", value, 0, kMax, &n);
      out->offset = n;
    } else if (name == "batch") {
      o = ParseUnsigned("--batch", value, 1, 100000, &n);
      out->batch = n;
    } else if (name == "history") {
      out->history = true;
    } else if (name == "text") {
      out->text = true;
    } else if (name == "reverse") {
      out->reverse = true;
    } else if (name == "depth") {
      o = ParseUnsigned("--depth", value, 0, kMax, &n);
      out->depth = n;
    } else if (name == "dims") {
      o = ParseUnsigned("--dims", value, 1, 16, &n);
      out->dims = n;
    } else if (name == "bits") {
      o = ParseUnsigned("--bits", value, 1, 32, &n);
      out->bits = n;
    } else if (name == "at") {
      o = ParseUnsigned("--at", value, 0, kMax, &n);
      out->at = n;
    } else if (name == "k") {
      o = ParseUnsigned("--k", value, 1, kMax, &n);
      out->k = n;
    } else if (name == "branch") {
      out->branch = value;
    } else if (name == "from") {
      out->from = value;
    } else if (name == "kind") {
      out->kinds.push_back(value);
    } else if (name == "directed") {
      out->directed = true;
    } else if (name == "strategy") {
      MergeStrategy strategy = MergeStrategy::kPreferTarget;
      o = ParseStrategy(value, topic, &strategy);
      out->strategy = strategy;
    } else if (name == "valid-from") {
      out->valid_from = value;
    } else if (name == "valid-to") {
      out->valid_to = value;
    } else if (name == "caused-by") {
      size_t start = 0;
      for (;;) {
        const size_t comma = value.find(',', start);
        const std::string_view item = std::string_view(value).substr(
            start, comma == std::string::npos ? std::string::npos : comma - start);
        if (item.empty()) {
          return CliOutcome::Usage("--caused-by has an empty entry in " + Quoted(value), topic);
        }
        Hash h;
        o = ParseHashText("--caused-by", item, topic, &h);
        if (!o.ok()) return o;
        out->caused_by.push_back(h);
        if (comma == std::string::npos) break;
        start = comma + 1;
      }
    }
    if (!o.ok()) return CliOutcome::Usage(o.message(), topic);
  }
  if (cl.command.rfind("space ", 0) == 0) return ParseSpaceOperands(cl, out);
  if ((cl.command == "get-hash" || cl.command == "trace") && !cl.operands.empty()) {
    return ParseHashText(cl.command, cl.operands[0], topic, &out->hash);
  }
  if (cl.command == "create-index" && out->text != (cl.operands.size() == 1)) {
    return CliOutcome::Usage(out->text ? "create-index --text takes only <coll>"
                                       : "create-index needs <coll> <field>, or <coll> --text",
                             topic);
  }
  return CliOutcome::Ok();
}

}  // namespace cairn
