// sproutctl referral ...: what referrers do.
#include <unistd.h>

#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "client/cli/bulk_submit.h"
#include "client/cli/command.h"
#include "client/cli/exit_code.h"
#include "client/cli/output.h"
#include "client/cli/render.h"
#include "client/cli/watch_util.h"
#include "client/referral_builder.h"
#include "client/request_id.h"

namespace sprout::client::cli {
namespace {

namespace v1 = ::sprout::v1;

// Flags shared by submit and validate.
struct ReferralInput {
  ReferralFlags fields;
  std::string file;
  std::string request_id;
  std::vector<CLI::Option*> field_options;  // the flags --file cannot be mixed with
};

void AddReferralInputFlags(CLI::App& cmd, ReferralInput& in) {
  ReferralFlags& f = in.fields;
  cmd.add_option("--file,-f", in.file,
                 "protobuf JSON of a Referral or SubmitReferralRequest (see client/examples)");
  cmd.add_option("--request-id", in.request_id,
                 "idempotency key; default a fresh UUID (reuse it to retry safely)");
  auto field = [&](const char* name, std::string& target, const char* help) {
    in.field_options.push_back(cmd.add_option(name, target, help));
  };
  field("--nhs-number", f.nhs_number, "the person's NHS number (10 digits)");
  field("--no-nhs-number-reason", f.no_nhs_number_reason,
        "without an NHS number: not-known (default), declined, not-issued");
  field("--given", f.given_name, "given name");
  field("--family", f.family_name, "family name");
  field("--birth-date", f.birth_date, "date of birth, YYYY-MM-DD");
  field("--postcode", f.postcode, "postcode of the usual address");
  in.field_options.push_back(
      cmd.add_option("--address-line", f.address_lines, "an address line (repeatable)"));
  field("--phone", f.phone, "the person's phone number");
  field("--practice", f.practice, "registered GP practice ODS code");
  field("--source", f.source,
        "gp, pharmacy, police, fire, housing, jobcentre, local-authority, hospital, "
        "mental-health, community-health, vcse, self");
  field("--organisation", f.organisation, "referring organisation code, e.g. police:WYP");
  field("--organisation-name", f.organisation_name, "referring organisation name");
  field("--practitioner", f.practitioner, "referring practitioner's name");
  field("--practitioner-role", f.practitioner_role, "referring practitioner's role");
  field("--callback-phone", f.callback_phone, "phone number for the link worker to call back");
  in.field_options.push_back(
      cmd.add_option("--reason", f.reasons,
                     "repeatable: a SNOMED id (267076002), a local code system:code "
                     "(police-vulnerability:PV03) or free text (text:...)"));
  field("--what-matters", f.what_matters, "what matters to the person, in their words");
  in.field_options.push_back(cmd.add_flag(
      "--consent", f.consent, "the person agreed to the referral and to information sharing"));
  field("--consent-by", f.consent_by, "who obtained the agreement");
  in.field_options.push_back(
      cmd.add_flag("--urgent", f.urgent, "urgent priority (give --urgent-reason)"));
  field("--urgent-reason", f.urgent_reason, "why it is urgent");
}

absl::StatusOr<v1::SubmitReferralRequest> BuildRequest(const ReferralInput& in) {
  absl::StatusOr<v1::SubmitReferralRequest> request;
  if (!in.file.empty()) {
    for (const CLI::Option* option : in.field_options) {
      if (option->count() > 0) {
        return UsageError(absl::StrCat(option->get_name(), " cannot be combined with --file"));
      }
    }
    request = ReadReferralJsonFile(in.file);
    if (request.ok() && !in.request_id.empty()) request->set_request_id(in.request_id);
    if (request.ok() && request->request_id().empty()) request->set_request_id(NewRequestId());
  } else {
    request = BuildSubmitRequest(in.fields, in.request_id.empty() ? NewRequestId() : in.request_id);
  }
  if (!request.ok()) return AsUsageError(request.status());
  return request;
}

struct BulkFlags {
  BulkOptions options;
  bool csv = false;
  CLI::Option* bulk = nullptr;
};

absl::Status SubmitBulk(const ReferralInput& in, const BulkFlags& bulk, CommandContext& ctx) {
  if (!in.file.empty() || !in.request_id.empty()) {
    return UsageError(
        "--bulk cannot be combined with --file or --request-id (each line carries its own)");
  }
  for (const CLI::Option* option : in.field_options) {
    if (option->count() > 0) {
      return UsageError(absl::StrCat(option->get_name(), " cannot be combined with --bulk"));
    }
  }
  if (bulk.csv && ctx.json()) return UsageError("--csv and --json go one at a time");
  BulkOptions options = bulk.options;
  options.rows = bulk.csv     ? BulkOptions::Rows::kCsv
                 : ctx.json() ? BulkOptions::Rows::kJson
                              : BulkOptions::Rows::kNone;
  // Only a person at a terminal wants the progress line redrawn.
  options.progress = &ctx.err() == &std::cerr && isatty(STDERR_FILENO) == 1
                         ? BulkOptions::Progress::kRedraw
                         : BulkOptions::Progress::kLines;
  absl::StatusOr<SproutClient*> client = ctx.client();
  if (!client.ok()) return client.status();
  // After the summary, sproutctl prints the status's one line ("3 of 100
  // lines were refused") and exits 2, or 3 when some lines could not be sent.
  return RunBulkSubmit(options, **client, ctx.out(), ctx.err());
}

Action SetUpSubmit(CLI::App& cmd) {
  auto in = std::make_shared<ReferralInput>();
  AddReferralInputFlags(cmd, *in);
  auto bulk = std::make_shared<BulkFlags>();
  bulk->bulk = cmd.add_option("--bulk", bulk->options.file,
                              "a file of referrals, one JSON object per line (Referral or "
                              "SubmitReferralRequest); safe to run again");
  cmd.add_option("--concurrency", bulk->options.concurrency, "with --bulk: calls in flight (1-64)")
      ->capture_default_str();
  cmd.add_option("--from-line", bulk->options.from_line, "with --bulk: skip the lines before");
  cmd.add_flag("--csv", bulk->csv, "with --bulk: one CSV row per line (--json: JSON lines)");
  return [in, bulk](CommandContext& ctx) -> absl::Status {
    if (bulk->bulk->count() > 0) return SubmitBulk(*in, *bulk, ctx);
    auto request = BuildRequest(*in);
    if (!request.ok()) return request.status();
    return CallAndPrint<v1::SubmitReferralResponse>(
        ctx, [&](SproutClient& c) { return c.SubmitReferral(*request); },
        [&](const v1::SubmitReferralResponse& r, std::ostream& out) {
          out << "request_id " << request->request_id() << (r.replayed() ? " (replayed)" : "")
              << "\n";
          PrintReferralSummary(r.referral(), out);
        });
  };
}

Action SetUpValidate(CLI::App& cmd) {
  auto in = std::make_shared<ReferralInput>();
  AddReferralInputFlags(cmd, *in);
  return [in](CommandContext& ctx) -> absl::Status {
    auto built = BuildRequest(*in);
    if (!built.ok()) return built.status();
    v1::ValidateReferralRequest request;
    *request.mutable_referral() = built->referral();
    return CallAndPrint<v1::ValidateReferralResponse>(
        ctx, [&](SproutClient& c) { return c.ValidateReferral(request); },
        [](const v1::ValidateReferralResponse& r, std::ostream& out) {
          out << "valid: the server would accept this referral (nothing was stored)\n";
          PrintReferralSummary(r.referral(), out);
          if (r.has_decision()) {
            out << "\nrouting decision it would get:\n";
            PrintDecision(r.decision(), out);
          }
        });
  };
}

struct GetFlags {
  std::string name;
  std::string break_glass_reason;
};

Action SetUpGet(CLI::App& cmd) {
  auto f = std::make_shared<GetFlags>();
  cmd.add_option("referral", f->name, "referral id or referrals/{id}")->required();
  cmd.add_option("--break-glass-reason", f->break_glass_reason,
                 "administrators: read full patient data, saying why (10 to 500 characters; "
                 "audited and listed by 'admin break-glass-log')");
  return [f](CommandContext& ctx) -> absl::Status {
    v1::GetReferralRequest request;
    request.set_name(ResourceName("referrals", f->name));
    request.set_break_glass_reason(f->break_glass_reason);
    return CallAndPrint<v1::Referral>(
        ctx, [&](SproutClient& c) { return c.GetReferral(request); },
        [](const v1::Referral& r, std::ostream& out) { PrintFields(r, out); });
  };
}

struct ListFlags {
  std::string filter;
  int page_size = 0;
  std::string page_token;
};

Action SetUpList(CLI::App& cmd) {
  auto flags = std::make_shared<ListFlags>();
  cmd.add_option("--filter", flags->filter,
                 "AIP-160 filter over state, priority, source_type, create_time, needs_review, "
                 "e.g. "
                 "'state = QUEUED'");
  cmd.add_option("--page-size", flags->page_size, "at most this many (server default 50)");
  cmd.add_option("--page-token", flags->page_token, "from the previous page");
  return [flags](CommandContext& ctx) -> absl::Status {
    v1::ListReferralsRequest request;
    request.set_filter(flags->filter);
    request.set_page_size(flags->page_size);
    request.set_page_token(flags->page_token);
    return CallAndPrint<v1::ListReferralsResponse>(
        ctx, [&](SproutClient& c) { return c.ListReferrals(request); },
        [](const v1::ListReferralsResponse& r, std::ostream& out) {
          Table table({"referral", "state", "source", "priority", "route", "created"});
          for (const v1::Referral& ref : r.referrals()) {
            table.AddRow({ref.name(), ShortEnum(ref.state()),
                          ShortEnum(ref.referrer().source_type()), ShortEnum(ref.priority()),
                          FormatRoute(ref.route()), FormatTimestamp(ref.create_time())});
          }
          table.Print(out);
          PrintNextPage(r.next_page_token(), out);
        });
  };
}

struct WithdrawFlags {
  std::string name;
  std::string etag;
  std::string reason;
};

Action SetUpWithdraw(CLI::App& cmd) {
  auto flags = std::make_shared<WithdrawFlags>();
  cmd.add_option("referral", flags->name, "referral id or referrals/{id}")->required();
  cmd.add_option("--reason", flags->reason, "why it is withdrawn");
  cmd.add_option("--etag", flags->etag, "refuse if the referral changed since this etag");
  return [flags](CommandContext& ctx) -> absl::Status {
    v1::WithdrawReferralRequest request;
    request.set_name(ResourceName("referrals", flags->name));
    request.set_etag(flags->etag);
    request.set_reason(flags->reason);
    return CallAndPrint<v1::Referral>(
        ctx, [&](SproutClient& c) { return c.WithdrawReferral(request); }, PrintReferralSummary);
  };
}

struct WatchFlags {
  std::string name;
  std::string watch_for = "1h";
};

Action SetUpWatch(CLI::App& cmd) {
  auto flags = std::make_shared<WatchFlags>();
  cmd.add_option("referral", flags->name, "referral id or referrals/{id}")->required();
  cmd.add_option("--for", flags->watch_for, "stop watching after this long")->capture_default_str();
  return [flags](CommandContext& ctx) -> absl::Status {
    auto watch_for = ParseWatchFor(flags->watch_for);
    if (!watch_for.ok()) return watch_for.status();
    ctx.set_stream_deadline(*watch_for);
    auto client = ctx.client();
    if (!client.ok()) return client.status();
    v1::WatchReferralRequest request;
    request.set_name(ResourceName("referrals", flags->name));
    return EndOfWatch((*client)->WatchReferral(request, [&ctx](const v1::ReferralEvent& e) {
      ctx.out() << (ctx.json() ? ToJson(e, /*pretty=*/false) : FormatReferralEvent(e))
                << std::endl;  // flush: someone is watching
      return true;
    }));
  };
}

const Command kReferralCommands[] = {
    {"submit",
     "Submit a referral from flags or a JSON file (idempotent on --request-id)",
     &SetUpSubmit,
     {}},
    {"validate", "Dry run: code and route a referral without storing it", &SetUpValidate, {}},
    {"get",
     "Show one of your organisation's referrals (administrators: pseudonymised unless "
     "--break-glass-reason)",
     &SetUpGet,
     {}},
    {"list",
     "List your organisation's referrals, newest first (administrators: every "
     "organisation's, pseudonymised)",
     &SetUpList,
     {}},
    {"withdraw", "Withdraw a referral that has not been accepted", &SetUpWithdraw, {}},
    {"watch", "Follow a referral's status as it changes", &SetUpWatch, {}},
};

}  // namespace

absl::Span<const Command> ReferralCommands() { return kReferralCommands; }

}  // namespace sprout::client::cli
