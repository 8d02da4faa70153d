// JUnit XML, the test-report format CI systems (GitHub Actions, GitLab,
// Jenkins) display natively, so a `collabsim check` in a pipeline shows up
// as a test with its failing seeds and the commands that reproduce them.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace collabsim::reports {

struct JUnitFailure {
  std::string message;  // one line
  std::string type;     // e.g. the first violated invariant
  std::string text;     // the details, one failing seed per line
};

struct JUnitCase {
  std::string classname;
  std::string name;
  double time_s = 0;
  std::optional<JUnitFailure> failure;
  // Set when the case did not run, with why (JUnit <skipped>).
  std::optional<std::string> skipped;
};

struct JUnitSuite {
  std::string name;
  std::vector<std::pair<std::string, std::string>> properties;  // in this order
  std::vector<JUnitCase> cases;
};

// The document: <testsuites> holding one <testsuite> with its counts,
// properties and test cases. Text is escaped for XML.
std::string JUnitXml(const JUnitSuite& suite);

}  // namespace collabsim::reports
