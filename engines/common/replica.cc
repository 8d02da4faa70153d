// Default cheap reads: correct for any engine, O(document) each; engines
// with a flat or indexed document override them.
#include "engines/common/replica.h"

#include <algorithm>
#include <cstring>

#include "engines/common/utf8.h"

namespace collabsim {

namespace {
// A multiply-xorshift over the bytes eight at a time, and their length:
// tells a message from the one before it (a false match would need a
// 64-bit collision). Only ever compared within a run, so the byte order of
// the machine does not matter; every delivery reads it, so it is not
// FNV's byte at a time.
uint64_t MessageDigest(std::string_view bytes) {
  constexpr uint64_t kMultiplier = 0xff51afd7ed558ccdULL;
  uint64_t h = 0x9e3779b97f4a7c15ULL ^ bytes.size();
  size_t at = 0;
  for (; at + sizeof(uint64_t) <= bytes.size(); at += sizeof(uint64_t)) {
    uint64_t word;
    std::memcpy(&word, bytes.data() + at, sizeof(word));
    h = (h ^ word) * kMultiplier;
    h ^= h >> 29;
  }
  uint64_t tail = 0;
  if (at < bytes.size()) std::memcpy(&tail, bytes.data() + at, bytes.size() - at);
  h = (h ^ tail) * kMultiplier;
  return h ^ (h >> 32);
}
}  // namespace

absl::Status Replica::Receive(ReplicaId from, std::string_view bytes) {
  const uint64_t digest = MessageDigest(bytes);
  const auto last = last_accepted_.find(from);
  if (last != last_accepted_.end() && last->second == digest) return absl::OkStatus();  // a proxy's duplicate
  absl::Status status = ReceiveMessage(from, bytes);
  if (status.ok()) last_accepted_[from] = digest;
  return status;
}

void Replica::Connected(ReplicaId peer) {
  last_accepted_.erase(peer);
  OnConnected(peer);
}

void Replica::Disconnected(ReplicaId peer) {
  last_accepted_.erase(peer);
  OnDisconnected(peer);
}

uint64_t Replica::TextLength() const { return CountCodePoints(GetView().text); }

std::string Replica::TextSlice(uint64_t from, uint64_t count) const {
  const std::string text = GetView().text;
  // Byte offsets of code points `from` and `from + count`.
  auto offset_of = [&](uint64_t code_points) {
    size_t at = 0;
    for (uint64_t seen = 0; at < text.size(); ++at) {
      if ((static_cast<unsigned char>(text[at]) & 0xC0) != 0x80) {
        if (seen == code_points) return at;
        ++seen;
      }
    }
    return text.size();
  };
  const size_t begin = offset_of(from);
  const size_t end = offset_of(from + std::min(count, UINT64_MAX - from));
  return text.substr(begin, end - begin);
}

uint64_t Replica::OwnCursor() const {
  const View view = GetView();
  const auto it = view.cursors.find(id_);
  return it == view.cursors.end() ? 0 : it->second;
}

}  // namespace collabsim
