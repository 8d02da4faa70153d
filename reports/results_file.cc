// JSON mapping of the results schema.
#include "reports/results_file.h"

#include <cmath>

#include "absl/strings/escaping.h"
#include "absl/strings/str_format.h"
#include "google/protobuf/util/json_util.h"
#include "nlohmann/json.hpp"
#include "sim/input_file.h"

namespace collabsim::reports {
namespace {
google::protobuf::util::JsonPrintOptions PrintOptions() {
  google::protobuf::util::JsonPrintOptions options;
  options.add_whitespace = true;
  options.always_print_primitive_fields = true;
  options.preserve_proto_field_names = true;
  return options;
}
}  // namespace

std::string ResultsToJson(const results::ResultsFile& file) {
  std::string json;
  const auto status = google::protobuf::util::MessageToJsonString(file, &json, PrintOptions());
  if (!status.ok()) return "{}";
  return json;
}

std::string RunResultToJson(const results::RunResult& run) {
  std::string json;
  const auto status = google::protobuf::util::MessageToJsonString(run, &json, PrintOptions());
  if (!status.ok()) return "{}";
  return json;
}

namespace {

using google::protobuf::Descriptor;
using google::protobuf::FieldDescriptor;
using Json = nlohmann::json;

// Strict types before protobuf reads the file: its JSON reader is lenient
// (it took "yes" for a bool), and a results file is input from elsewhere.
// A SAX pass, so checking holds no second copy of a large file in memory;
// errors name the JSON path of the value ("runs[3].converged").
class StrictTypes : public nlohmann::json_sax<Json> {
 public:
  explicit StrictTypes(std::string path) : path_(std::move(path)) {}

  const absl::Status& status() const { return status_; }
  // Records the first error and stops the parse (SAX callbacks return it).
  bool Refuse(const std::string& where, const std::string& what) {
    (void)Error(where, what);
    return false;
  }
  absl::Status Error(const std::string& where, const std::string& what) {
    if (status_.ok()) {
      status_ = where.empty() ? absl::InvalidArgumentError(absl::StrFormat("%s: top level: %s", path_, what))
                              : absl::InvalidArgumentError(absl::StrFormat("%s: field %s: %s", path_, where, what));
    }
    return status_;
  }

  bool null() override { return Scalar(Kind::kNull, ""); }
  bool boolean(bool) override { return Scalar(Kind::kBool, ""); }
  bool number_integer(number_integer_t) override { return Scalar(Kind::kInteger, ""); }
  bool number_unsigned(number_unsigned_t) override { return Scalar(Kind::kInteger, ""); }
  bool number_float(number_float_t, const string_t&) override { return Scalar(Kind::kFloat, ""); }
  bool string(string_t& value) override { return Scalar(Kind::kString, value); }
  bool binary(binary_t&) override { return Scalar(Kind::kNull, ""); }

  bool start_object(std::size_t) override {
    const Slot slot = Next();
    if (slot.field == nullptr && stack_.empty()) {
      stack_.push_back(Frame{results::ResultsFile::descriptor(), nullptr, nullptr, ""});
      return true;
    }
    if (!Fits(slot, Kind::kObject)) return false;
    stack_.push_back(Frame{slot.field->message_type(), nullptr, nullptr, slot.path});
    return true;
  }
  bool key(string_t& key) override {
    Frame& frame = stack_.back();
    const FieldDescriptor* field = frame.message->FindFieldByName(key);
    for (int i = 0; field == nullptr && i < frame.message->field_count(); ++i) {
      if (frame.message->field(i)->json_name() == key) field = frame.message->field(i);
    }
    const std::string at = frame.path.empty() ? key : frame.path + "." + key;
    if (field == nullptr) return Refuse(absl::CHexEscape(at), "unknown field in " + frame.message->name());
    frame.key = field;
    frame.key_path = at;
    return true;
  }
  bool end_object() override {
    stack_.pop_back();
    return true;
  }
  bool start_array(std::size_t) override {
    const Slot slot = Next();
    if (!Fits(slot, Kind::kArray)) return false;
    stack_.push_back(Frame{nullptr, slot.field, nullptr, slot.path});
    return true;
  }
  bool end_array() override {
    stack_.pop_back();
    return true;
  }
  bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception& e) override {
    // Syntax, or a number past double's range (1e400).
    if (status_.ok()) status_ = absl::InvalidArgumentError(absl::StrFormat("%s: not a collabsim results file: %s", path_, e.what()));
    return false;
  }

