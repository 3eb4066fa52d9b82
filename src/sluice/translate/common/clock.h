#pragma once

// Wall-clock seconds for the "created" field of OpenAI objects built from providers that send
// none (Claude, Bedrock). The one clock the translators read, so that tests can pin it.

#include <cstdint>
#include <optional>

namespace sluice::translate::common {

int64_t NowUnixSeconds();
// Pins NowUnixSeconds to `fixed` (nullopt: the real clock again). For tests.
void SetNowForTesting(std::optional<int64_t> fixed);

}  // namespace sluice::translate::common
