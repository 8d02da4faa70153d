// Chunked code-point text: splices touch one chunk (see chunked_text.h).
#include "engines/common/chunked_text.h"

#include <algorithm>

#include "engines/common/check.h"
#include "engines/common/utf8.h"

namespace collabsim {

void ChunkedText::Assign(std::u32string_view text) {
  chunks_.clear();
  size_ = 0;
  Insert(0, text);
}

size_t ChunkedText::Locate(uint64_t* position) const {
  for (size_t i = 0; i < chunks_.size(); ++i) {
    if (*position <= chunks_[i].size()) return i;
    *position -= chunks_[i].size();
  }
  COLLABSIM_CHECK(false);  // position past the end
  return 0;
}

void ChunkedText::Insert(uint64_t position, std::u32string_view text) {
  COLLABSIM_CHECK(position <= size_);
  if (text.empty()) return;
  size_t index = 0;
  if (chunks_.empty()) {
    chunks_.emplace_back(text);
  } else {
    index = Locate(&position);
    chunks_[index].insert(position, text);
  }
  size_ += text.size();
  SplitOversized(index);
}

void ChunkedText::SplitOversized(size_t index) {
  if (chunks_[index].size() <= kMaxChunk) return;
  constexpr size_t kPiece = kMaxChunk / 2;
  std::u32string whole = std::move(chunks_[index]);
  std::vector<std::u32string> pieces;
  pieces.reserve((whole.size() + kPiece - 1) / kPiece);
  for (size_t from = 0; from < whole.size(); from += kPiece) pieces.emplace_back(whole.substr(from, kPiece));
  chunks_.erase(chunks_.begin() + static_cast<std::ptrdiff_t>(index));
  chunks_.insert(chunks_.begin() + static_cast<std::ptrdiff_t>(index), std::make_move_iterator(pieces.begin()),
                 std::make_move_iterator(pieces.end()));
}

void ChunkedText::Erase(uint64_t position, uint64_t count) {
  COLLABSIM_CHECK(count <= size_ && position <= size_ - count);
  if (count == 0) return;
  size_ -= count;
  // Start in the chunk that holds the first erased code point (not the one
  // that merely ends where the range starts).
  size_t index = 0;
  while (position >= chunks_[index].size()) {
    position -= chunks_[index].size();
    ++index;
  }
  const size_t first = index;
  while (count > 0) {
    const uint64_t here = std::min<uint64_t>(count, chunks_[index].size() - position);
    chunks_[index].erase(position, here);
    count -= here;
    position = 0;
    ++index;
  }
  // Drop chunks the range emptied; they are contiguous from `first` on
  // (the first may keep a prefix, the last a suffix).
  auto keep_from = chunks_.begin() + static_cast<std::ptrdiff_t>(first);
  auto keep_to = chunks_.begin() + static_cast<std::ptrdiff_t>(index);
  chunks_.erase(std::remove_if(keep_from, keep_to, [](const std::u32string& c) { return c.empty(); }), keep_to);
  // Keep the table from filling with slivers: the chunk where the erase
  // started absorbs its successor when both fit.
  if (first < chunks_.size()) MergeWithNext(first);
  if (first > 0) MergeWithNext(first - 1);
}

void ChunkedText::MergeWithNext(size_t index) {
  if (index + 1 >= chunks_.size()) return;
  if (chunks_[index].size() + chunks_[index + 1].size() > kMaxChunk / 2) return;
  chunks_[index] += chunks_[index + 1];
  chunks_.erase(chunks_.begin() + static_cast<std::ptrdiff_t>(index) + 1);
}

std::u32string ChunkedText::Slice(uint64_t from, uint64_t count) const {
  std::u32string out;
  if (from >= size_) return out;
  count = std::min(count, size_ - from);
  out.reserve(count);
  for (const std::u32string& chunk : chunks_) {
    if (count == 0) break;
    if (from >= chunk.size()) {
      from -= chunk.size();
      continue;
    }
    const uint64_t here = std::min<uint64_t>(count, chunk.size() - from);
    out.append(chunk, from, here);
    count -= here;
    from = 0;
  }
  return out;
}

std::string ChunkedText::Utf8Slice(uint64_t from, uint64_t count) const { return EncodeUtf8(Slice(from, count)); }

uint64_t ChunkedText::AllocatedBytes() const {
  uint64_t bytes = chunks_.capacity() * sizeof(std::u32string);
  for (const std::u32string& chunk : chunks_) bytes += chunk.capacity() * sizeof(char32_t);
  return bytes;
}

void ChunkedText::CheckInvariants() const {
  uint64_t total = 0;
  for (const std::u32string& chunk : chunks_) {
    COLLABSIM_CHECK(!chunk.empty());
    COLLABSIM_CHECK(chunk.size() <= kMaxChunk);
    total += chunk.size();
  }
  COLLABSIM_CHECK(total == size_);
}

}  // namespace collabsim
