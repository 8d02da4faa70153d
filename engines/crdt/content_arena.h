// The characters of every insert a sequence has applied, appended in arrival
// order and never moved, so a run of the sequence names its text by an index
// and a length instead of owning a string. One byte per character while
// every character fits in Latin-1 (most real documents), four bytes once a
// wider one arrives; indexes stay valid across that switch.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace collabsim::crdt {

class ContentArena {
 public:
  // Indexes are 32-bit (runs store them); Append refuses to grow beyond.
  static constexpr uint64_t kMaxChars = UINT32_MAX;

  bool HasRoomFor(uint64_t count) const { return count <= kMaxChars - size(); }
  // The index of text[0]. REQUIRES: HasRoomFor(text.size()).
  uint32_t Append(std::u32string_view text);
  // Appends characters [from, from + count) to `out`. REQUIRES: in range.
  void CopyTo(uint64_t from, uint64_t count, std::u32string* out) const;
  uint64_t size() const { return wide_mode_ ? wide_.size() : narrow_.size(); }
  uint64_t Bytes() const { return wide_mode_ ? wide_.capacity() * sizeof(char32_t) : narrow_.capacity(); }

 private:
  std::string narrow_;    // Latin-1 code points as bytes, while !wide_mode_
  std::u32string wide_;   // everything, once any character is above U+00FF
  bool wide_mode_ = false;
};

}  // namespace collabsim::crdt
