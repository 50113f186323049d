// The ECL parser's filters (snomed/ecl_parser.h): concept filters, description
// filters with dialect and acceptability, member filters and field selection,
// history supplements.
#include <cctype>
#include <cstdlib>
#include <cstring>

#include "snomed/ecl_parser.h"

namespace sprout::snomed::ecl_parser {

void Parser::ParseFilters(Expr* e) {
  // Filters hold constraints (moduleId = << x {{ ... }}), so a block is a
  // level of nesting.
  std::unique_ptr<Nesting> nesting;
  while (!failed_) {
    size_t save = pos_;
    Ws();
    if (!(Peek() == '{' && Peek(1) == '{')) {
      pos_ = save;
      return;
    }
    if (nesting == nullptr) {
      nesting = std::make_unique<Nesting>(this);
      if (failed_) return;
    }
    const size_t open = pos_;
    pos_ += 2;
    Ws();
    if (e->history.profile != ecl::HistorySupplement::Profile::kNone) {
      FailAt(open, "a history supplement ({{ +HISTORY ... }}) must be the last filter");
      return;
    }
    const char k = Peek();
    const bool letter = !IsWordChar(Peek(1));
    if (k == '+') {
      ++pos_;
      Ws();
      ParseHistorySupplement(e);
    } else if ((k == 'M' || k == 'm') && letter) {
      if (e->kind != Expr::Kind::kMemberOf) {
        FailAt(pos_, "a member filter ({{ M ... }}) applies only to '^' (memberOf)");
        return;
      }
      if (!e->filters.empty() || !e->concept_filters.empty()) {
        FailAt(pos_,
               "member filters ({{ M ... }}) must come before description and concept "
               "filters");
        return;
      }
      ++pos_;
      e->member_filters.push_back(ParseMemberFilterBlock());
    } else if ((k == 'C' || k == 'c') && letter) {
      ++pos_;
      e->concept_filters.push_back(ParseConceptFilterBlock());
    } else {
      if ((k == 'D' || k == 'd') && letter) ++pos_;
      e->filters.push_back(ParseFilterBlock());
    }
  }
}

bool Parser::ParseEqNe(bool* negated, absl::string_view after) {
  Ws();
  if (Consume("!=")) {
    *negated = true;
  } else if (Consume("=")) {
    *negated = false;
  } else {
    Fail(absl::StrCat("'=' or '!=' after ", after));
    return false;
  }
  Ws();
  return true;
}

bool Parser::ParseActive(int* active) {
  bool negated = false;
  if (!ParseEqNe(&negated, "active")) return false;
  bool value;
  if (PeekKeyword("true")) {
    pos_ += 4;
    value = true;
  } else if (PeekKeyword("false")) {
    pos_ += 5;
    value = false;
  } else if ((Peek() == '1' || Peek() == '0') && !IsWordChar(Peek(1))) {
    value = Peek() == '1';
    ++pos_;
  } else {
    Fail("true, false, 1 or 0");
    return false;
  }
  *active = (value != negated) ? 1 : 0;
  return true;
}

bool Parser::ParseTime(ecl::TimeCondition* t) {
  using Op = ecl::TimeCondition::Op;
  Ws();
  if (Consume("!="))
    t->op = Op::kNe;
  else if (Consume("<="))
    t->op = Op::kLe;
  else if (Consume(">="))
    t->op = Op::kGe;
  else if (Consume("="))
    t->op = Op::kEq;
  else if (Consume("<"))
    t->op = Op::kLt;
  else if (Consume(">"))
    t->op = Op::kGt;
  else
    return Fail("'=', '!=', '<', '<=', '>' or '>=' after effectiveTime"), false;
  Ws();
  const bool set = Peek() == '(';
  if (set) {
    if (t->op != Op::kEq && t->op != Op::kNe) {
      return FailAt(pos_, "a set of dates needs '=' or '!='"), false;
    }
    ++pos_;
    Ws();
  }
  do {
    size_t at = pos_;
    if (!Consume("\"")) return Fail("a date in quotes, e.g. \"20250101\""), false;
    size_t start = pos_;
    while (isdigit(static_cast<unsigned char>(Peek()))) ++pos_;
    if (pos_ - start != 8 || !Consume("\"")) {
      return FailAt(at, "expected a date \"YYYYMMDD\""), false;
    }
    uint32_t v = 0;
    for (size_t i = start; i < start + 8; ++i) v = v * 10 + (s_[i] - '0');
    t->times.push_back(v);
    Ws();
  } while (set && Peek() != ')' && !AtEnd());
  if (set && !Consume(")")) return Fail("')'"), false;
  return true;
}

std::unique_ptr<Expr> Parser::ParseConceptValue() {
  if (Peek() == '(') {
    size_t save = pos_;
    ++pos_;
    Ws();
    std::vector<uint64_t> ids;
    std::vector<size_t> at;
    while (isdigit(static_cast<unsigned char>(Peek()))) {
      at.push_back(pos_);
      ids.push_back(ParseConceptReference());
      if (failed_) return nullptr;
      size_t before = pos_;
      Ws();
      if (Peek() != ')' && before == pos_) break;  // not a whitespace-separated set
    }
    if (ids.size() >= 2 && Peek() == ')') {
      ++pos_;
      auto set = NewExpr();
      set->kind = Expr::Kind::kOr;
      set->offset = save;
      for (size_t k = 0; k < ids.size(); ++k) {
        auto c = NewExpr();
        c->kind = Expr::Kind::kConcept;
        c->concept_id = ids[k];
        c->offset = at[k];
        set->children.push_back(std::move(c));
      }
      return set;
    }
    pos_ = save;
  }
  if (!(isdigit(static_cast<unsigned char>(Peek())) || Peek() == '<' || Peek() == '>' ||
        Peek() == '*' || Peek() == '(' || Peek() == '^' || Peek() == '!' ||
        AtAlternateIdentifier())) {
    Fail("a concept id, a constraint or a set (a b ...)");
    return nullptr;
  }
  return ParseSub();
}

bool Parser::ParseConceptCondition(ecl::ConceptCondition* c, absl::string_view field) {
  if (!ParseEqNe(&c->negated, field)) return false;
  c->value = ParseConceptValue();
  return !failed_;
}

bool Parser::NextCondition() {
  Ws();
  if (Consume(",")) return true;
  if (Consume("}}")) return false;
  Fail("',' or '}}'");
  return false;
}

ecl::ConceptFilter Parser::ParseConceptFilterBlock() {
  ecl::ConceptFilter f;
  while (!failed_) {
    Ws();
    if (PeekKeyword("active")) {
      pos_ += 6;
      if (!ParseActive(&f.active)) return f;
    } else if (PeekKeyword("definitionStatusId")) {
      pos_ += 18;
      f.definition_status.emplace_back();
      if (!ParseConceptCondition(&f.definition_status.back(), "definitionStatusId")) return f;
    } else if (PeekKeyword("definitionStatus")) {
      pos_ += 16;
      ecl::ConceptCondition c;
      if (!ParseEqNe(&c.negated, "definitionStatus")) return f;
      const bool set = Consume("(");
      auto value = NewExpr();
      value->kind = Expr::Kind::kOr;
      do {
        Ws();
        auto id = NewExpr();
        id->kind = Expr::Kind::kConcept;
        if (PeekKeyword("primitive")) {
          pos_ += 9;
          id->concept_id = kPrimitive;
        } else if (PeekKeyword("defined")) {
          pos_ += 7;
          id->concept_id = kFullyDefined;
        } else {
          {
            Fail("primitive or defined");
            return f;
          }
        }
        value->children.push_back(std::move(id));
        Ws();
      } while (set && !failed_ && Peek() != ')' && !AtEnd());
      if (set && !Consume(")")) {
        Fail("')'");
        return f;
      }
      c.value = std::move(value);
      f.definition_status.push_back(std::move(c));
    } else if (PeekKeyword("moduleId")) {
      pos_ += 8;
      f.modules.emplace_back();
      if (!ParseConceptCondition(&f.modules.back(), "moduleId")) return f;
    } else if (PeekKeyword("effectiveTime")) {
      pos_ += 13;
      f.times.emplace_back();
      if (!ParseTime(&f.times.back())) return f;
    } else {
      {
        Fail(
            "'active', 'definitionStatus', 'definitionStatusId', 'moduleId' or "
            "'effectiveTime' in the concept filter");
        return f;
      }
    }
    if (!NextCondition()) return f;
  }
  return f;
}

bool Parser::ParseMemberFieldName(ecl::MemberField* field, bool selection) {
  static const struct {
    const char* name;
    ecl::MemberField field;
  } kFields[] = {
      {"referencedComponentId", ecl::MemberField::kReferencedComponentId},
      {"targetComponentId", ecl::MemberField::kTargetComponentId},
      {"valueId", ecl::MemberField::kValueId},
      {"moduleId", ecl::MemberField::kModuleId},
      {"refsetId", ecl::MemberField::kRefsetId},
  };
  for (const auto& f : kFields) {
    if (PeekKeyword(f.name)) {
      pos_ += strlen(f.name);
      *field = f.field;
      return true;
    }
  }
  size_t start = pos_;
  while (IsWordChar(Peek())) ++pos_;
  absl::string_view name = s_.substr(start, pos_ - start);
  if (name.empty()) {
    Fail(selection ? "a refset field name or '*'" : "a refset field name");
  } else if (name == "acceptabilityId") {
    FailAt(start,
           "acceptabilityId belongs to language refsets, whose members are descriptions; use a "
           "description filter ({{ D dialect = ... }})");
  } else if (name == "id" || name == "effectiveTime" || name == "active" ||
             absl::StartsWith(name, "map") || name == "correlationId") {
    FailAt(start, absl::StrCat(selection ? "selecting the field '" : "the member field '", name,
                               selection ? "' is not supported: only concept-valued fields "
                                           "(referencedComponentId, targetComponentId, valueId, "
                                           "moduleId, refsetId) can be selected"
                                         : "' cannot be compared here; member filters support "
                                           "referencedComponentId, targetComponentId, valueId, "
                                           "moduleId, effectiveTime and active"));
  } else {
    FailAt(start, absl::StrCat("unknown refset field '", name,
                               "'; expected referencedComponentId, targetComponentId, valueId, "
                               "moduleId or refsetId"));
  }
  return false;
}

void Parser::ParseFieldSelection(Expr* e) {
  ++pos_;
  Ws();
  if (Consume("*")) {
    e->all_fields = true;
    Ws();
  } else {
    while (!failed_) {
      ecl::MemberField f;
      if (!ParseMemberFieldName(&f, /*selection=*/true)) return;
      e->fields.push_back(f);
      Ws();
      if (!Consume(",")) break;
      Ws();
    }
  }
  if (!failed_ && !Consume("]")) Fail("',' or ']' after the field names");
}

ecl::MemberFilter Parser::ParseMemberFilterBlock() {
  ecl::MemberFilter f;
  while (!failed_) {
    Ws();
    if (PeekKeyword("active")) {
      pos_ += 6;
      if (!ParseActive(&f.active)) return f;
    } else if (PeekKeyword("effectiveTime")) {
      pos_ += 13;
      f.times.emplace_back();
      if (!ParseTime(&f.times.back())) return f;
    } else {
      ecl::MemberField field;
      if (!ParseMemberFieldName(&field, /*selection=*/false)) return f;
      Ws();
      if (Peek() == '<' || Peek() == '>' || (Peek() == '=' && Peek(1) == '=')) {
        {
          FailAt(pos_, "only '=' and '!=' compare concept-valued member fields");
          return f;
        }
      }
      ecl::ConceptCondition c;
      if (!ParseConceptCondition(&c, "the member field")) return f;
      if (field == ecl::MemberField::kModuleId) {
        f.modules.push_back(std::move(c));
      } else {
        f.fields.push_back({field, std::move(c)});
      }
    }
    if (!NextCondition()) return f;
  }
  return f;
}

void Parser::ParseHistorySupplement(Expr* e) {
  using Profile = ecl::HistorySupplement::Profile;
  if (!PeekKeyword("history") && !absl::StartsWithIgnoreCase(s_.substr(pos_), "history-")) {
    return Fail("HISTORY after '+'");
  }
  pos_ += 7;
  if (Consume("-")) {
    if (PeekKeyword("min")) {
      e->history.profile = Profile::kMin;
    } else if (PeekKeyword("mod")) {
      e->history.profile = Profile::kMod;
    } else if (PeekKeyword("max")) {
      e->history.profile = Profile::kMax;
    } else {
      return Fail("MIN, MOD or MAX after HISTORY-");
    }
    pos_ += 3;
  } else {
    Ws();
    if (Peek() == '(') {
      ++pos_;
      Ws();
      e->history.profile = Profile::kExplicit;
      e->history.refsets = ParseExpression();
      if (failed_) return;
      Ws();
      if (!Consume(")")) return Fail("')'");
    } else {
      e->history.profile = Profile::kMax;
    }
  }
  Ws();
  if (!Consume("}}")) Fail("'}}' after the history supplement");
}

DescriptionFilter Parser::ParseFilterBlock() {
  DescriptionFilter f;
  while (!failed_) {
    Ws();
    if (PeekKeyword("dialectId")) {
      pos_ += 9;
      if (!ParseDialect(&f, /*aliases=*/false)) return f;
    } else if (PeekKeyword("dialect")) {
      pos_ += 7;
      if (!ParseDialect(&f, /*aliases=*/true)) return f;
    } else if (PeekKeyword("preferredIn") || PeekKeyword("acceptableIn") ||
               PeekKeyword("languageRefSetId")) {
      ecl::DialectCondition d;
      d.constraint_acceptability = Peek() == 'p'   ? ecl::Acceptability::kPreferred
                                   : Peek() == 'a' ? ecl::Acceptability::kAcceptable
                                                   : ecl::Acceptability::kAny;
      const char* name = Peek() == 'p'   ? "preferredIn"
                         : Peek() == 'a' ? "acceptableIn"
                                         : "languageRefSetId";
      pos_ += strlen(name);
      if (!ParseEqNe(&d.negated, name)) return f;
      d.constraint = ParseConceptValue();
      if (failed_) return f;
      f.dialects.push_back(std::move(d));
    } else if (PeekKeyword("moduleId")) {
      pos_ += 8;
      f.modules.emplace_back();
      if (!ParseConceptCondition(&f.modules.back(), "moduleId")) return f;
    } else if (PeekKeyword("effectiveTime")) {
      pos_ += 13;
      f.times.emplace_back();
      if (!ParseTime(&f.times.back())) return f;
    } else if (PeekKeyword("active")) {
      pos_ += 6;
      if (!ParseActive(&f.active)) return f;
    } else if (PeekKeyword("id")) {
      pos_ += 2;
      if (!ParseEqNe(&f.ids_negated, "id")) return f;
      const bool set = Consume("(");
      do {
        Ws();
        size_t start = pos_;
        while (isdigit(static_cast<unsigned char>(Peek()))) ++pos_;
        absl::StatusOr<uint64_t> id =
            ParseSctid(s_.substr(start, pos_ - start), kDescriptionPartitions);
        if (!id.ok()) {
          FailAt(start, id.status().message());
          return f;
        }
        f.ids.push_back(*id);
        SkipTerm();
        if (failed_) return f;
        Ws();
      } while (set && Peek() != ')' && !AtEnd());
      if (set && !Consume(")")) {
        Fail("')'");
        return f;
      }
    } else if (PeekKeyword("term")) {
      pos_ += 4;
      Ws();
      if (Consume("!="))
        f.term_negated = true;
      else if (!Consume("=")) {
        Fail("'=' or '!=' after term");
        return f;
      }
      Ws();
      f.has_term = true;
      if (Consume("(")) {
        Ws();
        while (!failed_ && Peek() != ')') {
          ParseTypedString(&f);
          Ws();
          if (AtEnd()) {
            Fail("')'");
            return f;
          }
        }
        ++pos_;
      } else {
        ParseTypedString(&f);
      }
    } else if (PeekKeyword("typeId")) {
      pos_ += 6;
      Ws();
      if (!Consume("=")) {
        Fail("'='");
        return f;
      }
      Ws();
      bool list = Consume("(");
      do {
        Ws();
        size_t at = pos_;
        uint64_t id = ParseConceptReference();
        if (failed_) return f;
        uint8_t t = id == kFsnType          ? kFsn
                    : id == kSynonymType    ? kSynonym
                    : id == kDefinitionType ? kDefinition
                                            : 255;
        if (t == 255) {
          FailAt(at, "typeId must be an FSN, synonym or definition type");
          return f;
        }
        f.types.push_back(t);
        Ws();
      } while (list && !failed_ && Peek() != ')' && !AtEnd());
      if (list && !Consume(")")) {
        Fail("')'");
        return f;
      }
    } else if (PeekKeyword("type")) {
      pos_ += 4;
      Ws();
      if (!Consume("=")) {
        Fail("'='");
        return f;
      }
      Ws();
      bool list = Consume("(");
      do {
        Ws();
        if (PeekKeyword("syn")) {
          f.types.push_back(kSynonym);
          pos_ += 3;
        } else if (PeekKeyword("fsn")) {
          f.types.push_back(kFsn);
          pos_ += 3;
        } else if (PeekKeyword("def")) {
          f.types.push_back(kDefinition);
          pos_ += 3;
        } else {
          Fail("syn, fsn or def");
          return f;
        }
        Ws();
      } while (list && !failed_ && Peek() != ')' && !AtEnd());
      if (list && !Consume(")")) {
        Fail("')'");
        return f;
      }
    } else if (PeekKeyword("language")) {
      pos_ += 8;
      Ws();
      if (!Consume("=")) {
        Fail("'='");
        return f;
      }
      Ws();
      size_t start = pos_;
      while (isalpha(static_cast<unsigned char>(Peek()))) ++pos_;
      if (pos_ - start != 2) {
        FailAt(start, "expected a two-letter language code");
        return f;
      }
      f.language = absl::AsciiStrToLower(s_.substr(start, 2));
    } else {
      {
        Fail(
            "'term', 'type', 'typeId', 'language', 'dialect', 'dialectId', 'preferredIn', "
            "'acceptableIn', 'languageRefSetId', 'moduleId', 'effectiveTime', 'active' or "
            "'id' in the description filter");
        return f;
      }
    }
    if (!NextCondition()) return f;
  }
  return f;
}

void Parser::SkipTerm() {
  size_t save = pos_;
  Ws();
  if (Peek() != '|') {
    pos_ = save;
    return;
  }
  size_t close = s_.find('|', pos_ + 1);
  if (close == absl::string_view::npos) {
    FailAt(pos_, "the term starting here has no closing '|'");
    return;
  }
  pos_ = close + 1;
}

bool Parser::ParseDialect(DescriptionFilter* f, bool aliases) {
  static const struct {
    const char* alias;
    uint64_t refset;
  } kAliases[] = {
      {"en-gb", kGbLanguageRefset},
      {"en-us", kUsLanguageRefset},
      {"en-nhs-clinical", kNhsRealmLanguageRefset},
      {"en-nhs-pharmacy", kNhsRealmPharmacyLanguageRefset},
      {"en-nhs", kNhsRealmLanguageRefset},
  };
  ecl::DialectCondition d;
  if (!ParseEqNe(&d.negated, aliases ? "dialect" : "dialectId")) return false;
  const bool set = Consume("(");
  do {
    Ws();
    ecl::DialectCondition::Entry entry{0, ecl::Acceptability::kAny};
    if (aliases) {
      size_t start = pos_;
      while (IsWordChar(Peek()) || Peek() == '-') ++pos_;
      std::string alias = absl::AsciiStrToLower(s_.substr(start, pos_ - start));
      if (alias.empty()) return Fail("a dialect alias, e.g. en-gb"), false;
      for (const auto& a : kAliases) {
        if (alias == a.alias) entry.refset = a.refset;
      }
      if (entry.refset == 0) {
        return FailAt(start, absl::StrCat("unknown dialect alias '", alias,
                                          "'; known: en-gb, en-us, en-nhs-clinical, "
                                          "en-nhs-pharmacy (or use dialectId)")),
               false;
      }
    } else {
      if (!isdigit(static_cast<unsigned char>(Peek()))) {
        return Fail("a language refset id"), false;
      }
      entry.refset = ParseConceptReference();
      if (failed_) return false;
    }
    size_t save = pos_;
    Ws();
    if (Peek() == '(') {
      if (!ParseAcceptabilitySet(&entry.acceptability)) return false;
    } else {
      pos_ = save;
    }
    d.entries.push_back(entry);
    Ws();
  } while (set && Peek() != ')' && !AtEnd());
  if (set && !Consume(")")) return Fail("')'"), false;
  f->dialects.push_back(std::move(d));
  return true;
}

bool Parser::ParseAcceptabilitySet(ecl::Acceptability* out) {
  ++pos_;
  bool preferred = false, acceptable = false;
  Ws();
  while (!failed_ && Peek() != ')') {
    if (PeekKeyword("prefer") || PeekKeyword("preferred")) {
      pos_ += PeekKeyword("prefer") ? 6 : 9;
      preferred = true;
    } else if (PeekKeyword("accept") || PeekKeyword("acceptable")) {
      pos_ += PeekKeyword("accept") ? 6 : 10;
      acceptable = true;
    } else if (isdigit(static_cast<unsigned char>(Peek()))) {
      size_t at = pos_;
      uint64_t id = ParseConceptReference();
      if (failed_) return false;
      if (id == kPreferred) {
        preferred = true;
      } else if (id == kAcceptable) {
        acceptable = true;
      } else {
        return FailAt(at,
                      "an acceptability must be 900000000000548007 |Preferred| or "
                      "900000000000549004 |Acceptable|"),
               false;
      }
    } else {
      return Fail("prefer, accept or an acceptability id"), false;
    }
    Ws();
  }
  if (!Consume(")")) return Fail("')'"), false;
  if (!preferred && !acceptable) return FailAt(pos_ - 1, "an empty acceptability set"), false;
  *out = preferred && acceptable ? ecl::Acceptability::kAny
         : preferred             ? ecl::Acceptability::kPreferred
                                 : ecl::Acceptability::kAcceptable;
  return true;
}

void Parser::ParseTypedString(DescriptionFilter* f) {
  DescriptionFilter::TermMatch how = DescriptionFilter::TermMatch::kMatch;
  if (Consume("match:")) {
    Ws();
  } else if (Consume("wild:")) {
    how = DescriptionFilter::TermMatch::kWild;
    Ws();
  }
  if (Peek() != '"') return Fail("a quoted string");
  size_t open = pos_++;
  std::string text;
  while (!AtEnd() && Peek() != '"') {
    if (Peek() == '\\' && pos_ + 1 < s_.size()) ++pos_;
    text.push_back(s_[pos_++]);
  }
  if (AtEnd()) return FailAt(open, "the string starting here has no closing '\"'");
  ++pos_;
  f->terms.push_back({how, absl::AsciiStrToLower(text)});
}

}  // namespace sprout::snomed::ecl_parser
