#include "sluice/fake/bench_provider.h"

#include <llhttp.h>
#include <pthread.h>

#include <array>
#include <atomic>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <charconv>
#include <cstring>
#include <map>
#include <span>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include "sluice/codec/aws_eventstream.h"
#include "sluice/http/io.h"

namespace sluice::fake {

namespace {

namespace asio = boost::asio;
using Executor = asio::io_context::executor_type;
template <typename T = void>
using Task = asio::awaitable<T, Executor>;
constexpr asio::use_awaitable_t<Executor> kUse{};
using Socket = asio::basic_stream_socket<asio::ip::tcp, Executor>;
using Acceptor = asio::basic_socket_acceptor<asio::ip::tcp, Executor>;
using Timer = asio::basic_waitable_timer<std::chrono::steady_clock,
                                         asio::wait_traits<std::chrono::steady_clock>, Executor>;

constexpr std::string_view kModelDefault = "gpt-4o-mini";
constexpr std::string_view kAnthropicModelDefault = "claude-sonnet-4-20250514";
constexpr std::string_view kCreated = "1735689600";
// The text of every content chunk of a stream, whatever the API.
constexpr std::string_view kChunkText = "lorem ";
constexpr std::string_view kSseHeaders =
    "content-type: text/event-stream; charset=utf-8\r\ncache-control: no-cache\r\n";
constexpr std::string_view kEventStreamHeaders =
    "content-type: application/vnd.amazon.eventstream\r\n";
constexpr std::string_view kNotFound =
    "{\"error\":{\"message\":\"Unknown request URL\",\"type\":\"invalid_request_error\","
    "\"param\":null,\"code\":null}}";

void AppendInt(std::string& out, int64_t v) {
  char buf[24];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  out.append(buf, end);
}

void AppendHex(std::string& out, size_t v) {
  char buf[24];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v, 16);
  out.append(buf, end);
}

bool IEquals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z') x = char(x - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}

// Finds `"key"` used as an object key (next non-blank byte is ':') and returns the position just
// after the colon and blanks, or npos.
size_t FindKeyValue(std::string_view body, std::string_view quoted_key) {
  size_t from = 0;
  while (true) {
    size_t at = body.find(quoted_key, from);
    if (at == std::string_view::npos) return at;
    size_t i = at + quoted_key.size();
    while (i < body.size() && (body[i] == ' ' || body[i] == '\t' || body[i] == '\n' ||
                               body[i] == '\r')) {
      ++i;
    }
    if (i < body.size() && body[i] == ':' && (at == 0 || body[at - 1] != '\\')) {
      ++i;
      while (i < body.size() && (body[i] == ' ' || body[i] == '\t' || body[i] == '\n' ||
                                 body[i] == '\r')) {
        ++i;
      }
      return i;
    }
    from = at + 1;
  }
}

bool KeyIsTrue(std::string_view body, std::string_view quoted_key) {
  size_t v = FindKeyValue(body, quoted_key);
  return v != std::string_view::npos && body.substr(v, 4) == "true";
}

// The model string when it has no escapes (the common case), else the default.
std::string_view ModelOf(std::string_view body, std::string_view fallback) {
  size_t v = FindKeyValue(body, "\"model\"");
  if (v == std::string_view::npos || v >= body.size() || body[v] != '"') return fallback;
  size_t end = body.find('"', v + 1);
  if (end == std::string_view::npos) return fallback;
  std::string_view model = body.substr(v + 1, end - v - 1);
  if (model.find('\\') != std::string_view::npos || model.size() > 256) return fallback;
  return model;
}

// Appends `bytes` as one HTTP/1.1 chunk.
void AppendHttpChunk(std::string& out, std::string_view bytes) {
  AppendHex(out, bytes.size());
  out.append("\r\n");
  out.append(bytes);
  out.append("\r\n");
}

// Appends one SSE event (`event: <name>` line unless `name` is empty, then `data: <json>`) as one
// HTTP/1.1 chunk, without building the event in a temporary first.
void AppendSseChunk(std::string& out, std::string_view name, std::string_view json) {
  const size_t event_line = name.empty() ? 0 : name.size() + 8;  // "event: " + "\n"
  AppendHex(out, event_line + json.size() + 8);                  // "data: " + "\n\n"
  out.append("\r\n");
  if (!name.empty()) {
    out.append("event: ");
    out.append(name);
    out.push_back('\n');
  }
  out.append("data: ");
  out.append(json);
  out.append("\n\n\r\n");
}

std::string Filler(size_t bytes) {
  static constexpr std::string_view kWords = "lorem ipsum dolor sit amet consectetur ";
  std::string out;
  out.reserve(bytes);
  while (out.size() < bytes) out.append(kWords.substr(0, std::min(kWords.size(), bytes - out.size())));
  return out;
}

// Per-request knobs, defaulted from the options and overridden by x-fake-* headers.
struct Knobs {
  int64_t chunks;
  int64_t chunk_delay_ms;
  int64_t latency_ms;
  int64_t response_bytes;
};

// The parts of Anthropic and Bedrock streams that do not depend on the request, framed as HTTP
// chunks at start (SSE events, or AWS event-stream messages with their CRCs).
struct StreamPieces {
  std::string anthropic_open;   // content_block_start, ping
  std::string anthropic_delta;  // one content_block_delta (kChunkText)
  std::string anthropic_close;  // content_block_stop
  std::string anthropic_end;    // message_stop and the last HTTP chunk
  std::string bedrock_open;     // messageStart
  std::string bedrock_delta;    // one contentBlockDelta (kChunkText)
  std::string bedrock_close;    // contentBlockStop, messageStop
  // metadata carries the request's token counts, so it is encoded per request, with these headers.
  std::vector<std::pair<std::string, std::string>> bedrock_metadata_headers;
};

struct Shared {
  BenchProviderOptions options;
  std::string embedding_vector;  // "[0.0123,...]" precomputed
  StreamPieces pieces;
  std::map<int64_t, std::string> answers;  // answer text by size, built on first use
  std::atomic<uint64_t> requests{0};

