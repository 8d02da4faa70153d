// A place in a scenario file: a message and where it was written, so a check
// can report "FILE:LINE:COLUMN: field Message.field: what is wrong". Faults
// check their own part of a scenario through it (Fault::Validate); the
// loader (scenario_loader.cc) knows the parse tree behind it.
#pragma once

#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "google/protobuf/message.h"

namespace collabsim::sim {

// What a FieldPlace needs from the loader.
class ScenarioFields {
 public:
  virtual ~ScenarioFields() = default;
  // The parse tree of `m.field[index]` (index -1: not repeated); null when unknown.
  virtual const void* NestedTree(const void* tree, const google::protobuf::Message& m, const std::string& field,
                                 int index) const = 0;
  virtual absl::Status Error(const void* tree, const google::protobuf::Message& m, const std::string& field, int index,
                             const std::string& what) const = 0;
  // A `Delay` sub-message `field` of `m`, checked as every delay is.
  virtual absl::Status CheckDelay(const void* tree, const google::protobuf::Message& m, const std::string& field,
                                  const std::string& name) const = 0;
};

class FieldPlace {
 public:
  FieldPlace(const ScenarioFields& fields, const google::protobuf::Message& message, const void* tree)
      : fields_(&fields), message_(&message), tree_(tree) {}

  // The nested message `field` (its `index`-th entry when repeated).
  FieldPlace Nested(const std::string& field, int index = -1) const;
  // An InvalidArgument error naming this message's `field` at its line.
  absl::Status Error(const std::string& field, const std::string& what, int index = -1) const {
    return fields_->Error(tree_, *message_, field, index, what);
  }
  // `seconds` must fall in the active phase [0, active_s).
  absl::Status InActivePhase(const std::string& field, double seconds, double active_s) const;
  // `user` must be one of 1..users.
  absl::Status KnownUser(const std::string& field, uint32_t user, uint32_t users, int index = -1) const;
  // A positive duration, at most `max_s` seconds.
  absl::Status Duration(const std::string& field, double seconds, double max_s, const std::string& what = "must be > 0") const;
  absl::Status Delay(const std::string& field, const std::string& name) const {
    return fields_->CheckDelay(tree_, *message_, field, name);
  }
  const google::protobuf::Message& message() const { return *message_; }

 private:
  const ScenarioFields* fields_;
  const google::protobuf::Message* message_;
  const void* tree_;
};

}  // namespace collabsim::sim
