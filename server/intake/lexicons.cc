#include "server/intake/lexicons.h"

#include <algorithm>
#include <map>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/strip.h"
#include "base/text_proto.h"
#include "server/intake/code_maps.h"

namespace sprout::intake {
namespace {

bool IsAgency(absl::string_view agency) {
  if (agency == kCommonLexicon) return true;
  for (int i = sprout::v1::SourceType_MIN; i <= sprout::v1::SourceType_MAX; ++i) {
    if (!sprout::v1::SourceType_IsValid(i) || i == sprout::v1::SOURCE_TYPE_UNSPECIFIED) continue;
    if (AgencyName(static_cast<sprout::v1::SourceType>(i)) == agency) return true;
  }
  return false;
}

std::string AgencyList() {
  std::string out(kCommonLexicon);
  for (int i = sprout::v1::SourceType_MIN; i <= sprout::v1::SourceType_MAX; ++i) {
    if (!sprout::v1::SourceType_IsValid(i) || i == sprout::v1::SOURCE_TYPE_UNSPECIFIED) continue;
    absl::StrAppend(&out, ", ", AgencyName(static_cast<sprout::v1::SourceType>(i)));
  }
  return out;
}

}  // namespace

std::string AgencyName(sprout::v1::SourceType source_type) {
  if (source_type == sprout::v1::SOURCE_TYPE_UNSPECIFIED) return "";
  std::string name = sprout::v1::SourceType_Name(source_type);
  return absl::AsciiStrToLower(absl::StripPrefix(name, "SOURCE_TYPE_"));
}

std::string PhraseKey(absl::string_view text) {
  const NormalisedText normalised = Normalise(text);
  std::vector<std::string> stems;
  for (const ContentWord& w : normalised.content) stems.push_back(w.stem);
  std::sort(stems.begin(), stems.end());
  return absl::StrCat(ContextName(normalised.context.kind), ":", absl::StrJoin(stems, " "));
}

std::vector<LexiconSource> WithAccepted(std::vector<LexiconSource> files,
                                        const std::vector<AcceptedPhrase>& accepted) {
  std::map<std::string, int> added;  // agency -> phrases added
  for (const AcceptedPhrase& a : accepted) {
    LexiconSource* target = nullptr;
    for (LexiconSource& f : files) {
      if (f.lexicon.agency() == a.agency) target = &f;
    }
    if (target == nullptr) {
      LexiconSource fresh;
      fresh.origin = absl::StrCat("phrases accepted from coding review for ", a.agency);
      fresh.lexicon.set_agency(a.agency);
      fresh.lexicon.set_version("0");
      fresh.lexicon.set_title("Phrases accepted from coding review");
      files.push_back(std::move(fresh));
      target = &files.back();
    }
    const std::string key = PhraseKey(a.text);
    bool present = false;
    for (const sprout::config::v1::LexiconPhrase& p : target->lexicon.phrases()) {
      present |= PhraseKey(p.text()) == key;
    }
    if (present) continue;
    sprout::config::v1::LexiconPhrase* p = target->lexicon.add_phrases();
    p->set_text(a.text);
    p->set_snomed_code(a.snomed_code);
    p->set_snomed_display(a.snomed_display);
    p->set_note(
        absl::StrCat("accepted from coding review by ", a.accepted_by, " on ", a.accept_date));
    ++added[a.agency];
  }
  for (LexiconSource& f : files) {
    auto it = added.find(f.lexicon.agency());
    if (it == added.end()) continue;
    f.lexicon.set_version(absl::StrCat(f.lexicon.version(), kReviewedVersionSuffix, it->second));
  }
  return files;
}

absl::StatusOr<std::vector<LexiconSource>> PhraseLexicons::ReadDirectory(const std::string& dir) {
  absl::StatusOr<std::vector<TextProtoFile>> files = ReadTextProtoDirectory(dir, "lexicon");
  if (!files.ok()) return files.status();
  std::vector<LexiconSource> sources;
  for (const TextProtoFile& file : *files) {
    LexiconSource source{file.path, {}};
    absl::Status parsed = ParseTextProto(file.contents, file.path, &source.lexicon);
    if (!parsed.ok()) return parsed;
    sources.push_back(std::move(source));
  }
  return sources;
}

absl::StatusOr<std::shared_ptr<const PhraseLexicons>> PhraseLexicons::LoadDirectory(
    const std::string& dir, const snomed::Terminology& terminology,
    const std::vector<AcceptedPhrase>& accepted) {
  absl::StatusOr<std::vector<LexiconSource>> sources = ReadDirectory(dir);
  if (!sources.ok()) return sources.status();
  return Build(WithAccepted(*std::move(sources), accepted), terminology);
}

absl::StatusOr<std::shared_ptr<const PhraseLexicons>> PhraseLexicons::Build(
    const std::vector<LexiconSource>& sources, const snomed::Terminology& terminology) {
  std::shared_ptr<PhraseLexicons> out(new PhraseLexicons());
  for (const LexiconSource& source : sources) {
    const sprout::config::v1::PhraseLexicon& in = source.lexicon;
    auto fail = [&](absl::string_view what) {
      return absl::InvalidArgumentError(absl::StrCat(source.origin, ": ", what));
    };
    if (in.agency().empty()) return fail("agency is missing");
    if (!IsAgency(in.agency())) {
      return fail(absl::StrCat("agency \"", in.agency(), "\" is not one of: ", AgencyList()));
    }
    if (const Lexicon* other = out->Find(in.agency())) {
      return fail(
          absl::StrCat("agency \"", in.agency(), "\" already has a lexicon in ", other->origin));
    }
    if (in.version().empty()) return fail("version is missing");
    auto lexicon = std::make_unique<Lexicon>();
    lexicon->agency = in.agency();
    lexicon->version = in.version();
    lexicon->title = in.title();
    lexicon->origin = source.origin;
    for (int i = 0; i < in.phrases_size(); ++i) {
      const sprout::config::v1::LexiconPhrase& p = in.phrases(i);
      const std::string where = absl::StrCat("phrase ", i + 1, " (\"", p.text(), "\")");
      if (absl::StripAsciiWhitespace(p.text()).empty()) {
        return fail(absl::StrCat("phrase ", i + 1, ": text is missing"));
      }
      Phrase phrase;
      phrase.text = p.text();
      phrase.normalised = Normalise(p.text());
      if (phrase.normalised.content.empty()) {
        return fail(absl::StrCat(where, ": has only stop words and cue words; nothing to match"));
      }
      for (const Phrase& earlier : lexicon->phrases) {
        if (WordOverlap(earlier.normalised, phrase.normalised) >= 1.0) {
          return fail(
              absl::StrCat(where, ": reads the same as \"", earlier.text, "\" once normalised"));
        }
      }
      absl::StatusOr<uint64_t> id = ConfiguredTarget(p.snomed_code(), terminology);
      if (!id.ok()) return fail(absl::StrCat(where, ": ", id.status().message()));
      phrase.concept_id = *id;
      phrase.note = p.note();
      if (p.names_need_alone() && phrase.normalised.content.size() != 1) {
        return fail(absl::StrCat(where,
                                 ": names_need_alone is for one-word phrases; a phrase of two "
                                 "words or more names its need inside a longer text already"));
      }
      phrase.names_need_alone = p.names_need_alone();
      phrase.lexicon = lexicon.get();
      lexicon->phrases.push_back(std::move(phrase));
    }
    out->lexicons_.push_back(std::move(lexicon));
  }
  std::sort(out->lexicons_.begin(), out->lexicons_.end(),
            [](const auto& a, const auto& b) { return a->agency < b->agency; });
  return std::shared_ptr<const PhraseLexicons>(std::move(out));
}

std::shared_ptr<const PhraseLexicons> PhraseLexicons::Empty() {
  static const auto* empty = new std::shared_ptr<const PhraseLexicons>(new PhraseLexicons());
  return *empty;
}

const PhraseLexicons::Lexicon* PhraseLexicons::Find(absl::string_view agency) const {
  for (const auto& l : lexicons_) {
    if (l->agency == agency) return l.get();
  }
  return nullptr;
}

std::vector<const PhraseLexicons::Lexicon*> PhraseLexicons::For(absl::string_view agency) const {
  std::vector<const Lexicon*> out;
  if (agency != kCommonLexicon) {
    if (const Lexicon* own = Find(agency)) out.push_back(own);
  }
  if (const Lexicon* common = Find(kCommonLexicon)) out.push_back(common);
  return out;
}

std::vector<const PhraseLexicons::Lexicon*> PhraseLexicons::all() const {
  std::vector<const Lexicon*> out;
  for (const auto& l : lexicons_) out.push_back(l.get());
  return out;
}

}  // namespace sprout::intake
