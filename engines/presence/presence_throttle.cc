// Client-side presence throttling (see presence_throttle.h).
#include "engines/presence/presence_throttle.h"

#include "engines/common/check.h"

namespace collabsim {

PresenceThrottle::PresenceThrottle(const PresenceOptions& options) : options_(options) {
  COLLABSIM_CHECK(options_.client_interval_ns > 0 && options_.keepalive_ns >= options_.client_interval_ns);
}

void PresenceThrottle::Set(PresenceEntry entry) {
  if (current_.has_value() && *current_ == entry) return;
  if (dirty_) ++coalesced_;
  current_ = std::move(entry);
  dirty_ = true;
}

void PresenceThrottle::Reconnected() {
  connected_ = true;
  if (current_.has_value()) dirty_ = true;
}

void PresenceThrottle::Disconnected() { connected_ = false; }

std::optional<int64_t> PresenceThrottle::NextDue() const {
  if (!connected_ || !current_.has_value()) return std::nullopt;
  if (!last_sent_.has_value()) return INT64_MIN;
  return *last_sent_ + (dirty_ ? options_.client_interval_ns : options_.keepalive_ns);
}

std::optional<PresenceEntry> PresenceThrottle::TakeDue(int64_t now) {
  const std::optional<int64_t> due = NextDue();
  if (!due.has_value() || now < *due) return std::nullopt;
  COLLABSIM_CHECK(!last_sent_.has_value() || now >= *last_sent_ + options_.client_interval_ns);
  last_sent_ = now;
  dirty_ = false;
  ++sent_;
  return current_;
}

}  // namespace collabsim
