#pragma once

// stdio MCP servers (MCP Transports §stdio) behind the gateway: each is spawned as a child
// process and bridged to a Streamable HTTP endpoint on a loopback port, so the gateway reaches it
// like any other backend (as `aigw run` does for `command` servers).
//
// The bridge speaks the server side of Streamable HTTP without sessions of its own: a POSTed
// request is written to the child's stdin as one line, and the answer comes back as an SSE stream
// carrying every message the child writes until the response with the same id (notifications and
// server requests in between included). Notifications and responses from the client get 202.
// Messages the child sends outside any request go to the GET stream when one is open.
//
// A stdio server serves exactly one client session, so the first initialize goes to the child
// and later ones are answered from its recorded result.
//
// Runs on its own thread and io_context. Stop() (or the destructor) ends the child with SIGTERM,
// then SIGKILL.

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "sluice/core/result.h"

namespace sluice::mcp {

struct StdioServerSpec {
  std::string name;
  std::string command;
  std::vector<std::string> args;
  std::vector<std::pair<std::string, std::string>> env;  // added to the parent's environment
};

class StdioBridge {
 public:
  // Spawns the process and starts the bridge on 127.0.0.1 with a free port.
  static Result<std::unique_ptr<StdioBridge>> Start(const StdioServerSpec& spec);
  ~StdioBridge();
  std::string url() const;  // http://127.0.0.1:<port>/mcp
  int pid() const;
  void Stop();

  struct Impl;

 private:
  explicit StdioBridge(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace sluice::mcp
