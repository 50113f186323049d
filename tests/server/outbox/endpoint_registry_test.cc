#include "server/outbox/endpoint_registry.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace sprout::outbox {
namespace {

using ::testing::HasSubstr;

TEST(ParseEndpointTest, TakesHttpsWithHostPortAndPath) {
  absl::StatusOr<Endpoint> e =
      ParseEndpoint("https://gp.example.nhs.uk:9443/FHIR/R4/$process-message");
  ASSERT_TRUE(e.ok()) << e.status();
  EXPECT_EQ(e->host, "gp.example.nhs.uk");
  EXPECT_EQ(e->port, 9443);
  EXPECT_EQ(e->path, "/FHIR/R4/$process-message");
  absl::StatusOr<Endpoint> bare = ParseEndpoint("https://receiver.nhs.uk");
  ASSERT_TRUE(bare.ok());
  EXPECT_EQ(bare->port, 443);
  EXPECT_EQ(bare->path, "/");
}

TEST(ParseEndpointTest, RefusesWhatWouldSendPatientDataInTheClearOrAstray) {
  EXPECT_THAT(ParseEndpoint("http://gp.nhs.uk/").status().message(), HasSubstr("https://"));
  EXPECT_THAT(ParseEndpoint("https://:9443/x").status().message(), HasSubstr("no host"));
  EXPECT_THAT(ParseEndpoint("https://h:0/x").status().message(), HasSubstr("bad port"));
  EXPECT_THAT(ParseEndpoint("https://h:99999/x").status().message(), HasSubstr("bad port"));
  EXPECT_THAT(ParseEndpoint("https://user@h/x").status().message(), HasSubstr("user"));
  EXPECT_THAT(ParseEndpoint("https://h/x?y=1").status().message(), HasSubstr("query"));
}

TEST(EndpointRegistryTest, ReadsOneOrganisationPerLineWithComments) {
  absl::StatusOr<EndpointRegistry> r = EndpointRegistry::Parse(
      "# demo\n\nY99001, https://127.0.0.1:9443/FHIR/R4/$process-message  # Northgate\n"
      "police:WYP,https://wyp.example:8443/in\n",
      "endpoints.csv");
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->size(), 2u);
  ASSERT_TRUE(r->Find("Y99001").has_value());
  EXPECT_EQ(r->Find("Y99001")->port, 9443);
  EXPECT_EQ(r->Find("police:WYP")->path, "/in");
  EXPECT_FALSE(r->Find("FZ991").has_value());
}

TEST(EndpointRegistryTest, NamesTheFileAndLineOfABadEntry) {
  absl::StatusOr<EndpointRegistry> twice =
      EndpointRegistry::Parse("A1,https://a/\nA1,https://b/\n", "e.csv");
  EXPECT_EQ(twice.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(twice.status().message(), "e.csv:2: organisation A1 is registered twice");
  EXPECT_THAT(EndpointRegistry::Parse("A1 https://a/\n", "e.csv").status().message(),
              HasSubstr("e.csv:1: expected"));
  EXPECT_THAT(EndpointRegistry::Parse("\n,https://a/\n", "e.csv").status().message(),
              HasSubstr("e.csv:2: no organisation code"));
  EXPECT_THAT(EndpointRegistry::Parse("A1,http://a/\n", "e.csv").status().message(),
              HasSubstr("e.csv:1: \"http://a/\" is not an https:// URL"));
  EXPECT_EQ(EndpointRegistry::Load("/nonexistent/endpoints.csv").status().code(),
            absl::StatusCode::kNotFound);
}

}  // namespace
}  // namespace sprout::outbox
