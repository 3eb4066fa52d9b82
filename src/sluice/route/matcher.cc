#include "sluice/route/matcher.h"

#include <re2/re2.h>

#include <algorithm>
#include <cstdio>
#include <set>
#include <vector>

#include "sluice/core/strings.h"

namespace sluice::route {

namespace {

constexpr std::string_view kModelHeader = "x-ai-eg-model";

// The host without port, IPv6 brackets or trailing dot; a view into `host` (no allocation on the
// request path). Case is left alone: comparisons below ignore it.
std::string_view HostName(std::string_view host) {
  host = TrimWhitespace(host);
  if (host.starts_with('[')) {
    const size_t close = host.find(']');
    if (close != std::string_view::npos) return host.substr(1, close - 1);
  } else if (const size_t colon = host.find(':');
             colon != std::string_view::npos &&
             host.find(':', colon + 1) == std::string_view::npos) {
    host = host.substr(0, colon);
  }
  if (host.ends_with('.')) host.remove_suffix(1);  // "example.com." names the same host
  return host;
}

// Gateway API hostname wildcard: "*.example.com" matches "a.example.com" but neither
// "example.com" nor "a.b.example.com" (the wildcard stands for exactly one label). `pattern` is
// lower-case (compiled so); `host` may be any case.
bool WildcardMatches(std::string_view pattern, std::string_view host) {
  if (!pattern.starts_with("*.")) return false;
  const std::string_view suffix = pattern.substr(1);  // ".example.com"
  if (host.size() <= suffix.size()) return false;
  if (!EqualsIgnoreCase(host.substr(host.size() - suffix.size()), suffix)) return false;
  const std::string_view label = host.substr(0, host.size() - suffix.size());
  return label.find('.') == std::string_view::npos;
}

bool HostnameMatches(std::string_view pattern, std::string_view host) {
  return EqualsIgnoreCase(pattern, host) || WildcardMatches(pattern, host);
}

bool HostMatches(const config::Route& route, std::string_view host) {
  if (route.hostnames.empty()) return true;
  for (const std::string& h : route.hostnames) {
    if (HostnameMatches(h, host)) return true;
  }
  return false;
}

bool HeaderMatches(const config::HeaderMatch& m, const HeaderLookup& headers) {
  const std::optional<std::string_view> value = headers.Get(m.name);
  if (!value.has_value()) return false;
  if (m.type == config::MatchType::kExact) return *value == m.value;
  return m.regex != nullptr && RE2::FullMatch(*value, *m.regex);
}

bool RuleMatches(const config::Rule& rule, const HeaderLookup& headers) {
  if (rule.matches.empty()) return true;
  for (const config::RouteMatch& match : rule.matches) {
    if (std::all_of(match.headers.begin(), match.headers.end(),
                    [&](const config::HeaderMatch& h) { return HeaderMatches(h, headers); })) {
      return true;
    }
  }
  return false;
}

}  // namespace

std::string NormalizeHost(std::string_view host) { return AsciiLower(HostName(host)); }

std::optional<Match> MatchRoute(const config::RuntimeConfig& cfg, std::string_view host,
                                const HeaderLookup& headers) {
  const std::string_view name = HostName(host);
  for (const config::Route& route : cfg.routes) {
    if (!HostMatches(route, name)) continue;
    for (const config::Rule& rule : route.rules) {
      if (RuleMatches(rule, headers)) return Match{&route, &rule};
    }
  }
  return std::nullopt;
}

std::optional<size_t> PickBackend(const config::Rule& rule, uint64_t random,
                                  std::span<const size_t> excluded) {
  const auto& refs = rule.backend_refs;
  auto is_excluded = [&](size_t i) {
    return std::find(excluded.begin(), excluded.end(), i) != excluded.end();
  };
  bool any_weight = false;
  bool any_left = false;
  for (size_t i = 0; i < refs.size(); ++i) {
    if (is_excluded(i)) continue;
    any_left = true;
    any_weight = any_weight || refs[i].weight > 0;
  }
  if (!any_left) return std::nullopt;
  // Weight 0 means "do not send traffic here" unless nothing else is left.
  auto eligible = [&](size_t i) { return !is_excluded(i) && (!any_weight || refs[i].weight > 0); };
  uint32_t best_priority = UINT32_MAX;
  for (size_t i = 0; i < refs.size(); ++i) {
    if (eligible(i)) best_priority = std::min(best_priority, refs[i].priority);
  }
  uint64_t total = 0;
  for (size_t i = 0; i < refs.size(); ++i) {
    if (eligible(i) && refs[i].priority == best_priority) total += any_weight ? refs[i].weight : 1;
  }
  uint64_t point = random % total;
  for (size_t i = 0; i < refs.size(); ++i) {
    if (!eligible(i) || refs[i].priority != best_priority) continue;
    const uint64_t w = any_weight ? refs[i].weight : 1;
    if (point < w) return i;
    point -= w;
  }
  return std::nullopt;  // unreachable: point < total
}

namespace {

struct ListedModel {
  std::string_view id;
  int64_t created;
  std::string_view owned_by;
};

// The models GET /v1/models and GET /anthropic/v1/models list for `host`, in config order.
std::vector<ListedModel> ListModels(const config::RuntimeConfig& cfg, std::string_view host) {
  const std::string normalized = NormalizeHost(host);
  const bool any_scoped = std::any_of(cfg.routes.begin(), cfg.routes.end(),
                                      [](const config::Route& r) { return !r.hostnames.empty(); });
  // Which declared hostname the request falls under: the exact one, else the longest matching
  // wildcard. Unmatched hosts only see routes without hostnames.
  std::string chosen;
  if (any_scoped && !normalized.empty()) {
    for (const config::Route& route : cfg.routes) {
      for (const std::string& h : route.hostnames) {
        if (h == normalized) chosen = h;
      }
    }
    if (chosen.empty()) {
      for (const config::Route& route : cfg.routes) {
        for (const std::string& h : route.hostnames) {
          if (WildcardMatches(h, normalized) && h.size() > chosen.size()) chosen = h;
        }
      }
    }
  }
  // As Envoy AI Gateway's controller builds its per-host lists: a matched host sees its own models
  // plus those of routes without hostnames; an unmatched host only the latter; no Host, all.
  auto include = [&](const config::Route& route) {
    if (!any_scoped || normalized.empty() || route.hostnames.empty()) return true;
    return !chosen.empty() && std::find(route.hostnames.begin(), route.hostnames.end(), chosen) !=
                                  route.hostnames.end();
  };
  std::vector<ListedModel> out;
  std::set<std::string_view> seen;
  for (const config::Route& route : cfg.routes) {
    if (!include(route)) continue;
    for (const config::Rule& rule : route.rules) {
      for (const config::RouteMatch& match : rule.matches) {
        for (const config::HeaderMatch& h : match.headers) {
          if (h.type != config::MatchType::kExact || h.name != kModelHeader) continue;
          if (!seen.insert(h.value).second) continue;
          out.push_back({h.value, rule.models_created_at, rule.models_owned_by});
        }
      }
    }
  }
  return out;
}

// Unix seconds as RFC 3339 UTC, e.g. "2025-02-19T00:00:00Z" (civil-from-days, H. Hinnant).
std::string Rfc3339(int64_t unix_seconds) {
  int64_t days = unix_seconds / 86400;
  int64_t rem = unix_seconds % 86400;
  if (rem < 0) {
    rem += 86400;
    --days;
  }
  days += 719468;
  const int64_t era = (days >= 0 ? days : days - 146096) / 146097;
  const int64_t doe = days - era * 146097;
  const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const int64_t mp = (5 * doy + 2) / 153;
  const int64_t d = doy - (153 * mp + 2) / 5 + 1;
  const int64_t m = mp < 10 ? mp + 3 : mp - 9;
  const int64_t y = yoe + era * 400 + (m <= 2);
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04lld-%02lld-%02lldT%02lld:%02lld:%02lldZ", (long long)y,
                (long long)m, (long long)d, (long long)(rem / 3600), (long long)(rem / 60 % 60),
                (long long)(rem % 60));
  return buf;
}

}  // namespace

