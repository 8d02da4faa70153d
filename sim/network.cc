// FIFO links with sampled delays and epoch-based loss on drop.
#include "sim/network.h"

#include <algorithm>

#include "engines/common/check.h"

namespace collabsim::sim {
namespace {
constexpr uint64_t kLinkStreamBase = 0x1000;
}  // namespace

Network::Network(std::vector<LinkModel> links, uint64_t seed) {
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
  c.to_server = Direction{};
  c.to_client = Direction{};
}

void Network::Drop(ReplicaId user) {
  Connection& c = At(user);
  COLLABSIM_CHECK(c.up);
  c.up = false;
  ++c.epoch;
}

SimTime Network::Transmit(const LinkModel& link, Direction& d, SimTime ready, uint64_t wire_bytes) {
  if (link.bandwidth_kbps <= 0) return ready;
  const SimTime start = std::max(ready, d.free_at);
  // bits / (kbit/s) = ms; rounded to the nanosecond.
  d.free_at = start + FromMilliseconds(static_cast<double>(wire_bytes) * 8 / link.bandwidth_kbps);
  return d.free_at;
}

SimTime Network::Arrival(ReplicaId user, bool to_server, SimTime now, uint64_t wire_bytes) {
  Connection& c = At(user);
  COLLABSIM_CHECK(c.up);
  Direction& d = to_server ? c.to_server : c.to_client;
  const SimTime sent = Transmit(c.link, d, now, wire_bytes);
  const SimTime arrival = std::max(sent + c.link.latency.Sample(c.prng), d.last_arrival);
  d.last_arrival = arrival;
  return arrival;
}

SimTime Network::PeerArrival(ReplicaId from, ReplicaId to, SimTime now, uint64_t wire_bytes) {
  Connection& sender = At(from);
  Connection& receiver = At(to);
  COLLABSIM_CHECK(sender.up && receiver.up && from != to);
  const SimTime sent = Transmit(sender.link, sender.to_server, now, wire_bytes);
  const SimTime reached = sent + sender.link.latency.Sample(sender.prng) + receiver.link.latency.Sample(receiver.prng);
  return Transmit(receiver.link, receiver.to_client, reached, wire_bytes);
}

}  // namespace collabsim::sim
