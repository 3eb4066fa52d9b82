// sluice: the command line. The only composition root: it reads flags and the environment, loads
// the configuration and wires the server, the pipeline and the admin endpoints together.

#ifdef SLUICE_MIMALLOC
#include <mimalloc.h>
#endif
#include <CLI/CLI.hpp>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "sluice/cli/aws.h"
#include "sluice/cli/bench.h"
#include "sluice/cli/run.h"
#include "sluice/config/load.h"

namespace {

int Validate(const std::vector<std::string>& files) {
  const auto env = sluice::config::ProcessEnv();
  auto result = sluice::config::LoadFiles(files, env);
  if (result.errors.empty()) {
    // AWS credentials files are parsed (and the default chain checked) as `run` would.
    auto attached = sluice::cli::MakeAwsCredentialManager(env, nullptr)->Attach(*result.config);
    result.errors.insert(result.errors.end(), attached.errors.begin(), attached.errors.end());
    result.warnings.insert(result.warnings.end(), attached.warnings.begin(),
                           attached.warnings.end());
  }
  for (const auto& w : result.warnings) std::fprintf(stderr, "warning: %s\n", w.c_str());
  for (const auto& e : result.errors) std::fprintf(stderr, "error: %s\n", e.c_str());
  if (!result.errors.empty()) {
    std::fprintf(stderr, "sluice: %zu error(s) in the configuration\n", result.errors.size());
    return 1;
  }
  size_t rules = 0;
  for (const auto& r : result.config->routes) rules += r.rules.size();
  std::printf("configuration OK: %zu route(s), %zu rule(s), %zu listener(s)\n",
              result.config->routes.size(), rules, result.config->listeners.size());
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
#ifdef SLUICE_MIMALLOC
  // Freed memory stays committed for a second before mimalloc hands it back to the kernel
  // (its default is 25 ms), so successive large request bodies reuse the same pages instead of
  // faulting in fresh zeroed ones: with 10 MB bodies that was about 1,000 page faults and 5 ms of
  // CPU per request. The environment variable still decides when it is set.
  if (std::getenv("MIMALLOC_DECOMMIT_DELAY") == nullptr) {
    mi_option_set(mi_option_decommit_delay, 1000);
  }
#endif
  CLI::App app{"Sluice: an AI gateway that serves Envoy AI Gateway configurations."};
  app.require_subcommand(1);
  app.set_version_flag("--version", std::string("sluice ") + SLUICE_VERSION);

  sluice::cli::RunOptions run_options;
  auto* run = app.add_subcommand("run", "Serve the gateway from resource files or folders");
  run->add_option("files", run_options.files,
                  "YAML files or folders (default: $AIGW_CONFIG_HOME/config.yaml, provider "
                  "environment variables, or the built-in demo provider)");
  run->add_option("--admin-port", run_options.admin_port, "Admin listener port (0: any free port)")
      ->capture_default_str();
  run->add_option("--address", run_options.address, "Address the listeners bind to")
      ->capture_default_str();
  run->add_option("--listener-port", run_options.listener_port,
                  "Serve every Gateway listener on this port instead (0: any free port)");
  run->add_option("--workers", run_options.workers, "Worker threads (default: one per core)");
  run->add_option("--log-level", run_options.log_level, "trace, debug, info, warn, error")
      ->capture_default_str();
  run->add_flag("--debug", run_options.debug, "Same as --log-level debug")
      ->envname("AIGW_DEBUG");
  run->add_option("--drain-timeout", run_options.drain_timeout_seconds,
                  "Seconds in-flight requests get to finish on SIGTERM/SIGINT")
      ->capture_default_str();
  run->add_option("--config-poll-interval", run_options.poll_interval_ms,
                  "Milliseconds between checks of the config files for changes (0: off)")
      ->capture_default_str();

  auto* mcp_config = run->add_option("--mcp-config", run_options.mcp_config,
                                     "MCP servers to serve at /mcp, in the mcpServers JSON format "
                                     "of Claude Desktop, Cursor and VS Code");
  auto* mcp_json = run->add_option("--mcp-json", run_options.mcp_json,
                                   "Same as --mcp-config, with the JSON given inline");
  mcp_config->excludes(mcp_json);
  mcp_json->excludes(mcp_config);
  run->add_option("--mcp-session-encryption-seed", run_options.mcp_seed,
                  "Secret from which MCP session ids are encrypted; replicas that share it serve "
                  "each other's sessions (default: random per process)")
      ->envname("SLUICE_MCP_SESSION_ENCRYPTION_SEED");

  std::vector<std::string> validate_files;
  auto* validate = app.add_subcommand("validate", "Load and validate resource files; exit 1 on errors");
  validate->add_option("files", validate_files, "YAML files or folders")->required();

  app.add_subcommand("version", "Print the version");

  // Hidden: used by the tests to compare Sluice's SigV4 signer with @smithy/signature-v4.
  sluice::cli::SignAwsOptions sign_options;
  auto* sign = app.add_subcommand("sign-aws", "Sign one request as an AWSCredentials backend");
  sign->group("");
  sign->add_option("--method", sign_options.method);
  sign->add_option("--host", sign_options.host, "Host header value as sent")->required();
  sign->add_option("--path", sign_options.path, "Request target as sent (URI-encoded)");
  sign->add_option("--body", sign_options.body);
  sign->add_option("--body-file", sign_options.body_file);
  sign->add_option("--region", sign_options.region, "Policy region (when the host names none)");
  sign->add_option("--date", sign_options.date, "x-amz-date to sign at (default: now)");
  sluice::cli::AddBenchCommands(app);

  CLI11_PARSE(app, argc, argv);

  if (app.got_subcommand("version")) {
    std::printf("sluice %s\n", SLUICE_VERSION);
#ifdef SLUICE_MIMALLOC
    // Also makes the binary reference mimalloc, so no linker drops it as unneeded.
    std::printf("allocator: mimalloc %d.%d.%d\n", mi_version() / 100, mi_version() / 10 % 10,
                mi_version() % 10);
#endif
    return 0;
  }
  if (app.got_subcommand("validate")) return Validate(validate_files);
  if (app.got_subcommand("sign-aws")) {
    return sluice::cli::SignAws(sign_options, sluice::config::ProcessEnv());
  }
  if (auto code = sluice::cli::RunBenchCommands(app)) return *code;
  return sluice::cli::Run(run_options);
}