std::string ModelsListJson(const config::RuntimeConfig& cfg, std::string_view host) {
  std::string out = R"({"object":"list","data":[)";
  bool first = true;
  for (const ListedModel& m : ListModels(cfg, host)) {
    if (!first) out += ',';
    first = false;
    out += R"({"id":)";
    out += JsonQuote(m.id);
    out += R"(,"object":"model","created":)";
    out += std::to_string(m.created);
    out += R"(,"owned_by":)";
    out += JsonQuote(m.owned_by);
    out += '}';
  }
  out += "]}";
  return out;
}

std::string AnthropicModelsListJson(const config::RuntimeConfig& cfg, std::string_view host) {
  const std::vector<ListedModel> models = ListModels(cfg, host);
  std::string out = R"({"data":[)";
  bool first = true;
  for (const ListedModel& m : models) {
    if (!first) out += ',';
    first = false;
    out += R"({"type":"model","id":)";
    out += JsonQuote(m.id);
    out += R"(,"display_name":)";
    out += JsonQuote(m.id);
    out += R"(,"created_at":)";
    out += JsonQuote(Rfc3339(m.created));
    out += '}';
  }
  out += R"(],"has_more":false,"first_id":)";
  out += models.empty() ? std::string("null") : JsonQuote(models.front().id);
  out += R"(,"last_id":)";
  out += models.empty() ? std::string("null") : JsonQuote(models.back().id);
  out += '}';
  return out;
}

}  // namespace sluice::route
