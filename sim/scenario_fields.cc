// The checks every part of a scenario shares (see scenario_fields.h).
#include "sim/scenario_fields.h"

#include "absl/strings/str_format.h"

namespace collabsim::sim {

FieldPlace FieldPlace::Nested(const std::string& field, int index) const {
  const google::protobuf::FieldDescriptor* fd = message_->GetDescriptor()->FindFieldByName(field);
  const google::protobuf::Reflection* reflection = message_->GetReflection();
  const google::protobuf::Message& child =
      fd->is_repeated() ? reflection->GetRepeatedMessage(*message_, fd, std::max(index, 0))
                        : reflection->GetMessage(*message_, fd);
  return FieldPlace(*fields_, child, fields_->NestedTree(tree_, *message_, field, index));
}

absl::Status FieldPlace::InActivePhase(const std::string& field, double seconds, double active_s) const {
  if (seconds >= 0 && seconds < active_s) return absl::OkStatus();
  return Error(field, absl::StrFormat("must be in [0, active_s=%g)", active_s));
}

absl::Status FieldPlace::KnownUser(const std::string& field, uint32_t user, uint32_t users, int index) const {
  if (user >= 1 && user <= users) return absl::OkStatus();
  return Error(field, absl::StrFormat("names user %d; users are numbered 1..%d", user, users), index);
}

absl::Status FieldPlace::Duration(const std::string& field, double seconds, double max_s,
                                  const std::string& what) const {
  if (seconds > 0 && seconds <= max_s) return absl::OkStatus();
  return Error(field, what);
}

}  // namespace collabsim::sim
