#pragma once

// Routing decisions on a compiled RuntimeConfig: which rule serves a request, which backend of the
// rule an attempt goes to, and what GET /v1/models lists. Pure functions over immutable data: no
// I/O, no clock, no randomness of their own (the caller passes a random value), so they are safe
// to call from any worker thread concurrently.

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "sluice/config/runtime.h"

namespace sluice::route {

// Request headers as the matcher sees them. Names are looked up lower-cased.
class HeaderLookup {
 public:
  virtual ~HeaderLookup() = default;
  virtual std::optional<std::string_view> Get(std::string_view lower_name) const = 0;
};

// Pointers into the RuntimeConfig passed to MatchRoute; valid as long as that snapshot lives.
struct Match {
  const config::Route* route;
  const config::Rule* rule;
};

// host: the request's Host (any case, may have :port). Routes are tried in config order; a route
// with hostnames only applies to matching hosts (exact, or "*.suffix" matching exactly one more
// label); then its rules in order; the first rule with a match whose headers all match wins. A rule
// without matches matches every request (Gateway API: an absent match is a "/" prefix match).
// The caller has already set x-ai-eg-model in the lookup from the body's model.
std::optional<Match> MatchRoute(const config::RuntimeConfig& cfg, std::string_view host,
                                const HeaderLookup& headers);

// Picks among rule.backend_refs the lowest-priority group whose refs are not in `excluded`
// (indices into backend_refs, for failover after an attempt failed), split by weight. A weight-0
// ref is never picked unless every remaining ref has weight 0 (then they share evenly).
// `random` is any uniformly random 64-bit value. Returns the index, or nullopt when none is left.
std::optional<size_t> PickBackend(const config::Rule& rule, uint64_t random,
                                  std::span<const size_t> excluded);

// GET /v1/models body: {"object":"list","data":[{"id","object":"model","created","owned_by"}]}
// with the models from Exact x-ai-eg-model matches, host-scoped as Envoy AI Gateway does
// (reference §1.1): lower-case host, port stripped; when any route declares hostnames, the routes
// whose hostname equals the host, else those with the longest single-label "*.suffix" wildcard
// matching it, plus every route without hostnames. No duplicates, config order.
std::string ModelsListJson(const config::RuntimeConfig& cfg, std::string_view host);

// GET /anthropic/v1/models body, the same models in Anthropic's list shape
// (https://docs.anthropic.com/en/api/models-list): {"data":[{"type":"model","id",
// "display_name" (the id),"created_at" (RFC 3339)}],"has_more":false,"first_id","last_id"}
// (first_id and last_id null when the list is empty).
std::string AnthropicModelsListJson(const config::RuntimeConfig& cfg, std::string_view host);

// "Example.COM:8080" → "example.com"; "[::1]:80" → "::1". Exposed for the HTTP layer and tests.
std::string NormalizeHost(std::string_view host);

}  // namespace sluice::route
