// JSON -> text format, in place. nlohmann-json checks the syntax first (and
// locates syntax errors); the rewrite below then only sees valid JSON and
// changes each token to its text-format spelling without moving anything:
// `"active_s": 10` becomes `active_s  : 10`, the outer braces become blanks,
// quoted enum names and quoted numbers lose their quotes. Commas stay (text
// format accepts them between fields and inside [lists]).
#include "sim/scenario_json.h"

#include <algorithm>
#include <cctype>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "google/protobuf/util/json_util.h"
#include "nlohmann/json.hpp"
#include "sim/input_file.h"

namespace collabsim::sim {
namespace {

using google::protobuf::Descriptor;
using google::protobuf::FieldDescriptor;

// 1-based line and column of byte `offset`.
std::pair<int, int> LineColumn(std::string_view text, size_t offset) {
  offset = std::min(offset, text.size());
  int line = 1, column = 1;
  for (size_t i = 0; i < offset; ++i) {
    if (text[i] == '\n') {
      ++line;
      column = 1;
    } else {
      ++column;
    }
  }
  return {line, column};
}

class Rewriter {
 public:
  Rewriter(std::string_view json, std::string source) : in_(json), out_(json), source_(std::move(source)) {}

  absl::StatusOr<std::string> Run(const Descriptor& type) {
    SkipBlanks();
    if (pos_ >= in_.size() || in_[pos_] != '{') return ErrorAt(pos_, "a scenario file in JSON is one object: { ... }");
    out_[pos_] = ' ';
    absl::Status status = Object(type, /*outermost=*/true);
    if (!status.ok()) return status;
    return std::move(out_);
  }

 private:
  // At '{' (already blanked when outermost); stops after the matching '}'.
  absl::Status Object(const Descriptor& type, bool outermost) {
    ++pos_;
    size_t last_comma = std::string::npos;
    while (true) {
      SkipBlanks();
      if (in_[pos_] == '}') {
        if (outermost) out_[pos_] = ' ';
        ++pos_;
        return absl::OkStatus();
      }
      if (in_[pos_] == ',') {
        last_comma = pos_++;
        continue;
      }
      const size_t key_start = pos_;
      const std::string key = String();
      const FieldDescriptor* field = type.FindFieldByName(key);
      for (int i = 0; field == nullptr && i < type.field_count(); ++i) {
        if (type.field(i)->json_name() == key) field = type.field(i);
      }
      if (field == nullptr) {
        std::vector<std::string> known;
        for (int i = 0; i < type.field_count(); ++i) known.push_back(type.field(i)->name());
        return ErrorAt(key_start, absl::StrFormat("unknown field \"%s\" in %s (known: %s)", absl::CHexEscape(key), type.name(),
                                                  absl::StrJoin(known, ", ")));
      }
      const size_t key_end = pos_;
      if (field->name().size() > key_end - key_start) {
        return ErrorAt(key_start, absl::StrFormat("write the key \"%s\" as \"%s\"", key, field->name()));
      }
      Blank(key_start, key_end);
      out_.replace(key_start, field->name().size(), field->name());
      SkipBlanks();
      ++pos_;  // ':'
      SkipBlanks();
      if (in_.compare(pos_, 4, "null") == 0) {
        // Absent. Blank the member and one comma beside it.
        pos_ += 4;
        Blank(key_start, pos_);
        SkipBlanks();
        if (in_[pos_] == ',') {
          out_[pos_++] = ' ';
        } else if (last_comma != std::string::npos) {
          out_[last_comma] = ' ';
        }
        continue;
      }
      if (field->is_repeated() && in_[pos_] == '[') {
        ++pos_;
        while (true) {
          SkipBlanks();
          if (in_[pos_] == ']') break;
          if (in_[pos_] == ',') {
            ++pos_;
            continue;
          }
          absl::Status element = Value(*field);
          if (!element.ok()) return element;
        }
        ++pos_;
      } else {
        absl::Status value = Value(*field);
        if (!value.ok()) return value;
      }
    }
  }

  // One value of `field` (an element, for repeated fields).
  absl::Status Value(const FieldDescriptor& field) {
    const char c = in_[pos_];
    if (field.type() == FieldDescriptor::TYPE_MESSAGE || field.type() == FieldDescriptor::TYPE_GROUP) {
      if (c == '{') return Object(*field.message_type(), false);
      SkipValue();  // the text-format parser reports the type mismatch
      return absl::OkStatus();
    }
    if (c != '"') {
      SkipValue();
      return absl::OkStatus();
    }
    const size_t start = pos_;
    const std::string value = String();
    switch (field.cpp_type()) {
      case FieldDescriptor::CPPTYPE_STRING:
        // JSON's \/ is not a text-format escape; re-escape such strings.
        if (in_.substr(start, pos_ - start).find("\\/") != std::string_view::npos) {
          const std::string escaped = "\"" + absl::CEscape(value) + "\"";
          if (escaped.size() <= pos_ - start) {
            Blank(start, pos_);
            out_.replace(start, escaped.size(), escaped);
          } else {
            return ErrorAt(start, "string too long after escaping; write \"/\" instead of \"\\/\"");
          }
        }
        return absl::OkStatus();
      default:
        // Quoted numbers (proto3 JSON allows them), enum names and booleans
        // lose their quotes; anything else stays quoted so the text-format
        // parser reports it as the wrong type.
        if (Unquotable(field, value)) {
          out_[start] = ' ';
          out_[pos_ - 1] = ' ';
        }
        return absl::OkStatus();
    }
  }

