// JUnit XML through Boost.PropertyTree, which does the escaping.
#include "reports/junit_writer.h"

#include <sstream>

#include <boost/property_tree/ptree.hpp>
#include <boost/property_tree/xml_parser.hpp>

#include "absl/strings/str_format.h"

namespace collabsim::reports {

std::string JUnitXml(const JUnitSuite& suite) {
  using boost::property_tree::ptree;
  size_t failures = 0;
  size_t skipped = 0;
  double time_s = 0;
  for (const JUnitCase& c : suite.cases) {
    failures += c.failure.has_value();
    skipped += c.skipped.has_value();
    time_s += c.time_s;
  }
  ptree testsuite;
  testsuite.put("<xmlattr>.name", suite.name);
  testsuite.put("<xmlattr>.tests", suite.cases.size());
  testsuite.put("<xmlattr>.failures", failures);
  testsuite.put("<xmlattr>.errors", 0);
  testsuite.put("<xmlattr>.skipped", skipped);
  testsuite.put("<xmlattr>.time", absl::StrFormat("%.3f", time_s));
  if (!suite.properties.empty()) {
    ptree& properties = testsuite.add_child("properties", ptree());
    for (const auto& [name, value] : suite.properties) {
      ptree& property = properties.add_child("property", ptree());
      property.put("<xmlattr>.name", name);
      property.put("<xmlattr>.value", value);
    }
  }
  for (const JUnitCase& c : suite.cases) {
    ptree& testcase = testsuite.add_child("testcase", ptree());
    testcase.put("<xmlattr>.classname", c.classname);
    testcase.put("<xmlattr>.name", c.name);
    testcase.put("<xmlattr>.time", absl::StrFormat("%.3f", c.time_s));
    if (c.failure.has_value()) {
      ptree& failure = testcase.add_child("failure", ptree(c.failure->text));
      failure.put("<xmlattr>.message", c.failure->message);
      failure.put("<xmlattr>.type", c.failure->type);
    }
    if (c.skipped.has_value()) testcase.add_child("skipped", ptree()).put("<xmlattr>.message", *c.skipped);
  }
  ptree testsuites;
  testsuites.add_child("testsuite", testsuite);
  ptree document;
  document.add_child("testsuites", testsuites);
  std::ostringstream out;
  boost::property_tree::write_xml(out, document, boost::property_tree::xml_writer_make_settings<std::string>(' ', 2));
  return out.str();
}

}  // namespace collabsim::reports
