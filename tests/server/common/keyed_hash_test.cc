#include "server/common/keyed_hash.h"

#include <cstdio>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

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

// Every digest starts from a copy of one keyed context: copies of the hasher,
// and threads digesting at once, must agree with a digest made alone.
TEST(KeyedHashTest, CopiesAndConcurrentDigestsAgree) {
  const KeyedHasher hasher("Jefe");
  const std::string expected = "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843";
  const KeyedHasher copy = hasher;
  EXPECT_EQ(copy.HexDigest("what do ya want for nothing?"), expected);
  std::vector<std::thread> threads;
  std::vector<int> mismatches(4, 0);
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 2000; ++i) {
        if (hasher.HexDigest("what do ya want for nothing?") != expected) ++mismatches[t];
      }
    });
  }
  for (std::thread& t : threads) t.join();
  for (int m : mismatches) EXPECT_EQ(m, 0);
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
