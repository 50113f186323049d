// BodyCipher: values sealed for one row open only in that row, with a key of
// the ring; damage, splicing and missing keys are refused; bodies written
// before encryption still open and are resealed by re-encryption.
#include "server/store/body_cipher.h"

#include <set>
#include <string>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "google/protobuf/timestamp.pb.h"
#include "gtest/gtest.h"
#include "tests/server/store/store_test_util.h"

namespace sprout::store {
namespace {

using ::sprout::store::testing::BodyCipherWithKeys;
using ::testing::HasSubstr;
using ::testing::Not;

const std::string kOldKeyLine = "k1 " + std::string(64, 'a') + "\n";
const std::string kNewKeyLine = "k2 " + std::string(64, 'b') + "\n";
// Stands in for a patient's story; must never appear in a sealed value.
const std::string kSecret = "what matters to me: seeing my grandchildren again";

TEST(BodyCipherTest, ASealedValueOpensInItsRowAndHidesThePlaintext) {
  auto cipher = BodyCipherWithKeys(kOldKeyLine);
  const std::string sealed = cipher->Seal(ReferralRecord("r1"), kSecret);
  EXPECT_THAT(sealed, Not(HasSubstr("grandchildren")));
  EXPECT_EQ(sealed.substr(0, 4), "SPE1");
  EXPECT_EQ(BodyCipher::KeyIdOf(sealed), "k1");
  EXPECT_EQ(sealed.size(), 4 + 1 + 2 + 12 + kSecret.size() + 16);
  absl::StatusOr<std::string> opened = cipher->Open(ReferralRecord("r1"), sealed);
  ASSERT_TRUE(opened.ok()) << opened.status();
  EXPECT_EQ(*opened, kSecret);
}

TEST(BodyCipherTest, EverySealUsesAFreshNonce) {
  auto cipher = BodyCipherWithKeys(kOldKeyLine);
  std::set<std::string> seen;
  for (int i = 0; i < 100; ++i) seen.insert(cipher->Seal(ReferralRecord("r1"), kSecret));
  EXPECT_EQ(seen.size(), 100u);
}

TEST(BodyCipherTest, AValueMovedToAnotherRowDoesNotOpen) {
  auto cipher = BodyCipherWithKeys(kOldKeyLine);
  const std::string sealed = cipher->Seal(ReferralRecord("r1"), kSecret);
  const std::string other_rows[] = {ReferralRecord("r2"), QueueItemRecord("r1"),
                                    DecisionRecord("r1"), ContactRecord("r1", 1)};
  for (const std::string& record : other_rows) {
    absl::StatusOr<std::string> opened = cipher->Open(record, sealed);
    EXPECT_EQ(opened.status().code(), absl::StatusCode::kDataLoss) << record;
    EXPECT_THAT(opened.status().message(), HasSubstr(record));
  }
  EXPECT_NE(ContactRecord("r1", 1), ContactRecord("r1", 2));
}

TEST(BodyCipherTest, AnyChangedByteIsDataLoss) {
  auto cipher = BodyCipherWithKeys(kOldKeyLine);
  const std::string sealed = cipher->Seal(ReferralRecord("r1"), kSecret);
  // Every byte after the key id: nonce, ciphertext and tag.
  for (size_t i = 4 + 1 + 2; i < sealed.size(); ++i) {
    std::string damaged = sealed;
    damaged[i] ^= 0x01;
    EXPECT_EQ(cipher->Open(ReferralRecord("r1"), damaged).status().code(),
              absl::StatusCode::kDataLoss)
        << "byte " << i;
  }
  EXPECT_EQ(cipher->Open(ReferralRecord("r1"), sealed.substr(0, sealed.size() - 1)).status().code(),
            absl::StatusCode::kDataLoss);
  EXPECT_EQ(cipher->Open(ReferralRecord("r1"), "SPE1").status().code(),
            absl::StatusCode::kDataLoss);
  EXPECT_EQ(cipher->Open(ReferralRecord("r1"), std::string("SPE1\x09k1", 7)).status().code(),
            absl::StatusCode::kDataLoss);
}

TEST(BodyCipherTest, AKeyNoLongerInTheRingIsNamedAndNeverGuessed) {
  auto old_ring = BodyCipherWithKeys(kOldKeyLine);
  const std::string sealed = old_ring->Seal(ReferralRecord("r1"), kSecret);
  auto new_only = BodyCipherWithKeys(kNewKeyLine);
  absl::StatusOr<std::string> opened = new_only->Open(ReferralRecord("r1"), sealed);
  EXPECT_EQ(opened.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(opened.status().message(), HasSubstr("'k1'"));
  // The same id with other key bytes fails authentication.
  auto impostor = BodyCipherWithKeys("k1 " + std::string(64, 'c') + "\n");
  EXPECT_EQ(impostor->Open(ReferralRecord("r1"), sealed).status().code(),
            absl::StatusCode::kDataLoss);
}

TEST(BodyCipherTest, AfterRotationOldValuesOpenAndNewOnesUseTheNewKey) {
  auto cipher = BodyCipherWithKeys(kOldKeyLine);
  const std::string before = cipher->Seal(ReferralRecord("r1"), kSecret);
  cipher->ReplaceKeys(*DataKeyRing::Parse(kOldKeyLine + kNewKeyLine));
  EXPECT_EQ(cipher->write_key_id(), "k2");
  EXPECT_THAT(cipher->key_ids(), ::testing::ElementsAre("k1", "k2"));
  const std::string after = cipher->Seal(ReferralRecord("r2"), kSecret);
  EXPECT_EQ(BodyCipher::KeyIdOf(after), "k2");
  EXPECT_EQ(*cipher->Open(ReferralRecord("r1"), before), kSecret);
  EXPECT_EQ(*cipher->Open(ReferralRecord("r2"), after), kSecret);
}

TEST(BodyCipherTest, ResealMovesOnlyValuesOffOlderKeys) {
  auto cipher = BodyCipherWithKeys(kOldKeyLine);
  const std::string old_value = cipher->Seal(ReferralRecord("r1"), kSecret);
  cipher->ReplaceKeys(*DataKeyRing::Parse(kOldKeyLine + kNewKeyLine));
  absl::StatusOr<std::optional<std::string>> resealed =
      cipher->Reseal(ReferralRecord("r1"), old_value);
  ASSERT_TRUE(resealed.ok()) << resealed.status();
  ASSERT_TRUE(resealed->has_value());
  EXPECT_EQ(BodyCipher::KeyIdOf(**resealed), "k2");
  EXPECT_EQ(*cipher->Open(ReferralRecord("r1"), **resealed), kSecret);
  // Already on the write key: nothing to do.
  EXPECT_FALSE(cipher->Reseal(ReferralRecord("r1"), **resealed)->has_value());
  // Resealing checks the value first: a spliced one is refused, not laundered.
  EXPECT_EQ(cipher->Reseal(ReferralRecord("r2"), old_value).status().code(),
            absl::StatusCode::kDataLoss);
}

TEST(BodyCipherTest, ABodyWrittenBeforeEncryptionOpensAndIsResealed) {
  auto cipher = BodyCipherWithKeys(kOldKeyLine);
  google::protobuf::Timestamp body;
  body.set_seconds(1700000000);
  const std::string legacy = body.SerializeAsString();
  EXPECT_EQ(BodyCipher::KeyIdOf(legacy), "");
  google::protobuf::Timestamp opened;
  ASSERT_TRUE(cipher->OpenMessage(ReferralRecord("r1"), legacy, &opened).ok());
  EXPECT_EQ(opened.seconds(), 1700000000);
  absl::StatusOr<std::optional<std::string>> resealed =
      cipher->Reseal(ReferralRecord("r1"), legacy);
  ASSERT_TRUE(resealed.ok() && resealed->has_value());
  EXPECT_EQ(BodyCipher::KeyIdOf(**resealed), "k1");
  ASSERT_TRUE(cipher->OpenMessage(ReferralRecord("r1"), **resealed, &opened).ok());
  EXPECT_EQ(opened.seconds(), 1700000000);
}

TEST(BodyCipherTest, MessagesRoundTripAndBytesThatDoNotParseAreDataLoss) {
  auto cipher = BodyCipherWithKeys(kOldKeyLine);
  google::protobuf::Timestamp body;
  body.set_seconds(42);
  body.set_nanos(7);
  const std::string sealed = cipher->SealMessage(QueueItemRecord("q1"), body);
  google::protobuf::Timestamp opened;
  ASSERT_TRUE(cipher->OpenMessage(QueueItemRecord("q1"), sealed, &opened).ok());
  EXPECT_EQ(opened.seconds(), 42);
  EXPECT_EQ(opened.nanos(), 7);
  const std::string garbage = cipher->Seal(QueueItemRecord("q2"), "\xff\xff\xff");
  EXPECT_EQ(cipher->OpenMessage(QueueItemRecord("q2"), garbage, &opened).code(),
            absl::StatusCode::kDataLoss);
}

}  // namespace
}  // namespace sprout::store
