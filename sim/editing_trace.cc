// Loading editing traces: zlib for the gzip layer, nlohmann-json for the
// JSON, our own checks for the shape (see editing_trace.h).
#include "sim/editing_trace.h"

#include <zlib.h>

#include <memory>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "engines/common/utf8.h"
#include "nlohmann/json.hpp"
#include "sim/input_file.h"

namespace collabsim::sim {
namespace {

using Json = nlohmann::json;

absl::StatusOr<std::string> ReadGzip(const std::string& path) {
  gzFile file = gzopen(path.c_str(), "rb");
  if (file == nullptr) return absl::NotFoundError(absl::StrCat(path, ": cannot open"));
  std::unique_ptr<gzFile_s, int (*)(gzFile)> closer(file, gzclose);
  std::string bytes;
  char buffer[1 << 16];
  for (;;) {
    const int n = gzread(file, buffer, sizeof(buffer));
    if (n < 0) {
      int code = 0;
      return absl::InvalidArgumentError(absl::StrCat(path, ": not readable gzip: ", gzerror(file, &code)));
    }
    if (n == 0) break;
    bytes.append(buffer, static_cast<size_t>(n));
    if (bytes.size() > kMaxTraceBytes) {  // a gzip bomb stops here, not at the end of memory
      return absl::InvalidArgumentError(absl::StrCat(path, ": decompresses to more than ",
                                                     DescribeBytes(kMaxTraceBytes), " (the limit for a trace)"));
    }
  }
  // gzread stops quietly at a truncated stream; gzerror says so.
  int code = 0;
  const char* message = gzerror(file, &code);
  if (code != Z_OK && code != Z_STREAM_END) {
    return absl::InvalidArgumentError(absl::StrCat(path, ": not readable gzip: ", message));
  }
  return bytes;
}

// Validation with the JSON path of the value being read.
class Reader {
 public:
  explicit Reader(std::string file) : file_(std::move(file)) {}

  absl::Status Error(const std::string& where, const std::string& what) const {
    return absl::InvalidArgumentError(absl::StrCat(file_, ": ", where, ": ", what));
  }
  absl::StatusOr<uint64_t> Unsigned(const Json& value, const std::string& where) const {
    if (!value.is_number_unsigned()) return Error(where, "expected a non-negative integer");
    return value.get<uint64_t>();
  }
  absl::StatusOr<std::string> Text(const Json& value, const std::string& where) const {
    if (!value.is_string()) return Error(where, "expected a string");
    std::string text = value.get<std::string>();
    if (!DecodeUtf8(text).ok()) return Error(where, "not valid UTF-8");
    return text;
  }