  static bool Unquotable(const FieldDescriptor& field, const std::string& value) {
    if (value.empty()) return false;
    auto all = [&](auto pred) {
      return std::all_of(value.begin(), value.end(), [&](char c) { return pred(static_cast<unsigned char>(c)); });
    };
    switch (field.cpp_type()) {
      case FieldDescriptor::CPPTYPE_ENUM:
        return all([](unsigned char c) { return std::isalnum(c) || c == '_'; });
      case FieldDescriptor::CPPTYPE_BOOL:
        return value == "true" || value == "false";
      case FieldDescriptor::CPPTYPE_DOUBLE:
      case FieldDescriptor::CPPTYPE_FLOAT:
        if (value == "NaN" || value == "Infinity" || value == "-Infinity") return true;
        [[fallthrough]];
      default:
        return (std::isdigit(static_cast<unsigned char>(value[0])) || value[0] == '-') &&
               all([](unsigned char c) { return std::isdigit(c) || c == '.' || c == '-' || c == '+' || c == 'e' || c == 'E'; });
    }
  }

  // At '"'; returns the decoded content and stops after the closing quote.
  std::string String() {
    const size_t start = pos_++;
    while (in_[pos_] != '"') pos_ += in_[pos_] == '\\' ? 2 : 1;
    ++pos_;
    // The token is valid JSON (checked), so nlohmann decodes it.
    return nlohmann::json::parse(in_.substr(start, pos_ - start)).get<std::string>();
  }

  // Any valid JSON value.
  void SkipValue() {
    const char c = in_[pos_];
    if (c == '"') {
      String();
      return;
    }
    if (c == '{' || c == '[') {
      int depth = 0;
      do {
        const char ch = in_[pos_];
        if (ch == '"') {
          String();
          continue;
        }
        if (ch == '{' || ch == '[') ++depth;
        if (ch == '}' || ch == ']') --depth;
        ++pos_;
      } while (depth > 0);
      return;
    }
    while (pos_ < in_.size() && !IsDelimiter(in_[pos_])) ++pos_;  // a number or literal
  }

  static bool IsDelimiter(char c) { return c == ',' || c == '}' || c == ']' || std::isspace(static_cast<unsigned char>(c)); }

  void SkipBlanks() {
    while (pos_ < in_.size() && std::isspace(static_cast<unsigned char>(in_[pos_]))) ++pos_;
  }

  void Blank(size_t from, size_t to) {
    for (size_t i = from; i < to; ++i) {
      if (out_[i] != '\n') out_[i] = ' ';
    }
  }

  absl::Status ErrorAt(size_t offset, const std::string& message) const {
    const auto [line, column] = LineColumn(in_, offset);
    return absl::InvalidArgumentError(absl::StrFormat("%s:%d:%d: %s", source_, line, column, message));
  }

  std::string_view in_;
  std::string out_;
  std::string source_;
  size_t pos_ = 0;
};

}  // namespace

bool LooksLikeJson(std::string_view text, std::string_view source) {
  if (source.size() >= 5 && source.substr(source.size() - 5) == ".json") return true;
  const size_t first = text.find_first_not_of(" \t\r\n");
  return first != std::string_view::npos && text[first] == '{';
}

absl::StatusOr<std::string> JsonToTextFormat(std::string_view json, std::string_view source,
                                             const Descriptor& type) {
  absl::Status nesting = CheckJsonNesting(json, source, kMaxNesting);
  if (!nesting.ok()) return nesting;
  try {
    const nlohmann::json checked = nlohmann::json::parse(json.begin(), json.end());
    (void)checked;
  } catch (const nlohmann::json::out_of_range& e) {  // a number past double's range, such as 1e400
    return absl::InvalidArgumentError(absl::StrFormat("%s: JSON number out of range: %s", std::string(source),
                                                      e.what()));
  } catch (const nlohmann::json::parse_error& e) {
    // e.byte is 1-based and points at the last character of the offending
    // token; report the token's first character.
    size_t at = e.byte == 0 ? 0 : std::min<size_t>(e.byte - 1, json.size());
    if (at < json.size() && json[at] == '"' && at > 0) {
      at = json.rfind('"', at - 1);
    } else {
      while (at > 0 && at <= json.size() && std::isalnum(static_cast<unsigned char>(json[at - 1]))) --at;
    }
    const auto [line, column] = LineColumn(json, at == std::string_view::npos ? 0 : at);
    std::string what = e.what();
    const size_t detail = what.find(": ", what.find("column"));
    what = detail == std::string::npos ? what : what.substr(detail + 2);
    return absl::InvalidArgumentError(absl::StrFormat("%s:%d:%d: JSON syntax error: %s", std::string(source), line,
                                                      column, what));
  }
  return Rewriter(json, std::string(source)).Run(type);
}

std::string MessageToPrettyJson(const google::protobuf::Message& message) {
  google::protobuf::util::JsonPrintOptions options;
  options.add_whitespace = true;
  options.preserve_proto_field_names = true;
  std::string json;
  (void)google::protobuf::util::MessageToJsonString(message, &json, options);
  return json;
}

}  // namespace collabsim::sim