  const std::string& Answer(int64_t bytes) {
    auto it = answers.find(bytes);
    if (it != answers.end()) return it->second;
    std::string text = bytes > 0 ? Filler(size_t(bytes))
                                 : std::string("Hello from Sluice's benchmark fake provider. "
                                               "This is the answer.");
    return answers.emplace(bytes, std::move(text)).first->second;
  }
};

class Connection {
 public:
  Connection(Socket socket, Shared& shared)
      : socket_(std::move(socket)), shared_(shared), timer_(socket_.get_executor()) {
    llhttp_settings_init(&settings_);
    settings_.on_url = OnUrl;
    settings_.on_header_field = OnHeaderField;
    settings_.on_header_value = OnHeaderValue;
    settings_.on_body = OnBody;
    settings_.on_message_complete = OnMessageComplete;
    llhttp_init(&parser_, HTTP_REQUEST, &settings_);
    parser_.data = this;
    input_.resize(16 * 1024);
  }

  Task<void> Run() {
    boost::system::error_code ec;
    socket_.set_option(asio::ip::tcp::no_delay(true), ec);
    size_t begin = 0, end = 0;
    while (true) {
      ResetRequest();
      // Parse until one request is complete (pipelined bytes stay in the buffer).
      while (!complete_) {
        if (begin == end) {
          begin = end = 0;
          size_t n = co_await socket_.async_read_some(http::DrainingBuffer(asio::buffer(input_)),
                                                      asio::redirect_error(kUse, ec));
          if (ec) co_return;
          end = n;
        }
        llhttp_errno_t err = llhttp_execute(&parser_, input_.data() + begin, end - begin);
        if (err == HPE_OK) {
          begin = end;
        } else if (err == HPE_PAUSED) {
          begin = size_t(llhttp_get_error_pos(&parser_) - input_.data());
          llhttp_resume(&parser_);
        } else {
          co_await WriteAll("HTTP/1.1 400 Bad Request\r\ncontent-length: 0\r\nconnection: close\r\n\r\n");
          co_return;
        }
      }
      const bool keep_alive = llhttp_should_keep_alive(&parser_) != 0;
      shared_.requests.fetch_add(1, std::memory_order_relaxed);
      if (knobs_.latency_ms > 0) {
        timer_.expires_after(std::chrono::milliseconds(knobs_.latency_ms));
        co_await timer_.async_wait(asio::redirect_error(kUse, ec));
      }
      bool ok = co_await Answer(keep_alive);
      if (!ok || !keep_alive) break;
    }
    socket_.shutdown(asio::socket_base::shutdown_send, ec);
    socket_.close(ec);
  }

