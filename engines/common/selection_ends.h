// A selection held as an engine's own positions (a CRDT item id, an LWW
// block and offset), with the presence encoding last made from it. The
// driver asks for the encoding after every step, and most steps do not move
// the cursor, so it is made again only when an end moved.
#pragma once

#include <optional>
#include <utility>

#include "engines/common/replica.h"

namespace collabsim {

template <typename Position>
class SelectionEnds {
 public:
  explicit SelectionEnds(Position start = Position()) : anchor_(start), head_(std::move(start)) {}

  void Set(Position anchor, Position head) {
    if (anchor == anchor_ && head == head_) return;
    anchor_ = std::move(anchor);
    head_ = std::move(head);
    encoded_.reset();
  }
  // A caret: anchor and head together.
  void Collapse(const Position& head) { Set(head, head); }

  const Position& anchor() const { return anchor_; }
  const Position& head() const { return head_; }
  bool collapsed() const { return anchor_ == head_; }

  // `encode` turns one Position into bytes; a caret's anchor shares its
  // head's bytes.
  template <typename Encode>
  const EncodedSelection& Encoded(Encode encode) {
    if (!encoded_.has_value()) {
      std::string head = encode(head_);
      std::string anchor = collapsed() ? head : encode(anchor_);
      encoded_ = EncodedSelection{std::move(anchor), std::move(head)};
    }
    return *encoded_;
  }

 private:
  Position anchor_;
  Position head_;
  std::optional<EncodedSelection> encoded_;
};

}  // namespace collabsim
