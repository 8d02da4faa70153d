// A sequence as bytes and back: what a client with local storage keeps, and
// the "encoded document" of trace replays. Items are written in document
// order, so restoring places them directly instead of re-integrating each
// one; a run of typing costs one run, not one record per character.
#include <algorithm>

#include "absl/strings/str_format.h"
#include "engines/common/check.h"
#include "engines/common/utf8.h"
#include "engines/crdt/sequence.h"

namespace collabsim::crdt {
void EncodeItemId(const ItemId& id, wire::ItemId* out) {
  out->set_agent(id.agent);
  out->set_counter(id.counter);
}

namespace {

std::optional<ItemId> OptionalId(bool present, const wire::ItemId& id) {
  if (!present) return std::nullopt;
  return ItemId{id.agent(), id.counter()};
}

}  // namespace

void Sequence::EncodeSnapshot(wire::SequenceSnapshot* out) const {
  out->Clear();
  wire::SnapshotRun* run = nullptr;
  std::u32string text;
  const Item* previous = nullptr;
  auto close_run = [&] {
    if (run != nullptr) run->set_text(EncodeUtf8(text));
    text.clear();
  };
  for (const auto& block : blocks_) {
    for (uint32_t handle : block->handles) {
      const Item& item = items_[handle];
      const bool continues = previous != nullptr && run != nullptr && item.id.agent == previous->id.agent &&
                             item.id.counter == previous->id.counter + 1 && item.origin_left == previous->id &&
                             item.origin_right == previous->origin_right && item.lamport == previous->lamport + 1 &&
                             item.deleted == previous->deleted;
      if (!continues) {
        close_run();
        run = out->add_runs();
        run->set_agent(item.id.agent);
        run->set_counter(item.id.counter);
        if (item.origin_left.has_value()) EncodeItemId(*item.origin_left, run->mutable_origin_left());
        if (item.origin_right.has_value()) EncodeItemId(*item.origin_right, run->mutable_origin_right());
        run->set_lamport(item.lamport);
        run->set_deleted(item.deleted);
      }
      text.push_back(item.ch);
      previous = &item;
    }
  }
  close_run();
}

absl::StatusOr<std::unique_ptr<Sequence>> Sequence::FromSnapshot(Integration integration,
                                                                 const wire::SequenceSnapshot& snapshot) {
  auto sequence = std::make_unique<Sequence>(integration);
  Sequence& s = *sequence;
  for (int r = 0; r < snapshot.runs_size(); ++r) {
    const wire::SnapshotRun& run = snapshot.runs(r);
    absl::StatusOr<std::u32string> text = DecodeUtf8(run.text());
    if (!text.ok()) return absl::InvalidArgumentError(absl::StrFormat("snapshot run %d: %s", r, text.status().message()));
    if (text->empty()) return absl::InvalidArgumentError(absl::StrFormat("snapshot run %d: empty text", r));
    if (run.counter() > UINT64_MAX - text->size() || run.lamport() > UINT64_MAX - text->size()) {
      return absl::InvalidArgumentError(absl::StrFormat("snapshot run %d: counter overflows", r));
    }
    std::optional<ItemId> left = OptionalId(run.has_origin_left(), run.origin_left());
    const std::optional<ItemId> right = OptionalId(run.has_origin_right(), run.origin_right());
    for (size_t k = 0; k < text->size(); ++k) {
      Item item;
      item.id = ItemId{run.agent(), run.counter() + k};
      item.origin_left = left;
      item.origin_right = right;
      item.lamport = run.lamport() + k;
      item.ch = (*text)[k];
      item.deleted = run.deleted();
      const auto handle = static_cast<uint32_t>(s.items_.size());
      if (!s.index_.emplace(item.id, handle).second) {
        return absl::InvalidArgumentError(
            absl::StrFormat("snapshot run %d: item %d.%d appears twice", r, item.id.agent, item.id.counter));
      }
      s.items_.push_back(item);
      s.max_lamport_ = std::max(s.max_lamport_, item.lamport);
      s.visible_ += !item.deleted;
      left = item.id;
    }
  }
  // Handles were given in document order, so a handle is a position.
  for (uint32_t handle = 0; handle < s.items_.size(); ++handle) {
    const Item& item = s.items_[handle];
    for (const auto& [origin, must_precede] : {std::pair{item.origin_left, true}, std::pair{item.origin_right, false}}) {
      if (!origin.has_value()) continue;
      const auto it = s.index_.find(*origin);
      const bool well_placed =
          it != s.index_.end() &&
          (must_precede ? it->second < handle : (integration == Integration::kRga || it->second > handle));
      if (!well_placed) {
        return absl::InvalidArgumentError(absl::StrFormat("snapshot item %d.%d: origin %d.%d is missing or misplaced",
                                                          item.id.agent, item.id.counter, origin->agent,
                                                          origin->counter));
      }
    }
  }
  // Blocks half full, so the first edits do not split every block.
  s.blocks_.clear();
  constexpr size_t kFill = kMaxBlock / 2;
  for (uint32_t handle = 0; handle < s.items_.size(); ++handle) {
    if (handle % kFill == 0) s.blocks_.push_back(std::make_unique<Block>());
    Block& block = *s.blocks_.back();
    block.handles.push_back(handle);
    block.visible += !s.items_[handle].deleted;
    s.items_[handle].block = &block;
  }
  if (s.blocks_.empty()) s.blocks_.push_back(std::make_unique<Block>());
  s.Renumber();
  return sequence;
}

}  // namespace collabsim::crdt
