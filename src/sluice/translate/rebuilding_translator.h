#pragma once

// A translator that rebuilds the answer in the client's shape rather than relaying it: a JSON
// answer is buffered whole and translated once it has ended, a stream is translated piece by
// piece as it arrives. The client gets text/event-stream for a stream and application/json
// otherwise. Subclasses set stream_ from the request and fill info_.

#include <string>
#include <string_view>

#include "sluice/limit/usage.h"
#include "sluice/translate/translator.h"

namespace sluice::translate {

class RebuildingTranslator : public Translator {
 public:
  bool relays_unchanged() const final { return false; }
  ResponseShape OnResponseHead(int status, std::string_view upstream_content_type) override;
  Result<void> OnUpstreamBody(std::string_view bytes, std::string& out) final;
  Result<void> OnUpstreamEnd(std::string& out) final;
  const limit::ResponseInfo& response() const final { return info_; }

 protected:
  // The next bytes of a streamed answer, translated into `out`.
  virtual Result<void> OnStreamBytes(std::string_view bytes, std::string& out) = 0;
  // The streamed answer ended: the end of the client's stream into `out`.
  virtual Result<void> OnStreamEnd(std::string& out) = 0;
  // The whole JSON answer, translated into `out`.
  virtual Result<void> OnJsonAnswer(std::string_view body, std::string& out) = 0;

  bool stream_ = false;
  limit::ResponseInfo info_;

 private:
  std::string body_;  // the JSON answer, buffered
};

}  // namespace sluice::translate
