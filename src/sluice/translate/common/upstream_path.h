#pragma once

// Upstream request paths whose variable part is a URL path segment: a Bedrock model id or ARN, an
// Azure OpenAI deployment name.

#include <string>
#include <string_view>

namespace sluice::translate::common {

// Appends `segment` percent-encoded as one path segment: every byte but RFC 3986 unreserved
// characters (§2.3) is escaped, as the AWS SDKs encode path labels, so ':' becomes "%3A" and '/'
// "%2F".
void AppendPathSegment(std::string& path, std::string_view segment);

// "/model/{model}{suffix}" ("anthropic.claude-3-5-sonnet-20241022-v2:0" → "...-v2%3A0", an ARN's
// '/' → "%2F").
std::string BedrockModelPath(std::string_view model, std::string_view suffix);

}  // namespace sluice::translate::common
