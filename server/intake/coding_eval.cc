#include "server/intake/coding_eval.h"

#include <algorithm>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "server/intake/lexicons.h"
#include "snomed/sctid.h"

namespace sprout::intake {
namespace {

// Short names used in phrase files, with the referrer kind.
constexpr std::pair<absl::string_view, sprout::v1::SourceType> kShortNames[] = {
    {"gp", sprout::v1::SOURCE_TYPE_GP_PRACTICE},
    {"pharmacy", sprout::v1::SOURCE_TYPE_COMMUNITY_PHARMACY},
    {"fire", sprout::v1::SOURCE_TYPE_FIRE_AND_RESCUE},
    {"housing", sprout::v1::SOURCE_TYPE_HOUSING_PROVIDER},
    {"mental_health", sprout::v1::SOURCE_TYPE_MENTAL_HEALTH_SERVICE},
    {"community_health", sprout::v1::SOURCE_TYPE_COMMUNITY_HEALTH_SERVICE},
    {"self", sprout::v1::SOURCE_TYPE_SELF_REFERRAL},
};

}  // namespace

sprout::v1::SourceType AgencyFromName(absl::string_view name) {
  for (const auto& [short_name, type] : kShortNames) {
    if (name == short_name) return type;
  }
  for (int i = sprout::v1::SourceType_MIN; i <= sprout::v1::SourceType_MAX; ++i) {
    if (!sprout::v1::SourceType_IsValid(i) || i == sprout::v1::SOURCE_TYPE_UNSPECIFIED) continue;
    const auto type = static_cast<sprout::v1::SourceType>(i);
    if (AgencyName(type) == name) return type;
  }
  return sprout::v1::SOURCE_TYPE_UNSPECIFIED;
}

absl::StatusOr<std::vector<LabelledPhrase>> ParseLabelledPhrases(absl::string_view tsv,
                                                                 absl::string_view origin) {
  std::vector<LabelledPhrase> out;
  int line_number = 0;
  for (absl::string_view line : absl::StrSplit(tsv, '\n')) {
    ++line_number;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (absl::StripAsciiWhitespace(line).empty() || line[0] == '#') continue;
    const std::string where = absl::StrCat(origin, ":", line_number);
    auto fail = [&](absl::string_view what) {
      return absl::InvalidArgumentError(absl::StrCat(where, ": ", what));
    };
    std::vector<absl::string_view> columns = absl::StrSplit(line, '\t');
    if (columns.size() != 3) {
      return fail(absl::StrCat("expected 3 tab-separated columns, found ", columns.size()));
    }
    LabelledPhrase phrase;
    phrase.origin = where;
    phrase.agency = AgencyFromName(absl::StripAsciiWhitespace(columns[0]));
    if (phrase.agency == sprout::v1::SOURCE_TYPE_UNSPECIFIED) {
      return fail(absl::StrCat("unknown agency \"", columns[0], "\""));
    }
    phrase.text = std::string(absl::StripAsciiWhitespace(columns[1]));
    if (phrase.text.empty()) return fail("the text is empty");
    absl::string_view expected = absl::StripAsciiWhitespace(columns[2]);
    if (expected != "flag") {
      for (absl::string_view code : absl::StrSplit(expected, ' ', absl::SkipEmpty())) {
        absl::StatusOr<uint64_t> id = snomed::ParseSctid(code, snomed::kConceptPartitions);
        if (!id.ok()) return fail(absl::StrCat("expected: ", id.status().message()));
        phrase.expected.push_back(*id);
      }
      if (phrase.expected.empty()) return fail("expected is empty; write SCTIDs or \"flag\"");
      std::sort(phrase.expected.begin(), phrase.expected.end());
      phrase.expected.erase(std::unique(phrase.expected.begin(), phrase.expected.end()),
                            phrase.expected.end());
    }
    out.push_back(std::move(phrase));
  }
  return out;
}

size_t CodingEvaluation::with_concepts() const {
  return std::count_if(results.begin(), results.end(),
                       [](const PhraseResult& r) { return !r.phrase->expected.empty(); });
}

size_t CodingEvaluation::right() const {
  return std::count_if(results.begin(), results.end(),
                       [](const PhraseResult& r) { return r.right; });
}

size_t CodingEvaluation::silent_wrong() const {
  return std::count_if(results.begin(), results.end(),
                       [](const PhraseResult& r) { return r.silent_wrong; });
}

size_t CodingEvaluation::flagged() const {
  return std::count_if(results.begin(), results.end(),
                       [](const PhraseResult& r) { return r.flagged; });
}

double CodingEvaluation::recall() const {
  const size_t n = with_concepts();
  return n == 0 ? 1.0 : static_cast<double>(right()) / n;
}

double CodingEvaluation::precision() const {
  size_t coded = 0;
  size_t good = 0;
  for (const PhraseResult& r : results) {
    for (uint64_t id : r.coded) {
      ++coded;
      const std::vector<uint64_t>& e = r.phrase->expected;
      good += std::binary_search(e.begin(), e.end(), id) ? 1 : 0;
    }
  }
  return coded == 0 ? 1.0 : static_cast<double>(good) / coded;
}

double CodingEvaluation::flagged_share() const {
  return phrases() == 0 ? 0.0 : static_cast<double>(flagged()) / phrases();
}

CodingEvaluation EvaluateCoding(const ReasonCoder& coder,
                                const std::vector<LabelledPhrase>& phrases) {
  CodingEvaluation out;
  out.results.reserve(phrases.size());
  for (const LabelledPhrase& phrase : phrases) {
    sprout::v1::ReasonInput input;
    input.set_free_text(phrase.text);
    ReasonCoding coding = coder.Code(input, "reason", phrase.agency);
    coding.more.insert(coding.more.begin(), std::move(coding.coded));
    PhraseResult r;
    r.phrase = &phrase;
    for (const sprout::v1::CodedReason& reason : coding.more) {
      if (reason.method() == sprout::v1::CODING_METHOD_NEEDS_REVIEW) {
        r.flagged = true;
        continue;
      }
      uint64_t id = 0;
      if (absl::SimpleAtoi(reason.concept().code(), &id)) r.coded.push_back(id);
    }
    std::sort(r.coded.begin(), r.coded.end());
    r.coded.erase(std::unique(r.coded.begin(), r.coded.end()), r.coded.end());
    const std::vector<uint64_t>& e = phrase.expected;
    r.silent_wrong = std::any_of(r.coded.begin(), r.coded.end(), [&](uint64_t id) {
      return !std::binary_search(e.begin(), e.end(), id);
    });
    r.right = !e.empty() && r.coded == e;
    out.results.push_back(std::move(r));
  }
  return out;
}

}  // namespace sprout::intake
