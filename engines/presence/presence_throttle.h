// The client side of presence: the user's cursor moves as often as the
// user moves it, but at most one update per interval leaves the client, and
// it is the newest (latest wins; nothing queues). An idle user's entry is
// resent before the server's TTL would drop it, and after a reconnect the
// entry goes out at once, since the server forgot it.
//
// Driven like an engine: the caller passes its clock's reading and asks
// when it next has something to send.
#pragma once

#include <cstdint>
#include <optional>

#include "engines/presence/presence_entry.h"
#include "engines/presence/presence_options.h"

namespace collabsim {

class PresenceThrottle {
 public:
  explicit PresenceThrottle(const PresenceOptions& options);

  // The user's presence changed (cursor moved, selection, viewport).
  void Set(PresenceEntry entry);
  // The connection is back: the entry is due at once, throttle permitting.
  void Reconnected();
  // The connection dropped: nothing is due until Reconnected().
  void Disconnected();

  // The entry to send now, if one is due at `now`; records the send.
  std::optional<PresenceEntry> TakeDue(int64_t now);
  // When TakeDue will next return an entry (nullopt: not until something
  // changes). May be in the past: due at once.
  std::optional<int64_t> NextDue() const;

  // Whether a change waits to be sent (keepalives aside).
  bool HasUnsent() const { return connected_ && dirty_ && current_.has_value(); }
  const std::optional<PresenceEntry>& current() const { return current_; }
  // Set() calls whose entry was replaced before it was sent.
  uint64_t coalesced() const { return coalesced_; }
  uint64_t sent() const { return sent_; }

 private:
  PresenceOptions options_;
  std::optional<PresenceEntry> current_;
  bool dirty_ = false;      // current_ differs from what was last sent
  bool connected_ = true;
  std::optional<int64_t> last_sent_;
  uint64_t coalesced_ = 0;
  uint64_t sent_ = 0;
};

}  // namespace collabsim
