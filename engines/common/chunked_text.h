// A document's text as code points in bounded chunks, for engines that keep
// the plain text of the document (OT, LWW). A flat string moves the whole
// tail on every splice, which made long documents (the `plane` scenario's
// ~1 MB of text, edited ~150,000 times per replica) spend most of their time
// in memmove; here a splice moves at most one chunk, and finding a position
// scans chunk lengths, not characters.
//
// Invariants: no chunk is empty or longer than kMaxChunk; size() is the sum
// of the chunk lengths.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace collabsim {

class ChunkedText {
 public:
  static constexpr size_t kMaxChunk = 2048;

  ChunkedText() = default;
  explicit ChunkedText(std::u32string_view text) { Assign(text); }

  uint64_t size() const { return size_; }
  bool empty() const { return size_ == 0; }

  void Assign(std::u32string_view text);
  // REQUIRES: position <= size().
  void Insert(uint64_t position, std::u32string_view text);
  // REQUIRES: position + count <= size().
  void Erase(uint64_t position, uint64_t count);

  // Code points [from, from + count), clamped to the text.
  std::u32string Slice(uint64_t from, uint64_t count) const;
  std::u32string ToU32String() const { return Slice(0, size_); }
  // UTF-8 of Slice(from, count).
  std::string Utf8Slice(uint64_t from, uint64_t count) const;
  std::string ToUtf8() const { return Utf8Slice(0, size_); }

  // Bytes allocated for the text and the chunk table.
  uint64_t AllocatedBytes() const;

  // Aborts (COLLABSIM_CHECK) when an invariant above is broken.
  void CheckInvariants() const;

 private:
  // The chunk holding `*position`, with *position made relative to it.
  // Ties at a chunk boundary go to the earlier chunk, so typing at the end
  // of a chunk appends to it. REQUIRES: !chunks_.empty(), *position <= size().
  size_t Locate(uint64_t* position) const;
  // Splits chunks_[index] into pieces of at most kMaxChunk / 2 code points.
  void SplitOversized(size_t index);
  // Merges chunks_[index] into its successor's place when both fit in one.
  void MergeWithNext(size_t index);

  std::vector<std::u32string> chunks_;
  uint64_t size_ = 0;
};

}  // namespace collabsim
