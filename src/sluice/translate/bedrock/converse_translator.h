#pragma once

// What the two translators to Converse (OpenAI chat, Anthropic messages) share between the client's
// body and the client's answer: the body parsed and handed to the subclass to build the Converse
// request, a JSON answer parsed, a ConverseStream answer decoded event by event, at most one
// failure event in a stream (an exception frame, or a stream that ends early) after which nothing
// more is sent, and a response id when Bedrock gave none. Subclasses write their client's shapes.

#include <string>
#include <string_view>

#include "sluice/translate/bedrock/converse_common.h"
#include "sluice/translate/rebuilding_translator.h"

namespace sluice::translate::bedrock {

class ConverseTranslator : public RebuildingTranslator {
 public:
  // `id_prefix` starts the response id made up when Bedrock sent no x-amzn-requestid.
  explicit ConverseTranslator(std::string_view id_prefix) : id_prefix_(id_prefix) {}

  Result<UpstreamRequest> TranslateRequest(const ClientRequest& request) final;
  void SetUpstreamRequestId(std::string_view id) final { id_ = std::string(id); }
  ResponseShape OnResponseHead(int status, std::string_view upstream_content_type) final;
  std::string_view stream_error() const final { return stream_error_; }

 protected:
  // The upstream request for the client's body (model_ and stream_ are set).
  virtual Result<UpstreamRequest> BuildRequest(object body) = 0;
  // One ConverseStream event, translated into `out`. stopped_ is already set by messageStop, and
  // usage_ and info_.usage by the usage of metadata.
  virtual Result<void> OnEvent(const ConverseEvent& event, std::string& out) = 0;
  // Ends the client's stream with its error event: `type` is Bedrock's exception type (empty when
  // the stream was cut short), `status` the HTTP status that stands for it. Sets failed_ and
  // stream_error_.
  virtual void FailStream(std::string& out, std::string_view type, int status,
                          std::string_view message) = 0;
  // The stream ended normally (after messageStop).
  virtual void EndStream(std::string& out) = 0;
  // The JSON answer, translated into `out` (usage_ and info_.usage are already set).
  virtual void TranslateJson(const ConverseOutput& answer, std::string& out) = 0;

  std::string model_;  // the model asked for: Bedrock's answers do not name it
  std::string id_;     // Bedrock's x-amzn-requestid, the client response's id
  ConverseUsage usage_;
  bool stopped_ = false;  // messageStop seen
  bool failed_ = false;   // the error event was sent: nothing follows it
  std::string stream_error_;

 private:
  Result<void> OnStreamBytes(std::string_view bytes, std::string& out) final;
  Result<void> OnStreamEnd(std::string& out) final;
  Result<void> OnJsonAnswer(std::string_view body, std::string& out) final;

  std::string_view id_prefix_;
  ConverseStreamReader reader_;
};

}  // namespace sluice::translate::bedrock
