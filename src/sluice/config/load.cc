#include "sluice/config/load.h"

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <system_error>

#include "sluice/config/compile.h"
#include "sluice/config/envsubst.h"
#include "sluice/config/parse.h"

namespace sluice::config {

namespace {

namespace fs = std::filesystem;

bool IsYamlFile(const fs::path& path) {
  const std::string ext = path.extension().string();
  return ext == ".yaml" || ext == ".yml";
}

int64_t NowUnixSeconds() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// One (name, text) input; files are read first so that every problem with them is reported
// alongside the config errors.
struct Source {
  std::string name;
  std::string text;
};

LoadResult Finish(const std::vector<Source>& sources, const GetEnv& env, model::Diagnostics diag) {
  model::Resources resources;
  for (const Source& source : sources) {
    const std::string text = SubstituteEnv(source.text, source.name, env, diag.warnings);
    ParseText(text, source.name, env, resources, diag);
  }
  std::shared_ptr<RuntimeConfig> config = Compile(resources, NowUnixSeconds(), diag);
  for (const Source& source : sources) config->source_files.push_back(source.name);
  LoadResult result;
  if (diag.errors.empty()) result.config = std::move(config);
  result.errors = std::move(diag.errors);
  result.warnings = std::move(diag.warnings);
  result.ignored = std::move(diag.ignored);
  return result;
}

std::optional<std::string> ReadFile(const fs::path& path, std::string& error) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    error = path.string() + ": cannot read file: " + std::generic_category().message(errno);
    return std::nullopt;
  }
  std::ostringstream contents;
  contents << in.rdbuf();
  return contents.str();
}

}  // namespace

GetEnv ProcessEnv() {
  return [](std::string_view name) -> std::optional<std::string> {
    const char* value = std::getenv(std::string(name).c_str());
    if (value == nullptr) return std::nullopt;
    return std::string(value);
  };
}

LoadResult LoadText(std::string_view yaml, std::string_view source_name, const GetEnv& env) {
  return Finish({Source{std::string(source_name), std::string(yaml)}}, env, {});
}

LoadResult LoadFiles(const std::vector<std::string>& paths, const GetEnv& env) {
  model::Diagnostics diag;
  std::vector<Source> sources;
  auto add_file = [&](const fs::path& path) {
    std::string error;
    std::optional<std::string> text = ReadFile(path, error);
    if (!text.has_value()) {
      diag.errors.push_back(std::move(error));
      return;
    }
    sources.push_back({path.string(), std::move(*text)});
  };
  for (const std::string& p : paths) {
    const fs::path path(p);
    std::error_code ec;
    const fs::file_status status = fs::status(path, ec);
    if (ec || !fs::exists(status)) {
      diag.errors.push_back(p + ": no such file or directory");
      continue;
    }
    if (!fs::is_directory(status)) {
      add_file(path);
      continue;
    }
    std::vector<fs::path> files;
    for (const fs::directory_entry& entry : fs::directory_iterator(path, ec)) {
      const std::string name = entry.path().filename().string();
      if (name.starts_with(".") || !IsYamlFile(entry.path())) continue;
      std::error_code file_ec;
      if (!entry.is_regular_file(file_ec)) continue;
      files.push_back(entry.path());
    }
    if (ec) {
      diag.errors.push_back(p + ": cannot list directory: " + ec.message());
      continue;
    }
    std::sort(files.begin(), files.end());
    if (files.empty()) diag.warnings.push_back(p + ": no *.yaml or *.yml files in this directory");
    for (const fs::path& file : files) add_file(file);
  }
  return Finish(sources, env, std::move(diag));
}

}  // namespace sluice::config