 private:
  static Connection& From(llhttp_t* p) { return *static_cast<Connection*>(p->data); }
  static int OnUrl(llhttp_t* p, const char* at, size_t len) {
    From(p).url_.append(at, len);
    return 0;
  }
  static int OnHeaderField(llhttp_t* p, const char* at, size_t len) {
    auto& c = From(p);
    if (c.in_value) {
      c.in_value = false;
      c.field_.clear();
    }
    c.field_.append(at, len);
    return 0;
  }
  static int OnHeaderValue(llhttp_t* p, const char* at, size_t len) {
    auto& c = From(p);
    if (!c.in_value) {
      c.in_value = true;
      c.value_.clear();
      c.value_target_ = c.KnobFor(c.field_);
    }
    if (c.value_target_) {
      c.value_.append(at, len);
      int64_t v = 0;
      auto [ptr, ec] = std::from_chars(c.value_.data(), c.value_.data() + c.value_.size(), v);
      if (ec == std::errc() && v >= 0) *c.value_target_ = v;
    }
    return 0;
  }
  static int OnBody(llhttp_t* p, const char* at, size_t len) {
    From(p).body_.append(at, len);
    return 0;
  }
  static int OnMessageComplete(llhttp_t* p) {
    From(p).complete_ = true;
    return HPE_PAUSED;
  }

  int64_t* KnobFor(std::string_view name) {
    if (name.size() < 8 || !IEquals(name.substr(0, 7), "x-fake-")) return nullptr;
    std::string_view rest = name.substr(7);
    if (IEquals(rest, "chunks")) return &knobs_.chunks;
    if (IEquals(rest, "chunk-delay-ms")) return &knobs_.chunk_delay_ms;
    if (IEquals(rest, "latency-ms")) return &knobs_.latency_ms;
    if (IEquals(rest, "response-bytes")) return &knobs_.response_bytes;
    return nullptr;
  }

  void ResetRequest() {
    const auto& o = shared_.options;
    knobs_ = {o.chunks, o.chunk_delay.count(), o.latency.count(), int64_t(o.response_bytes)};
    url_.clear();
    field_.clear();
    body_.clear();
    in_value = false;
    value_target_ = nullptr;
    complete_ = false;
  }

  Task<bool> WriteAll(std::string_view bytes) {
    boost::system::error_code ec;
    co_await asio::async_write(socket_, asio::buffer(bytes), asio::redirect_error(kUse, ec));
    co_return !ec;
  }

  // Answers 200 with a JSON body and writes it out.
  Task<bool> SendJson(std::string_view json) {
    Respond(200, "OK", json);
    co_return co_await WriteAll(out_);
  }

  // A whole answer with a content-length into out_.
  void Respond(int status, std::string_view reason, std::string_view body) {
    out_.clear();
    out_.append("HTTP/1.1 ");
    AppendInt(out_, status);
    out_.push_back(' ');
    out_.append(reason);
    out_.append("\r\ncontent-type: application/json\r\ncontent-length: ");
    AppendInt(out_, int64_t(body.size()));
    out_.append("\r\n\r\n");
    out_.append(body);
  }

  // The head of a chunked stream answer into out_.
  void StartStream(std::string_view content_headers, bool keep_alive) {
    out_.clear();
    out_.append("HTTP/1.1 200 OK\r\n");
    out_.append(content_headers);
    out_.append("transfer-encoding: chunked\r\n");
    if (!keep_alive) out_.append("connection: close\r\n");
    out_.append("\r\n");
  }

