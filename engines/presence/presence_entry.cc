// Bounds on a presence entry (see presence_entry.h).
#include "engines/presence/presence_entry.h"

#include "absl/strings/str_cat.h"
#include "engines/common/check.h"
#include "engines/common/utf8.h"

namespace collabsim {
namespace {

absl::Status CheckPosition(const char* field, const std::string& position) {
  if (position.size() > kMaxPresencePositionBytes) {
    return absl::InvalidArgumentError(absl::StrCat("presence ", field, ": ", position.size(), " bytes, more than ",
                                                   kMaxPresencePositionBytes));
  }
  return absl::OkStatus();
}

}  // namespace

PresenceEntry WithoutIdentity(PresenceEntry entry) {
  entry.identity = false;
  entry.name.clear();
  entry.colour = 0;
  return entry;
}

void TakeIdentity(const PresenceEntry& held, PresenceEntry* entry) {
  COLLABSIM_CHECK(held.user == entry->user && held.identity);
  entry->identity = true;
  entry->name = held.name;
  entry->colour = held.colour;
}

absl::Status ValidatePresenceEntry(const PresenceEntry& entry) {
  if (entry.name.size() > kMaxPresenceNameBytes) {
    return absl::InvalidArgumentError(
        absl::StrCat("presence name: ", entry.name.size(), " bytes, more than ", kMaxPresenceNameBytes));
  }
  if (!DecodeUtf8(entry.name).ok()) return absl::InvalidArgumentError("presence name: not valid UTF-8");
  if (entry.colour > kMaxPresenceColour) {
    return absl::InvalidArgumentError(absl::StrCat("presence colour: ", entry.colour, " is not 0xRRGGBB"));
  }
  if (absl::Status status = CheckPosition("anchor", entry.anchor); !status.ok()) return status;
  if (absl::Status status = CheckPosition("head", entry.head); !status.ok()) return status;
  if (!entry.anchor.empty() && entry.head.empty()) {
    return absl::InvalidArgumentError("presence anchor: a selection anchor without a head");
  }
  if (entry.viewport.has_value()) {
    if (absl::Status status = CheckPosition("viewport.first", entry.viewport->first); !status.ok()) return status;
    if (absl::Status status = CheckPosition("viewport.last", entry.viewport->last); !status.ok()) return status;
  }
  return absl::OkStatus();
}

}  // namespace collabsim
