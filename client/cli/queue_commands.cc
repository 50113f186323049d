// sproutctl queue ... and caseload: what link workers do.
#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "client/cli/command.h"
#include "client/cli/exit_code.h"
#include "client/cli/output.h"
#include "client/cli/render.h"
#include "client/cli/watch_util.h"
#include "client/request_id.h"
#include "google/protobuf/util/time_util.h"

namespace sprout::client::cli {
namespace {

namespace v1 = ::sprout::v1;
using google::protobuf::util::TimeUtil;

// A queue named briefly: "U00001" is the PCN pool "pcns/U00001".
std::string QueueName(const std::string& q) { return ResourceName("pcns", q); }

google::protobuf::Duration ToProto(absl::Duration d) {
  return TimeUtil::NanosecondsToDuration(absl::ToInt64Nanoseconds(d));
}

absl::StatusOr<absl::Duration> ParsePositiveDuration(const char* flag, const std::string& text) {
  absl::Duration d;
  if (!absl::ParseDuration(text, &d) || d <= absl::ZeroDuration()) {
    return UsageError(absl::StrCat(flag, ": '", text, "' is not a duration like 15m or 1h30m"));
  }
  return d;
}

struct ListFlags {
  std::string queue;
  std::string filter;
  int page_size = 0;
  std::string page_token;
};

Action SetUpList(CLI::App& cmd) {
  auto f = std::make_shared<ListFlags>();
  cmd.add_option("queue", f->queue,
                 "pcns/{pcn} (pool and all link workers), pcns/{pcn}/linkWorkers/{id} or "
                 "triageQueues/{sicbl}; a bare code means pcns/{code}")
      ->required();
  cmd.add_option("--filter", f->filter,
                 "AIP-160 filter over priority, state, source_type, overdue, claimed, e.g. "
                 "'priority = URGENT AND claimed = false'");
  cmd.add_option("--page-size", f->page_size, "at most this many (server default 50)");
  cmd.add_option("--page-token", f->page_token, "from the previous page");
  return [f](CommandContext& ctx) -> absl::Status {
    v1::ListQueueItemsRequest request;
    request.set_parent(QueueName(f->queue));
    request.set_filter(f->filter);
    request.set_page_size(f->page_size);
    request.set_page_token(f->page_token);
    return CallAndPrint<v1::ListQueueItemsResponse>(
        ctx, [&](SproutClient& c) { return c.ListQueueItems(request); },
        [](const v1::ListQueueItemsResponse& r, std::ostream& out) {
          PrintQueueItems(r.queue_items(), out);
          PrintNextPage(r.next_page_token(), out);
        });
  };
}

struct WatchFlags {
  std::string queue;
  int64_t after = 0;
  std::string watch_for = "1h";
  bool follow = false;
};

Action SetUpWatch(CLI::App& cmd) {
  auto f = std::make_shared<WatchFlags>();
  cmd.add_option("queue", f->queue, "the queue, as for 'queue list'")->required();
  cmd.add_option("--after", f->after, "resume after this sequence (0: from what waits now)");
  cmd.add_option("--for", f->watch_for, "stop watching after this long")->capture_default_str();
  cmd.add_flag("--follow", f->follow,
               "reconnect when the server goes away, resuming after the last event seen");
  return [f](CommandContext& ctx) -> absl::Status {
    auto watch_for = ParseWatchFor(f->watch_for);
    if (!watch_for.ok()) return watch_for.status();
    const absl::Time end = absl::Now() + *watch_for;
    int64_t last = f->after;
    absl::Duration backoff = absl::Seconds(1);
    while (true) {
      // Each (re)connection gets what is left of --for.
      ctx.set_stream_deadline(end - absl::Now());
      auto client = ctx.client();
      if (!client.ok()) return client.status();
      v1::WatchQueueRequest request;
      request.set_parent(QueueName(f->queue));
      request.set_after_sequence(last);
      absl::Status s = (*client)->WatchQueue(request, [&](const v1::QueueEvent& e) {
        last = e.sequence();
        backoff = absl::Seconds(1);
        ctx.out() << (ctx.json() ? ToJson(e, /*pretty=*/false) : FormatQueueEvent(e)) << std::endl;
        return true;
      });
      if (!f->follow || s.code() != absl::StatusCode::kUnavailable || absl::Now() >= end) {
        return EndOfWatch(s);
      }
      ctx.err() << "connection lost (" << s.message() << "); reconnecting after #" << last << " in "
                << absl::FormatDuration(backoff) << std::endl;
      absl::SleepFor(backoff);
      backoff = std::min(backoff * 2, absl::Seconds(30));
    }
  };
}

struct ClaimFlags {
  std::string item;
  std::string lease = "15m";
};

Action SetUpClaim(CLI::App& cmd) {
  auto f = std::make_shared<ClaimFlags>();
  cmd.add_option("item", f->item, "queue item id or queueItems/{id}")->required();
  cmd.add_option("--lease", f->lease, "how long the claim holds (at most 8h)")
      ->capture_default_str();
  return [f](CommandContext& ctx) -> absl::Status {
    auto lease = ParsePositiveDuration("--lease", f->lease);
    if (!lease.ok()) return lease.status();
    v1::ClaimReferralRequest request;
    request.set_name(ResourceName("queueItems", f->item));
    *request.mutable_lease_duration() = ToProto(*lease);
    return CallAndPrint<v1::QueueItem>(
        ctx, [&](SproutClient& c) { return c.ClaimReferral(request); },
        [](const v1::QueueItem& item, std::ostream& out) {
          out << "claimed " << item.name() << " (" << item.referral() << ") until "
              << FormatTimestamp(item.lease_expire_time()) << "\n";
        });
  };
}

// accept, decline, return and reassign share a shape: a referral, an etag,
// and at most one more field.
struct TransitionFlags {
  std::string name;
  std::string etag;
  std::string reason;                  // decline, return, reassign
  std::string link_worker;             // reassign
  std::string declined_by = "person";  // decline
  std::string code;                    // decline (link worker), resolve-review
  int reason_index = 0;                // resolve-review
};

std::shared_ptr<TransitionFlags> AddTransitionFlags(CLI::App& cmd) {
  auto f = std::make_shared<TransitionFlags>();
  cmd.add_option("referral", f->name, "referral id or referrals/{id}")->required();
  cmd.add_option("--etag", f->etag, "refuse if the referral changed since this etag");
  return f;
}

Action SetUpAccept(CLI::App& cmd) {
  auto f = AddTransitionFlags(cmd);
  return [f](CommandContext& ctx) -> absl::Status {
    v1::AcceptReferralRequest request;
    request.set_name(ResourceName("referrals", f->name));
    request.set_etag(f->etag);
    return CallAndPrint<v1::Referral>(
        ctx, [&](SproutClient& c) { return c.AcceptReferral(request); }, PrintReferralSummary);
  };
}

Action SetUpDecline(CLI::App& cmd) {
  auto f = AddTransitionFlags(cmd);
  cmd.add_option("--by", f->declined_by,
                 "person (records 871711000000103 |Social prescribing declined|) or link-worker")
      ->capture_default_str();
  cmd.add_option("--code", f->code, "with --by link-worker: the coded reason, an SCTID");
  cmd.add_option("--reason", f->reason, "why, as text (kept from the referrer)");
  return [f](CommandContext& ctx) -> absl::Status {
    v1::DeclineReferralRequest request;
    request.set_name(ResourceName("referrals", f->name));
    request.set_etag(f->etag);
    request.set_reason(f->reason);
    request.set_reason_code(f->code);
    if (f->declined_by == "person") {
      request.set_declined_by(v1::DECLINED_BY_PERSON);
    } else if (f->declined_by == "link-worker") {
      request.set_declined_by(v1::DECLINED_BY_LINK_WORKER);
    } else {
      return UsageError(
          absl::StrCat("--by: '", f->declined_by, "' is not one of person, link-worker"));
    }
    return CallAndPrint<v1::Referral>(
        ctx, [&](SproutClient& c) { return c.DeclineReferral(request); }, PrintReferralSummary);
  };
}

Action SetUpReturn(CLI::App& cmd) {
  auto f = AddTransitionFlags(cmd);
  cmd.add_option("--reason", f->reason, "why this PCN cannot take it")->required();
  return [f](CommandContext& ctx) -> absl::Status {
    v1::ReturnToTriageRequest request;
    request.set_name(ResourceName("referrals", f->name));
    request.set_etag(f->etag);
    request.set_reason(f->reason);
    return CallAndPrint<v1::Referral>(
        ctx, [&](SproutClient& c) { return c.ReturnToTriage(request); }, PrintReferralSummary);
  };
}

Action SetUpReassign(CLI::App& cmd) {
  auto f = AddTransitionFlags(cmd);
  cmd.add_option("--to", f->link_worker, "the new link worker, pcns/{pcn}/linkWorkers/{id}")
      ->required();
  cmd.add_option("--reason", f->reason, "why (required to move it to another PCN)");
  return [f](CommandContext& ctx) -> absl::Status {
    v1::ReassignReferralRequest request;
    request.set_name(ResourceName("referrals", f->name));
    request.set_etag(f->etag);
    request.set_link_worker(f->link_worker);
    request.set_reason(f->reason);
    return CallAndPrint<v1::Referral>(
        ctx, [&](SproutClient& c) { return c.ReassignReferral(request); }, PrintReferralSummary);
  };
}

// --ons4 "8,7,6,3" (life satisfaction, worthwhile, happiness, anxiety; each
// 0-10) and --swemwbs "3,4,3,4,3,4,3" (seven items, each 1-5).
struct WellbeingFlags {
  std::string ons4;
  std::string swemwbs;
};

void AddWellbeingFlags(CLI::App& cmd, WellbeingFlags& f) {
  cmd.add_option("--ons4", f.ons4,
                 "ONS4 scores: life satisfaction,worthwhile,happiness,anxiety (each 0-10)");
  cmd.add_option("--swemwbs", f.swemwbs, "SWEMWBS: seven comma-separated items, each 1-5");
}

absl::StatusOr<std::vector<int>> ParseScores(const char* flag, const std::string& text,
                                             size_t count) {
  std::vector<int> scores;
  for (absl::string_view part : absl::StrSplit(text, ',')) {
    int v = 0;
    if (!absl::SimpleAtoi(part, &v)) {
      return UsageError(absl::StrCat(flag, ": '", part, "' is not a whole number"));
    }
    scores.push_back(v);
  }
  if (scores.size() != count) {
    return UsageError(
        absl::StrCat(flag, ": needs ", count, " comma-separated scores, got ", scores.size()));
  }
  return scores;
}

// The scores given, or none; the server checks the ranges.
absl::StatusOr<v1::WellbeingScores> WellbeingOf(const WellbeingFlags& f) {
  v1::WellbeingScores w;
  if (!f.ons4.empty()) {
    auto s = ParseScores("--ons4", f.ons4, 4);
    if (!s.ok()) return s.status();
    v1::Ons4Scores& o = *w.mutable_ons4();
    o.set_life_satisfaction((*s)[0]);
    o.set_worthwhile((*s)[1]);
    o.set_happiness((*s)[2]);
    o.set_anxiety((*s)[3]);
  }
  if (!f.swemwbs.empty()) {
    auto s = ParseScores("--swemwbs", f.swemwbs, 7);
    if (!s.ok()) return s.status();
    for (int v : *s) w.mutable_swemwbs()->add_items(v);
  }
  return w;
}

struct ContactFlags {
  WellbeingFlags wellbeing;
  std::string referral;
  std::string type;
  std::string time;
  std::string duration;
  std::string notes;
  std::string request_id;
};

absl::StatusOr<v1::ContactType> ParseContactType(const std::string& text) {
  const std::string t = absl::AsciiStrToLower(text);
  if (t == "phone") return v1::CONTACT_TYPE_PHONE;
  if (t == "video") return v1::CONTACT_TYPE_VIDEO;
  if (t == "meeting") return v1::CONTACT_TYPE_MEETING;
  if (t == "home-visit") return v1::CONTACT_TYPE_HOME_VISIT;
  if (t == "group") return v1::CONTACT_TYPE_GROUP;
  return UsageError(
      absl::StrCat("--type: '", text, "' is not one of phone, video, meeting, home-visit, group"));
}

Action SetUpContact(CLI::App& cmd) {
  auto f = std::make_shared<ContactFlags>();
  cmd.add_option("referral", f->referral, "referral id or referrals/{id}")->required();
  cmd.add_option("--type", f->type, "phone, video, meeting, home-visit, group")->required();
  cmd.add_option("--time", f->time, "when, RFC 3339 (default now)");
  cmd.add_option("--duration", f->duration, "how long, e.g. 45m");
  cmd.add_option("--notes", f->notes, "link worker notes (never shown to referrers)");
  cmd.add_option("--request-id", f->request_id, "idempotency key; default a fresh UUID");
  AddWellbeingFlags(cmd, f->wellbeing);
  return [f](CommandContext& ctx) -> absl::Status {
    v1::RecordContactRequest request;
    request.set_parent(ResourceName("referrals", f->referral));
    request.set_request_id(f->request_id.empty() ? NewRequestId() : f->request_id);
    v1::Contact& contact = *request.mutable_contact();
    auto type = ParseContactType(f->type);
    if (!type.ok()) return type.status();
    contact.set_type(*type);
    if (f->time.empty()) {
      *contact.mutable_contact_time() = TimeUtil::GetCurrentTime();
    } else if (!TimeUtil::FromString(f->time, contact.mutable_contact_time())) {
      return UsageError(
          absl::StrCat("--time: '", f->time, "' is not RFC 3339, e.g. 2026-03-02T14:30:00Z"));
    }
    if (!f->duration.empty()) {
      auto d = ParsePositiveDuration("--duration", f->duration);
      if (!d.ok()) return d.status();
      *contact.mutable_duration() = ToProto(*d);
    }
    contact.set_notes(f->notes);
    auto wellbeing = WellbeingOf(f->wellbeing);
    if (!wellbeing.ok()) return wellbeing.status();
    if (wellbeing->has_ons4() || wellbeing->has_swemwbs()) {
      *contact.mutable_wellbeing() = *wellbeing;
    }
    return CallAndPrint<v1::Contact>(
        ctx, [&](SproutClient& c) { return c.RecordContact(request); },
        [](const v1::Contact& c, std::ostream& out) {
          out << "recorded " << c.name() << " (contact " << c.number() << ", "
              << ShortEnum(c.type()) << ", " << FormatTimestamp(c.contact_time()) << ")\n";
          if (c.has_wellbeing()) out << "wellbeing " << FormatWellbeing(c.wellbeing()) << "\n";
        });
  };
}

struct CloseFlags {
  std::string referral;
  std::string etag;
  std::vector<std::string> outcomes;
  std::string summary;
  WellbeingFlags wellbeing;
};

Action SetUpClose(CLI::App& cmd) {
  auto f = std::make_shared<CloseFlags>();
  cmd.add_option("referral", f->referral, "referral id or referrals/{id}")->required();
  cmd.add_option("--outcome", f->outcomes,
                 "repeatable: outcome SNOMED id, e.g. 1230392000 (Not feeling lonely)")
      ->required();
  AddWellbeingFlags(cmd, f->wellbeing);
  cmd.add_option("--summary", f->summary, "summary for the referrer (no notes)");
  cmd.add_option("--etag", f->etag, "refuse if the referral changed since this etag");
  return [f](CommandContext& ctx) -> absl::Status {
    v1::CloseReferralRequest request;
    request.set_name(ResourceName("referrals", f->referral));
    request.set_etag(f->etag);
    v1::Outcome& outcome = *request.mutable_outcome();
    for (const std::string& code : f->outcomes) outcome.add_codes()->set_code(code);
    outcome.set_summary(f->summary);
    auto wellbeing = WellbeingOf(f->wellbeing);
    if (!wellbeing.ok()) return wellbeing.status();
    if (wellbeing->has_ons4() || wellbeing->has_swemwbs()) {
      *request.mutable_wellbeing() = *wellbeing;
    }
    return CallAndPrint<v1::Referral>(
        ctx, [&](SproutClient& c) { return c.CloseReferral(request); }, PrintReferralSummary);
  };
}

Action SetUpResolveReview(CLI::App& cmd) {
  auto f = AddTransitionFlags(cmd);
  cmd.add_option("--reason-index", f->reason_index,
                 "which coded reason (from 0, as 'referral get' lists them)")
      ->capture_default_str();
  cmd.add_option("--code", f->code, "the concept chosen, an SCTID inside the reason binding")
      ->required();
  return [f](CommandContext& ctx) -> absl::Status {
    v1::ResolveCodingReviewRequest request;
    request.set_name(ResourceName("referrals", f->name));
    request.set_etag(f->etag);
    request.set_reason_index(f->reason_index);
    request.set_code(f->code);
    return CallAndPrint<v1::Referral>(
        ctx, [&](SproutClient& c) { return c.ResolveCodingReview(request); }, PrintReferralSummary);
  };
}

const Command kQueueCommands[] = {
    {"list", "List the items on a queue, urgent first", &SetUpList, {}},
    {"watch", "Stream a queue's changes as they commit (resumable)", &SetUpWatch, {}},
    {"claim", "Claim a queue item under a lease", &SetUpClaim, {}},
    {"accept", "Record that the person agreed to work with you", &SetUpAccept, {}},
    {"decline", "Record that the person (or the link worker) declined", &SetUpDecline, {}},
    {"return", "Send a referral back to its sub-ICB triage queue", &SetUpReturn, {}},
    {"reassign",
     "Move a referral to another link worker (another PCN: administrators)",
     &SetUpReassign,
     {}},
    {"contact", "Record a contact with the person", &SetUpContact, {}},
    {"close", "Close a referral with a coded outcome and wellbeing scores", &SetUpClose, {}},
    {"resolve-review",
     "Choose the concept for a reason flagged for coding review",
     &SetUpResolveReview,
     {}},
};

}  // namespace

absl::Span<const Command> QueueCommands() { return kQueueCommands; }

// caseload sits at the top level but belongs with the queue.
Action SetUpCaseload(CLI::App& cmd) {
  auto name = std::make_shared<std::string>();
  cmd.add_option("link_worker", *name, "pcns/{pcn}/linkWorkers/{id}")->required();
  return [name](CommandContext& ctx) -> absl::Status {
    v1::GetCaseloadRequest request;
    std::string n = *name;
    if (n.size() < 9 || n.compare(n.size() - 9, 9, "/caseload") != 0) n += "/caseload";
    request.set_name(n);
    return CallAndPrint<v1::Caseload>(
        ctx, [&](SproutClient& c) { return c.GetCaseload(request); },
        [](const v1::Caseload& c, std::ostream& out) {
          out << "caseload   " << c.name() << "\n";
          out << "this year  " << c.accepted_this_year() << " / " << c.annual_cap()
              << " (NHS financial year, April to March)\n";
          out << "open       " << c.open_caseload() << " / " << c.open_cap() << "\n";
          out << "waiting    " << c.waiting() << "\n";
          if (c.entries().empty()) return;
          Table table({"referral", "state", "accepted", "days open", "contacts", "reasons"});
          for (const v1::CaseloadEntry& e : c.entries()) {
            table.AddRow({e.referral(), ShortEnum(e.state()), FormatTimestamp(e.accept_time()),
                          absl::StrCat(e.days_open()), absl::StrCat(e.contact_count()),
                          ConceptList(e.reasons())});
          }
          table.Print(out);
        });
  };
}

}  // namespace sprout::client::cli
