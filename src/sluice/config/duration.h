#pragma once

// Scalar formats used by the resources: Gateway API durations and RFC 3339 timestamps.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string_view>

namespace sluice::config {

// Gateway API Duration (GEP-2257): one to four <1-5 digits><unit> groups, unit one of h, m, s, ms,
// e.g. "60s", "1m", "500ms", "1h30m". nullopt when malformed; fractions such as "1.5s" are
// rejected, as the CRD's validation pattern rejects them.
std::optional<std::chrono::milliseconds> ParseGatewayDuration(std::string_view text);

// RFC 3339 date-time ("2024-05-21T10:00:00Z", "2024-05-21T12:00:00.5+02:00") → unix seconds.
std::optional<int64_t> ParseRfc3339(std::string_view text);

}  // namespace sluice::config