  // Appends `count` copies of `piece` (framed HTTP chunks) to out_. With a chunk delay, out_ is
  // written and the delay waited before each copy, so that the client sees them paced; without
  // one, out_ is written only when it passes 64 KiB and the caller writes the rest together with
  // the stream's end, so that a short stream costs one write.
  Task<bool> AppendPaced(std::string_view piece, int64_t count) {
    const auto delay = std::chrono::milliseconds(knobs_.chunk_delay_ms);
    for (int64_t i = 0; i < count; ++i) {
      if (delay.count() > 0) {
        if (!co_await WriteAll(out_)) co_return false;
        out_.clear();
        boost::system::error_code ec;
        timer_.expires_after(delay);
        co_await timer_.async_wait(asio::redirect_error(kUse, ec));
      }
      out_.append(piece);
      if (out_.size() > 64 * 1024) {
        if (!co_await WriteAll(out_)) co_return false;
        out_.clear();
      }
    }
    co_return true;
  }

  int64_t PromptTokens() const { return std::max<int64_t>(1, int64_t(body_.size()) / 4); }
  static int64_t OutputTokens(std::string_view answer) {
    return std::max<int64_t>(1, int64_t(answer.size()) / 4);
  }

  static void AppendUsage(std::string& out, int64_t prompt, int64_t completion) {
    out.append("{\"prompt_tokens\":");
    AppendInt(out, prompt);
    out.append(",\"completion_tokens\":");
    AppendInt(out, completion);
    out.append(",\"total_tokens\":");
    AppendInt(out, prompt + completion);
    out.append(
        ",\"prompt_tokens_details\":{\"cached_tokens\":0,\"audio_tokens\":0},"
        "\"completion_tokens_details\":{\"reasoning_tokens\":0,\"audio_tokens\":0,"
        "\"accepted_prediction_tokens\":0,\"rejected_prediction_tokens\":0}}");
  }

  // Builds one SSE chunk object (without the "data: " framing) into chunk_.
  void BuildChunk(bool chat, std::string_view model, std::string_view content, bool role,
                  bool finish, bool usage_null) {
    chunk_.clear();
    chunk_.append(chat ? "{\"id\":\"chatcmpl-bench\",\"object\":\"chat.completion.chunk\",\"created\":"
                       : "{\"id\":\"cmpl-bench\",\"object\":\"text_completion\",\"created\":");
    chunk_.append(kCreated);
    chunk_.append(",\"model\":\"");
    chunk_.append(model);
    chunk_.append("\",\"system_fingerprint\":\"fp_sluice\",\"choices\":[{\"index\":0,");
    if (chat) {
      if (role) {
        chunk_.append("\"delta\":{\"role\":\"assistant\",\"content\":\"\",\"refusal\":null},");
      } else if (finish) {
        chunk_.append("\"delta\":{},");
      } else {
        chunk_.append("\"delta\":{\"content\":\"");
        chunk_.append(content);
        chunk_.append("\"},");
      }
    } else {
      chunk_.append("\"text\":\"");
      if (!finish) chunk_.append(content);
      chunk_.append("\",");
    }
    chunk_.append("\"logprobs\":null,\"finish_reason\":");
    chunk_.append(finish ? "\"stop\"" : "null");
    chunk_.append("}]");
    if (usage_null) chunk_.append(",\"usage\":null");
    chunk_.push_back('}');
  }

