#include "sluice/bench/workload.h"

namespace sluice::bench {

namespace {

void AppendFiller(std::string& out, size_t bytes) {
  static constexpr std::string_view kWords = "lorem ipsum dolor sit amet consectetur ";
  while (bytes > 0) {
    const size_t n = std::min(bytes, kWords.size());
    out.append(kWords.substr(0, n));
    bytes -= n;
  }
}

}  // namespace

std::string ScenarioPath(const Scenario& s) {
  if (!s.path.empty()) return s.path;
  switch (s.kind) {
    case Scenario::Kind::kEmbeddings: return "/v1/embeddings";
    case Scenario::Kind::kMessages: return "/anthropic/v1/messages";
    case Scenario::Kind::kChat: break;
  }
  return "/v1/chat/completions";
}

std::string BuildBody(const Scenario& s) {
  std::string body = "{\"model\":\"" + s.model + "\",";
  if (s.kind == Scenario::Kind::kEmbeddings) {
    body += "\"input\":\"";
    AppendFiller(body, s.message_bytes);
    body += "\"}";
    return body;
  }
  body.reserve(size_t(s.messages) * (s.message_bytes + 40) + 64);
  // Anthropic requires max_tokens; OpenAI bodies go without, as most clients send them.
  if (s.kind == Scenario::Kind::kMessages) body += "\"max_tokens\":1024,";
  body += "\"messages\":[";
  for (int i = 0; i < s.messages; ++i) {
    if (i) body += ',';
    body += (i % 2 == 0) ? "{\"role\":\"user\",\"content\":\"" : "{\"role\":\"assistant\",\"content\":\"";
    AppendFiller(body, s.message_bytes);
    body += "\"}";
  }
  body += "]";
  if (s.stream) body += ",\"stream\":true";
  body += "}";
  return body;
}

std::string BuildRequest(const Scenario& s, const std::string& host, const std::string& body) {
  std::string r = "POST " + ScenarioPath(s) + " HTTP/1.1\r\nHost: " + host +
                  "\r\ncontent-type: application/json\r\ncontent-length: " +
                  std::to_string(body.size()) + "\r\n";
  // What Anthropic's SDKs send with every request (the API refuses requests without it).
  if (s.kind == Scenario::Kind::kMessages) r += "anthropic-version: 2023-06-01\r\n";
  if (s.stream) {
    r += "x-fake-chunks: " + std::to_string(s.chunks) + "\r\n";
    r += "x-fake-chunk-delay-ms: " + std::to_string(s.chunk_delay_ms) + "\r\n";
  }
  if (s.latency_ms > 0) r += "x-fake-latency-ms: " + std::to_string(s.latency_ms) + "\r\n";
  for (const auto& [name, value] : s.headers) r += name + ": " + value + "\r\n";
  r += "\r\n";
  r += body;
  return r;
}

}  // namespace sluice::bench
