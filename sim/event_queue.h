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
    heap_.push(Scheduled{time, next_sequence_++, std::move(event)});
  }

  bool empty() const { return heap_.empty(); }
  size_t size() const { return heap_.size(); }
  SimTime now() const { return now_; }
  SimTime next_time() const { return heap_.top().time; }

  // Removes the earliest event and advances now() to its time.
  // REQUIRES: !empty().
  Scheduled Pop() {
    COLLABSIM_CHECK(!heap_.empty());
    Scheduled top = std::move(const_cast<Scheduled&>(heap_.top()));
    heap_.pop();
    now_ = top.time;
    return top;
  }

  void set_now(SimTime now) {
    COLLABSIM_CHECK(now >= now_);
    now_ = now;
  }

 private:
  struct Later {
    bool operator()(const Scheduled& a, const Scheduled& b) const {
      if (a.time != b.time) return a.time > b.time;
      return a.sequence > b.sequence;
    }
  };
  std::priority_queue<Scheduled, std::vector<Scheduled>, Later> heap_;
  uint64_t next_sequence_ = 0;
  SimTime now_ = kSimStart;
};

}  // namespace collabsim::sim