  Task<bool> Answer(bool keep_alive) {
    std::string_view url = url_;
    std::string_view path = url.substr(0, url.find('?'));
    const auto method = static_cast<llhttp_method_t>(parser_.method);
    if (method == HTTP_GET && path.ends_with("/models")) {
      Respond(200, "OK",
              "{\"object\":\"list\",\"data\":[{\"id\":\"gpt-4o-mini\",\"object\":\"model\","
              "\"created\":1735689600,\"owned_by\":\"sluice\"}]}");
    } else if (method != HTTP_POST) {
      Respond(404, "Not Found", kNotFound);
    } else if (path.starts_with("/model/")) {
      co_return co_await AnswerBedrock(path, keep_alive);
    } else if (path.ends_with("/v1/messages")) {
      co_return co_await AnswerAnthropic(keep_alive);
    } else if (path.ends_with("/embeddings")) {
      AnswerEmbeddings();
    } else if (path.ends_with("/completions")) {
      co_return co_await AnswerOpenAI(path.ends_with("/chat/completions"), keep_alive);
    } else {
      Respond(404, "Not Found", kNotFound);
    }
    co_return co_await WriteAll(out_);
  }

  void AnswerEmbeddings() {
    std::string_view model = ModelOf(body_, "text-embedding-3-small");
    const int64_t prompt_tokens = PromptTokens();
    json_.clear();
    json_.append("{\"object\":\"list\",\"data\":[{\"object\":\"embedding\",\"index\":0,"
                 "\"embedding\":");
    json_.append(shared_.embedding_vector);
    json_.append("}],\"model\":\"");
    json_.append(model);
    json_.append("\",\"usage\":{\"prompt_tokens\":");
    AppendInt(json_, prompt_tokens);
    json_.append(",\"total_tokens\":");
    AppendInt(json_, prompt_tokens);
    json_.append("}}");
    Respond(200, "OK", json_);
  }

  // OpenAI chat completions (`chat`) or completions: JSON, or SSE with "stream":true.
  Task<bool> AnswerOpenAI(bool chat, bool keep_alive) {
    std::string_view body = body_;
    std::string_view model = ModelOf(body, kModelDefault);
    const int64_t prompt_tokens = PromptTokens();
    if (!KeyIsTrue(body, "\"stream\"")) {
      const std::string& answer = shared_.Answer(knobs_.response_bytes);
      json_.clear();
      json_.append(chat ? "{\"id\":\"chatcmpl-bench\",\"object\":\"chat.completion\",\"created\":"
                        : "{\"id\":\"cmpl-bench\",\"object\":\"text_completion\",\"created\":");
      json_.append(kCreated);
      json_.append(",\"model\":\"");
      json_.append(model);
      json_.append(chat ? "\",\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\","
                          "\"content\":\""
                        : "\",\"choices\":[{\"index\":0,\"text\":\"");
      json_.append(answer);
      json_.append(chat ? "\",\"refusal\":null},\"logprobs\":null,\"finish_reason\":\"stop\"}],"
                        : "\",\"logprobs\":null,\"finish_reason\":\"stop\"}],");
      json_.append("\"usage\":");
      AppendUsage(json_, prompt_tokens, OutputTokens(answer));
      json_.append(",\"system_fingerprint\":\"fp_sluice\"}");
      co_return co_await SendJson(json_);
    }

    // A stream: head, (role chunk,) content chunks, finish chunk, (usage chunk,) [DONE].
    const bool include_usage = KeyIsTrue(body, "\"include_usage\"");
    const int64_t chunks = knobs_.chunks;
    StartStream(kSseHeaders, keep_alive);
    if (chat) {
      BuildChunk(chat, model, {}, true, false, include_usage);
      AppendSseChunk(out_, "", chunk_);
    }
    // The content chunk echoes the model, so it is framed once per request.
    BuildChunk(chat, model, kChunkText, false, false, include_usage);
    piece_.clear();
    AppendSseChunk(piece_, "", chunk_);
    if (!co_await AppendPaced(piece_, chunks)) co_return false;
    BuildChunk(chat, model, {}, false, true, include_usage);
    AppendSseChunk(out_, "", chunk_);
    if (include_usage) {
      chunk_.clear();
      chunk_.append(chat ? "{\"id\":\"chatcmpl-bench\",\"object\":\"chat.completion.chunk\","
                           "\"created\":"
                         : "{\"id\":\"cmpl-bench\",\"object\":\"text_completion\",\"created\":");
      chunk_.append(kCreated);
      chunk_.append(",\"model\":\"");
      chunk_.append(model);
      chunk_.append("\",\"system_fingerprint\":\"fp_sluice\",\"choices\":[],\"usage\":");
      AppendUsage(chunk_, prompt_tokens, chunks);
      chunk_.push_back('}');
      AppendSseChunk(out_, "", chunk_);
    }
    out_.append("e\r\ndata: [DONE]\n\n\r\n0\r\n\r\n");
    co_return co_await WriteAll(out_);
  }

