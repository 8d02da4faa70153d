// Text comparison across replicas with a compact diff excerpt.
#include "check/convergence.h"

#include <algorithm>

#include "absl/strings/str_format.h"

namespace collabsim::check {
namespace {

std::string Excerpt(const std::string& text, size_t at) {
  constexpr size_t kContext = 24;
  const size_t begin = at > kContext ? at - kContext : 0;
  return absl::StrFormat("...%s...", text.substr(begin, 2 * kContext));
}

// The first property (in key order) on which two canvases differ.
std::optional<std::string> CompareCanvas(const NamedView& a, const NamedView& b) {
  const auto& pa = a.view.properties;
  const auto& pb = b.view.properties;
  if (pa == pb) return std::nullopt;
  auto ia = pa.begin();
  auto ib = pb.begin();
  while (ia != pa.end() && ib != pb.end() && *ia == *ib) {
    ++ia;
    ++ib;
  }
  auto show = [](const auto& map, const auto& it, const PropertyKey& key) {
    if (it == map.end() || it->first != key) return std::string("nothing");
    return DescribeValue(it->second);
  };
  const PropertyKey key = ib == pb.end() || (ia != pa.end() && ia->first < ib->first) ? ia->first : ib->first;
  auto at_a = pa.find(key);
  auto at_b = pb.find(key);
  return absl::StrFormat("%s and %s differ on the canvas at %s.%s: %s has %s, %s has %s", a.replica, b.replica,
                         key.object, key.property, a.replica, show(pa, at_a, key), b.replica, show(pb, at_b, key));
}

}  // namespace

std::optional<std::string> CheckConvergence(const std::vector<NamedView>& views) {
  if (views.empty()) return std::nullopt;
  const NamedView& first = views.front();
  for (size_t k = 1; k < views.size(); ++k) {
    const std::string& a = first.view.text;
    const std::string& b = views[k].view.text;
    if (a == b) {
      std::optional<std::string> canvas = CompareCanvas(first, views[k]);
      if (canvas.has_value()) return canvas;
      continue;
    }
    const size_t limit = std::min(a.size(), b.size());
    size_t at = 0;
    while (at < limit && a[at] == b[at]) ++at;
    return absl::StrFormat(
        "%s and %s differ at byte %d (lengths %d and %d): %s has \"%s\", %s has \"%s\"", first.replica,
        views[k].replica, at, a.size(), b.size(), first.replica, Excerpt(a, at), views[k].replica,
        Excerpt(b, at));
  }
  return std::nullopt;
}

}  // namespace collabsim::check
