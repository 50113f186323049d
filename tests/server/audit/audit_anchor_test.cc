// The audit anchor file: written 0600 and read back; a changed line or a
// file signed with another key does not verify; and the anchor's verdict on
// a stored chain: intact when the chain reaches it with the same hash, the
// first missing sequence when records were cut from the end, the anchored
// sequence when the record there was rewritten.
#include "server/audit/audit_anchor.h"

#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace sprout::audit {
namespace {

using ::testing::HasSubstr;

const KeyedHasher& Key() {
  static const auto* key = new KeyedHasher(std::string(32, 'a'));
  return *key;
}

AuditAnchor AnchorAt(int64_t sequence) { return AuditAnchor{sequence, std::string(32, 'h')}; }

class AuditAnchorFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = ::testing::TempDir() + "/audit_anchor_unit";
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    path_ = dir_ + "/audit.anchor";
  }
  std::string dir_;
  std::string path_;
};

TEST_F(AuditAnchorFileTest, WrittenPrivateAndReadBack) {
  absl::StatusOr<std::optional<AuditAnchor>> none = ReadAnchorFile(path_, Key());
  ASSERT_TRUE(none.ok()) << none.status();
  EXPECT_FALSE(none->has_value()) << "no file yet is no anchor, not an error";

  ASSERT_TRUE(WriteAnchorFile(path_, AnchorAt(42), Key()).ok());
  struct stat st;
  ASSERT_EQ(::stat(path_.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  absl::StatusOr<std::optional<AuditAnchor>> read = ReadAnchorFile(path_, Key());
  ASSERT_TRUE(read.ok()) << read.status();
  ASSERT_TRUE(read->has_value());
  EXPECT_EQ((*read)->sequence, 42);
  EXPECT_EQ((*read)->hash, std::string(32, 'h'));
  EXPECT_FALSE(std::filesystem::exists(path_ + ".tmp"));
}

TEST_F(AuditAnchorFileTest, AChangedOrForeignFileDoesNotVerify) {
  ASSERT_TRUE(WriteAnchorFile(path_, AnchorAt(42), Key()).ok());
  EXPECT_EQ(ReadAnchorFile(path_, KeyedHasher(std::string(32, 'b'))).status().code(),
            absl::StatusCode::kDataLoss);

  std::ifstream in(path_);
  std::stringstream text;
  text << in.rdbuf();
  std::string line = text.str();
  line.replace(line.find(" 42 "), 4, " 41 ");
  std::ofstream(path_, std::ios::trunc) << line;
  const absl::Status changed = ReadAnchorFile(path_, Key()).status();
  EXPECT_EQ(changed.code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(changed.message(), HasSubstr("does not verify"));

  std::ofstream(path_, std::ios::trunc) << "not an anchor\n";
  EXPECT_EQ(ReadAnchorFile(path_, Key()).status().code(), absl::StatusCode::kDataLoss);
}

TEST(CheckAgainstAnchorTest, AChainThatReachesTheAnchorWithItsHashIsIntact) {
  const AuditVerification chain{10, 0, "ok"};
  const AuditVerification result = CheckAgainstAnchor(chain, std::string(32, 'h'), AnchorAt(7));
  EXPECT_TRUE(result.intact());
  EXPECT_EQ(result.records_checked, 10);
}

TEST(CheckAgainstAnchorTest, RecordsCutFromTheEndAreReportedFromTheFirstMissing) {
  const AuditVerification chain{5, 0, "ok"};
  const AuditVerification result = CheckAgainstAnchor(chain, std::nullopt, AnchorAt(8));
  EXPECT_FALSE(result.intact());
  EXPECT_EQ(result.first_bad_sequence, 6);
  EXPECT_THAT(result.message, HasSubstr("reached 8"));
}

TEST(CheckAgainstAnchorTest, ARewrittenAnchoredRecordIsReportedThere) {
  const AuditVerification chain{10, 0, "ok"};
  const AuditVerification result = CheckAgainstAnchor(chain, std::string(32, 'x'), AnchorAt(7));
  EXPECT_FALSE(result.intact());
  EXPECT_EQ(result.first_bad_sequence, 7);
}

TEST(CheckAgainstAnchorTest, AChainAlreadyBrokenIsReportedAsTheChainSaid) {
  const AuditVerification chain{3, 3, "record 3 does not chain"};
  const AuditVerification result = CheckAgainstAnchor(chain, std::nullopt, AnchorAt(8));
  EXPECT_EQ(result.first_bad_sequence, 3);
  EXPECT_EQ(result.message, "record 3 does not chain");
}

}  // namespace
}  // namespace sprout::audit
