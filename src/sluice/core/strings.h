#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sluice {

// ASCII-only helpers: HTTP header names, tokens and config keys are ASCII by specification.
std::string AsciiLower(std::string_view s);
bool EqualsIgnoreCase(std::string_view a, std::string_view b);
bool StartsWithIgnoreCase(std::string_view s, std::string_view prefix);
std::string_view TrimWhitespace(std::string_view s);
std::vector<std::string_view> Split(std::string_view s, char sep);

// Standard base64 (RFC 4648 §4) with padding. Decode accepts missing padding and ignores
// whitespace; returns nullopt on any other invalid character.
std::string Base64Encode(std::string_view data);
std::optional<std::string> Base64Decode(std::string_view text);

// Appends `s` to `out` as the inside of a JSON string literal (RFC 8259 §7).
void AppendJsonEscaped(std::string& out, std::string_view s);
std::string JsonQuote(std::string_view s);

}  // namespace sluice
