// dedupd: command-line entry point.
//
//   dedupd run --config FILE                                          the Kafka daemon (SIGHUP: reload)
//   dedupd dedup [--config FILE] [--input PATH|-] [--output PATH|-] [--workers N]   file mode
//   dedupd check-config --config FILE                                 validate a config offline
//   dedupd score LABELS.tsv PREDICTIONS.jsonl                         clustering quality
#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <thread>
#include <fstream>
#include <iostream>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "absl/cleanup/cleanup.h"
#include "absl/strings/str_cat.h"
#include "dedup/base/allocator.h"
#include "dedup/base/log.h"
#include "dedup/config/config.h"
#include "dedup/engine/engine.h"
#include "dedup/eval/evaluate.h"
#include "dedup/eval/score.h"
#include "dedup/eval/tune.h"
#include "dedup/filemode/file_mode.h"
#include "dedup/filemode/line_reader.h"
#include "pipeline.h"
#include "dedup/base/strings.h"

namespace dedup {
namespace {

constexpr char kUsage[] =
    "usage:\n"
    "  dedupd run --config FILE\n"
    "      The daemon: consume articles from Kafka, produce decisions, stories and dead letters.\n"
    "      SIGTERM/SIGINT stop it cleanly; a second signal exits at once.\n"
    "  dedupd dedup [--config FILE] [--input PATH|-] [--output PATH|-] [--workers N]\n"
    "      File mode: JSON lines in, one decision line out per input line, in input order.\n"
    "      Defaults: built-in config, stdin, stdout, worker threads parsing and analysing\n"
    "      ahead of the engine, one per CPU but the engine's, at most 4 (--workers 0: all on\n"
    "      one thread; the decisions are the same). A summary goes to stderr.\n"
    "  dedupd check-config --config FILE\n"
    "      Validate a config file offline; exit 0 if it is usable.\n"
    "  dedupd eval --input ARTICLES.jsonl --labels LABELS.tsv [--config FILE] [--worst N]\n"
    "              [--output DECISIONS.jsonl]\n"
    "      Run the engine on a labelled set, score it, and show the worst false matches and\n"
    "      misses with both texts side by side.\n"
    "  dedupd tune [--config FILE]\n"
    "      Threshold guidance: the LSH S-curve for the settings, and which knob fixes what.\n"
    "  dedupd score LABELS.tsv PREDICTIONS.jsonl\n"
    "      Pairwise P/R/F1, ARI and B-cubed of a decision file against id<TAB>story_id labels.\n"
    "  dedupd --version | --help\n";

constexpr int kExitUsage = 2;
constexpr int kExitConfig = 3;
constexpr int kExitRuntime = 1;

struct Flags {
  std::optional<std::string> config, input, output, labels, worst, workers;
  std::vector<std::string> positional;
};

// Parses --name VALUE and --name=VALUE for the options in `allowed` (the command's); other
// words are positional. An option the command does not take is an error, not ignored: `dedupd
// run --workers 8` would otherwise run with the config's workers and say nothing.
bool ParseFlags(int argc, char** argv, int first, std::span<const std::string_view> allowed,
                Flags& f, std::string& err) {
  for (int i = first; i < argc; ++i) {
    std::string_view a = argv[i];
    std::optional<std::string>* target = nullptr;
    std::string_view name = a;
    std::optional<std::string> inline_value;
    if (a.rfind("--", 0) == 0 && a.size() > 2) {
      const size_t eq = a.find('=');
      if (eq != std::string_view::npos) {
        name = a.substr(0, eq);
        inline_value = std::string(a.substr(eq + 1));
      }
      if (name == "--config") target = &f.config;
      else if (name == "--input") target = &f.input;
      else if (name == "--output") target = &f.output;
      else if (name == "--labels") target = &f.labels;
      else if (name == "--worst") target = &f.worst;
      else if (name == "--workers") target = &f.workers;
      else {
        err = Cat("unknown option ", name);
        return false;
      }
      if (std::find(allowed.begin(), allowed.end(), name) == allowed.end()) {
        err = Cat(name, " is not an option of this command");
        return false;
      }
      if (inline_value) {
        *target = *inline_value;
      } else if (i + 1 < argc) {
        *target = argv[++i];
      } else {
        err = Cat("option ", name, " needs a value");
        return false;
      }
      continue;
    }
    f.positional.emplace_back(a);
  }
  return true;
}

// The config for a command: the file if one was given, else the defaults (or a usage error when
// the command requires a file). On failure prints why and sets `exit_code`.
std::optional<Config> LoadConfigFor(std::string_view cmd, const std::optional<std::string>& path,
                                    bool required, int& exit_code) {
  if (!path) {
    if (!required) return Config{};
    std::cerr << "dedupd " << cmd << ": --config FILE is required\n";
    exit_code = kExitUsage;
    return std::nullopt;
  }
  absl::StatusOr<Config> config = LoadConfigFile(*path);
  if (!config.ok()) {
    std::cerr << "dedupd: config refused: " << config.status().message() << "\n";
    exit_code = kExitConfig;
    return std::nullopt;
  }
  return *std::move(config);
}

int CmdDedup(const Flags& f) {
  FileModeOptions options;
  options.workers = -1;
  if (f.workers) {
    int64_t n = 0;
    std::string err;
    if (!ParseIntArg("--workers", *f.workers, -1, 1024, n, err)) {
      std::cerr << "dedupd dedup: " << err << "\n";
      return kExitUsage;
    }
    options.workers = static_cast<int>(n);
  }
  int rc = 0;
  std::optional<Config> config = LoadConfigFor("dedup", f.config, /*required=*/false, rc);
  if (!config) return rc;
  ApplyLogSettings(config->log);
  int in_fd = STDIN_FILENO;
  if (f.input && *f.input != "-") {
    in_fd = ::open(f.input->c_str(), O_RDONLY | O_CLOEXEC);
    if (in_fd < 0) {
      std::cerr << "dedupd: cannot open input " << *f.input << ": " << std::strerror(errno) << "\n";
      return kExitRuntime;
    }
  }
  const absl::Cleanup close_input = [in_fd] {
    if (in_fd != STDIN_FILENO) ::close(in_fd);
  };
  std::ofstream out_file;
  std::ostream* out = &std::cout;
  if (f.output && *f.output != "-") {
    out_file.open(*f.output, std::ios::binary | std::ios::trunc);
    if (!out_file) {
      std::cerr << "dedupd: cannot open output " << *f.output << ": " << std::strerror(errno)
                << "\n";
      return kExitRuntime;
    }
    out = &out_file;
  }
  std::ios::sync_with_stdio(false);
  FileModeSummary summary;
  absl::Status st = RunFileMode(*config, LineReader::FromFd(in_fd), *out, &summary, options);
  if (!st.ok()) {
    LogError("file mode failed", {{"error", std::string(st.message())}});
    return kExitRuntime;
  }
  std::cerr << "dedupd: " << FormatSummary(summary) << "\n";
  return 0;
}

std::atomic<Pipeline*> g_pipeline{nullptr};
std::atomic<int> g_signals{0};

void OnSignal(int signo) {
  if (g_signals.fetch_add(1) > 0) _exit(128 + signo);  // second signal: now
  if (Pipeline* p = g_pipeline.load()) p->RequestStop();
}

void OnReloadSignal(int) {
  if (Pipeline* p = g_pipeline.load()) p->RequestReload();
}

int CmdRun(const Flags& f) {
  int rc = 0;
  std::optional<Config> config = LoadConfigFor("run", f.config, /*required=*/true, rc);
  if (!config) return rc;
  ApplyLogSettings(config->log);
  // Signals first: a SIGHUP during start-up must not kill the process (default action).
  struct sigaction sa {};
  sa.sa_handler = &OnSignal;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGTERM, &sa, nullptr);
  sigaction(SIGINT, &sa, nullptr);
  struct sigaction hup {};
  hup.sa_handler = &OnReloadSignal;
  sigemptyset(&hup.sa_mask);
  hup.sa_flags = SA_RESTART;
  sigaction(SIGHUP, &hup, nullptr);
  PipelineOptions options;
  options.config_path = *f.config;
  options.version = DEDUP_VERSION;
  absl::StatusOr<std::unique_ptr<Pipeline>> pipeline = Pipeline::Create(*config, options);
  if (!pipeline.ok()) {
    LogError("cannot start", {{"error", std::string(pipeline.status().message())}});
    return kExitConfig;
  }
  g_pipeline.store(pipeline->get());
  if (g_signals.load() > 0) (*pipeline)->RequestStop();  // stopped while starting
  // A hard bound on shutdown: if a clean stop takes far longer than configured, exit anyway
  // (nothing is lost: uncommitted input is consumed again on restart).
  const int64_t bound_ms = config->daemon.shutdown_timeout_ms * 2 + 5000;
  std::thread([bound_ms] {
    while (g_signals.load() == 0) std::this_thread::sleep_for(std::chrono::milliseconds(50));
    std::this_thread::sleep_for(std::chrono::milliseconds(bound_ms));
    LogError("shutdown took too long; exiting", {{"bound_ms", std::to_string(bound_ms)}});
    _exit(1);
  }).detach();
  absl::Status st = (*pipeline)->Run();
  g_pipeline.store(nullptr);
  pipeline->reset();
  if (!st.ok()) return kExitRuntime;
  return 0;
}

int CmdCheckConfig(const Flags& f) {
  int rc = 0;
  std::optional<Config> config = LoadConfigFor("check-config", f.config, /*required=*/true, rc);
  if (!config) return rc;
  if (absl::Status k = ValidateKafkaSections(*config); !k.ok()) {
    std::cerr << "dedupd: config refused: " << *f.config << ": " << k.message() << "\n";
    return kExitConfig;
  }
  absl::StatusOr<std::unique_ptr<Engine>> engine = Engine::Create(*config);
  if (!engine.ok()) {
    std::cerr << "dedupd: config refused: " << engine.status().message() << "\n";
    return kExitConfig;
  }
  const LshParams& p = (*engine)->lsh_params();
  std::cout << *f.config << ": OK (sketch " << (*engine)->kernel_name() << ", signature version "
            << (*engine)->signature_version() << ", LSH "
            << p.bands << " bands x " << p.rows << " rows)\n";
  return 0;
}

int CmdEval(const Flags& f) {
  if (!f.input || !f.labels) {
    std::cerr << "dedupd eval: --input ARTICLES.jsonl and --labels LABELS.tsv are required\n";
    return kExitUsage;
  }
  int rc = 0;
  std::optional<Config> config = LoadConfigFor("eval", f.config, /*required=*/false, rc);
  if (!config) return rc;
  EvalOptions o;
  o.articles_path = *f.input;
  o.labels_path = *f.labels;
  if (f.output) o.predictions_path = *f.output;
  if (f.worst) {
    int64_t n = 0;
    std::string err;
    if (!ParseIntArg("--worst", *f.worst, 0, 1000000, n, err)) {
      std::cerr << "dedupd eval: " << err << "\n";
      return kExitUsage;
    }
    o.worst = static_cast<int>(n);
  }
  absl::Status st = RunEvaluation(*config, o, std::cout);
  if (!st.ok()) {
    std::cerr << "dedupd eval: " << st.message() << "\n";
    return kExitRuntime;
  }
  return 0;
}

int CmdTune(const Flags& f) {
  int rc = 0;
  std::optional<Config> config = LoadConfigFor("tune", f.config, /*required=*/false, rc);
  if (!config) return rc;
  std::cout << FormatTuning(*config);
  return 0;
}

int CmdScore(const Flags& f) {
  if (f.positional.size() != 2) {
    std::cerr << "dedupd score: expected LABELS.tsv PREDICTIONS.jsonl\n";
    return kExitUsage;
  }
  absl::StatusOr<ClusteringScore> s = ScoreFiles(f.positional[0], f.positional[1]);
  if (!s.ok()) {
    std::cerr << "dedupd score: " << s.status().message() << "\n";
    return kExitRuntime;
  }
  std::cout << FormatScore(*s);
  return 0;
}

int Main(int argc, char** argv) {
  if (argc < 2) {
    std::cerr << kUsage;
    return kExitUsage;
  }
  const std::string_view cmd = argv[1];
  if (cmd == "--help" || cmd == "-h" || cmd == "help") {
    std::cout << kUsage;
    return 0;
  }
  if (cmd == "--version") {
    std::cout << "dedupd " << DEDUP_VERSION << "\n";
    return 0;
  }
  // Each command with the options it takes and whether it takes positional arguments (score
  // checks their number itself).
  struct Command {
    std::string_view name;
    std::vector<std::string_view> options;
    bool positional;
    int (*run)(const Flags&);
  };
  static const std::vector<Command> kCommands = {
      {"run", {"--config"}, false, &CmdRun},
      {"dedup", {"--config", "--input", "--output", "--workers"}, false, &CmdDedup},
      {"check-config", {"--config"}, false, &CmdCheckConfig},
      {"score", {}, true, &CmdScore},
      {"eval", {"--input", "--labels", "--config", "--worst", "--output"}, false, &CmdEval},
      {"tune", {"--config"}, false, &CmdTune},
  };
  const auto command = std::find_if(kCommands.begin(), kCommands.end(),
                                    [cmd](const Command& c) { return c.name == cmd; });
  if (command == kCommands.end()) {
    std::cerr << "dedupd: unknown command \"" << cmd << "\"\n" << kUsage;
    return kExitUsage;
  }
  ConfigureAllocator();
  Flags flags;
  std::string err;
  if (!ParseFlags(argc, argv, 2, command->options, flags, err)) {
    std::cerr << "dedupd " << cmd << ": " << err << "\n" << kUsage;
    return kExitUsage;
  }
  if (!command->positional && !flags.positional.empty()) {
    std::cerr << "dedupd " << cmd << ": unexpected argument " << flags.positional.front() << "\n"
              << kUsage;
    return kExitUsage;
  }
  return command->run(flags);
}

}  // namespace
}  // namespace dedup

int main(int argc, char** argv) { return dedup::Main(argc, argv); }
