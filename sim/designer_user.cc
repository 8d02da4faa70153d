// The synthetic designer's state machine (see designer_user.h).
#include "sim/designer_user.h"

#include <algorithm>
#include <map>

#include "absl/strings/str_format.h"
#include "check/intent_oracle.h"
#include "sim/distributions.h"

namespace collabsim::sim {
namespace {

constexpr SimTime kSetupInterval = 100 * kMillisecond;

struct Canvas {
  std::map<std::string, std::string> parent;  // visible objects, in id order
  bool Has(const std::string& id) const { return parent.contains(id); }
  // True when `id` is `root_of_subtree` or inside it.
  bool Inside(const std::string& id, const std::string& root_of_subtree) const {
    std::string current = id;
    for (size_t steps = 0; steps <= parent.size(); ++steps) {
      if (current == root_of_subtree) return true;
      auto it = parent.find(current);
      if (it == parent.end()) return false;
      current = it->second;
    }
    return false;
  }
};

Canvas CanvasOf(const View& view) {
  Canvas canvas;
  for (const auto& [key, value] : view.properties) {
    if (key.property == "parent" && std::holds_alternative<std::string>(value)) {
      canvas.parent[key.object] = std::get<std::string>(value);
    }
  }
  return canvas;
}

bool IsFrame(const std::string& id) { return !id.empty() && id.front() == 'F'; }

}  // namespace

DesignerUser::DesignerUser(ReplicaId user, const scenario::Design& design, Prng prng)
    : user_(user), design_(design), prng_(std::move(prng)) {}

std::optional<SimTime> DesignerUser::InitialDelay() { return FromSeconds(SampleUniform(prng_, 0, 1)); }

std::string DesignerUser::Tag() { return check::TokenWord(user_, ++writes_); }

UserModel::Action DesignerUser::Next(const Replica& replica, SimTime /*since_start*/) {
  Action action;
  if (frames_made_ < design_.frames_per_user()) {
    action.intent = CreateObject{"F" + check::TokenWord(user_, ++frames_made_), std::string(kRootObject)};
    action.next_in = kSetupInterval;
    return action;
  }
  if (shapes_made_ < design_.shapes_per_user()) {
    action.intent = CreateObject{"S" + check::TokenWord(user_, ++shapes_made_), std::string(kRootObject)};
    action.next_in = kSetupInterval;
    return action;
  }
  const View view = replica.GetView();
  if (drag_updates_left_ > 0) {
    if (CanvasOf(view).Has(dragging_)) {
      x_ += SampleUniform(prng_, -8, 8);
      y_ += SampleUniform(prng_, -8, 8);
      action.intent = SetProperty{dragging_, "transform", absl::StrFormat("%.0f,%.0f %s", x_, y_, Tag())};
      if (--drag_updates_left_ > 0) {
        action.next_in = FromSeconds(1.0 / design_.drag_hz());
        return action;
      }
    } else {
      drag_updates_left_ = 0;  // it went away under the cursor
    }
  } else {
    action.intent = Pick(view);
  }
  action.next_in = drag_updates_left_ > 0 ? FromSeconds(1.0 / design_.drag_hz())
                                          : FromSeconds(SampleExponential(prng_, design_.pause_mean_s()));
  return action;
}

std::optional<IntentBody> DesignerUser::Pick(const View& view) {
  const Canvas canvas = CanvasOf(view);
  std::vector<std::string> shapes, frames, hot;
  for (const auto& [id, parent] : canvas.parent) (IsFrame(id) ? frames : shapes).push_back(id);
  for (uint32_t k = 1; k <= design_.hot_objects(); ++k) {
    if (const std::string id = "S" + check::TokenWord(1, k); canvas.Has(id)) hot.push_back(id);
  }
  for (uint32_t k = 1; k <= design_.frames_per_user(); ++k) {
    if (const std::string id = "F" + check::TokenWord(1, k); canvas.Has(id)) hot.push_back(id);
  }
  auto choose = [&](const std::vector<std::string>& from) -> std::optional<std::string> {
    if (from.empty()) return std::nullopt;
    return from[prng_.UniformInt(from.size())];
  };
  // A shape (or any object) to act on: a hot one for hot_fraction of actions.
  auto target = [&](bool frames_too) -> std::optional<std::string> {
    if (prng_.Bernoulli(design_.hot_fraction())) {
      std::vector<std::string> pool;
      for (const std::string& id : hot) {
        if (frames_too || !IsFrame(id)) pool.push_back(id);
      }
      if (!pool.empty()) return choose(pool);
    }
    if (!frames_too) return choose(shapes);
    std::vector<std::string> all = shapes;
    all.insert(all.end(), frames.begin(), frames.end());
    return choose(all);
  };

  const double weights[] = {design_.drag_weight(),    design_.recolour_weight(), design_.reparent_weight(),
                            design_.reorder_weight(), design_.create_weight(),   design_.delete_weight()};
  double total = 0;
  for (double w : weights) total += w;
  double draw = SampleUniform(prng_, 0, total);
  int kind = 0;
  while (kind < 5 && draw >= weights[kind]) draw -= weights[kind++];

  switch (kind) {
    case 0: {  // drag
      const std::optional<std::string> id = target(false);
      if (!id) return std::nullopt;
      dragging_ = *id;
      const double seconds = SampleUniform(prng_, design_.drag_min_s(), design_.drag_max_s());
      drag_updates_left_ = std::max<uint32_t>(1, static_cast<uint32_t>(seconds * design_.drag_hz()));
      x_ = static_cast<double>(prng_.UniformInt(1600));
      y_ = static_cast<double>(prng_.UniformInt(900));
      --drag_updates_left_;
      return SetProperty{dragging_, "transform", absl::StrFormat("%.0f,%.0f %s", x_, y_, Tag())};
    }
    case 1: {  // recolour
      const std::optional<std::string> id = target(true);
      if (!id) return std::nullopt;
      return SetProperty{*id, "fill", absl::StrFormat("#%06x %s", prng_.UniformInt(1 << 24), Tag())};
    }
    case 2: {  // into a frame, or out onto the canvas
      const std::optional<std::string> id = target(true);
      if (!id) return std::nullopt;
      // Into a frame that is not inside it; the hot frames for a
      // hot_fraction of moves, so frames get moved into each other at once.
      const bool hot_target = prng_.Bernoulli(design_.hot_fraction());
      std::vector<std::string> into;
      for (const std::string& frame : hot_target ? hot : frames) {
        if (IsFrame(frame) && !canvas.Inside(frame, *id)) into.push_back(frame);
      }
      std::string parent(kRootObject);
      if (!into.empty() && !prng_.Bernoulli(0.3)) parent = *choose(into);
      return MoveObject{*id, parent, ""};
    }
    case 3: {  // layer order among its siblings
      const std::optional<std::string> id = target(true);
      if (!id) return std::nullopt;
      const std::string& parent = canvas.parent.at(*id);
      std::vector<std::string> siblings;
      for (const auto& [other, other_parent] : canvas.parent) {
        if (other_parent == parent && other != *id) siblings.push_back(other);
      }
      siblings.push_back("");  // to the top
      return MoveObject{*id, parent, *choose(siblings)};
    }
    case 4: {  // a new shape, on the canvas or in a frame
      std::string parent(kRootObject);
      if (!frames.empty() && prng_.Bernoulli(0.5)) parent = *choose(frames);
      return CreateObject{"S" + check::TokenWord(user_, ++shapes_made_), parent};
    }
    default: {  // delete one of the shapes nobody shares
      std::vector<std::string> cold;
      for (const std::string& id : shapes) {
        if (std::find(hot.begin(), hot.end(), id) == hot.end()) cold.push_back(id);
      }
      const std::optional<std::string> id = choose(cold);
      if (!id) return std::nullopt;
      return DeleteObject{*id};
    }
  }
}

}  // namespace collabsim::sim
