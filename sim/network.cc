// FIFO links with sampled delays and epoch-based loss on drop.
#include "sim/network.h"

#include <algorithm>

#include "engines/common/check.h"

namespace collabsim::sim {
namespace {
constexpr uint64_t kLinkStreamBase = 0x1000;
}  // namespace

Network::Network(std::vector<DelayModel> links, uint64_t seed) {
  COLLABSIM_CHECK(!links.empty());
  connections_.reserve(links.size());
  for (size_t k = 0; k < links.size(); ++k) {
    connections_.push_back(Connection{std::move(links[k]), Prng::ForStream(seed, kLinkStreamBase + k)});
  }
}

Network::Connection& Network::At(ReplicaId user) {
  COLLABSIM_CHECK(user >= 1 && user <= connections_.size());
  return connections_[user - 1];
}

const Network::Connection& Network::At(ReplicaId user) const {
  COLLABSIM_CHECK(user >= 1 && user <= connections_.size());
  return connections_[user - 1];
}

void Network::Connect(ReplicaId user) {
  Connection& c = At(user);
  COLLABSIM_CHECK(!c.up);
  c.up = true;
  ++c.epoch;
  c.last_arrival_to_server = 0;
  c.last_arrival_to_client = 0;
}

void Network::Drop(ReplicaId user) {
  Connection& c = At(user);
  COLLABSIM_CHECK(c.up);
  c.up = false;
  ++c.epoch;
}

SimTime Network::Arrival(ReplicaId user, bool to_server, SimTime now) {
  Connection& c = At(user);
  COLLABSIM_CHECK(c.up);
  SimTime& last = to_server ? c.last_arrival_to_server : c.last_arrival_to_client;
  const SimTime arrival = std::max(now + c.link.Sample(c.prng), last);
  last = arrival;
  return arrival;
}

}  // namespace collabsim::sim
