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

}  // namespace

std::optional<std::string> CheckConvergence(const std::vector<NamedView>& views) {
  if (views.empty()) return std::nullopt;
  const NamedView& first = views.front();
  for (size_t k = 1; k < views.size(); ++k) {
    const std::string& a = first.view.text;
    const std::string& b = views[k].view.text;
    if (a == b) continue;
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
