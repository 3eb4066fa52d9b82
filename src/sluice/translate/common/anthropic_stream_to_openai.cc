#include "sluice/translate/common/anthropic_stream_to_openai.h"

#include "sluice/codec/sse.h"
#include "sluice/core/strings.h"
#include "sluice/schema/anthropic/messages.h"
#include "sluice/schema/openai/chat.h"
#include "sluice/translate/common/anthropic_openai.h"
#include "sluice/translate/common/json_util.h"

namespace sluice::translate::common {

namespace aw = schema::anthropic;
namespace ow = schema::openai;

const std::string& AnthropicStreamToOpenAI::ChunkHead() {
  if (chunk_head_.empty()) {
    std::string& c = chunk_head_;
    c = R"({"id":)";
    c += JsonQuote(id_);
    c += R"(,"object":"chat.completion.chunk","created":)";
    c += std::to_string(created_);
    c += R"(,"model":)";
    c += JsonQuote(model());
  }
  return chunk_head_;
}

void AnthropicStreamToOpenAI::Chunk(std::string& out, std::string_view delta_json,
                                    std::string_view finish_reason) {
  std::string c = ChunkHead();
  c += R"(,"choices":[{"index":0,"delta":)";
  c += delta_json;
  c += R"(,"logprobs":null,"finish_reason":)";
  c += finish_reason.empty() ? std::string("null") : JsonQuote(finish_reason);
  c += "}]}";
  codec::AppendSseEvent(out, {}, c);
}

void AnthropicStreamToOpenAI::OnEvent(const bj::object& event, std::string& out) {
  if (finished_ || !error_.empty()) return;
  const std::string_view type = StringOr(event, aw::kType, "");
  if (type == aw::kEventMessageStart) {
    if (const bj::object* m = FindObject(event, aw::kMessage)) {
      usage_.OnMessage(*m);
      id_ = usage_.id();
      model_ = usage_.model();
      chunk_head_.clear();  // built again with them
    }
    Chunk(out, R"({"role":"assistant","content":""})");
  } else if (type == aw::kEventBlockStart) {
    const bj::object* block = FindObject(event, aw::kContentBlock);
    if (block == nullptr) return;
    const std::string_view btype = StringOr(*block, aw::kType, "");
    if (btype == aw::kBlockToolUse || btype == aw::kBlockServerToolUse) {
      const int index = next_tool_++;
      tools_[FindCount(event, aw::kIndex).value_or(0)] = index;
      std::string args;
      if (const bj::object* input = FindObject(*block, aw::kInput); input && !input->empty()) {
        args = ToJson(*input);
      }
      std::string d = R"({"tool_calls":[{"index":)";
      d += std::to_string(index);
      d += R"(,"id":)";
      d += JsonQuote(StringOr(*block, aw::kId, ""));
      d += R"(,"type":"function","function":{"name":)";
      d += JsonQuote(StringOr(*block, aw::kName, ""));
      d += R"(,"arguments":)";
      d += JsonQuote(args);
      d += "}}]}";
      Chunk(out, d);
    } else if (btype == aw::kBlockRedactedThinking) {
      Chunk(out, R"({"thinking_blocks":[{"type":"redacted_thinking","data":)" +
                     JsonQuote(StringOr(*block, aw::kData, "")) + "}]}");
    } else if (btype == aw::kBlockText) {
      if (auto t = FindString(*block, aw::kText); t && !t->empty()) {
        Chunk(out, R"({"content":)" + JsonQuote(*t) + "}");
      }
    } else if (btype == aw::kBlockThinking) {
      if (auto t = FindString(*block, aw::kBlockThinking); t && !t->empty()) {
        Chunk(out, R"({"reasoning_content":)" + JsonQuote(*t) + "}");
      }
    }
  } else if (type == aw::kEventBlockDelta) {
    const bj::object* delta = FindObject(event, aw::kDelta);
    if (delta == nullptr) return;
    const std::string_view dtype = StringOr(*delta, aw::kType, "");
    if (dtype == aw::kDeltaText) {
      Chunk(out, R"({"content":)" + JsonQuote(StringOr(*delta, aw::kText, "")) + "}");
    } else if (dtype == aw::kDeltaThinking) {
      Chunk(out,
            R"({"reasoning_content":)" + JsonQuote(StringOr(*delta, aw::kBlockThinking, "")) + "}");
    } else if (dtype == aw::kDeltaSignature) {
      Chunk(out, R"({"thinking_blocks":[{"type":"thinking","thinking":"","signature":)" +
                     JsonQuote(StringOr(*delta, aw::kSignature, "")) + "}]}");
    } else if (dtype == aw::kDeltaInputJson) {
      const auto partial = StringOr(*delta, aw::kPartialJson, "");
      auto it = tools_.find(FindCount(event, aw::kIndex).value_or(0));
      if (partial.empty() || it == tools_.end()) return;
      std::string d = R"({"tool_calls":[{"index":)";
      d += std::to_string(it->second);
      d += R"(,"function":{"arguments":)";
      d += JsonQuote(partial);
      d += "}}]}";
      Chunk(out, d);
    }
    // citations_delta: OpenAI chat has no citations; the cited text arrives as text_delta.
  } else if (type == aw::kEventMessageDelta) {
    usage_.OnMessageDelta(event);
    if (const bj::object* delta = FindObject(event, aw::kDelta)) {
      if (auto r = FindString(*delta, aw::kStopReason)) stop_reason_ = std::string(*r);
    }
  } else if (type == aw::kEventMessageStop) {
    Chunk(out, "{}", OpenAIFinishReason(stop_reason_));
  } else if (type == aw::kEventError) {
    const bj::object* err = FindObject(event, aw::kError);
    OnError(err ? StringOr(*err, aw::kType, aw::kErrInternalServer) : aw::kErrInternalServer,
            err ? StringOr(*err, aw::kMessage, "") : "", out);
  }
  // ping and unknown events carry nothing for an OpenAI client.
}

void AnthropicStreamToOpenAI::OnError(std::string_view type, std::string_view message,
                                      std::string& out) {
  if (finished_ || !error_.empty()) return;
  error_ = std::string(type) + ": " + std::string(message);
  std::string e = R"({"error":{"message":)";
  e += JsonQuote(message);
  e += R"(,"type":)";
  e += JsonQuote(type);
  e += R"(,"code":null}})";
  codec::AppendSseEvent(out, {}, e);
}

void AnthropicStreamToOpenAI::Finish(std::string& out) {
  if (finished_) return;
  finished_ = true;
  if (usage_.seen()) {
    std::string c = ChunkHead();
    c += R"(,"choices":[],"usage":)";
    c += OpenAIUsageJson(usage_);
    c += '}';
    codec::AppendSseEvent(out, {}, c);
  }
  codec::AppendSseEvent(out, {}, ow::kDone);
}

}  // namespace sluice::translate::common
