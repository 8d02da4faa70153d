// Converts text ops and intent ids between their wire form and memory. The
// decoder validates everything (empty components, bad UTF-8, insert/delete
// lengths) so a malformed message never reaches the engine's state.
#pragma once

#include <vector>

#include "absl/status/statusor.h"
#include "engines/common/intent.h"
#include "engines/ot/text_op.h"
#include "ot_wire.pb.h"

namespace collabsim::ot {

void EncodeTextOp(const TextOp& op, wire::TextOp* out);
absl::StatusOr<TextOp> DecodeTextOp(const wire::TextOp& in);

void EncodeIntentIds(const std::vector<IntentId>& ids,
                     google::protobuf::RepeatedPtrField<wire::IntentId>* out);
std::vector<IntentId> DecodeIntentIds(const google::protobuf::RepeatedPtrField<wire::IntentId>& in);

}  // namespace collabsim::ot
