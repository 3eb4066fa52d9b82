// loadgen: the open-loop HTTP/1.1 load generator of Sluice's benchmarks (see bench/README.md).
//
//   loadgen --port 8080 --rate 1000 --duration 10 --messages 10 --message-bytes 1000
//   loadgen --port 8080 --closed --connections 32 --duration 5      # maximum throughput
//   loadgen --port 8080 --stream --chunks 20 --chunk-delay-ms 2 --rate 200
//   loadgen --port 8080 --hold-streams 10000 --hold-seconds 20      # idle SSE streams
//
// Only loopback targets are accepted.

#include <CLI/CLI.hpp>
#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include "sluice/bench/loadgen.h"
#include "sluice/bench/workload.h"

int main(int argc, char** argv) {
  CLI::App app{
      "Open-loop HTTP load generator for OpenAI- and Anthropic-shaped requests (loopback only)"};
  std::string host = "127.0.0.1";
  uint16_t port = 0;
  double rate = 1000;
  bool closed = false;
  double duration = 5, warmup = 1, drain = 5;
  int connections = 32, max_connections = 2048;
  std::string kind = "chat";
  sluice::bench::Scenario scenario;
  std::vector<std::string> headers;
  std::string json_out, write_body;
  int hold_streams = 0;
  double hold_seconds = 10;
  std::string label;

  app.add_option("--host", host, "Target address (127.0.0.1 or ::1)")->capture_default_str();
  app.add_option("--port", port, "Target port")->required();
  app.add_option("--rate", rate, "Requests per second (open loop)")->capture_default_str();
  app.add_flag("--closed", closed, "Closed loop: each connection sends as soon as it is answered");
  app.add_option("--duration", duration, "Measured seconds")->capture_default_str();
  app.add_option("--warmup", warmup, "Seconds of the same load before measuring")
      ->capture_default_str();
  app.add_option("--drain", drain, "Seconds to wait for answers after the last send")
      ->capture_default_str();
  app.add_option("-c,--connections", connections, "Connections opened at the start")
      ->capture_default_str();
  app.add_option("--max-connections", max_connections, "Open loop: most connections")
      ->capture_default_str();
  app.add_option("--kind", kind, "chat, embeddings or messages (Anthropic)")->capture_default_str();
  app.add_option("--messages", scenario.messages, "Chat messages per request")
      ->capture_default_str();
  app.add_option("--message-bytes", scenario.message_bytes,
                 "Bytes per message (embeddings: input bytes)")
      ->capture_default_str();
  app.add_flag("--stream", scenario.stream, "Streaming answers (x-fake-chunks, ...-delay-ms)");
  app.add_option("--chunks", scenario.chunks, "Streams: content chunks (x-fake-chunks)")
      ->capture_default_str();
  app.add_option("--chunk-delay-ms", scenario.chunk_delay_ms,
                 "Streams: delay between chunks (x-fake-chunk-delay-ms)")
      ->capture_default_str();
  app.add_option("--latency-ms", scenario.latency_ms, "Added provider latency (x-fake-latency-ms)");
  app.add_option("--model", scenario.model, "Model in the body")->capture_default_str();
  app.add_option("--path", scenario.path, "Request path (default from --kind)");
  app.add_option("-H,--header", headers, "Extra header 'name: value' (repeatable)");
  app.add_option("--json", json_out, "Append the result as one JSON line to this file");
  app.add_option("--label", label, "Label stored in the JSON line");
  app.add_option("--write-body", write_body, "Write the request body to this file and exit");
  app.add_option("--hold-streams", hold_streams,
                 "Open this many concurrent streams, hold them, print 'streams open: N'");
  app.add_option("--hold-seconds", hold_seconds, "Seconds to hold the streams")
      ->capture_default_str();
  CLI11_PARSE(app, argc, argv);

  if (host != "127.0.0.1" && host != "::1" && host != "localhost") {
    std::fprintf(stderr, "loadgen: only loopback targets (127.0.0.1, ::1)\n");
    return 2;
  }
  if (host == "localhost") host = "127.0.0.1";
  if (kind == "embeddings") {
    scenario.kind = sluice::bench::Scenario::Kind::kEmbeddings;
  } else if (kind == "messages") {
    scenario.kind = sluice::bench::Scenario::Kind::kMessages;
  } else if (kind != "chat") {
    std::fprintf(stderr, "loadgen: --kind is chat, embeddings or messages\n");
    return 2;
  }
  for (const auto& h : headers) {
    const size_t colon = h.find(':');
    if (colon == std::string::npos) {
      std::fprintf(stderr, "loadgen: header '%s' is not 'name: value'\n", h.c_str());
      return 2;
    }
    std::string value = h.substr(colon + 1);
    while (!value.empty() && value.front() == ' ') value.erase(0, 1);
    scenario.headers.emplace_back(h.substr(0, colon), value);
  }
  const std::string body = sluice::bench::BuildBody(scenario);
  if (!write_body.empty()) {
    std::ofstream(write_body, std::ios::binary) << body;
    return 0;
  }
  const std::string host_header =
      (host.find(':') != std::string::npos ? "[" + host + "]" : host) + ":" + std::to_string(port);
  const std::string request = sluice::bench::BuildRequest(scenario, host_header, body);

  if (hold_streams > 0) {
    sluice::bench::HoldOptions o;
    o.host = host;
    o.port = port;
    o.request = request;
    o.streams = hold_streams;
    o.hold = std::chrono::milliseconds(int64_t(hold_seconds * 1000));
    o.on_ready = [](int open) {
      std::printf("streams open: %d\n", open);
      std::fflush(stdout);
    };
    auto r = sluice::bench::HoldStreams(o);
    std::printf("streams held: %d open, %d failed, set up in %.2f s\n", r.open, r.failed,
                r.setup_seconds);
    if (!json_out.empty()) {
      std::ofstream(json_out, std::ios::app)
          << "{\"label\":\"" << label << "\",\"streams_open\":" << r.open
          << ",\"streams_failed\":" << r.failed << ",\"setup_seconds\":" << r.setup_seconds
          << "}\n";
    }
    return r.open == hold_streams ? 0 : 1;
  }

  sluice::bench::LoadOptions o;
  o.host = host;
  o.port = port;
  o.request = request;
  o.rate = closed ? 0 : rate;
  o.duration = std::chrono::milliseconds(int64_t(duration * 1000));
  o.warmup = std::chrono::milliseconds(int64_t(warmup * 1000));
  o.drain = std::chrono::milliseconds(int64_t(drain * 1000));
  o.connections = connections;
  o.max_connections = max_connections;
  o.stream = scenario.stream;
  const auto result = sluice::bench::RunLoad(o);
  std::fputs(sluice::bench::ResultText(result, o.rate).c_str(), stdout);
  if (!json_out.empty()) {
    std::string line = sluice::bench::ResultJson(result, o.rate);
    line.insert(1, "\"label\":\"" + label + "\",\"body_bytes\":" + std::to_string(body.size()) +
                       ",");
    std::ofstream(json_out, std::ios::app) << line << "\n";
  }
  return result.errors == 0 ? 0 : 1;
}
