// Reads a fuzzer's bytes as a stream of small choices (FuzzedDataProvider
// in spirit, written here so targets build with any compiler): every read
// past the end gives zeros, so any input is a valid program.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace collabsim::fuzz {

class FuzzInput {
 public:
  FuzzInput(const uint8_t* data, size_t size) : data_(data), size_(size) {}

  bool empty() const { return at_ >= size_; }
  uint8_t Byte() { return at_ < size_ ? data_[at_++] : 0; }
  // A value in [0, bound); REQUIRES: bound > 0.
  uint32_t Below(uint32_t bound) {
    const uint32_t value = static_cast<uint32_t>(Byte()) << 8 | Byte();
    return value % bound;
  }
  // Up to `max` bytes, the count taken first.
  std::string Bytes(size_t max) {
    const size_t count = std::min<size_t>(Below(static_cast<uint32_t>(max) + 1), size_ - std::min(at_, size_));
    std::string out(reinterpret_cast<const char*>(data_ + at_), count);
    at_ += count;
    return out;
  }

 private:
  const uint8_t* data_;
  size_t size_;
  size_t at_ = 0;
};

}  // namespace collabsim::fuzz
