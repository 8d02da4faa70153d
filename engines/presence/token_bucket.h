// A token bucket for presence rate limits (server room, mesh peers): `rate`
// tokens a second up to `burst`, one per admitted update, counted in
// billionths of a token so the arithmetic stays integral and exact.
#pragma once

#include <algorithm>
#include <cstdint>

#include "engines/common/check.h"

namespace collabsim {

class TokenBucket {
 public:
  static constexpr int64_t kOne = 1'000'000'000;

  // Full at `now`. REQUIRES: rate and burst > 0.
  TokenBucket(uint32_t rate_per_s, uint32_t burst, int64_t now)
      : rate_(rate_per_s), capacity_(static_cast<int64_t>(burst) * kOne), tokens_(capacity_), refilled_at_(now) {
    COLLABSIM_CHECK(rate_per_s > 0 && burst > 0);
  }

  // Refills for the time since the last call, then takes a token if there
  // is one.
  bool Take(int64_t now) {
    if (now > refilled_at_) {
      // Capping the elapsed time first keeps the product far from overflow.
      const int64_t elapsed = std::min(now - refilled_at_, capacity_);
      tokens_ = std::min(capacity_, tokens_ + elapsed * rate_);
      refilled_at_ = now;
    }
    if (tokens_ < kOne) return false;
    tokens_ -= kOne;
    return true;
  }

  // When Take will next succeed (now or earlier if a token is there).
  int64_t ReadyAt() const {
    if (tokens_ >= kOne) return refilled_at_;
    return refilled_at_ + (kOne - tokens_ + rate_ - 1) / rate_;
  }

  void CheckInvariants() const { COLLABSIM_CHECK(tokens_ >= 0 && tokens_ <= capacity_); }

 private:
  int64_t rate_;
  int64_t capacity_;
  int64_t tokens_;
  int64_t refilled_at_;
};

}  // namespace collabsim
