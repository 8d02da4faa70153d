// LWW caret positions to and from presence bytes.
#include "engines/lww/caret_position.h"

#include "absl/strings/str_format.h"
#include "lww_wire.pb.h"

namespace collabsim::lww {

std::string EncodeCaretPosition(const Anchor& caret) {
  wire::CaretPosition out;
  out.set_block(caret.block);
  out.set_offset(caret.offset);
  return out.SerializeAsString();
}

absl::StatusOr<Anchor> DecodeCaretPosition(std::string_view bytes) {
  wire::CaretPosition in;
  if (!in.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
    return absl::InvalidArgumentError("undecodable LWW caret position");
  }
  if (in.block().empty() || in.block().size() > kMaxObjectIdBytes) {
    return absl::InvalidArgumentError(
        absl::StrFormat("LWW caret position: block id of %d bytes (1 to %d)", in.block().size(), kMaxObjectIdBytes));
  }
  return Anchor{in.block(), in.offset()};
}

}  // namespace collabsim::lww
