#include "server/common/keyed_hash.h"

#include <cstdio>
#include <fstream>

#include "gtest/gtest.h"

namespace sprout {
namespace {

TEST(KeyedHashTest, Sha256OfEmptyStringIsTheKnownVector) {
  EXPECT_EQ(Sha256Hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

TEST(KeyedHashTest, HmacMatchesRfc4231Case2) {
  // RFC 4231 test case 2 uses a 4-byte key; pad the comparison by using the
  // raw constructor, which does not enforce the 32-byte minimum of key files.
  KeyedHasher hasher("Jefe");
  EXPECT_EQ(hasher.HexDigest("what do ya want for nothing?"),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

TEST(KeyedHashTest, DifferentKeysGiveDifferentDigests) {
  KeyedHasher a(std::string(32, 'a'));
  KeyedHasher b(std::string(32, 'b'));
  EXPECT_NE(a.HexDigest("9434765919"), b.HexDigest("9434765919"));
  EXPECT_EQ(a.HexDigest("9434765919"), a.HexDigest("9434765919"));
  EXPECT_EQ(a.HexDigest("x").size(), 64u);
}

TEST(KeyedHashTest, ShortKeyFileIsRefusedWithoutRevealingIt) {
  const std::string path = testing::TempDir() + "/short.key";
  std::ofstream(path) << "secret-but-short";
  absl::StatusOr<KeyedHasher> hasher = KeyedHasher::FromFile(path);
  ASSERT_FALSE(hasher.ok());
  EXPECT_EQ(hasher.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(std::string(hasher.status().message()).find("secret"), std::string::npos);
}

TEST(KeyedHashTest, MissingKeyFileIsNotFound) {
  EXPECT_EQ(KeyedHasher::FromFile("/nonexistent/key").status().code(), absl::StatusCode::kNotFound);
}

}  // namespace
}  // namespace sprout
