#pragma once

// What the translators to Converse (OpenAI chat, Anthropic messages) share on the request side:
// reading the client's document, the Converse content blocks and request members they write, and
// the upstream request itself (Amazon Bedrock API Reference, "Converse", "ConverseStream" and the
// data types they use).

#include <simdjson.h>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sluice/core/result.h"
#include "sluice/translate/bedrock/json_writer.h"
#include "sluice/translate/common/field_errors.h"
#include "sluice/translate/translator.h"

namespace sluice::translate::bedrock {

// Errors naming the client's field, as every translator reports them.
using common::At;
using common::BadField;
using common::Dot;
using common::Unprocessable;

// The client's body as a JSON object, parsed into `parser` (which owns the DOM). Malformed JSON and
// a body that is not an object are the client's 400.
Result<simdjson::dom::object> ParseClientObject(simdjson::dom::parser& parser,
                                                std::string_view body);

// POST /model/{model}/converse, or /converse-stream when `stream`, carrying `body`.
UpstreamRequest ConverseRequest(std::string_view model, bool stream, std::string body);

// True for a JSON number, integral or not.
bool IsNumber(simdjson::dom::element e);
// A client's number field copied into `w` as `key`; nothing when absent or null. Another type is
// a 400 naming `field` with `must_be` ("must be a number"). Converse itself checks the range.
Result<void> CopyNumber(JsonWriter& w, std::string_view key,
                        const std::optional<simdjson::dom::element>& value, std::string_view field,
                        std::string_view must_be);

// A cache_control marker on a block, part, message or tool (Anthropic's field, which
// OpenAI-compatible clients send too): Converse's equivalent is a cachePoint block after it
// (Bedrock User Guide, "Prompt caching").
bool HasCacheControl(simdjson::dom::object o);

// Converse content blocks.
void WriteTextBlock(JsonWriter& w, std::string_view text);  // {"text":T}
void WriteCachePoint(JsonWriter& w);                        // {"cachePoint":{"type":"default"}}
// {"image":{"format":F,"source":{"bytes":B64}}}
void WriteImageBlock(JsonWriter& w, std::string_view format, std::string_view base64);
// {"document":{"format":F,"name":N,"source":{"bytes":B64}}}
void WriteDocumentBlock(JsonWriter& w, std::string_view format, std::string_view name,
                        std::string_view base64);
// {"toolUse":{"toolUseId":I,"name":N,"input":J}}, `input_json` being JSON text.
void WriteToolUseBlock(JsonWriter& w, std::string_view id, std::string_view name,
                       std::string_view input_json);
// {"reasoningContent":{"reasoningText":{"text":T,"signature":S}}}, the signature when given.
void WriteReasoningBlock(JsonWriter& w, std::string_view text,
                         std::optional<std::string_view> signature);
// {"reasoningContent":{"redactedContent":B64}}
void WriteRedactedReasoningBlock(JsonWriter& w, std::string_view base64);

// ImageBlock formats (API Reference "ImageBlock": png | jpeg | gif | webp) by media type.
std::optional<std::string_view> ImageFormat(std::string_view media_type);
// DocumentBlock formats (pdf | csv | doc | docx | xls | xlsx | html | txt | md) by media type.
std::optional<std::string_view> DocumentFormat(std::string_view media_type);
// A DocumentBlock name from a file name: Bedrock allows alphanumerics, single spaces, hyphens,
// parentheses and square brackets; the extension is dropped, other characters become spaces.
std::string DocumentName(std::string_view filename);

// An RFC 2397 data URI: media type and the payload as canonical base64 (a percent-encoded
// payload is encoded). nullopt when `uri` is not a well-formed data URI.
struct DataUri {
  std::string media_type;
  std::string base64;
};
std::optional<DataUri> ParseDataUri(std::string_view uri);

// Converse messages being assembled. Converse wants user and assistant turns to alternate, so a
// message with the same role as the one before it is merged into it (OpenAI tool messages after
// one another, an Anthropic user turn following tool results, ...).
class ConverseMessageList {
 public:
  // A writer positioned to append content blocks to the current message of `role` (a new one
  // when the role changes). The writer is valid until the next Blocks() call.
  JsonWriter& Blocks(std::string_view role);
  // Drops the current message when nothing was written to it (an assistant turn with no content).
  void DropIfEmpty();
  bool empty() const { return messages_.empty(); }
  // Writes the "messages" array.
  void Write(JsonWriter& w) const;

 private:
  struct Message {
    std::string role;
    std::string blocks;  // comma-separated content block objects
  };
  std::vector<Message> messages_;
  std::optional<JsonWriter> writer_;
};

// One entry of toolConfig.tools: {"toolSpec":{"name","description" (when not empty),
// "inputSchema":{"json":schema},"strict":true (when set)}}. inputSchema is required by Converse: a
// tool without one takes an object schema with no properties.
void WriteToolSpec(JsonWriter& w, std::string_view name, std::string_view description,
                   std::optional<simdjson::dom::element> input_schema, bool strict);
// "toolChoice": {"auto":{}}, {"any":{}} or {"tool":{"name":N}} (br::kToolChoiceAuto, ...Any,
// ...Tool as `choice`).
void WriteToolChoice(JsonWriter& w, std::string_view choice, std::string_view tool_name = {});
// "outputConfig" for structured output (API Reference, "OutputConfig"): {"textFormat":{"type":
// "json_schema","structure":{"jsonSchema":{"schema":<the schema as JSON text>,"name","description"
// (each when given)}}}}.
void WriteJsonSchemaOutput(JsonWriter& w, simdjson::dom::element schema,
                           std::optional<std::string_view> name = {},
                           std::optional<std::string_view> description = {});

}  // namespace sluice::translate::bedrock