  static void AppendAnthropicUsage(std::string& out, int64_t input, int64_t output) {
    out.append("{\"input_tokens\":");
    AppendInt(out, input);
    out.append(",\"output_tokens\":");
    AppendInt(out, output);
    out.push_back('}');
  }

  // Anthropic Messages: a message, or with "stream":true its SSE events (message_start,
  // content_block_start, ping, content_block_delta × chunks, content_block_stop, message_delta,
  // message_stop).
  Task<bool> AnswerAnthropic(bool keep_alive) {
    std::string_view body = body_;
    std::string_view model = ModelOf(body, kAnthropicModelDefault);
    const int64_t input_tokens = PromptTokens();
    json_.clear();
    if (!KeyIsTrue(body, "\"stream\"")) {
      const std::string& answer = shared_.Answer(knobs_.response_bytes);
      json_.append(
          "{\"id\":\"msg_bench\",\"type\":\"message\",\"role\":\"assistant\",\"model\":\"");
      json_.append(model);
      json_.append("\",\"content\":[{\"type\":\"text\",\"text\":\"");
      json_.append(answer);
      json_.append("\"}],\"stop_reason\":\"end_turn\",\"stop_sequence\":null,\"usage\":");
      AppendAnthropicUsage(json_, input_tokens, OutputTokens(answer));
      json_.push_back('}');
      co_return co_await SendJson(json_);
    }
    const int64_t chunks = knobs_.chunks;
    const StreamPieces& pieces = shared_.pieces;
    StartStream(kSseHeaders, keep_alive);
    json_.append(
        "{\"type\":\"message_start\",\"message\":{\"id\":\"msg_bench\",\"type\":\"message\","
        "\"role\":\"assistant\",\"model\":\"");
    json_.append(model);
    json_.append("\",\"content\":[],\"stop_reason\":null,\"stop_sequence\":null,\"usage\":");
    AppendAnthropicUsage(json_, input_tokens, 1);
    json_.append("}}");
    AppendSseChunk(out_, "message_start", json_);
    out_.append(pieces.anthropic_open);
    if (!co_await AppendPaced(pieces.anthropic_delta, chunks)) co_return false;
    out_.append(pieces.anthropic_close);
    json_.clear();
    json_.append("{\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"end_turn\","
                 "\"stop_sequence\":null},\"usage\":{\"output_tokens\":");
    AppendInt(json_, chunks);
    json_.append("}}");
    AppendSseChunk(out_, "message_delta", json_);
    out_.append(pieces.anthropic_end);
    co_return co_await WriteAll(out_);
  }

  static void AppendBedrockUsageAndMetrics(std::string& out, int64_t input, int64_t output,
                                 int64_t latency_ms) {
    out.append("\"usage\":{\"inputTokens\":");
    AppendInt(out, input);
    out.append(",\"outputTokens\":");
    AppendInt(out, output);
    out.append(",\"totalTokens\":");
    AppendInt(out, input + output);
    out.append("},\"metrics\":{\"latencyMs\":");
    AppendInt(out, latency_ms);
    out.push_back('}');
  }

