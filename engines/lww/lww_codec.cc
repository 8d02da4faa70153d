// Wire encoding of the LWW engine's changes (see lww_codec.h).
#include "engines/lww/lww_codec.h"

#include "absl/strings/str_cat.h"

namespace collabsim::lww {

void EncodeValue(const PropertyValue& value, wire::Value* out) {
  if (const auto* s = std::get_if<std::string>(&value)) out->set_text(*s);
  if (const auto* d = std::get_if<double>(&value)) out->set_number(*d);
  if (const auto* b = std::get_if<bool>(&value)) out->set_flag(*b);
}

PropertyValue DecodeValue(const wire::Value& value) {
  switch (value.kind_case()) {
    case wire::Value::kText:
      return value.text();
    case wire::Value::kNumber:
      return value.number();
    case wire::Value::kFlag:
      return value.flag();
    case wire::Value::KIND_NOT_SET:
      break;
  }
  return std::monostate{};
}

void EncodeIntents(const std::vector<IntentId>& intents, google::protobuf::RepeatedPtrField<wire::IntentId>* out) {
  for (const IntentId& id : intents) {
    wire::IntentId* w = out->Add();
    w->set_replica(id.replica);
    w->set_seq(id.seq);
  }
}

absl::StatusOr<std::vector<IntentId>> DecodeIntents(
    const google::protobuf::RepeatedPtrField<wire::IntentId>& intents) {
  std::vector<IntentId> out;
  out.reserve(intents.size());
  for (const wire::IntentId& w : intents) {
    if (w.replica() == kServerReplica || w.seq() == 0) {
      return absl::InvalidArgumentError(absl::StrCat("intent id ", w.replica(), ".", w.seq(), " is not a user's"));
    }
    out.push_back(IntentId{w.replica(), w.seq()});
  }
  return out;
}

void EncodeWrites(const std::vector<Write>& writes, google::protobuf::RepeatedPtrField<wire::Write>* out) {
  for (const Write& write : writes) {
    wire::Write* w = out->Add();
    w->set_object(write.key.object);
    w->set_property(write.key.property);
    EncodeValue(write.value, w->mutable_value());
  }
}

absl::StatusOr<std::vector<Write>> DecodeWrites(const google::protobuf::RepeatedPtrField<wire::Write>& writes,
                                                const LwwDocument& document) {
  std::vector<Write> out;
  out.reserve(writes.size());
  for (const wire::Write& w : writes) {
    Write write{PropertyKey{w.object(), w.property()}, DecodeValue(w.value())};
    if (absl::Status valid = document.ValidateWrite(write); !valid.ok()) return valid;
    out.push_back(std::move(write));
  }
  return out;
}

void EncodeChange(const Change& change, wire::Change* out) {
  out->set_client_seq(change.client_seq);
  out->set_base_revision(change.base_revision);
  EncodeWrites(change.writes, out->mutable_writes());
  EncodeIntents(change.intents, out->mutable_intents());
  out->mutable_edit()->set_block(change.edit.block);
  out->mutable_edit()->set_offset(change.edit.offset);
  out->mutable_edit()->set_is_delete(change.edit.is_delete);
  if (change.wall_ns != 0) out->set_wall_ns(change.wall_ns);
}

absl::StatusOr<Change> DecodeChange(const wire::Change& change, const LwwDocument& document, bool allow_empty) {
  Change out;
  out.client_seq = change.client_seq();
  out.base_revision = change.base_revision();
  if (out.client_seq == 0) return absl::InvalidArgumentError("change without a client_seq");
  if (change.writes_size() == 0 && !allow_empty) return absl::InvalidArgumentError("change without writes");
  absl::StatusOr<std::vector<Write>> writes = DecodeWrites(change.writes(), document);
  if (!writes.ok()) return writes.status();
  out.writes = *std::move(writes);
  absl::StatusOr<std::vector<IntentId>> intents = DecodeIntents(change.intents());
  if (!intents.ok()) return intents.status();
  out.intents = *std::move(intents);
  out.edit = EditSummary{change.edit().block(), change.edit().offset(), change.edit().is_delete()};
  out.wall_ns = change.wall_ns();
  return out;
}

void EncodeRegister(const PropertyKey& key, const Register& reg, wire::Register* out) {
  out->set_object(key.object);
  out->set_property(key.property);
  EncodeValue(reg.value, out->mutable_value());
  out->set_revision(reg.revision);
  EncodeIntents(reg.intents, out->mutable_intents());
  if (reg.stamp != Stamp{}) {
    out->set_wall_ns(reg.stamp.wall_ns);
    out->set_writer(reg.stamp.writer);
  }
}

absl::StatusOr<DecodedRegister> DecodeRegister(const wire::Register& in, const LwwDocument& document,
                                               uint64_t revision) {
  Write write{PropertyKey{in.object(), in.property()}, DecodeValue(in.value())};
  if (absl::Status valid = document.ValidateWrite(write); !valid.ok()) return valid;
  if (in.revision() > revision) {
    return absl::InvalidArgumentError(absl::StrCat("register ", in.object(), ".", in.property(), " at revision ",
                                                   in.revision(), " beyond ", revision));
  }
  absl::StatusOr<std::vector<IntentId>> intents = DecodeIntents(in.intents());
  if (!intents.ok()) return intents.status();
  return DecodedRegister{std::move(write.key), Register{std::move(write.value), in.revision(), *std::move(intents),
                                                        Stamp{in.wall_ns(), in.writer()}}};
}

}  // namespace collabsim::lww
