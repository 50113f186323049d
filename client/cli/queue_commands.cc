// sproutctl queue ... and caseload: what link workers do.
#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
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
  cmd.add_option("--filter", f->filter, "AIP-160 filter over state, priority, source_type");
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
  std::string reason;       // decline, return
  std::string link_worker;  // reassign
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
  cmd.add_option("--reason", f->reason, "why the person declined");
  return [f](CommandContext& ctx) -> absl::Status {
    v1::DeclineReferralRequest request;
    request.set_name(ResourceName("referrals", f->name));
    request.set_etag(f->etag);
    request.set_reason(f->reason);
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
  return [f](CommandContext& ctx) -> absl::Status {
    v1::ReassignReferralRequest request;
    request.set_name(ResourceName("referrals", f->name));
    request.set_etag(f->etag);
    request.set_link_worker(f->link_worker);
    return CallAndPrint<v1::Referral>(
        ctx, [&](SproutClient& c) { return c.ReassignReferral(request); }, PrintReferralSummary);
  };
}

struct ContactFlags {
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
    return CallAndPrint<v1::Contact>(
        ctx, [&](SproutClient& c) { return c.RecordContact(request); },
        [](const v1::Contact& c, std::ostream& out) {
          out << "recorded " << c.name() << " (" << ShortEnum(c.type()) << ", "
              << FormatTimestamp(c.contact_time()) << ")\n";
        });
  };
}

struct CloseFlags {
  std::string referral;
  std::string etag;
  std::vector<std::string> outcomes;
  int wellbeing_start = 0;
  int wellbeing_end = 0;
  std::string summary;
  CLI::Option* start_option = nullptr;
  CLI::Option* end_option = nullptr;
};

Action SetUpClose(CLI::App& cmd) {
  auto f = std::make_shared<CloseFlags>();
  cmd.add_option("referral", f->referral, "referral id or referrals/{id}")->required();
  cmd.add_option("--outcome", f->outcomes,
                 "repeatable: outcome SNOMED id, e.g. 1230392000 (Not feeling lonely)")
      ->required();
  f->start_option =
      cmd.add_option("--wellbeing-start", f->wellbeing_start, "wellbeing score at first contact");
  f->end_option =
      cmd.add_option("--wellbeing-end", f->wellbeing_end, "wellbeing score at last contact");
  cmd.add_option("--summary", f->summary, "summary for the referrer (no notes)");
  cmd.add_option("--etag", f->etag, "refuse if the referral changed since this etag");
  return [f](CommandContext& ctx) -> absl::Status {
    v1::CloseReferralRequest request;
    request.set_name(ResourceName("referrals", f->referral));
    request.set_etag(f->etag);
    v1::Outcome& outcome = *request.mutable_outcome();
    for (const std::string& code : f->outcomes) outcome.add_codes()->set_code(code);
    if (f->start_option->count() > 0) outcome.set_wellbeing_score_start(f->wellbeing_start);
    if (f->end_option->count() > 0) outcome.set_wellbeing_score_end(f->wellbeing_end);
    outcome.set_summary(f->summary);
    return CallAndPrint<v1::Referral>(
        ctx, [&](SproutClient& c) { return c.CloseReferral(request); }, PrintReferralSummary);
  };
}

const Command kQueueCommands[] = {
    {"list", "List the items on a queue, urgent first", &SetUpList, {}},
    {"watch", "Stream a queue's changes as they commit (resumable)", &SetUpWatch, {}},
    {"claim", "Claim a queue item under a lease", &SetUpClaim, {}},
    {"accept", "Record that the person agreed to work with you", &SetUpAccept, {}},
    {"decline", "Record that the person declined social prescribing", &SetUpDecline, {}},
    {"return", "Send a referral back to its sub-ICB triage queue", &SetUpReturn, {}},
    {"reassign", "Move a referral to another link worker in the PCN", &SetUpReassign, {}},
    {"contact", "Record a contact with the person", &SetUpContact, {}},
    {"close", "Close a referral with a coded outcome", &SetUpClose, {}},
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
          out << "this year  " << c.accepted_this_year() << " / " << c.annual_cap() << "\n";
          out << "open       " << c.open_caseload() << " / " << c.open_cap() << "\n";
          out << "waiting    " << c.waiting() << "\n";
          for (const std::string& r : c.open_referrals()) out << "  " << r << "\n";
        });
  };
}

}  // namespace sprout::client::cli
