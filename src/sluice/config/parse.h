#pragma once

// YAML text → declared resources (model.h). Validates what one resource can validate alone
// (required fields, enums, regexes, durations, removed fields) and leaves cross-resource
// references to compile.h. yaml-cpp throws; nothing escapes this layer.

#include <string_view>

#include "sluice/config/load.h"
#include "sluice/config/model.h"

namespace sluice::config {

// Parses every YAML document of `text` (already ${VAR}-substituted) into `out`, appending
// diagnostics. `env` serves the Secret annotations substitution.aigw.run/env/<key>.
void ParseText(std::string_view text, std::string_view file, const GetEnv& env,
               model::Resources& out, model::Diagnostics& diag);

// Body mutation values are raw JSON when they parse as JSON, otherwise a JSON string of the text
// (reference §3.1, internal/bodymutator). Returns valid JSON text either way.
std::string NormalizeBodyMutationValue(std::string_view value);

// "v1beta/openai" and "/v1beta/openai/" → "/v1beta/openai"; "" and "/" → "" (no prefix).
std::string NormalizePrefix(std::string_view prefix);

}  // namespace sluice::config
