// Between the LWW engine's in-memory writes and its wire messages, with
// the checks every decoded message gets before anything is applied.
#pragma once

#include <vector>

#include "absl/status/statusor.h"
#include "engines/common/intent.h"
#include "engines/lww/lww_document.h"
#include "lww_wire.pb.h"

namespace collabsim::lww {

void EncodeValue(const PropertyValue& value, wire::Value* out);
PropertyValue DecodeValue(const wire::Value& value);

void EncodeIntents(const std::vector<IntentId>& intents, google::protobuf::RepeatedPtrField<wire::IntentId>* out);
// InvalidArgument for a zero replica or seq.
absl::StatusOr<std::vector<IntentId>> DecodeIntents(const google::protobuf::RepeatedPtrField<wire::IntentId>& intents);

void EncodeWrites(const std::vector<Write>& writes, google::protobuf::RepeatedPtrField<wire::Write>* out);
// Each write validated against `document`'s rules (not its contents).
absl::StatusOr<std::vector<Write>> DecodeWrites(const google::protobuf::RepeatedPtrField<wire::Write>& writes,
                                                const LwwDocument& document);

// A write's place in writer-clock order.
struct Stamp {
  int64_t wall_ns = 0;
  ReplicaId writer = 0;
  auto operator<=>(const Stamp&) const = default;
};

// A decoded change: what the server applies and clients receive.
struct Change {
  uint64_t client_seq = 0;
  uint64_t base_revision = 0;
  std::vector<Write> writes;
  std::vector<IntentId> intents;
  EditSummary edit;
  int64_t wall_ns = 0;
};

void EncodeChange(const Change& change, wire::Change* out);
// InvalidArgument naming the problem: no writes (unless `allow_empty`: a
// broadcast whose every write the server refused), an invalid write, bad ids.
absl::StatusOr<Change> DecodeChange(const wire::Change& change, const LwwDocument& document, bool allow_empty = false);

// One register as held by a replica: its value, the revision of the write
// that set it and that write's intents.
struct Register {
  PropertyValue value;
  uint64_t revision = 0;
  std::vector<IntentId> intents;
  Stamp stamp;  // lww-wallclock only
};

void EncodeRegister(const PropertyKey& key, const Register& reg, wire::Register* out);

struct DecodedRegister {
  PropertyKey key;
  Register reg;
};
// A register from a snapshot or stored state: its write valid under
// `document`'s rules, its intents well-formed, and its revision no later
// than `revision`, the state's own. InvalidArgument naming the register.
absl::StatusOr<DecodedRegister> DecodeRegister(const wire::Register& in, const LwwDocument& document,
                                               uint64_t revision);

}  // namespace collabsim::lww
