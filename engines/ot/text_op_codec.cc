// Wire <-> memory for text ops, with full validation on decode.
#include "engines/ot/text_op_codec.h"

#include "absl/strings/str_format.h"
#include "engines/common/utf8.h"

namespace collabsim::ot {

void EncodeTextOp(const TextOp& op, wire::TextOp* out) {
  for (const Component& c : op.components()) {
    wire::Component* w = out->add_components();
    if (const auto* r = std::get_if<Retain>(&c)) {
      w->set_retain(r->count);
    } else if (const auto* i = std::get_if<Insert>(&c)) {
      w->set_insert(EncodeUtf8(i->text));
    } else {
      w->set_delete_count(std::get<Delete>(c).count);
    }
  }
}

absl::StatusOr<TextOp> DecodeTextOp(const wire::TextOp& in) {
  // Bounds total length so lengths can never overflow when summed.
  constexpr uint64_t kMaxLength = uint64_t{1} << 40;
  TextOp op;
  for (int k = 0; k < in.components_size(); ++k) {
    const wire::Component& w = in.components(k);
    switch (w.kind_case()) {
      case wire::Component::kRetain:
      case wire::Component::kDeleteCount: {
        const uint64_t count = w.kind_case() == wire::Component::kRetain ? w.retain() : w.delete_count();
        if (count == 0 || count > kMaxLength) {
          return absl::InvalidArgumentError(absl::StrFormat("component %d: length %d out of range", k, count));
        }
        if (w.kind_case() == wire::Component::kRetain) {
          op.Retain(count);
        } else {
          op.Delete(count);
        }
        break;
      }
      case wire::Component::kInsert: {
        absl::StatusOr<std::u32string> text = DecodeUtf8(w.insert());
        if (!text.ok()) return absl::InvalidArgumentError(absl::StrFormat("component %d: %s", k, text.status().message()));
        if (text->empty()) return absl::InvalidArgumentError(absl::StrFormat("component %d: empty insert", k));
        op.Insert(*text);
        break;
      }
      case wire::Component::KIND_NOT_SET:
        return absl::InvalidArgumentError(absl::StrFormat("component %d: no kind set", k));
    }
    if (op.base_length() > kMaxLength || op.target_length() > kMaxLength) {
      return absl::InvalidArgumentError("op longer than the supported document size");
    }
  }
  return op;
}

void EncodeIntentIds(const std::vector<IntentId>& ids,
                     google::protobuf::RepeatedPtrField<wire::IntentId>* out) {
  for (const IntentId& id : ids) {
    wire::IntentId* w = out->Add();
    w->set_replica(id.replica);
    w->set_seq(id.seq);
  }
}

std::vector<IntentId> DecodeIntentIds(const google::protobuf::RepeatedPtrField<wire::IntentId>& in) {
  std::vector<IntentId> ids;
  ids.reserve(in.size());
  for (const wire::IntentId& w : in) ids.push_back(IntentId{w.replica(), w.seq()});
  return ids;
}

}  // namespace collabsim::ot
