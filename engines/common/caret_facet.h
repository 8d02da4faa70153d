// The optional part of a replica that the presence channel needs: where its
// own user's cursor is, the engine's encoding of a position (so it stays on
// its character while the text moves under it), and where it shows the
// other users' cursors. The channel itself (throttling, the server's room,
// peer gossip) is engine-independent and lives in engines/presence/.
//
// A client with presence returns itself from Replica::carets(); one without
// returns nullptr and its users publish no cursor. A server that must
// rewrite positions for its clients (OT) returns itself from
// Replica::caret_rebase(); others relay positions as they are.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "engines/common/intent.h"
#include "engines/common/selection.h"

namespace collabsim {

class CaretFacet {
 public:
  virtual ~CaretFacet() = default;

  // This user's selection (anchor == head == the caret for a plain caret).
  // A selection is not durable: a restarted app has its caret only.
  virtual Selection OwnSelection() const = 0;
  // Client: this user's selection, encoded for the others. Non-const: an
  // engine may give out the same encoding again while it still places the
  // ends where the user sees them (OT), so an idle cursor sends nothing.
  virtual EncodedSelection PublishSelection() = 0;
  // Client: show `owner`'s selection with these ends (as the server sent
  // them) in RemoteSelection and GetView().cursors, moving with the text,
  // whenever both ends can be placed. InvalidArgument for bytes this engine
  // cannot decode or ends that do not belong together; nothing changes.
  virtual absl::Status ShowRemoteSelection(ReplicaId owner, std::string_view anchor, std::string_view head) = 0;
  virtual void HideRemoteSelection(ReplicaId owner) = 0;
  // Where this replica shows `owner`'s selection now, if it does.
  virtual std::optional<Selection> RemoteSelection(ReplicaId owner) const = 0;
  // The same, its head only.
  std::optional<uint64_t> RemoteCaret(ReplicaId owner) const {
    const std::optional<Selection> selection = RemoteSelection(owner);
    if (!selection.has_value()) return std::nullopt;
    return selection->head;
  }
};

class CaretRebase {
 public:
  virtual ~CaretRebase() = default;

  // One end of `owner`'s selection, `position` as received, rewritten for
  // clients up to date with this server now (OT: transformed to its head).
  // nullopt when it cannot be placed (forged, or older than the server).
  virtual std::optional<std::string> RebaseCaret(ReplicaId owner, std::string_view position) const = 0;
};

}  // namespace collabsim
