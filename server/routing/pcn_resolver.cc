#include "server/routing/pcn_resolver.h"

#include "absl/strings/str_cat.h"
#include "server/routing/codes.h"

namespace sprout::routing {
namespace {

std::string Period(const PcnMembership& m) {
  return m.end ? absl::StrCat(FormatDay(m.start), " to ", FormatDay(*m.end))
               : absl::StrCat(FormatDay(m.start), " onwards");
}

std::string PseudoPostcodeMeaning(absl::string_view postcode) {
  if (postcode == "ZZ99 3VZ") return "no fixed abode";
  if (postcode == "ZZ99 3WZ") return "address not known";
  return "a pseudo-postcode";
}

}  // namespace

PcnResolution ResolvePcn(const Directory& directory, const RoutingRequest& request,
                         const std::string& default_triage) {
  PcnResolution r;
  const std::string date = FormatDay(request.referral_date);
  const Practice* practice = nullptr;
  if (request.practice_code) {
    const std::string subject = absl::StrCat("practice ", *request.practice_code);
    practice = directory.FindPractice(*request.practice_code);
    const PcnMembership* m =
        practice == nullptr ? nullptr
                            : directory.MembershipOn(*request.practice_code, request.referral_date);
    const Pcn* pcn = m == nullptr ? nullptr : directory.FindPcn(m->pcn_code);
    if (pcn != nullptr) {
      r.method = ResolutionMethod::kPractice;
      r.pcn = pcn;
      r.steps.push_back(
          {"pcn", subject, true,
           absl::StrCat("core partner of ", pcn->code, " (", pcn->name, ") ", Period(*m),
                        ", which covers ", date,
                        m->source.empty() ? "" : absl::StrCat(" [", m->source, "]"))});
    } else if (practice == nullptr) {
      r.steps.push_back({"pcn", subject, false, "practice is not in the directory"});
      // Accepted, not refused: the person may be registered outside this
      // deployment's area, and a refusal would lose the referral. The
      // referrer is told, since a mistyped code would otherwise go unseen.
      r.warnings.push_back(
          {"UNKNOWN_REGISTERED_PRACTICE", "referral.patient.registered_practice_code",
           absl::StrCat("practice ", *request.practice_code,
                        " is not in Sprout's directory of practices, so the referral was routed "
                        "by the person's postcode or to triage; check the ODS code and, if it "
                        "was wrong, withdraw and resubmit")});
    } else {
      r.steps.push_back(
          {"pcn", subject, false, absl::StrCat("practice had no PCN relationship on ", date)});
    }
  } else {
    r.steps.push_back({"pcn", "practice", false, "no registered practice"});
  }

  if (r.pcn == nullptr) {
    if (!request.postcode) {
      r.steps.push_back({"pcn", "postcode", false, "no postcode"});
    } else {
      // The routing log names a postcode by its district only ("postcode
      // district ZW2"): a full postcode can single out a household.
      const std::optional<PostcodeParts> parts = SplitPostcode(*request.postcode);
      if (!parts) {
        r.steps.push_back({"pcn", "postcode", false, "not a normalised postcode (\"AB1 2CD\")"});
      } else if (parts->pseudo) {
        // Pseudo-postcodes are categories ("no fixed abode"), not places.
        r.steps.push_back(
            {"pcn", absl::StrCat("postcode ", *request.postcode), false,
             absl::StrCat("pseudo-postcode (", PseudoPostcodeMeaning(*request.postcode),
                          "): no geography")});
      } else {
        const std::string subject = absl::StrCat("postcode district ", parts->outward);
        const PostcodeMatch match = directory.PcnForPostcode(*request.postcode);
        if (match.pcn != nullptr) {
          r.method = ResolutionMethod::kPostcode;
          r.pcn = match.pcn;
          r.steps.push_back(
              {"pcn", subject, true,
               absl::StrCat(match.by_sector ? "the postcode's sector is" : "the district is",
                            " covered by ", match.pcn->code, " (", match.pcn->name, ")")});
        } else {
          r.steps.push_back(
              {"pcn", subject, false, "neither the postcode's sector nor its district is covered"});
        }
      }
    }
  }

  // The triage queue, should the referral need one. The referrer's Sub-ICB
  // Location is the one given, else the one the directory lists for it.
  std::optional<std::string> referrer_sicbl = request.referrer_sub_icb_location;
  const ReferrerOrganisation* referrer = nullptr;
  if (!referrer_sicbl && request.referrer_organisation_code &&
      (referrer = directory.FindReferrer(*request.referrer_organisation_code)) != nullptr) {
    referrer_sicbl = referrer->sicbl_code;
  }
  if (r.pcn != nullptr) {
    r.triage_sicbl = r.pcn->sicbl_code;
  } else if (practice != nullptr) {
    r.triage_sicbl = practice->sicbl_code;
    r.steps.push_back({"triage", r.triage_sicbl, true,
                       absl::StrCat("triage queue of the practice's Sub-ICB Location")});
  } else if (referrer_sicbl && directory.FindSubIcbLocation(*referrer_sicbl) != nullptr) {
    r.triage_sicbl = *referrer_sicbl;
    r.steps.push_back(
        {"triage", r.triage_sicbl, true,
         referrer != nullptr
             ? absl::StrCat("triage queue of the Sub-ICB Location the referrer ", referrer->code,
                            " serves (directory ", referrer->source, ")")
             : std::string("triage queue of the referrer's Sub-ICB Location")});
  } else {
    r.triage_sicbl = default_triage;
    r.steps.push_back({"triage", r.triage_sicbl, true,
                       referrer_sicbl
                           ? absl::StrCat("referrer's Sub-ICB Location '", *referrer_sicbl,
                                          "' is unknown; the policy's default triage queue")
                           : std::string("the policy's default triage queue")});
  }
  return r;
}

}  // namespace sprout::routing
