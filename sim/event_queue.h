// The simulator's agenda: events ordered by (time, insertion sequence).
// Ties never depend on pointer values or hash order: two events at the same
// instant run in the order they were scheduled.
#pragma once

#include <cstdint>
#include <queue>
#include <utility>
#include <vector>

#include "engines/common/check.h"
#include "sim/sim_time.h"

namespace collabsim::sim {

template <typename Event>
class EventQueue {
 public:
  struct Scheduled {
    SimTime time;
    uint64_t sequence;
    Event event;
  };

  // REQUIRES: time >= now() (no scheduling into the past).
  void Schedule(SimTime time, Event event) {
    COLLABSIM_CHECK(time >= now_);
    uint32_t slot;
    if (free_.empty()) {
      COLLABSIM_CHECK(slots_.size() < UINT32_MAX);
      slot = static_cast<uint32_t>(slots_.size());
      slots_.push_back(std::move(event));
    } else {
      slot = free_.back();
      free_.pop_back();
      slots_[slot] = std::move(event);
    }
    heap_.push(Key{time, next_sequence_++, slot});
  }

  bool empty() const { return heap_.empty(); }
  size_t size() const { return heap_.size(); }
  SimTime now() const { return now_; }
  SimTime next_time() const { return heap_.top().time; }

  // Removes the earliest event and advances now() to its time.
  // REQUIRES: !empty().
  Scheduled Pop() {
    COLLABSIM_CHECK(!heap_.empty());
    const Key top = heap_.top();
    heap_.pop();
    now_ = top.time;
    free_.push_back(top.slot);
    return Scheduled{top.time, top.sequence, std::move(slots_[top.slot])};
  }

  void set_now(SimTime now) {
    COLLABSIM_CHECK(now >= now_);
    now_ = now;
  }

 private:
  // The heap orders small keys; the events stay put in their slots (a
  // sift moves 24 bytes, not an event with its payload).
  struct Key {
    SimTime time;
    uint64_t sequence;
    uint32_t slot;
  };
  struct Later {
    bool operator()(const Key& a, const Key& b) const {
      if (a.time != b.time) return a.time > b.time;
      return a.sequence > b.sequence;
    }
  };
  std::priority_queue<Key, std::vector<Key>, Later> heap_;
  std::vector<Event> slots_;    // by Key::slot; a popped one is moved from
  std::vector<uint32_t> free_;  // slots to reuse
  uint64_t next_sequence_ = 0;
  SimTime now_ = kSimStart;
};

}  // namespace collabsim::sim
