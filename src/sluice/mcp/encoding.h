#pragma once

// base64url without padding (RFC 4648 §5), as JWTs (RFC 7515 §2) and Sluice's session ids use it.

#include <optional>
#include <string>
#include <string_view>

namespace sluice::mcp {

std::string Base64UrlEncode(std::string_view data);
// Accepts input with or without '=' padding; nullopt on any other character outside the alphabet.
std::optional<std::string> Base64UrlDecode(std::string_view text);

// Lower-case hex of the first `bytes` bytes of SHA-256(data), for log fields that must not carry
// a secret (the session id).
std::string Sha256HexPrefix(std::string_view data, size_t bytes = 8);

}  // namespace sluice::mcp
