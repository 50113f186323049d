// File: server/lifecycle/wellbeing.cc
#include "server/lifecycle/wellbeing.h"

#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "server/common/proto_time.h"

namespace sprout::lifecycle {
namespace {

constexpr int kSwemwbsItems = 7;

bool HasOns4(const sprout::v1::Ons4Scores& o) {
  return o.has_life_satisfaction() || o.has_worthwhile() || o.has_happiness() || o.has_anxiety();
}

}  // namespace

bool IsEmpty(const sprout::v1::WellbeingScores& scores) {
  return !HasOns4(scores.ons4()) && scores.swemwbs().items_size() == 0;
}

std::vector<FieldViolation> CheckWellbeing(const sprout::v1::WellbeingScores& scores,
                                           absl::string_view field) {
  std::vector<FieldViolation> violations;
  const sprout::v1::Ons4Scores& o = scores.ons4();
  if (HasOns4(o)) {
    const struct {
      const char* name;
      bool present;
      int value;
    } items[] = {{"life_satisfaction", o.has_life_satisfaction(), o.life_satisfaction()},
                 {"worthwhile", o.has_worthwhile(), o.worthwhile()},
                 {"happiness", o.has_happiness(), o.happiness()},
                 {"anxiety", o.has_anxiety(), o.anxiety()}};
    for (const auto& item : items) {
      const std::string path = absl::StrCat(field, ".ons4.", item.name);
      if (!item.present) {
        violations.push_back(
            {path,
             "is missing: ONS4 needs all four items (life_satisfaction, worthwhile, "
             "happiness, anxiety), each 0 to 10"});
      } else if (item.value < 0 || item.value > 10) {
        violations.push_back(
            {path, absl::StrCat("is ", item.value, "; an ONS4 item is scored 0 to 10")});
      }
    }
  }
  const sprout::v1::SwemwbsScores& s = scores.swemwbs();
  if (s.items_size() != 0 && s.items_size() != kSwemwbsItems) {
    violations.push_back({absl::StrCat(field, ".swemwbs.items"),
                          absl::StrCat("has ", s.items_size(),
                                       " scores; SWEMWBS has exactly 7 items, each 1 to 5")});
  }
  for (int i = 0; i < s.items_size(); ++i) {
    if (s.items(i) < 1 || s.items(i) > 5) {
      violations.push_back({absl::StrCat(field, ".swemwbs.items[", i, "]"),
                            absl::StrCat("is ", s.items(i), "; a SWEMWBS item is scored 1 to 5")});
    }
  }
  if (s.total() != 0) {
    violations.push_back({absl::StrCat(field, ".swemwbs.total"),
                          "is output only (the server adds the items up); leave it 0"});
  }
  if (scores.has_measure_time()) {
    violations.push_back({absl::StrCat(field, ".measure_time"),
                          "is output only (the time of the request that records them)"});
  }
  return violations;
}

void RecordWellbeing(sprout::v1::WellbeingScores scores, absl::Time when,
                     sprout::v1::Referral& referral) {
  if (IsEmpty(scores)) return;
  int total = 0;
  for (int item : scores.swemwbs().items()) total += item;
  scores.mutable_swemwbs()->set_total(total);
  if (scores.swemwbs().items_size() == 0) scores.clear_swemwbs();
  *scores.mutable_measure_time() = ToProtoTime(when);
  if (!referral.has_first_wellbeing()) *referral.mutable_first_wellbeing() = scores;
  *referral.mutable_last_wellbeing() = std::move(scores);
}

}  // namespace sprout::lifecycle