  // Bedrock Converse (/model/{id}/converse: JSON) and ConverseStream (/model/{id}/converse-stream:
  // AWS event-stream messages messageStart, contentBlockDelta × chunks, contentBlockStop,
  // messageStop, metadata, in HTTP chunks). SigV4 is not checked: any Authorization is accepted.
  Task<bool> AnswerBedrock(std::string_view path, bool keep_alive) {
    const bool stream = path.ends_with("/converse-stream");
    if (!stream && !path.ends_with("/converse")) {
      Respond(404, "Not Found", "{\"message\":\"Unknown operation\"}");
      co_return co_await WriteAll(out_);
    }
    const int64_t input_tokens = PromptTokens();
    json_.clear();
    if (!stream) {
      const std::string& answer = shared_.Answer(knobs_.response_bytes);
      json_.append("{\"output\":{\"message\":{\"role\":\"assistant\",\"content\":[{\"text\":\"");
      json_.append(answer);
      json_.append("\"}]}},\"stopReason\":\"end_turn\",");
      AppendBedrockUsageAndMetrics(json_, input_tokens, OutputTokens(answer), knobs_.latency_ms);
      json_.push_back('}');
      co_return co_await SendJson(json_);
    }
    const int64_t chunks = knobs_.chunks;
    const StreamPieces& pieces = shared_.pieces;
    StartStream(kEventStreamHeaders, keep_alive);
    out_.append(pieces.bedrock_open);
    if (!co_await AppendPaced(pieces.bedrock_delta, chunks)) co_return false;
    out_.append(pieces.bedrock_close);
    json_.push_back('{');
    AppendBedrockUsageAndMetrics(json_, input_tokens, chunks,
                       knobs_.latency_ms + chunks * knobs_.chunk_delay_ms);
    json_.append(",\"p\":\"abcdefghijklmnopqrstuvwxyzABCDEF\"}");
    chunk_.clear();
    codec::AppendEventStreamMessage(chunk_, pieces.bedrock_metadata_headers, json_);
    AppendHttpChunk(out_, chunk_);
    out_.append("0\r\n\r\n");
    co_return co_await WriteAll(out_);
  }

  Socket socket_;
  Shared& shared_;
  Timer timer_;
  llhttp_settings_t settings_;
  llhttp_t parser_;
  std::string input_;
  std::string url_, field_, value_, body_;
  std::string out_, json_, chunk_, piece_;
  bool in_value = false;
  int64_t* value_target_ = nullptr;
  bool complete_ = false;
  Knobs knobs_{};
};

Task<void> AcceptLoop(Acceptor& acceptor, Shared& shared) {
  while (acceptor.is_open()) {
    boost::system::error_code ec;
    Socket socket = co_await acceptor.async_accept(asio::redirect_error(kUse, ec));
    if (ec) {
      if (ec == asio::error::operation_aborted || !acceptor.is_open()) co_return;
      Timer backoff(acceptor.get_executor(), std::chrono::milliseconds(20));
      co_await backoff.async_wait(asio::redirect_error(kUse, ec));
      continue;
    }
    auto conn = std::make_shared<Connection>(std::move(socket), shared);
    asio::co_spawn(acceptor.get_executor(), [conn]() -> Task<void> { co_await conn->Run(); },
                   asio::detached);
  }
}

std::string EmbeddingVector(int dims) {
  std::string out = "[";
  for (int i = 0; i < dims; ++i) {
    if (i) out.push_back(',');
    // Deterministic values of the width real embeddings have ("-0.0123456789").
    const int64_t v = (int64_t(i) * 7919 % 20000) - 10000;
    out.append(v < 0 ? "-0.0" : "0.0");
    AppendInt(out, 100000000 + std::abs(v) * 7);
  }
  out.push_back(']');
  return out;
}

std::vector<std::pair<std::string, std::string>> BedrockEventHeaders(std::string event_type) {
  return {{":event-type", std::move(event_type)},
          {":content-type", "application/json"},
          {":message-type", "event"}};
}

// One ConverseStream event in an HTTP chunk. Bedrock pads every event's JSON with a "p" field of
// letters that hides the payload's length; the fake does too, so that gateways parse what they
// parse in production.
void AppendBedrockEventChunk(std::string& out, std::string event_type, std::string_view payload) {
  std::string frame;
  codec::AppendEventStreamMessage(frame, BedrockEventHeaders(std::move(event_type)), payload);
  AppendHttpChunk(out, frame);
}

StreamPieces BuildStreamPieces() {
  const std::string text(kChunkText);
  StreamPieces p;
  AppendSseChunk(p.anthropic_open, "content_block_start",
                 "{\"type\":\"content_block_start\",\"index\":0,\"content_block\":"
                 "{\"type\":\"text\",\"text\":\"\"}}");
  AppendSseChunk(p.anthropic_open, "ping", "{\"type\": \"ping\"}");
  AppendSseChunk(p.anthropic_delta, "content_block_delta",
                 "{\"type\":\"content_block_delta\",\"index\":0,\"delta\":"
                 "{\"type\":\"text_delta\",\"text\":\"" + text + "\"}}");
  AppendSseChunk(p.anthropic_close, "content_block_stop",
                 "{\"type\":\"content_block_stop\",\"index\":0}");
  AppendSseChunk(p.anthropic_end, "message_stop", "{\"type\":\"message_stop\"}");
  p.anthropic_end.append("0\r\n\r\n");

  AppendBedrockEventChunk(p.bedrock_open, "messageStart",
                          "{\"role\":\"assistant\",\"p\":\"abcdefgh\"}");
  AppendBedrockEventChunk(p.bedrock_delta, "contentBlockDelta",
                          "{\"contentBlockIndex\":0,\"delta\":{\"text\":\"" + text +
                              "\"},\"p\":\"abcdefghijklmnopqrstu\"}");
  AppendBedrockEventChunk(p.bedrock_close, "contentBlockStop",
                          "{\"contentBlockIndex\":0,\"p\":\"abcdefghijklmnopq\"}");
  AppendBedrockEventChunk(p.bedrock_close, "messageStop",
                          "{\"stopReason\":\"end_turn\",\"p\":\"abcdefghijklmnopqrstuvwx\"}");
  p.bedrock_metadata_headers = BedrockEventHeaders("metadata");
  return p;
}

}  // namespace

