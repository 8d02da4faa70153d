// A synthetic designer on a shared canvas (Figma-style). It first creates
// its frames (groups) and shapes, then between pauses (exponential) drags a
// shape (a burst of position updates at `drag_hz`), recolours one, moves
// one into a frame or out to the canvas (frames into frames too, never into
// their own subtree as this designer sees it), changes one's layer order,
// creates a shape or deletes one of the shapes nobody shares. A
// `hot_fraction` of actions goes to user 1's first shapes and frames, which
// every designer works on, so concurrent writes to one property and
// concurrent moves of one object are common.
//
// Object ids say what and whose: "F" (frame) or "S" (shape), then the
// designer's letters and a counter ("Sb7"). Every written value ends in a
// tag unique to the write ("12,40 b31"), so the checkers can tell which
// write a final value came from.
//
// Determinism: draws only from its own Prng; reads only its own replica's
// view, and visits objects in id order.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "engines/common/intent.h"
#include "engines/common/replica.h"
#include "scenario.pb.h"
#include "sim/prng.h"
#include "sim/sim_time.h"
#include "sim/user_model.h"

namespace collabsim::sim {

class DesignerUser : public UserModel {
 public:
  DesignerUser(ReplicaId user, const scenario::Design& design, Prng prng);

  std::optional<SimTime> InitialDelay() override;
  Action Next(const Replica& replica, SimTime since_start) override;

 private:
  std::string Tag();
  std::optional<IntentBody> Pick(const View& view);

  ReplicaId user_;
  scenario::Design design_;
  Prng prng_;
  uint32_t frames_made_ = 0;
  uint32_t shapes_made_ = 0;
  uint64_t writes_ = 0;
  // The drag in progress: its object, updates left and position.
  std::string dragging_;
  uint32_t drag_updates_left_ = 0;
  double x_ = 0, y_ = 0;
};

}  // namespace collabsim::sim