 private:
  enum class Kind { kNull, kBool, kInteger, kFloat, kString, kObject, kArray };
  struct Frame {
    const Descriptor* message;         // an object of this type, or
    const FieldDescriptor* array_of;   // an array of this repeated field
    const FieldDescriptor* key;        // in an object: the field just named
    std::string path;
    std::string key_path;
    size_t index = 0;
  };
  // Where the next value goes: its field (null at the top) and whether it
  // is one element of a repeated field.
  struct Slot {
    const FieldDescriptor* field;
    bool element;
    std::string path;
  };

  Slot Next() {
    if (stack_.empty()) return Slot{nullptr, false, ""};
    Frame& frame = stack_.back();
    if (frame.array_of != nullptr) {
      return Slot{frame.array_of, true, absl::StrFormat("%s[%d]", frame.path, frame.index++)};
    }
    return Slot{frame.key, false, frame.key_path};
  }

  bool Scalar(Kind kind, const std::string& text) { return Fits(Next(), kind, text); }

  bool Fits(const Slot& slot, Kind kind, const std::string& text = "") {
    if (slot.field == nullptr) return Refuse(slot.path, "expected an object");
    const FieldDescriptor& field = *slot.field;
    if (field.is_repeated() && !slot.element) {
      if (kind == Kind::kArray) return true;
      return Refuse(slot.path, "expected an array");
    }
    // Protobuf's JSON mapping writes 64-bit integers, NaN and Infinity as
    // strings; nothing else may be quoted.
    const bool digits = kind == Kind::kString && !text.empty() &&
                        text.find_first_not_of("-0123456789") == std::string::npos;
    const bool number = kind == Kind::kInteger || kind == Kind::kFloat;
    bool ok = false;
    switch (field.cpp_type()) {
      case FieldDescriptor::CPPTYPE_BOOL: ok = kind == Kind::kBool; break;
      case FieldDescriptor::CPPTYPE_STRING: ok = kind == Kind::kString; break;
      case FieldDescriptor::CPPTYPE_DOUBLE:
      case FieldDescriptor::CPPTYPE_FLOAT:
        ok = number || (kind == Kind::kString && (text == "NaN" || text == "Infinity" || text == "-Infinity"));
        break;
      case FieldDescriptor::CPPTYPE_INT32:
      case FieldDescriptor::CPPTYPE_UINT32:
      case FieldDescriptor::CPPTYPE_INT64:
      case FieldDescriptor::CPPTYPE_UINT64: ok = kind == Kind::kInteger || digits; break;
      case FieldDescriptor::CPPTYPE_ENUM: ok = kind == Kind::kString || kind == Kind::kInteger; break;
      case FieldDescriptor::CPPTYPE_MESSAGE: ok = kind == Kind::kObject; break;
    }
    if (ok) return true;
    static constexpr const char* kNames[] = {"null", "boolean", "integer", "number", "string", "object", "array"};
    const char* expected = field.cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE ? "object"
                           : field.cpp_type() == FieldDescriptor::CPPTYPE_BOOL  ? "bool"
                           : field.cpp_type() == FieldDescriptor::CPPTYPE_ENUM  ? "enum value name"
                           : field.cpp_type() == FieldDescriptor::CPPTYPE_STRING ? "string"
                           : field.cpp_type() == FieldDescriptor::CPPTYPE_DOUBLE ||
                                   field.cpp_type() == FieldDescriptor::CPPTYPE_FLOAT
                               ? "number"
                               : "integer";
    const char* article = expected[0] == 'i' || expected[0] == 'o' || expected[0] == 'e' ? "an" : "a";
    return Refuse(slot.path, absl::StrFormat("expected %s %s, found %s", article, expected, kNames[static_cast<int>(kind)]));
  }

