// A text document as the LWW engine stores it: paragraphs ("blocks") are
// objects with last-writer-wins properties, Notion-style. Each block has a
// `text` (its paragraph, no newline), an `index` (a fractional key placing
// it among the blocks) and a `deleted` flag; the visible text is the blocks
// that have an index and are not deleted, ordered by (index, object id),
// joined by newlines. Block "0" exists from the start, is never deleted
// and always sorts first, so there is always a paragraph to type into.
//
// With `Granularity::kDocument` the whole text is one register (block "0"
// holds newlines too): every concurrent edit conflicts with every other.
//
// Text intents become writes here: typing inside a paragraph rewrites that
// block's text; a newline splits it (the tail moves into a new block keyed
// just after it); deleting across paragraphs joins the first and last and
// deletes those between. Every replica (server and clients) keeps one of
// these; a client's is its view (server order plus its own pending writes).
//
// Invariants (CheckInvariants): `order_` is exactly the visible blocks,
// sorted, with their code point lengths; block "0" is first; no text
// register of a block-granular document holds a newline; the kept memory
// figures equal those computed from the registers.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/btree_map.h"
#include "absl/status/statusor.h"
#include "engines/common/check.h"
#include "engines/common/intent.h"
#include "engines/common/property_value.h"
#include "engines/common/register_write.h"
#include "engines/common/replica.h"

namespace collabsim::lww {

enum class Granularity { kBlock, kDocument };

inline constexpr std::string_view kFirstBlock = "0";
inline constexpr std::string_view kFirstBlockIndex = "1";
inline constexpr std::string_view kTextProperty = "text";
inline constexpr size_t kMaxObjectIdBytes = 64;

using Write = RegisterWrite;

// Where a caret sits: a block and a code point offset in it, so it stays on
// its character when other paragraphs change.
struct Anchor {
  std::string block;
  uint64_t offset = 0;
  bool operator==(const Anchor&) const = default;
};

// What a text intent did, in the editor's view (for probes and histories).
struct EditSummary {
  std::string block;
  uint64_t offset = 0;
  bool is_delete = false;
};

// The writes one text intent makes, and where the author's caret ends up.
struct EditResult {
  std::vector<Write> writes;
  Anchor caret;
  std::optional<Anchor> selection_anchor;  // a selection's anchor; none: a caret
  bool moves_caret = true;  // false for canvas intents
  EditSummary summary;
};

// A document's registers in key order, so an object's registers are
// adjacent. A B-tree: every client of a crowd holds one, and a write's
// lookup walks far fewer cache lines than a red-black tree's.
using BlockRegisters = absl::btree_map<PropertyKey, PropertyValue>;

class BlockDocument {
 public:
  explicit BlockDocument(Granularity granularity);
  // A document holding exactly `registers` (plus block "0"), laid out in
  // one sort. REQUIRES: each is a valid write.
  BlockDocument(Granularity granularity, BlockRegisters registers);

  Granularity granularity() const { return granularity_; }

  // Whether a write may be applied to a document of this granularity (what
  // the wire may carry): known property, value of its type, valid key and
  // UTF-8, the first block never moved or deleted. The error names the
  // object and property.
  absl::Status ValidateWrite(const Write& write) const;

  // REQUIRES: ValidateWrite(write) is ok.
  void Apply(const Write& write);

  // The value of a property (monostate when unset).
  const PropertyValue& Get(const PropertyKey& key) const;
  const BlockRegisters& registers() const { return registers_; }

  uint64_t TextLength() const { return text_length_; }
  std::string Text() const;
  // Code points [from, from + count), clamped.
  std::string TextSlice(uint64_t from, uint64_t count) const;
  size_t VisibleBlocks() const { return order_.size(); }

  // The writes for a text intent made in this view by `id`'s author, or
  // InvalidArgument (out of range, bad UTF-8) and no writes.
  absl::StatusOr<EditResult> Edit(const IntentBody& body, IntentId id) const;

  Anchor AnchorAt(uint64_t position) const;
  // The caret's position now: its block's start plus its offset (clamped);
  // for a block no longer visible, where that block would be.
  uint64_t PositionOf(const Anchor& anchor) const;

  // Kept as writes apply: O(1).
  MemoryStats Memory() const { return memory_; }
  void CheckInvariants() const;

 private:
  struct Placed {
    std::string index;
    std::string id;
    uint64_t length = 0;  // code points
  };
  struct Located {
    size_t block = 0;      // into order_
    uint64_t offset = 0;   // code points into that block
  };
  bool IsVisible(std::string_view object) const;
  const std::string& TextOf(std::string_view object) const;
  // Block slot and offset of `position` (<= TextLength()): the first block
  // whose span [start, start + length] holds it.
  Located Locate(uint64_t position) const;
  uint64_t StartOf(size_t block) const;
  void Unplace(std::string_view object);
  void Place(std::string_view object);
  // Memory() of one object's registers, and of all of them from scratch.
  MemoryStats ObjectMemory(std::string_view object) const;
  MemoryStats ComputeMemory() const;

  Granularity granularity_;
  BlockRegisters registers_;
  std::vector<Placed> order_;
  uint64_t text_length_ = 0;
  MemoryStats memory_;  // equals ComputeMemory()
  FullCheckCadence full_check_;
};

}  // namespace collabsim::lww
