#pragma once

// AWS Signature Version 4 for requests sent in the Authorization header (AWS General Reference,
// "Create a signed AWS API request": canonical request, string to sign, signing key, signature).
//
// What Sluice signs, and why:
//   * the canonical URI is the path *as sent*, URI-encoded once more, segment by segment (every
//     service but S3 does this, and so does the AWS SDK for JavaScript, whose serializer encodes a
//     model id before its signer encodes the path again): a Bedrock model id
//     `anthropic.claude-3-5-sonnet-20241022-v2:0` sent as `...v2%3A0` is `...v2%253A0` in the
//     canonical request. "." and ".." segments and empty segments are removed first (RFC 3986
//     §5.2.4), as the SDKs do for non-S3 services;
//   * signed headers are `host` (the Host value exactly as sent), `x-amz-date` and, with
//     temporary credentials, `x-amz-security-token`, plus any header a caller adds (tests do);
//   * the payload hash is the SHA-256 of the exact body bytes. It is *not* sent as
//     `x-amz-content-sha256`: that header is required by S3 only. The Go and Python SDKs and
//     Envoy AI Gateway's Bedrock signer leave it out; `@smithy/signature-v4` adds it unless
//     `applyChecksum: false`. AWS accepts both, as long as the header is signed when present;
//   * `content-length` is not signed (a proxy may re-frame the body).
//
// Thread-safety: all functions are reentrant. The signing key of the last (secret, date, region,
// service) is cached per thread.

#include <chrono>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "sluice/config/runtime.h"

namespace sluice::auth {

using AwsCredentials = config::AwsCredentials;

// Wire names of the SigV4 headers (lower-case, as Sluice sends every header it adds).
inline constexpr std::string_view kAuthorizationHeader = "authorization";
inline constexpr std::string_view kAmzDateHeader = "x-amz-date";
inline constexpr std::string_view kAmzSecurityTokenHeader = "x-amz-security-token";
inline constexpr std::string_view kAmzContentSha256Header = "x-amz-content-sha256";
inline constexpr std::string_view kSigV4Algorithm = "AWS4-HMAC-SHA256";
// The SigV4 signing name of Bedrock and Bedrock Runtime.
inline constexpr std::string_view kBedrockService = "bedrock";

// The request exactly as it goes on the wire.
struct SigV4Request {
  std::string_view method;
  std::string_view host;    // Host header value as sent (with ":port" when one is sent)
  std::string_view target;  // request-target as sent: URI-encoded path, optional "?query"
  std::string_view body;
  // Extra headers to sign besides host, x-amz-date and x-amz-security-token (any case).
  std::vector<std::pair<std::string_view, std::string_view>> headers;
};

struct SigV4Signature {
  std::string authorization;      // the Authorization header value
  std::string amz_date;           // x-amz-date: YYYYMMDD'T'HHMMSS'Z' (UTC)
  std::string signed_headers;     // "host;x-amz-date[;x-amz-security-token]"
  std::string canonical_request;  // for diagnostics and tests; contains no secret
  std::string string_to_sign;
};

// Signs `request` for `service` in `region` at time `now`. The caller sends `authorization`,
// `x-amz-date` and, when `credentials.session_token` is set, `x-amz-security-token` with it.
SigV4Signature SignV4(const SigV4Request& request, const AwsCredentials& credentials,
                      std::string_view service, std::string_view region,
                      std::chrono::system_clock::time_point now);

// Pieces, exposed for tests and diagnostics.
std::string SigV4CanonicalUri(std::string_view path);     // path without the query
std::string SigV4CanonicalQuery(std::string_view query);  // query without the '?'
std::string SigV4AmzDate(std::chrono::system_clock::time_point now);
// HMAC chain: kSigning = HMAC(HMAC(HMAC(HMAC("AWS4" + secret, date), region), service),
// "aws4_request"); 32 raw bytes.
std::string SigV4SigningKey(std::string_view secret, std::string_view date, std::string_view region,
                            std::string_view service);
std::string Sha256Hex(std::string_view data);

// The AWS region named by a Bedrock Runtime endpoint host, or "" when the host is not one:
//   bedrock-runtime.{region}.amazonaws.com             (regional; .amazonaws.com.cn in China)
//   bedrock-runtime-fips.{region}.amazonaws.com        (FIPS)
//   bedrock-runtime[-fips].{region}.api.aws            (dual-stack)
//   vpce-....bedrock-runtime.{region}.vpce.amazonaws.com (interface VPC endpoint)
// A ":port" suffix and a trailing dot are ignored; the comparison is case-insensitive.
std::string BedrockRegionFromHost(std::string_view host);

// The signing region for a request to `host`: the host's own region when it names one, else the
// policy's region (a proxy, a loopback test server, a private DNS name).
std::string SigningRegion(std::string_view host, std::string_view policy_region);

}  // namespace sluice::auth