  std::string path_;
  absl::Status status_;
  std::vector<Frame> stack_;
};

// Names reach terminals, file names and reports.
bool PlainName(const std::string& name) {
  if (name.empty() || name.size() > 200) return false;
  for (const char c : name) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte < 0x20 || byte == 0x7f) return false;
  }
  return true;
}

// What a report relies on, beyond types.
absl::Status CheckRuns(const results::ResultsFile& file, StrictTypes& reader) {
  if (file.runs_size() == 0) return reader.Error("runs", "no runs: a results file holds at least one run");
  for (int k = 0; k < file.runs_size(); ++k) {
    const results::RunResult& run = file.runs(k);
    const std::string at = absl::StrFormat("runs[%d]", k);
    if (!PlainName(run.scenario())) return reader.Error(at + ".scenario", "must be 1-200 bytes with no control characters");
    if (!PlainName(run.engine())) return reader.Error(at + ".engine", "must be 1-200 bytes with no control characters");
    const int quantiles = run.remote_visible().quantiles_ms_size();
    if (quantiles != 0 && quantiles != 101) {
      return reader.Error(at + ".remote_visible.quantiles_ms", absl::StrFormat("has %d entries; 0 or 101", quantiles));
    }
    if (run.memory_samples_size() > 1'000'000) {
      return reader.Error(at + ".memory_samples", "more than 1,000,000 samples");
    }
  }
  return absl::OkStatus();
}

// The service levels a report judges over seeds: the bounds are numbers it
// compares with, names it prints.
absl::Status CheckExpectations(const results::ResultsFile& file, StrictTypes& reader) {
  for (int k = 0; k < file.scenarios_size(); ++k) {
    for (int e = 0; e < file.scenarios(k).expect_size(); ++e) {
      const scenario::Expectation& block = file.scenarios(k).expect(e);
      const std::string at = absl::StrFormat("scenarios[%d].expect[%d]", k, e);
      if (!scenario::Expectation::Over_IsValid(block.over())) return reader.Error(at + ".over", "not RUN or SEEDS");
      for (const std::string& engine : block.engines()) {
        if (!PlainName(engine)) return reader.Error(at + ".engines", "must be 1-200 bytes with no control characters");
      }
      for (const scenario::ProbeMinimum& minimum : block.min_probes()) {
        if (!PlainName(minimum.probe())) {
          return reader.Error(at + ".min_probes", "probe must be 1-200 bytes with no control characters");
        }
      }
      const google::protobuf::Reflection* reflection = block.GetReflection();
      const google::protobuf::Descriptor* type = block.GetDescriptor();
      for (int i = 0; i < type->field_count(); ++i) {
        const FieldDescriptor* field = type->field(i);
        if (field->cpp_type() != FieldDescriptor::CPPTYPE_DOUBLE || !reflection->HasField(block, field)) continue;
        const double bound = reflection->GetDouble(block, field);
        if (!std::isfinite(bound) || bound < 0) return reader.Error(at + "." + field->name(), "must be a finite number >= 0");
      }
    }
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<results::ResultsFile> ReadResultsFile(const std::string& path) {
  absl::StatusOr<std::string> contents = sim::ReadInputFile(path, sim::kMaxResultsBytes, "results file");
  if (!contents.ok()) return contents.status();
  return ParseResultsFile(*contents, path);
}

absl::StatusOr<results::ResultsFile> ParseResultsFile(std::string_view json_text, const std::string& path) {
  absl::Status nesting = sim::CheckJsonNesting(json_text, path, sim::kMaxNesting);
  if (!nesting.ok()) return nesting;
  StrictTypes reader(path);
  Json::sax_parse(json_text, &reader);
  if (!reader.status().ok()) return reader.status();
  results::ResultsFile file;
  const auto status = google::protobuf::util::JsonStringToMessage(google::protobuf::StringPiece(json_text.data(), json_text.size()), &file);
  if (!status.ok()) {
    return absl::InvalidArgumentError(absl::StrFormat("%s: not a collabsim results file: %s", path,
                                                      std::string(status.message())));
  }
  absl::Status runs = CheckRuns(file, reader);
  if (!runs.ok()) return runs;
  absl::Status expect = CheckExpectations(file, reader);
  if (!expect.ok()) return expect;
  return file;
}

}  // namespace collabsim::reports
