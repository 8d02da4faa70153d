// Append-only character storage for the sequence (see content_arena.h).
#include "engines/crdt/content_arena.h"

#include <algorithm>

#include "engines/common/check.h"

namespace collabsim::crdt {

uint32_t ContentArena::Append(std::u32string_view text) {
  COLLABSIM_CHECK(HasRoomFor(text.size()));
  const auto start = static_cast<uint32_t>(size());
  if (!wide_mode_ && std::any_of(text.begin(), text.end(), [](char32_t c) { return c > 0xFF; })) {
    wide_.reserve(narrow_.size() + text.size());
    for (unsigned char c : narrow_) wide_.push_back(c);
    std::string().swap(narrow_);
    wide_mode_ = true;
  }
  if (wide_mode_) {
    wide_.append(text);
  } else {
    for (char32_t c : text) narrow_.push_back(static_cast<char>(static_cast<unsigned char>(c)));
  }
  return start;
}

void ContentArena::CopyTo(uint64_t from, uint64_t count, std::u32string* out) const {
  COLLABSIM_CHECK(from <= size() && count <= size() - from);
  if (wide_mode_) {
    out->append(wide_, from, count);
    return;
  }
  for (uint64_t k = 0; k < count; ++k) out->push_back(static_cast<unsigned char>(narrow_[from + k]));
}

}  // namespace collabsim::crdt