struct BenchProvider::Impl {
  asio::io_context context{1};
  std::unique_ptr<Acceptor> acceptor;
  Shared shared;
  std::thread thread;
  uint16_t port = 0;
};

BenchProvider::BenchProvider(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

BenchProvider::~BenchProvider() { Stop(); }

Result<std::unique_ptr<BenchProvider>> BenchProvider::Start(const BenchProviderOptions& options) {
  auto impl = std::make_unique<Impl>();
  impl->shared.options = options;
  impl->shared.embedding_vector = EmbeddingVector(options.embedding_dims);
  impl->shared.pieces = BuildStreamPieces();
  impl->shared.Answer(int64_t(options.response_bytes));
  boost::system::error_code ec;
  const auto address = asio::ip::make_address(options.address, ec);
  if (ec) return Error(ErrorKind::kInvalidArgument, "invalid address " + options.address);
  impl->acceptor = std::make_unique<Acceptor>(impl->context.get_executor());
  const asio::ip::tcp::endpoint endpoint(address, options.port);
  impl->acceptor->open(endpoint.protocol(), ec);
  if (!ec) impl->acceptor->set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) impl->acceptor->bind(endpoint, ec);
  if (!ec) impl->acceptor->listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    return Error(ErrorKind::kUnavailable, "cannot listen on " + options.address + ":" +
                                              std::to_string(options.port) + ": " + ec.message());
  }
  impl->port = impl->acceptor->local_endpoint().port();
  asio::co_spawn(impl->context, AcceptLoop(*impl->acceptor, impl->shared), asio::detached);
  Impl* raw = impl.get();
  impl->thread = std::thread([raw] { raw->context.run(); });
  return std::unique_ptr<BenchProvider>(new BenchProvider(std::move(impl)));
}

uint16_t BenchProvider::port() const { return impl_->port; }

uint64_t BenchProvider::requests() const {
  return impl_->shared.requests.load(std::memory_order_relaxed);
}

pthread_t BenchProvider::thread_handle() { return impl_->thread.native_handle(); }

void BenchProvider::Stop() {
  if (!impl_) return;
  impl_->context.stop();
  if (impl_->thread.joinable()) impl_->thread.join();
}

}  // namespace sluice::fake
