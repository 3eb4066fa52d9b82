#pragma once

// Loading Envoy AI Gateway resource files into a RuntimeConfig snapshot.
//
// The pipeline is: read files → substitute ${VAR} → parse YAML documents into declared resources
// (model.h) → validate and resolve references (compile.h) → immutable RuntimeConfig. Every error is
// collected, never only the first, and each names its file, resource and field path so that a
// user can fix them all in one edit.
//
// Thread-safety: all functions are reentrant; they share no state. Only the GetEnv callback reads
// the environment, so tests pass a map.

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sluice/config/runtime.h"
#include "sluice/core/result.h"

namespace sluice::config {

// Reads the process environment in production, a map in tests. Only config/ and cli/ read the
// environment.
using GetEnv = std::function<std::optional<std::string>(std::string_view name)>;
GetEnv ProcessEnv();

struct LoadResult {
  std::shared_ptr<const RuntimeConfig> config;  // null when errors is non-empty
  // Every error at once, each "file: Kind ns/name: field.path: message".
  std::vector<std::string> errors;
  std::vector<std::string> warnings;  // e.g. v1alpha1 deprecation, unknown fields
  std::vector<std::string> ignored;   // "Kind ns/name" of resources accepted but not acted on
};

// paths: files or folders (folders: every *.yaml/*.yml directly inside, sorted by name; names
// starting with '.' skipped, as Kubernetes ConfigMap mounts keep older copies in "..data" dirs).
// Multi-document YAML.
LoadResult LoadFiles(const std::vector<std::string>& paths, const GetEnv& env);
LoadResult LoadText(std::string_view yaml, std::string_view source_name, const GetEnv& env);

// Envoy AI Gateway `aigw run` autoconfig: returns the YAML it would generate from the environment,
// or nullopt when none of the provider variables (AZURE_OPENAI_API_KEY, OPENAI_API_KEY,
// ANTHROPIC_API_KEY) is set. API keys are not copied into the text: the generated Secrets name
// their variable through the `substitution.aigw.run/env/apiKey` annotation, so load the text with
// the same GetEnv. When the environment is incomplete (AZURE_OPENAI_API_KEY without
// AZURE_OPENAI_ENDPOINT, a malformed base URL...), the returned YAML holds one document of kind
// `AutoConfigError` that LoadText reports as an error with the reason; AutoConfig() below gives
// the reason directly.
std::optional<std::string> AutoConfigYaml(const GetEnv& env);

// Same as AutoConfigYaml, but an incomplete environment is an Error (kInvalidArgument) naming the
// variable. Ok(nullopt) when no provider variable is set.
Result<std::optional<std::string>> AutoConfig(const GetEnv& env);

// The snapshot as JSON for the admin /config_dump endpoint; every secret (auth header values,
// header mutation values of credential-like headers) is redacted as "[REDACTED]".
std::string DumpJson(const RuntimeConfig& config);

}  // namespace sluice::config
