#include "sluice/mcp/names.h"

#include <re2/re2.h>

#include <algorithm>

#include "sluice/mcp/encoding.h"
#include "sluice/mcp/wire.h"

namespace sluice::mcp {

namespace {

// Marks ids Sluice minted, so a client's answer to something else is recognisable.
constexpr std::string_view kRequestIdPrefix = "sluice~";
constexpr std::string_view kEventIdPrefix = "s1~";

}  // namespace

std::string PrefixName(std::string_view backend, std::string_view name) {
  std::string out;
  out.reserve(backend.size() + wire::kNameSeparator.size() + name.size());
  out.append(backend);
  out.append(wire::kNameSeparator);
  out.append(name);
  return out;
}

std::optional<SplitName> SplitPrefixedName(std::string_view prefixed) {
  const size_t at = prefixed.find(wire::kNameSeparator);
  if (at == std::string_view::npos || at == 0) return std::nullopt;
  SplitName out{prefixed.substr(0, at), prefixed.substr(at + wire::kNameSeparator.size())};
  if (out.name.empty()) return std::nullopt;
  return out;
}

std::string PrefixUri(std::string_view backend, std::string_view uri) {
  std::string out(backend);
  out += wire::kUriSeparator;
  out.append(uri);
  return out;
}

std::optional<SplitName> SplitPrefixedUri(std::string_view prefixed) {
  const size_t at = prefixed.find(wire::kUriSeparator);
  if (at == std::string_view::npos || at == 0 || at + 1 == prefixed.size()) return std::nullopt;
  return SplitName{prefixed.substr(0, at), prefixed.substr(at + 1)};
}

bool ToolAllowed(const config::McpToolSelector& s, std::string_view tool) {
  if (std::find(s.exclude.begin(), s.exclude.end(), tool) != s.exclude.end()) return false;
  const re2::StringPiece piece(tool.data(), tool.size());
  for (const auto& re : s.exclude_regex) {
    if (RE2::FullMatch(piece, *re)) return false;
  }
  if (s.include.empty() && s.include_regex.empty()) return true;
  if (std::find(s.include.begin(), s.include.end(), tool) != s.include.end()) return true;
  for (const auto& re : s.include_regex) {
    if (RE2::FullMatch(piece, *re)) return true;
  }
  return false;
}

std::string EncodeServerRequestId(std::string_view backend, std::string_view raw_id) {
  std::string out(kRequestIdPrefix);
  out += Base64UrlEncode(backend);
  out += '~';
  out += Base64UrlEncode(raw_id);
  return out;
}

std::optional<DecodedRequestId> DecodeServerRequestId(std::string_view id) {
  if (!id.starts_with(kRequestIdPrefix)) return std::nullopt;
  id.remove_prefix(kRequestIdPrefix.size());
  const size_t tilde = id.find('~');
  if (tilde == std::string_view::npos) return std::nullopt;
  auto backend = Base64UrlDecode(id.substr(0, tilde));
  auto raw = Base64UrlDecode(id.substr(tilde + 1));
  if (!backend || !raw || backend->empty() || raw->empty()) return std::nullopt;
  // Only JSON-RPC id shapes: a string literal or an integer (JSON-RPC 2.0 §4).
  const char c = raw->front();
  if (c != '"' && c != '-' && !(c >= '0' && c <= '9')) return std::nullopt;
  return DecodedRequestId{std::move(*backend), std::move(*raw)};
}

std::string EncodeEventId(std::string_view backend, std::string_view backend_event_id) {
  std::string out(kEventIdPrefix);
  out += Base64UrlEncode(backend);
  out += '~';
  out += Base64UrlEncode(backend_event_id);
  return out;
}

std::optional<SplitName> DecodeEventId(std::string_view id, std::string& storage) {
  if (!id.starts_with(kEventIdPrefix)) return std::nullopt;
  id.remove_prefix(kEventIdPrefix.size());
  const size_t tilde = id.find('~');
  if (tilde == std::string_view::npos) return std::nullopt;
  auto backend = Base64UrlDecode(id.substr(0, tilde));
  auto event = Base64UrlDecode(id.substr(tilde + 1));
  if (!backend || !event || backend->empty()) return std::nullopt;
  storage = *backend + '\n' + *event;
  return SplitName{std::string_view(storage).substr(0, backend->size()),
                   std::string_view(storage).substr(backend->size() + 1)};
}

}  // namespace sluice::mcp
