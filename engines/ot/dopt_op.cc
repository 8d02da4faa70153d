// Positional inclusion transformation for the dOPT negative control (see
// dopt_op.h).
#include "engines/ot/dopt_op.h"

#include <algorithm>

namespace collabsim::dopt {
namespace {

// A position after `ranges` were deleted (a position inside one moves to
// its start).
uint64_t PastDeletes(uint64_t position, const std::vector<DeleteRange>& ranges) {
  uint64_t shift = 0;
  for (const DeleteRange& r : ranges) {
    if (r.position >= position) break;
    shift += std::min(r.length, position - r.position);
  }
  return position - shift;
}

std::vector<DeleteRange> Normalised(std::vector<DeleteRange> ranges) {
  std::vector<DeleteRange> out;
  for (const DeleteRange& r : ranges) {
    if (r.length == 0) continue;
    if (!out.empty() && out.back().position + out.back().length >= r.position) {
      out.back().length = std::max(out.back().position + out.back().length, r.position + r.length) - out.back().position;
    } else {
      out.push_back(r);
    }
  }
  return out;
}

}  // namespace

DoptOp Transform(const DoptOp& op, ReplicaId site, const DoptOp& other, ReplicaId other_site) {
  if (const auto* insert = std::get_if<DoptInsert>(&op)) {
    DoptInsert out = *insert;
    if (const auto* other_insert = std::get_if<DoptInsert>(&other)) {
      const bool after = other_insert->position < insert->position ||
                         (other_insert->position == insert->position && other_site < site);
      if (after) out.position += other_insert->text.size();
    } else {
      out.position = PastDeletes(insert->position, std::get<DoptDelete>(other).ranges);
    }
    return out;
  }
  const auto& del = std::get<DoptDelete>(op);
  std::vector<DeleteRange> ranges;
  if (const auto* other_insert = std::get_if<DoptInsert>(&other)) {
    const uint64_t at = other_insert->position;
    const uint64_t added = other_insert->text.size();
    for (const DeleteRange& r : del.ranges) {
      if (at <= r.position) {
        ranges.push_back({r.position + added, r.length});
      } else if (at >= r.position + r.length) {
        ranges.push_back(r);
      } else {  // the insert lands inside: delete around it, keep it
        ranges.push_back({r.position, at - r.position});
        ranges.push_back({at + added, r.position + r.length - at});
      }
    }
  } else {
    const std::vector<DeleteRange>& gone = std::get<DoptDelete>(other).ranges;
    for (const DeleteRange& r : del.ranges) {
      const uint64_t start = PastDeletes(r.position, gone);
      const uint64_t end = PastDeletes(r.position + r.length, gone);
      ranges.push_back({start, end - start});
    }
  }
  return DoptDelete{Normalised(std::move(ranges))};
}

void Apply(const DoptOp& op, ChunkedText* text) {
  if (const auto* insert = std::get_if<DoptInsert>(&op)) {
    text->Insert(std::min(insert->position, text->size()), insert->text);
    return;
  }
  const auto& ranges = std::get<DoptDelete>(op).ranges;
  for (auto it = ranges.rbegin(); it != ranges.rend(); ++it) {  // right to left: earlier positions stay put
    if (it->position >= text->size()) continue;
    text->Erase(it->position, std::min(it->length, text->size() - it->position));
  }
}

bool IsNoop(const DoptOp& op) {
  if (const auto* insert = std::get_if<DoptInsert>(&op)) return insert->text.empty();
  return std::get<DoptDelete>(op).ranges.empty();
}

}  // namespace collabsim::dopt
