#pragma once

// Declared resources → RuntimeConfig: resolves every reference by (namespace, name), attaches
// TLS and security policies, merges mutations, and reports each dangling reference as an error
// naming the referring resource and field.

#include <cstdint>
#include <memory>

#include "sluice/config/model.h"
#include "sluice/config/runtime.h"

namespace sluice::config {

// Always returns a snapshot; it is only meaningful when no error was added to `diag`.
// `now` (unix seconds) stands in for creation times the files do not give.
std::shared_ptr<RuntimeConfig> Compile(const model::Resources& resources, int64_t now,
                                       model::Diagnostics& diag);

}  // namespace sluice::config