 private:
  std::string file_;
};

absl::StatusOr<TracePatch> ReadPatch(const Reader& r, const Json& json, const std::string& where) {
  if (!json.is_array() || json.size() != 3) return r.Error(where, "expected [position, deleteCount, \"text\"]");
  TracePatch patch;
  absl::StatusOr<uint64_t> position = r.Unsigned(json[0], where + "[0]");
  if (!position.ok()) return position.status();
  absl::StatusOr<uint64_t> deleted = r.Unsigned(json[1], where + "[1]");
  if (!deleted.ok()) return deleted.status();
  absl::StatusOr<std::string> insert = r.Text(json[2], where + "[2]");
  if (!insert.ok()) return insert.status();
  return TracePatch{*position, *deleted, *std::move(insert)};
}

}  // namespace

uint64_t EditingTrace::PatchCount() const {
  uint64_t count = 0;
  for (const TraceTxn& txn : txns) count += txn.patches.size();
  return count;
}

absl::StatusOr<EditingTrace> LoadEditingTrace(const std::string& path) {
  absl::StatusOr<std::string> bytes = ReadGzip(path);
  if (!bytes.ok()) return bytes.status();
  return ParseEditingTrace(*bytes, path);
}

absl::StatusOr<EditingTrace> ParseEditingTrace(std::string_view json_text, const std::string& path) {
  if (json_text.size() > kMaxTraceBytes) {
    return absl::InvalidArgumentError(absl::StrCat(path, ": larger than ", DescribeBytes(kMaxTraceBytes),
                                                   " (the limit for a trace)"));
  }
  absl::Status nesting = CheckJsonNesting(json_text, path, kMaxNesting);
  if (!nesting.ok()) return nesting;
  Json json;
  try {
    json = Json::parse(json_text);
  } catch (const Json::parse_error& e) {  // its message names line and column
    return absl::InvalidArgumentError(absl::StrCat(path, ": not valid JSON: ", e.what()));
  } catch (const Json::out_of_range& e) {  // a number past double's range, such as 1e400
    return absl::InvalidArgumentError(absl::StrCat(path, ": JSON number out of range: ", e.what()));
  }
  const Reader r(path);
  if (!json.is_object()) return r.Error("top level", "expected an object");
  EditingTrace trace;
  if (const auto kind = json.find("kind"); kind != json.end()) {
    if (!kind->is_string() || (*kind != "concurrent" && *kind != "sequential")) {
      return r.Error("kind", "expected \"concurrent\" or \"sequential\"");
    }
    trace.concurrent = *kind == "concurrent";
  }
  if (const auto start = json.find("startContent"); start != json.end()) {
    absl::StatusOr<std::string> text = r.Text(*start, "startContent");
    if (!text.ok()) return text.status();
    trace.start_content = *std::move(text);
  }
  const auto end = json.find("endContent");
  if (end == json.end()) return r.Error("endContent", "missing");
  absl::StatusOr<std::string> end_text = r.Text(*end, "endContent");
  if (!end_text.ok()) return end_text.status();
  trace.end_content = *std::move(end_text);
  if (trace.concurrent) {
    const auto agents = json.find("numAgents");
    if (agents == json.end()) return r.Error("numAgents", "missing");
    absl::StatusOr<uint64_t> n = r.Unsigned(*agents, "numAgents");
    if (!n.ok()) return n.status();
    if (*n < 1 || *n > 1'000'000) return r.Error("numAgents", "expected 1 to 1000000");
    trace.num_agents = static_cast<uint32_t>(*n);
  }
  const auto txns = json.find("txns");
  if (txns == json.end()) return r.Error("txns", "missing");
  if (!txns->is_array()) return r.Error("txns", "expected an array");
  trace.txns.reserve(txns->size());
  for (size_t t = 0; t < txns->size(); ++t) {
    const Json& txn_json = (*txns)[t];
    const std::string where = absl::StrFormat("txns[%d]", t);
    if (!txn_json.is_object()) return r.Error(where, "expected an object");
    TraceTxn txn;
    if (trace.concurrent) {
      const auto parents = txn_json.find("parents");
      if (parents == txn_json.end() || !parents->is_array()) return r.Error(where + ".parents", "expected an array");
      for (size_t p = 0; p < parents->size(); ++p) {
        absl::StatusOr<uint64_t> parent = r.Unsigned((*parents)[p], absl::StrFormat("%s.parents[%d]", where, p));
        if (!parent.ok()) return parent.status();
        if (*parent >= t) return r.Error(absl::StrFormat("%s.parents[%d]", where, p), "not an earlier transaction");
        txn.parents.push_back(static_cast<uint32_t>(*parent));
      }
      const auto agent = txn_json.find("agent");
      if (agent == txn_json.end()) return r.Error(where + ".agent", "missing");
      absl::StatusOr<uint64_t> a = r.Unsigned(*agent, where + ".agent");
      if (!a.ok()) return a.status();
      if (*a >= trace.num_agents) return r.Error(where + ".agent", "not below numAgents");
      txn.agent = static_cast<uint32_t>(*a);
    }
    const auto patches = txn_json.find("patches");
    if (patches == txn_json.end() || !patches->is_array()) return r.Error(where + ".patches", "expected an array");
    txn.patches.reserve(patches->size());
    for (size_t p = 0; p < patches->size(); ++p) {
      absl::StatusOr<TracePatch> patch = ReadPatch(r, (*patches)[p], absl::StrFormat("%s.patches[%d]", where, p));
      if (!patch.ok()) return patch.status();
      txn.patches.push_back(*std::move(patch));
    }
    trace.txns.push_back(std::move(txn));
  }
  return trace;
}

}  // namespace collabsim::sim
