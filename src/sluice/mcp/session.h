#pragma once

// Stateless MCP sessions. The session id a client gets from `initialize` is an authenticated
// encryption (AES-256-GCM) of everything the gateway needs to serve the session: the route, the
// session id and negotiated capabilities of every backend, and the client's initialize parameters
// (to re-initialize a backend whose own session expired). Any replica holding the same seed can
// open it, so sessions survive restarts and load balancing without shared storage.
//
// MCP Transports §Session Management: the id "SHOULD be globally unique and cryptographically
// secure" and "MUST only contain visible ASCII characters (0x21 to 0x7E)": it is base64url.

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sluice/core/result.h"

namespace sluice::mcp {

// Capability bits of one backend (what its initialize result announced).
enum CapabilityBit : uint16_t {
  kCapTools = 1,
  kCapToolsListChanged = 2,
  kCapPrompts = 4,
  kCapPromptsListChanged = 8,
  kCapLogging = 16,
  kCapResources = 32,
  kCapResourcesListChanged = 64,
  kCapResourcesSubscribe = 128,
  kCapCompletions = 256,
};

struct BackendSession {
  std::string name;        // the MCPRoute backend name
  std::string session_id;  // the backend's mcp-session-id; empty for a stateless backend
  uint16_t capabilities = 0;
  std::string protocol_version;  // what the backend negotiated
};

struct SessionState {
  std::string route;                // "ns/name" of the MCPRoute
  std::string subject;              // the verified JWT "sub" when OAuth is on; else empty
  int64_t issued_at = 0;            // unix seconds
  std::string protocol_version;     // negotiated with the client
  std::string client_capabilities;  // JSON text from the client's initialize
  std::string client_info;          // JSON text from the client's initialize
  std::vector<BackendSession> backends;

  const BackendSession* Find(std::string_view name) const;
};

// Encrypts and decrypts session ids. The key is derived once, at construction (PBKDF2-HMAC-SHA256,
// 100 000 iterations, a fixed salt so that every replica derives the same key from the same seed);
// encrypting or decrypting a session then costs a few microseconds.
// Thread-safe: immutable after construction; share one instance across workers.
class SessionCodec {
 public:
  static constexpr int64_t kDefaultMaxAgeSeconds = 24 * 3600;

  explicit SessionCodec(std::string_view seed, int64_t max_age_seconds = kDefaultMaxAgeSeconds);

  std::string Encrypt(const SessionState& state) const;
  // kNotFound for anything that is not a live session of this seed: tampered, truncated, foreign,
  // or older than the maximum age (Transports §Session Management: answer 404).
  Result<SessionState> Decrypt(std::string_view token, int64_t now_unix) const;

  int64_t max_age_seconds() const { return max_age_seconds_; }

 private:
  unsigned char key_[32];
  int64_t max_age_seconds_;
};

// Serialization of SessionState, exposed for tests.
std::string SerializeSession(const SessionState& state);
std::optional<SessionState> ParseSession(std::string_view bytes);

// Backend sessions that expired and were re-initialized: old backend session id → new one, so
// later requests carrying the old client token reach the new backend session. Bounded (oldest
// entries dropped first). Thread-safe; shared by the workers of one process. The request path
// only takes the lock when the map is not empty.
class ReinitializedSessions {
 public:
  explicit ReinitializedSessions(size_t capacity = 10000) : capacity_(capacity) {}
  std::optional<std::string> Lookup(std::string_view backend, std::string_view old_id) const;
  void Remember(std::string_view backend, std::string_view old_id, std::string new_id);

 private:
  size_t capacity_;
  mutable std::mutex mu_;
  std::atomic<size_t> size_{0};
  std::map<std::string, std::string> map_;  // backend + '\n' + old id → new id
  std::vector<std::string> order_;          // insertion order for eviction
};

}  // namespace sluice::mcp
