// Factory, traits and message summaries of the `ot-dopt` negative control.
#include "engines/ot/dopt_engine.h"

#include "absl/strings/str_format.h"
#include "dopt_wire.pb.h"
#include "engines/common/check.h"
#include "engines/ot/dopt_site.h"

namespace collabsim::dopt {
namespace {

class DoptControl final : public Engine {
 public:
  const EngineTraits& traits() const override { return traits_; }
  std::unique_ptr<Replica> CreateServer(const EngineOptions&) const override {
    COLLABSIM_CHECK(false);  // a mesh has no server
    return nullptr;
  }
  std::unique_ptr<Replica> CreateClient(ReplicaId id, const EngineOptions&) const override {
    return std::make_unique<DoptSite>(id);
  }
  absl::StatusOr<std::unique_ptr<Replica>> RestoreServer(std::string_view, const EngineOptions&) const override {
    COLLABSIM_CHECK(false);
    return absl::UnimplementedError("no server");
  }
  absl::StatusOr<std::unique_ptr<Replica>> RestoreClient(ReplicaId, std::string_view,
                                                         const EngineOptions&) const override {
    return absl::UnimplementedError("ot-dopt keeps no local storage");
  }
  std::string DescribeMessage(ReplicaId, std::string_view bytes) const override {
    wire::PeerMessage m;
    if (!m.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
      return absl::StrFormat("undecodable dOPT message (%d bytes)", bytes.size());
    }
    if (m.has_hello()) return absl::StrFormat("Hello with %d sites", m.hello().state_size());
    std::string out = absl::StrFormat("Requests (%d)", m.requests().requests_size());
    for (const wire::Request& r : m.requests().requests()) {
      absl::StrAppendFormat(&out, " %d.%d", r.site(), r.number());
      if (r.has_insert()) {
        absl::StrAppendFormat(&out, " insert@%d", r.insert().position());
      } else {
        absl::StrAppendFormat(&out, " delete %d ranges", r.delete_().ranges_size());
      }
    }
    return out;
  }

 private:
  EngineTraits traits_{"ot-dopt",
                       "NEGATIVE CONTROL: peer-to-peer OT without a server (dOPT, Ellis & Gibbs 1989); wrong on "
                       "purpose, diverges with three or more sites",
                       Topology::kMesh, false, true};
};

}  // namespace

const Engine& DoptEngine() {
  static const DoptControl* const engine = new DoptControl();
  return *engine;
}

}  // namespace collabsim::dopt
