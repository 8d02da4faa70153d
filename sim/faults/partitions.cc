// Partitions (scenario `partitions`, and `random_partitions` drawn from the
// seed before the run): for a while the users inside lose what crosses to
// the outside, one way or both. The users notice dead connections only
// after `detect_after_s` (a heartbeat timeout); when the partition ends,
// connections across it are noticed as dead and come back.
#include <algorithm>

#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "sim/delay_model.h"
#include "sim/distributions.h"
#include "sim/faults/fault.h"
#include "sim/random_partitions.h"
#include "sim/scenario_limits.h"

namespace collabsim::sim {
namespace {

class Partitions final : public Fault {
 public:
  bool InScenario(const scenario::Scenario& s) const override {
    return !s.partitions().empty() || s.has_random_partitions();
  }
  absl::Status Validate(const scenario::Scenario& s, const FieldPlace& root) const override {
    for (int k = 0; k < s.partitions_size(); ++k) {
      const scenario::Partition& p = s.partitions(k);
      const FieldPlace place = root.Nested("partitions", k);
      if (absl::Status ok = place.InActivePhase("at_s", p.at_s(), s.active_s()); !ok.ok()) return ok;
      if (absl::Status ok = place.Duration("duration_s", p.duration_s(), kMaxActiveSeconds); !ok.ok()) return ok;
      if (absl::Status ok = place.Duration("detect_after_s", p.detect_after_s(), kMaxActiveSeconds,
                                           "must be > 0 (the heartbeat timeout that notices a dead link)");
          !ok.ok()) {
        return ok;
      }
      if (p.users_size() == 0) return place.Error("users", "a partition needs at least one `users: N`");
      for (int u = 0; u < p.users_size(); ++u) {
        if (absl::Status ok = place.KnownUser("users", p.users(u), UserCount(s), u); !ok.ok()) return ok;
      }
    }
    if (!s.has_random_partitions()) return absl::OkStatus();
    const scenario::RandomPartitions& r = s.random_partitions();
    const FieldPlace place = root.Nested("random_partitions");
    // At most ~10,000 partitions per run: each is a handful of events.
    if (!(r.mean_interval_s() > 0) || s.active_s() / r.mean_interval_s() > 10000) {
      return place.Error("mean_interval_s",
                         absl::StrFormat("must be > 0 and at least active_s / 10000 = %g s", s.active_s() / 10000));
    }
    if (absl::Status ok = place.Delay("duration", "random_partitions.duration"); !ok.ok()) return ok;
    if (r.max_users() < 1) return place.Error("max_users", "must be at least 1");
    if (!(r.one_way_fraction() >= 0 && r.one_way_fraction() <= 1)) {
      return place.Error("one_way_fraction", "must be in [0, 1] (a fraction, not a percentage)");
    }
    return place.Duration("detect_after_s", r.detect_after_s(), kMaxActiveSeconds,
                          "must be > 0 (the heartbeat timeout that notices a dead link)");
  }
  // Random partitions are drawn out as explicit ones before shrinking.
  int PartCount(const scenario::Scenario& s) const override { return s.partitions_size(); }
  void KeepParts(const scenario::Scenario& from, const std::vector<int>& kept, scenario::Scenario* out) const override {
    KeepEntries(from.partitions(), kept, out->mutable_partitions());
  }
  void RenumberUsers(const std::vector<uint32_t>& renumber, scenario::Scenario* s) const override {
    google::protobuf::RepeatedPtrField<scenario::Partition> kept;
    for (const auto& partition : s->partitions()) {
      scenario::Partition p = partition;
      p.clear_users();
      for (uint32_t user : partition.users()) {
        if (renumber[user] != 0) p.add_users(renumber[user]);
      }
      if (p.users_size() > 0) *kept.Add() = std::move(p);
    }
    *s->mutable_partitions() = std::move(kept);
  }
  void VisitTimes(scenario::Scenario* s, const TimeVisitor& visit) const override {
    for (auto& p : *s->mutable_partitions()) {
      double at = p.at_s(), duration = p.duration_s(), detect = p.detect_after_s();
      visit.at(at);
      visit.duration(duration);
      visit.duration(detect);
      p.set_at_s(at);
      p.set_duration_s(duration);
      p.set_detect_after_s(detect);
    }
  }
  void SwarmDraw(Prng& prng, scenario::Scenario* s, std::vector<std::string>* on) const override {
    if (!prng.Bernoulli(0.3)) return;
    const double active = s->active_s();
    const uint32_t users = UserCount(*s);
    auto* p = s->add_partitions();
    p->set_at_s(SampleUniform(prng, 0.1, 0.7) * active);
    p->set_duration_s(std::max(1.0, SampleUniform(prng, 0.01, 0.3) * active));
    p->set_detect_after_s(SampleUniform(prng, 5, 60));
    const auto direction = static_cast<scenario::Partition::Direction>(prng.UniformInt(3));
    p->set_direction(direction);
    const auto cut = static_cast<uint32_t>(1 + prng.UniformInt(std::max<uint32_t>(1, users / 2)));
    for (uint32_t user : DrawUsers(prng, users, cut)) p->add_users(user);
    on->push_back(absl::StrFormat("partition(%s,%d users)", scenario::Partition::Direction_Name(direction), cut));
  }

