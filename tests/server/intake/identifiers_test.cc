#include "server/intake/identifiers.h"

#include "gtest/gtest.h"

namespace sprout::intake {
namespace {

TEST(NhsNumberTest, DomainVectorsAreValid) {
  // DOMAIN.md §3.1: the worked example and the NHS test numbers.
  for (const char* n : {"9434765919", "9000000009", "9434765870", "4010232137"}) {
    NhsNumberCheck c = CheckNhsNumber(n);
    EXPECT_EQ(c.problem, NhsNumberProblem::kNone) << n;
    EXPECT_EQ(c.normalised, n);
  }
}

TEST(NhsNumberTest, SpacesAndHyphensAreRemoved) {
  EXPECT_EQ(CheckNhsNumber("943 476 5919").normalised, "9434765919");
  EXPECT_EQ(CheckNhsNumber("943-476-5919").normalised, "9434765919");
  EXPECT_EQ(CheckNhsNumber(" 9434765919 ").normalised, "9434765919");
}

TEST(NhsNumberTest, WrongCheckDigitIsRefused) {
  EXPECT_EQ(CheckNhsNumber("9434765918").problem, NhsNumberProblem::kCheckDigitWrong);
  EXPECT_EQ(CheckNhsNumber("9434765918").normalised, "");
  // A swapped pair of digits.
  EXPECT_EQ(CheckNhsNumber("4934765919").problem, NhsNumberProblem::kCheckDigitWrong);
}

TEST(NhsNumberTest, CheckDigitTenIsNeverIssued) {
  // 1*10 + 1*2 = 12; 12 mod 11 = 1; 11 - 1 = 10.
  EXPECT_EQ(NhsNumberCheckDigit("100000001"), -1);
  for (char last = '0'; last <= '9'; ++last) {
    EXPECT_EQ(CheckNhsNumber(std::string("100000001") + last).problem,
              NhsNumberProblem::kCheckDigitTen);
  }
}

TEST(NhsNumberTest, CheckDigitElevenBecomesZero) {
  // Find a stem whose weighted sum is a multiple of 11: its check digit is 11, written 0.
  bool found = false;
  for (int n = 1; n < 1000 && !found; ++n) {
    std::string stem = std::to_string(100000000 + n);
    int sum = 0;
    for (int i = 0; i < 9; ++i) sum += (stem[i] - '0') * (10 - i);
    if (sum % 11 == 0) {
      found = true;
      EXPECT_EQ(NhsNumberCheckDigit(stem), 0);
      EXPECT_EQ(CheckNhsNumber(stem + "0").problem, NhsNumberProblem::kNone);
    }
  }
  EXPECT_TRUE(found);
}

TEST(NhsNumberTest, AllIdenticalDigitsAreRefused) {
  EXPECT_EQ(CheckNhsNumber("0000000000").problem, NhsNumberProblem::kAllDigitsSame);
  // Passes the arithmetic (sum 486, check 9) but is refused all the same.
  EXPECT_EQ(CheckNhsNumber("9999999999").problem, NhsNumberProblem::kAllDigitsSame);
}

TEST(NhsNumberTest, MalformedInputIsRefused) {
  EXPECT_EQ(CheckNhsNumber("").problem, NhsNumberProblem::kEmpty);
  EXPECT_EQ(CheckNhsNumber(" - ").problem, NhsNumberProblem::kEmpty);
  EXPECT_EQ(CheckNhsNumber("943476591").problem, NhsNumberProblem::kWrongLength);
  EXPECT_EQ(CheckNhsNumber("94347659190").problem, NhsNumberProblem::kWrongLength);
  EXPECT_EQ(CheckNhsNumber(std::string(1000, '9')).problem, NhsNumberProblem::kWrongLength);
  EXPECT_EQ(CheckNhsNumber("94347659I9").problem, NhsNumberProblem::kBadCharacter);
  EXPECT_EQ(CheckNhsNumber("943.476.5919").problem, NhsNumberProblem::kBadCharacter);
  EXPECT_FALSE(IsValidNhsNumber("9434765918"));
  EXPECT_TRUE(IsValidNhsNumber("943 476 5919"));
}

TEST(OdsCodeTest, GpPracticeCodes) {
  for (const char* ok :
       {"A81001", "B86001", "Y12345", "H81013", "ALD001", "GUE123", "JER999", "V81999"}) {
    EXPECT_TRUE(IsGpPracticeCode(ok)) << ok;
  }
  for (const char* bad : {"I81001", "O81001", "X81001", "Z81001", "a81001", "A8100", "A810011",
                          "AB1001", "ABC123", "U12345x", ""}) {
    EXPECT_FALSE(IsGpPracticeCode(bad)) << bad;
  }
  EXPECT_TRUE(IsDefaultPracticeCode("V81997"));
  EXPECT_TRUE(IsDefaultPracticeCode("V81998"));
  EXPECT_FALSE(IsDefaultPracticeCode("A81001"));
}

TEST(OdsCodeTest, PcnIcbSubIcbAndPharmacyCodes) {
  EXPECT_TRUE(IsPcnCode("U12345"));
  EXPECT_FALSE(IsPcnCode("U1234"));
  EXPECT_FALSE(IsPcnCode("V12345"));
  EXPECT_TRUE(IsIcbCode("QNQ"));
  EXPECT_TRUE(IsIcbCode("QE1"));
  EXPECT_FALSE(IsIcbCode("RNQ"));
  EXPECT_FALSE(IsIcbCode("QN"));
  EXPECT_TRUE(IsSubIcbCode("08X"));
  EXPECT_TRUE(IsSubIcbCode("09A"));
  EXPECT_TRUE(IsSubIcbCode("D4U1Y"));
  EXPECT_FALSE(IsSubIcbCode("8X"));
  EXPECT_FALSE(IsSubIcbCode("d4u1y"));
  EXPECT_TRUE(IsPharmacyCode("FA123"));
  EXPECT_TRUE(IsPharmacyCode("FLM49"));
  EXPECT_FALSE(IsPharmacyCode("GA123"));
  EXPECT_FALSE(IsPharmacyCode("FA1234"));
  EXPECT_TRUE(IsOdsCode("RR8"));
  EXPECT_TRUE(IsOdsCode("A81001"));
  EXPECT_FALSE(IsOdsCode("123456"));
  EXPECT_FALSE(IsOdsCode("E08000035"));
}

TEST(OdsCodeTest, LocalAgencyIds) {
  EXPECT_TRUE(IsLocalAgencyId("police:WYP"));
  EXPECT_TRUE(IsLocalAgencyId("vcse:age-uk-leeds"));
  EXPECT_TRUE(IsLocalAgencyId("fire:WYFRS_North"));
  EXPECT_FALSE(IsLocalAgencyId("Police:WYP"));
  EXPECT_FALSE(IsLocalAgencyId("police:"));
  EXPECT_FALSE(IsLocalAgencyId(":WYP"));
  EXPECT_FALSE(IsLocalAgencyId("police:W Y P"));
  EXPECT_FALSE(IsLocalAgencyId("police"));
}

TEST(PostcodeTest, NormalisesCaseAndSpacing) {
  EXPECT_EQ(NormalisePostcode("ls14ap"), "LS1 4AP");
  EXPECT_EQ(NormalisePostcode("LS1 4AP"), "LS1 4AP");
  EXPECT_EQ(NormalisePostcode("  ls1   4ap "), "LS1 4AP");
  EXPECT_EQ(NormalisePostcode("ec1a1bb"), "EC1A 1BB");
  EXPECT_EQ(NormalisePostcode("gir0aa"), "GIR 0AA");
}

TEST(PostcodeTest, EveryFormatIsAccepted) {
  // A9 9AA, A99 9AA, AA9 9AA, AA99 9AA, A9A 9AA, AA9A 9AA.
  for (const char* ok :
       {"M1 1AE", "B33 8TH", "CR2 6XH", "DN55 1PT", "W1A 0AX", "EC1A 1BB", "SW1A 1AA", "E1P 1AA"}) {
    EXPECT_TRUE(IsValidPostcode(ok)) << ok;
  }
}

TEST(PostcodeTest, LetterRulesAreStrict) {
  for (const char* bad : {"QA1 1AA",   // Q never first
                          "VA1 1AA",   // V never first
                          "XA1 1AA",   // X never first
                          "AI1 1AA",   // I never second
                          "AZ1 1AA",   // Z never second (outside pseudo-postcodes)
                          "W1I 0AX",   // I not allowed third in A9A
                          "EC1C 1BB",  // C not allowed fourth in AA9A
                          "LS1 4CP",   // C never in the inward code
                          "LS1 4AK",   // K never in the inward code
                          "LS1 AAP",   // inward starts with a digit
                          "LS1", "LS1 4A", "LS123 4AP", "LS1-4AP", "", "12345"}) {
    EXPECT_FALSE(IsValidPostcode(bad)) << bad;
  }
}

TEST(PostcodeTest, PseudoPostcodesAreAccepted) {
  for (const char* pseudo :
       {"ZZ99 3VZ", "ZZ99 3WZ", "ZZ99 3CZ", "ZZ99 3GZ", "ZZ99 1WZ", "ZZ99 2WZ", "ZZ99 4AZ"}) {
    EXPECT_TRUE(IsPseudoPostcode(pseudo)) << pseudo;
    EXPECT_EQ(NormalisePostcode(pseudo), pseudo);
  }
  EXPECT_EQ(NormalisePostcode("zz993vz"), "ZZ99 3VZ");
  EXPECT_TRUE(IsNoFixedAbodePostcode("zz99 3vz"));
  EXPECT_FALSE(IsNoFixedAbodePostcode("ZZ99 3WZ"));
  EXPECT_FALSE(IsPseudoPostcode("LS1 4AP"));
  EXPECT_FALSE(IsPseudoPostcode("ZZ99 3VA"));
  EXPECT_FALSE(IsValidPostcode("ZZ99 3VA"));
}

}  // namespace
}  // namespace sprout::intake
