// sproutctl terminology ...: the SNOMED CT release the server codes with.
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_join.h"
#include "client/cli/command.h"
#include "client/cli/output.h"

namespace sprout::client::cli {
namespace {

namespace v1 = ::sprout::v1;

Action SetUpConcept(CLI::App& cmd) {
  auto code = std::make_shared<std::string>();
  cmd.add_option("code", *code, "SCTID, e.g. 267076002")->required();
  return [code](CommandContext& ctx) -> absl::Status {
    v1::GetConceptRequest request;
    request.set_name(ResourceName("concepts", *code));
    return CallAndPrint<v1::Concept>(
        ctx, [&](SproutClient& c) { return c.GetConcept(request); },
        [](const v1::Concept& c, std::ostream& out) { PrintFields(c, out); });
  };
}

struct SubsumesFlags {
  std::string a;
  std::string b;
};

Action SetUpSubsumes(CLI::App& cmd) {
  auto f = std::make_shared<SubsumesFlags>();
  cmd.add_option("a", f->a, "first SCTID")->required();
  cmd.add_option("b", f->b, "second SCTID")->required();
  return [f](CommandContext& ctx) -> absl::Status {
    v1::SubsumesRequest request;
    request.set_code_a(f->a);
    request.set_code_b(f->b);
    return CallAndPrint<v1::SubsumesResponse>(
        ctx, [&](SproutClient& c) { return c.Subsumes(request); },
        [&](const v1::SubsumesResponse& r, std::ostream& out) {
          out << f->a << " " << ShortEnum(r.outcome()) << " " << f->b << "\n";
        });
  };
}

struct EclFlags {
  std::string ecl;
  int page_size = 0;
  std::string page_token;
};

Action SetUpEcl(CLI::App& cmd) {
  auto f = std::make_shared<EclFlags>();
  cmd.add_option("expression", f->ecl, "ECL, e.g. '<< 267076002'")->required();
  cmd.add_option("--page-size", f->page_size, "at most this many (server default 100)");
  cmd.add_option("--page-token", f->page_token, "from the previous page");
  return [f](CommandContext& ctx) -> absl::Status {
    v1::ExpandEclRequest request;
    request.set_ecl(f->ecl);
    request.set_page_size(f->page_size);
    request.set_page_token(f->page_token);
    return CallAndPrint<v1::ExpandEclResponse>(
        ctx, [&](SproutClient& c) { return c.ExpandEcl(request); },
        [](const v1::ExpandEclResponse& r, std::ostream& out) {
          Table table({"code", "term"});
          for (const v1::CodedConcept& c : r.concepts()) table.AddRow({c.code(), c.display()});
          table.Print(out);
          out << r.total_size() << " concepts in all\n";
          PrintNextPage(r.next_page_token(), out);
        });
  };
}

struct SearchFlags {
  std::vector<std::string> words;
  std::string ecl;
  int limit = 0;
  bool include_inactive = false;
};

Action SetUpSearch(CLI::App& cmd) {
  auto f = std::make_shared<SearchFlags>();
  cmd.add_option("words", f->words, "words, each matched as a prefix")->required();
  cmd.add_option("--ecl", f->ecl, "only concepts in this ECL, e.g. '<< 404684003'");
  cmd.add_option("--limit", f->limit, "at most this many (server default 20)");
  cmd.add_flag("--include-inactive", f->include_inactive, "include inactive concepts");
  return [f](CommandContext& ctx) -> absl::Status {
    v1::SearchConceptsRequest request;
    request.set_query(absl::StrJoin(f->words, " "));
    request.set_ecl(f->ecl);
    request.set_page_size(f->limit);
    request.set_include_inactive(f->include_inactive);
    return CallAndPrint<v1::SearchConceptsResponse>(
        ctx, [&](SproutClient& c) { return c.SearchConcepts(request); },
        [](const v1::SearchConceptsResponse& r, std::ostream& out) {
          Table table({"code", "preferred term", "matched", "active", "from"});
          for (const v1::SearchHit& h : r.hits()) {
            table.AddRow({h.concept().code(), h.concept().display(), h.matched_term(),
                          h.active() ? "yes" : "no",
                          h.related_term_source().empty() ? "release" : h.related_term_source()});
          }
          table.Print(out);
        });
  };
}

struct ValidateFlags {
  std::string code;
  std::string ecl;
};

Action SetUpValidate(CLI::App& cmd) {
  auto f = std::make_shared<ValidateFlags>();
  cmd.add_option("code", f->code, "the code to check")->required();
  cmd.add_option("--ecl", f->ecl, "binding it must fall inside");
  return [f](CommandContext& ctx) -> absl::Status {
    v1::ValidateCodeRequest request;
    request.set_code(f->code);
    request.set_ecl(f->ecl);
    return CallAndPrint<v1::ValidateCodeResponse>(
        ctx, [&](SproutClient& c) { return c.ValidateCode(request); },
        [&](const v1::ValidateCodeResponse& r, std::ostream& out) {
          if (r.valid()) {
            out << "valid: " << FormatConcept(r.concept()) << "\n";
          } else {
            out << "not valid: " << f->code << ": " << r.message() << "\n";
          }
        });
  };
}

struct TranslateFlags {
  std::string code;
  std::string system;
};

Action SetUpTranslate(CLI::App& cmd) {
  auto f = std::make_shared<TranslateFlags>();
  cmd.add_option("code", f->code, "an inactive SCTID, or a local code with --system")->required();
  cmd.add_option("--system", f->system,
                 "local code system, e.g. police-vulnerability (default: SNOMED CT)");
  return [f](CommandContext& ctx) -> absl::Status {
    v1::TranslateCodeRequest request;
    request.set_code(f->code);
    request.set_system(f->system);
    return CallAndPrint<v1::TranslateCodeResponse>(
        ctx, [&](SproutClient& c) { return c.TranslateCode(request); },
        [](const v1::TranslateCodeResponse& r, std::ostream& out) {
          Table table({"code", "term", "relationship", "source"});
          for (const v1::Translation& t : r.translations()) {
            table.AddRow(
                {t.concept().code(), t.concept().display(), t.relationship(), t.source_version()});
          }
          table.Print(out);
        });
  };
}

Action SetUpRelease(CLI::App&) {
  return [](CommandContext& ctx) -> absl::Status {
    return CallAndPrint<v1::Release>(
        ctx, [](SproutClient& c) { return c.GetRelease(v1::GetReleaseRequest()); },
        [](const v1::Release& r, std::ostream& out) { PrintFields(r, out); });
  };
}

const Command kTerminologyCommands[] = {
    {"concept", "Show a concept: terms, parents, children, replacements", &SetUpConcept, {}},
    {"subsumes", "How concept A relates to concept B in the IS-A hierarchy", &SetUpSubsumes, {}},
    {"ecl", "Expand an ECL expression", &SetUpEcl, {}},
    {"search", "Search descriptions by word prefix", &SetUpSearch, {}},
    {"validate", "Check that a code is a valid, present, active SCTID", &SetUpValidate, {}},
    {"translate", "Translate an inactive or local code to SNOMED CT", &SetUpTranslate, {}},
    {"release", "Show the loaded release", &SetUpRelease, {}},
};

}  // namespace

absl::Span<const Command> TerminologyCommands() { return kTerminologyCommands; }

}  // namespace sprout::client::cli