  void Describe(const scenario::Scenario& scenario, std::string* line) const override {
    for (const auto& p : scenario.partitions()) {
      absl::StrAppendFormat(line, " partition=%s[%s]@%gs+%gs/detect%gs",
                            scenario::Partition::Direction_Name(p.direction()), absl::StrJoin(p.users(), ","), p.at_s(),
                            p.duration_s(), p.detect_after_s());
    }
    if (scenario.has_random_partitions()) {
      const auto& r = scenario.random_partitions();
      absl::StrAppendFormat(line, " random_partitions=every~%gs,%s,<=%dusers,one_way=%g,detect%gs",
                            r.mean_interval_s(), DelayModel(r.duration()).Describe(), r.max_users(),
                            r.one_way_fraction(), r.detect_after_s());
    }
  }

  void Start(FaultHost& host) override {
    for (int k = 0; k < host.scenario().partitions_size(); ++k) {
      const auto& p = host.scenario().partitions(k);
      const auto index = static_cast<uint64_t>(k);
      const SimTime begin = host.start_time() + FromSeconds(p.at_s());
      const SimTime end = begin + FromSeconds(p.duration_s());
      host.Schedule(begin, Timer(StepKind::kPartitionStart, 0, index));
      // Heal ends every partition; one that would outlast it ends at heal.
      const SimTime finish = std::min(end, host.heal_time());
      const SimTime detect = begin + FromSeconds(p.detect_after_s());
      if (detect < finish) host.Schedule(detect, Timer(StepKind::kPartitionDetect, 0, index));
      host.Schedule(finish, Timer(StepKind::kPartitionEnd, 0, index));
    }
  }

  void Handle(FaultHost& host, const events::FaultTimer& timer) override {
    const size_t index = timer.arg;
    const auto& p = host.scenario().partitions(static_cast<int>(index));
    switch (timer.kind) {
      case StepKind::kPartitionStart:
        return Begin(host, index, p);
      case StepKind::kPartitionDetect:
        return Detect(host, p);
      default:
        return End(host, index, p);
    }
  }

 private:
  static void Trace(FaultHost& host, size_t index, const scenario::Partition& p) {
    host.trace().Add(kTraceTagPartition);
    host.trace().Add(index);
    host.trace().Add(static_cast<uint64_t>(p.direction()));
    for (uint32_t user : p.users()) host.trace().Add(user);
  }

  static void Begin(FaultHost& host, size_t index, const scenario::Partition& p) {
    if (host.recording()) {
      host.Note(kServerReplica, absl::StrFormat("partition %d starts (%s): users %s", index,
                                                scenario::Partition::Direction_Name(p.direction()),
                                                absl::StrJoin(p.users(), ",")));
    }
    Trace(host, index, p);
    host.transport().StartPartition(index, p);
  }

  // The users inside notice that their connections across it are dead.
  static void Detect(FaultHost& host, const scenario::Partition& p) {
    Transport& transport = host.transport();
    for (uint32_t user : p.users()) {
      for (ReplicaId peer : transport.Neighbours(user)) {
        if (transport.IsUp(user, peer) && transport.IsCutEitherWay(user, peer)) host.DropEdge(user, peer);
      }
    }
  }

  static void End(FaultHost& host, size_t index, const scenario::Partition& p) {
    if (host.recording()) host.Note(kServerReplica, absl::StrFormat("partition %d ends", index));
    Trace(host, index, p);
    // Only this partition ends; overlapping ones stay in force.
    Transport& transport = host.transport();
    transport.EndPartition(index);
    const auto& users = p.users();
    for (uint32_t user : users) {
      for (ReplicaId peer : transport.Neighbours(user)) {
        if (transport.via_server()) {
          // Through a server the user's connection is the edge: a dead one
          // is noticed now if it was not before, and the user reconnects.
          if (transport.IsCutEitherWay(user, peer)) continue;
          if (transport.IsUp(user, peer)) host.DropEdge(user, peer);
          if (host.User(user).offline_windows == 0) host.ScheduleReconnect(user, host.now(), 0);
          continue;
        }
        // Peer links across it that stayed up lost messages: they are
        // noticed as dead now and dialled again, as is every link it kept down.
        const bool crossing = std::find(users.begin(), users.end(), peer) == users.end();
        if (crossing && transport.IsUp(user, peer)) host.DropEdge(user, peer);
        host.TryLink(user, peer);
      }
    }
  }
};

}  // namespace

std::unique_ptr<Fault> MakePartitions() { return std::make_unique<Partitions>(); }

}  // namespace collabsim::sim
