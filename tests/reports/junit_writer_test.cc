// JUnit XML: read back with an XML parser, counts and attributes are right
// and hostile text (quotes, angle brackets, ampersands) survives escaping.
#include "reports/junit_writer.h"

#include <gtest/gtest.h>

#include <sstream>

#include <boost/property_tree/ptree.hpp>
#include <boost/property_tree/xml_parser.hpp>

namespace collabsim::reports {
namespace {

using boost::property_tree::ptree;

ptree Parse(const std::string& xml) {
  std::istringstream in(xml);
  ptree tree;
  boost::property_tree::read_xml(in, tree);
  return tree;
}

TEST(JUnitXml, PassingCaseHasNoFailureElement) {
  const ptree tree = Parse(JUnitXml(JUnitSuite{"collabsim check", {{"seeds", "1-3"}}, {{"c", "ot", 1.5, std::nullopt}}}));
  const ptree& suite = tree.get_child("testsuites.testsuite");
  EXPECT_EQ(suite.get<std::string>("<xmlattr>.tests"), "1");
  EXPECT_EQ(suite.get<std::string>("<xmlattr>.failures"), "0");
  EXPECT_EQ(suite.get<std::string>("<xmlattr>.time"), "1.500");
  EXPECT_EQ(suite.get<std::string>("properties.property.<xmlattr>.value"), "1-3");
  const ptree& testcase = suite.get_child("testcase");
  EXPECT_EQ(testcase.get<std::string>("<xmlattr>.name"), "ot");
  EXPECT_FALSE(testcase.get_child_optional("failure").has_value());
}

TEST(JUnitXml, FailureTextAndAttributesSurviveEscaping) {
  const std::string hostile = "seed=7 [convergence] views differ: \"a<b\" & 'c>d'\n  reproduce with: collabsim run";
  JUnitSuite suite{"collabsim check", {}, {}};
  suite.cases.push_back({"collabsim.check.team", "crdt", 0.25, JUnitFailure{"1 of 2 <failed> & \"more\"", "convergence", hostile}});
  suite.cases.push_back({"collabsim.check.team", "ot", 0.5, std::nullopt});
  const ptree tree = Parse(JUnitXml(suite));
  const ptree& root = tree.get_child("testsuites.testsuite");
  EXPECT_EQ(root.get<std::string>("<xmlattr>.tests"), "2");
  EXPECT_EQ(root.get<std::string>("<xmlattr>.failures"), "1");
  const ptree& failure = root.get_child("testcase.failure");  // the first testcase
  EXPECT_EQ(failure.get<std::string>("<xmlattr>.message"), "1 of 2 <failed> & \"more\"");
  EXPECT_EQ(failure.get<std::string>("<xmlattr>.type"), "convergence");
  EXPECT_EQ(failure.data(), hostile);
}

TEST(JUnitXml, ACaseThatDoesNotApplyIsSkippedWithWhy) {
  JUnitSuite suite{"collabsim check", {}, {}};
  JUnitCase skipped{"collabsim.check.server-crash", "crdt-mesh", 0, std::nullopt};
  skipped.skipped = "no server & nothing to crash";
  suite.cases.push_back(skipped);
  const ptree tree = Parse(JUnitXml(suite));
  const ptree& root = tree.get_child("testsuites.testsuite");
  EXPECT_EQ(root.get<std::string>("<xmlattr>.skipped"), "1");
  EXPECT_EQ(root.get<std::string>("<xmlattr>.failures"), "0");
  EXPECT_EQ(root.get<std::string>("testcase.skipped.<xmlattr>.message"), "no server & nothing to crash");
}

}  // namespace
}  // namespace collabsim::reports
