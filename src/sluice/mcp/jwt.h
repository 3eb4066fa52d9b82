#pragma once

// OAuth 2.0 bearer token validation for MCP routes (MCP Authorization §Access Token Usage,
// RFC 6750, RFC 7519 JWT, RFC 7515 JWS, RFC 7517 JWK). Signatures are checked with OpenSSL:
// RS256, PS256, ES256 and EdDSA (Ed25519). "none" and every HMAC algorithm are refused: an HMAC
// checked with a public key as its secret is the classic forgery (RFC 8725 §2.1, §3.1).
// Claims: iss must equal the issuer, aud must contain one of the audiences (when configured),
// exp must be in the future and nbf in the past (60 s leeway, RFC 7519 §4.1.4).

#include <boost/json/object.hpp>
#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "sluice/config/runtime.h"
#include "sluice/core/result.h"
#include "sluice/http/client.h"

namespace sluice::mcp {

struct VerifiedToken {
  boost::json::object claims;
  std::string subject;
  std::vector<std::string> scopes;  // "scope" (space-separated) or "scp" (array or string)
};

// A parsed JSON Web Key Set: kid → public key. Immutable once built.
class JwkSet {
 public:
  static Result<std::shared_ptr<const JwkSet>> Parse(std::string_view json);
  ~JwkSet();
  struct Key;
  // The key for `kid` (any key when kid is empty and the set has exactly one), or null.
  const Key* Find(std::string_view kid) const;
  size_t size() const { return keys_.size(); }

 private:
  JwkSet() = default;
  std::vector<std::unique_ptr<Key>> keys_;
};

// Verifies a compact JWS against a key set and the claim rules. Pure: `now` is unix seconds.
Result<VerifiedToken> VerifyJwt(std::string_view token, const JwkSet& keys,
                                const config::McpOAuth& oauth, int64_t now);

// Caches verified tokens until they expire, and key sets, per worker: inline sets parsed once per
// config snapshot, remote sets fetched over HTTP(S) and refreshed after their cache duration, or at
// once (at most once a second) when a token names a kid the cached set lacks. Not thread-safe: one
// per worker.
class JwtValidator {
 public:
  JwtValidator(http::Executor executor, http::UpstreamPool& pool);
  ~JwtValidator();
  http::Task<Result<VerifiedToken>> Verify(const config::McpOAuth& oauth, std::string_view token);

 private:
  struct Cached {
    std::shared_ptr<const JwkSet> keys;
    std::chrono::steady_clock::time_point fetched_at{};
    std::chrono::steady_clock::time_point last_attempt{};
  };
  struct VerifiedEntry {
    VerifiedToken token;
    int64_t expires = 0;
  };
  http::Task<Result<VerifiedToken>> VerifyUncached(const config::McpOAuth& oauth,
                                                   std::string_view token);
  http::Task<Result<std::shared_ptr<const JwkSet>>> Fetch(const std::string& uri);

  http::Executor executor_;
  http::UpstreamPool& pool_;
  std::map<std::string, Cached> cache_;  // inline JWKS text or remote URI → keys
  std::map<std::string, std::shared_ptr<boost::asio::ssl::context>> tls_;
  std::unordered_map<std::string, VerifiedEntry> verified_;  // token + rules → claims
};

}  // namespace sluice::mcp
