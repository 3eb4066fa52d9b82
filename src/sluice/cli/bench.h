#pragma once

// `sluice bench` (a built-in self-test of the gateway's overhead on this machine) and the hidden
// `sluice fake-provider` (the benchmark fake upstream as a process of its own, for bench/run).

#include <CLI/CLI.hpp>
#include <optional>

namespace sluice::cli {

// Registers both subcommands on `app`.
void AddBenchCommands(CLI::App& app);
// After parsing: runs the one that was given and returns its exit code, or nullopt.
std::optional<int> RunBenchCommands(const CLI::App& app);

}  // namespace sluice::cli
