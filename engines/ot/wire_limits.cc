// Splitting a large message into parts and putting it back together.
#include "engines/ot/wire_limits.h"

#include <algorithm>

#include "absl/strings/str_format.h"
#include "engines/common/check.h"

namespace collabsim::ot {

std::vector<wire::Part> SplitIntoParts(std::string_view bytes, uint64_t offset) {
  COLLABSIM_CHECK(offset < bytes.size());
  std::vector<wire::Part> parts;
  for (uint64_t at = offset; at < bytes.size(); at += kMaxPartBytes) {
    wire::Part& part = parts.emplace_back();
    part.set_offset(at);
    part.set_total_size(bytes.size());
    part.set_data(std::string(bytes.substr(at, std::min<uint64_t>(kMaxPartBytes, bytes.size() - at))));
  }
  return parts;
}

absl::StatusOr<std::optional<std::string>> Reassembly::Offer(const wire::Part& part) {
  if (part.total_size() == 0 || part.total_size() > kMaxReassembledBytes) {
    return absl::InvalidArgumentError(absl::StrFormat("message part claims a total of %d bytes (limit %d)",
                                                      part.total_size(), kMaxReassembledBytes));
  }
  if (part.data().empty()) return absl::InvalidArgumentError("empty message part");
  if (total_ != 0 && part.total_size() != total_) {
    return absl::InvalidArgumentError(absl::StrFormat("message part says the total is %d bytes, earlier parts %d",
                                                      part.total_size(), total_));
  }
  if (part.offset() != bytes_.size()) {
    return absl::InvalidArgumentError(absl::StrFormat("message part starts at byte %d, %d bytes are held",
                                                      part.offset(), bytes_.size()));
  }
  if (part.data().size() > part.total_size() - part.offset()) {
    return absl::InvalidArgumentError(absl::StrFormat("message part runs past the total of %d bytes", part.total_size()));
  }
  if (part.offset() + part.data().size() == part.total_size()) {
    std::string whole;
    whole.reserve(part.total_size());
    whole.append(bytes_).append(part.data());
    return std::optional<std::string>(std::move(whole));
  }
  total_ = part.total_size();
  bytes_.append(part.data());
  return std::optional<std::string>();
}

void Reassembly::Clear() {
  bytes_ = std::string();
  total_ = 0;
}

}  // namespace collabsim::ot
