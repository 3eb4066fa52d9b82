#pragma once

// CPU time and memory of processes and threads, read from /proc and the thread CPU clocks.

#include <pthread.h>
#include <sys/types.h>

#include <cstdint>
#include <optional>

namespace sluice::bench {

// User + system CPU seconds of a process (all its threads), from /proc/<pid>/stat.
std::optional<double> ProcessCpuSeconds(pid_t pid);
// VmRSS / VmHWM of a process in KiB, from /proc/<pid>/status.
std::optional<uint64_t> ProcessRssKiB(pid_t pid);
std::optional<uint64_t> ProcessPeakRssKiB(pid_t pid);
// CPU seconds one thread of this process used so far.
double ThreadCpuSeconds(pthread_t thread);

}  // namespace sluice::bench
