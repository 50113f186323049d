// sproutctl admin ...: routing log, statistics, directory and audit.
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "client/cli/command.h"
#include "client/cli/output.h"
#include "client/cli/render.h"

namespace sprout::client::cli {
namespace {

namespace v1 = ::sprout::v1;

struct PageFlags {
  std::string filter;
  int page_size = 0;
  std::string page_token;
  std::string parent;
};

void AddPaging(CLI::App& cmd, PageFlags& f) {
  cmd.add_option("--page-size", f.page_size, "at most this many");
  cmd.add_option("--page-token", f.page_token, "from the previous page");
}

Action SetUpRoutingLog(CLI::App& cmd) {
  auto f = std::make_shared<PageFlags>();
  cmd.add_option("--filter", f->filter,
                 "AIP-160 over pcn, practice, source_type, outcome, rule, reason, decide_time; "
                 "e.g. 'reason << 267076002 AND pcn = \"U00001\"'");
  AddPaging(cmd, *f);
  return [f](CommandContext& ctx) -> absl::Status {
    v1::QueryRoutingLogRequest request;
    request.set_filter(f->filter);
    request.set_page_size(f->page_size);
    request.set_page_token(f->page_token);
    return CallAndPrint<v1::QueryRoutingLogResponse>(
        ctx, [&](SproutClient& c) { return c.QueryRoutingLog(request); },
        [](const v1::QueryRoutingLogResponse& r, std::ostream& out) {
          Table table({"decision", "referral", "decided", "outcome", "route", "source"});
          for (const v1::RoutingDecision& d : r.decisions()) {
            table.AddRow({d.name(), d.referral(), FormatTimestamp(d.decide_time()),
                          ShortEnum(d.outcome()), FormatRoute(d.route()),
                          ShortEnum(d.source_type())});
          }
          table.Print(out);
          PrintNextPage(r.next_page_token(), out);
        });
  };
}

Action SetUpDecision(CLI::App& cmd) {
  auto name = std::make_shared<std::string>();
  cmd.add_option("decision", *name, "decision id or routingDecisions/{id}")->required();
  return [name](CommandContext& ctx) -> absl::Status {
    v1::GetRoutingDecisionRequest request;
    request.set_name(ResourceName("routingDecisions", *name));
    return CallAndPrint<v1::RoutingDecision>(
        ctx, [&](SproutClient& c) { return c.GetRoutingDecision(request); }, PrintDecision);
  };
}

void PrintRows(const char* title, const google::protobuf::RepeatedPtrField<v1::StatsRow>& rows,
               std::ostream& out) {
  out << title << ":\n";
  Table table({"key", "display", "count"});
  for (const v1::StatsRow& row : rows) {
    table.AddRow({row.key(), row.display(), absl::StrCat(row.count())});
  }
  table.Print(out);
}

Action SetUpStats(CLI::App& cmd) {
  auto f = std::make_shared<PageFlags>();
  cmd.add_option("--filter", f->filter,
                 "AIP-160 over pcn and decide_time; e.g. 'pcn = \"U99001\" AND "
                 "decide_time >= \"2026-01-01T00:00:00Z\"' (load is always as of now)");
  return [f](CommandContext& ctx) -> absl::Status {
    v1::GetStatsRequest request;
    request.set_filter(f->filter);
    return CallAndPrint<v1::Stats>(
        ctx, [&](SproutClient& c) { return c.GetStats(request); },
        [](const v1::Stats& s, std::ostream& out) {
          out << "routing decisions: " << s.total() << "\n";
          PrintRows("by PCN", s.by_pcn(), out);
          PrintRows("by source", s.by_source_type(), out);
          PrintRows("by reason", s.by_reason(), out);
          out << "PCN load (accepted this year / annual cap, open / open cap):\n";
          Table pcns({"pcn", "name", "year", "open", "waiting", "overdue", "available"});
          for (const v1::PcnLoad& p : s.pcns()) {
            pcns.AddRow({p.pcn(), p.display(),
                         absl::StrCat(p.accepted_this_year(), "/", p.annual_cap()),
                         absl::StrCat(p.open_caseload(), "/", p.open_cap()),
                         absl::StrCat(p.waiting()), absl::StrCat(p.overdue()),
                         absl::StrCat(p.available_link_workers(), "/", p.link_worker_count())});
          }
          pcns.Print(out);
          out << "overdue items: " << s.overdue_items()
              << " (list them: sproutctl admin overdue)\n";
          out << "link workers:\n";
          Table table({"link_worker", "year", "open", "waiting", "available"});
          for (const v1::LinkWorkerLoad& l : s.link_workers()) {
            table.AddRow({l.link_worker(),
                          absl::StrCat(l.accepted_this_year(), "/", l.annual_cap()),
                          absl::StrCat(l.open_caseload(), "/", l.open_cap()),
                          absl::StrCat(l.waiting()), l.available() ? "yes" : "no"});
          }
          table.Print(out);
          if (!s.directory_version().empty()) {
            out << "directory " << s.directory_version() << "\n";
          }
        });
  };
}

Action SetUpOverdue(CLI::App& cmd) {
  auto f = std::make_shared<PageFlags>();
  cmd.add_option("--pcn", f->parent, "only this PCN's queues (U99001 or pcns/U99001)");
  AddPaging(cmd, *f);
  return [f](CommandContext& ctx) -> absl::Status {
    v1::ListOverdueItemsRequest request;
    if (!f->parent.empty()) request.set_pcn(ResourceName("pcns", f->parent));
    request.set_page_size(f->page_size);
    request.set_page_token(f->page_token);
    return CallAndPrint<v1::ListOverdueItemsResponse>(
        ctx, [&](SproutClient& c) { return c.ListOverdueItems(request); },
        [](const v1::ListOverdueItemsResponse& r, std::ostream& out) {
          PrintQueueItems(r.queue_items(), out);
          PrintNextPage(r.next_page_token(), out);
        });
  };
}

Action SetUpPcns(CLI::App& cmd) {
  auto f = std::make_shared<PageFlags>();
  AddPaging(cmd, *f);
  return [f](CommandContext& ctx) -> absl::Status {
    v1::ListPcnsRequest request;
    request.set_page_size(f->page_size);
    request.set_page_token(f->page_token);
    return CallAndPrint<v1::ListPcnsResponse>(
        ctx, [&](SproutClient& c) { return c.ListPcns(request); },
        [](const v1::ListPcnsResponse& r, std::ostream& out) {
          Table table({"pcn", "name", "sub-icb", "practices", "link workers"});
          for (const v1::Pcn& p : r.pcns()) {
            table.AddRow({p.name(), p.display_name(), p.sub_icb_location(),
                          absl::StrCat(p.practice_count()), absl::StrCat(p.link_worker_count())});
          }
          table.Print(out);
          PrintNextPage(r.next_page_token(), out);
        });
  };
}

Action SetUpLinkWorkers(CLI::App& cmd) {
  auto f = std::make_shared<PageFlags>();
  cmd.add_option("pcn", f->parent, "PCN code or pcns/{code}")->required();
  AddPaging(cmd, *f);
  return [f](CommandContext& ctx) -> absl::Status {
    v1::ListLinkWorkersRequest request;
    request.set_parent(ResourceName("pcns", f->parent));
    request.set_page_size(f->page_size);
    request.set_page_token(f->page_token);
    return CallAndPrint<v1::ListLinkWorkersResponse>(
        ctx, [&](SproutClient& c) { return c.ListLinkWorkers(request); },
        [](const v1::ListLinkWorkersResponse& r, std::ostream& out) {
          Table table({"link worker", "name", "wte", "caps", "languages", "available"});
          for (const v1::LinkWorker& w : r.link_workers()) {
            table.AddRow({w.name(), w.display_name(), absl::StrCat(w.whole_time_equivalent()),
                          absl::StrCat(w.annual_cap(), "/", w.open_cap()),
                          absl::StrJoin(w.languages(), ","), w.available() ? "yes" : "no"});
          }
          table.Print(out);
          PrintNextPage(r.next_page_token(), out);
        });
  };
}

Action SetUpReloadTerminology(CLI::App& cmd) {
  auto folders = std::make_shared<std::vector<std::string>>();
  cmd.add_option("--release", *folders,
                 "release folders on the server to load instead of the start-up ones "
                 "(repeat for several)");
  return [folders](CommandContext& ctx) -> absl::Status {
    v1::ReloadTerminologyRequest request;
    for (const std::string& f : *folders) request.add_release_folders(f);
    return CallAndPrint<v1::ReloadTerminologyResponse>(
        ctx, [request](SproutClient& c) { return c.ReloadTerminology(request); },
        [](const v1::ReloadTerminologyResponse& r, std::ostream& out) {
          out << "reloaded at " << FormatTimestamp(r.reload_time()) << "\n"
              << "release " << r.previous_release() << " -> " << r.release() << " (" << r.concepts()
              << " concepts, loaded in " << r.load_millis() << " ms"
              << (r.from_cache() ? " from cache" : "") << ")\n"
              << "folders " << absl::StrJoin(r.folders(), ", ") << "\n"
              << "routing rules recompiled: " << r.routing_rules() << "\n";
        });
  };
}

Action SetUpReload(CLI::App&) {
  return [](CommandContext& ctx) -> absl::Status {
    return CallAndPrint<v1::ReloadDirectoryResponse>(
        ctx, [](SproutClient& c) { return c.ReloadDirectory(v1::ReloadDirectoryRequest()); },
        [](const v1::ReloadDirectoryResponse& r, std::ostream& out) {
          out << "reloaded at " << FormatTimestamp(r.reload_time()) << "\n"
              << "directory " << r.previous_version() << " -> " << r.directory_version() << "\n"
              << "policy '" << r.policy_name() << "' " << r.previous_policy_version() << " -> "
              << r.policy_version() << "\n";
          if (r.has_server_certificate()) {
            const v1::ServerCertificate& c = r.server_certificate();
            out << "server certificate " << (c.changed() ? "replaced: " : "unchanged: ")
                << c.subject() << ", " << c.fingerprint() << ", expires "
                << FormatTimestamp(c.expire_time()) << "; " << c.client_ca_count()
                << " client CA certificate(s)\n";
          }
        });
  };
}

Action SetUpVerifyAudit(CLI::App&) {
  return [](CommandContext& ctx) -> absl::Status {
    auto client = ctx.client();
    if (!client.ok()) return client.status();
    auto r = (*client)->VerifyAuditLog(v1::VerifyAuditLogRequest());
    if (!r.ok()) return r.status();
    if (ctx.json()) {
      PrintMessageJson(*r, ctx.out());
    } else if (r->intact()) {
      ctx.out() << "audit trail intact: " << r->records_checked() << " records checked"
                << (r->anchored_sequence() > 0 ? absl::StrCat(", reaching its anchor (record ",
                                                              r->anchored_sequence(), ")")
                                               : std::string(", no anchor kept"))
                << "\n";
    } else {
      ctx.out() << "audit trail BROKEN at record " << r->first_bad_sequence() << ": "
                << r->message() << " (" << r->records_checked() << " records checked)\n";
    }
    // A broken chain is data loss, whatever the output format.
    if (!r->intact()) return absl::DataLossError("the audit trail is broken");
    return absl::OkStatus();
  };
}

struct ReencryptFlags {
  int batch_size = 0;
  std::string cursor;
};

// Walks every sealed table in batches until done: one progress line per
// table (with --json, one object per batch). Resumable: an interrupted walk
// prints the cursor to pass as --cursor.
Action SetUpReencrypt(CLI::App& cmd) {
  auto f = std::make_shared<ReencryptFlags>();
  cmd.add_option("--batch-size", f->batch_size, "rows per batch (server default 200, max 1000)");
  cmd.add_option("--cursor", f->cursor, "resume where an interrupted run stopped");
  return [f](CommandContext& ctx) -> absl::Status {
    auto client = ctx.client();
    if (!client.ok()) return client.status();
    v1::ReencryptPatientDataRequest request;
    request.set_batch_size(f->batch_size);
    request.set_cursor(f->cursor);
    int64_t scanned = 0;
    int64_t resealed = 0;
    // The table being walked: the last batch seen in it and its re-encrypted
    // count, printed once the walk moves on.
    std::optional<v1::ReencryptPatientDataResponse> last;
    int64_t table_resealed = 0;
    auto print_table = [&ctx, &last, &table_resealed] {
      if (!last.has_value() || ctx.json()) return;
      ctx.out() << last->table() << ": " << last->table_rows_done() << "/" << last->table_rows()
                << " rows walked, " << table_resealed << " re-encrypted with key "
                << last->write_key_id() << "\n";
    };
    for (;;) {
      auto r = (*client)->ReencryptPatientData(request);
      if (!r.ok()) {
        print_table();
        // Only a cursor the server gave is worth resuming from.
        if (last.has_value()) {
          ctx.out() << "stopped; resume with --cursor " << request.cursor() << "\n";
        }
        return r.status();
      }
      scanned += r->rows_scanned();
      resealed += r->rows_reencrypted();
      if (ctx.json()) PrintMessageJson(*r, ctx.out());
      if (last.has_value() && last->table() != r->table()) {
        print_table();
        table_resealed = 0;
      }
      table_resealed += r->rows_reencrypted();
      last = *r;
      if (r->done()) {
        print_table();
        if (!ctx.json()) {
          ctx.out() << "done: " << scanned << " rows read, " << resealed
                    << " re-encrypted; every value is sealed with key " << r->write_key_id()
                    << " (keys in the file: " << absl::StrJoin(r->key_ids(), " ") << ")\n";
        }
        return absl::OkStatus();
      }
      request.set_cursor(r->next_cursor());
    }
  };
}

struct AuditFlags {
  std::string action;
  std::string organisation;
  std::string resource;
  int page_size = 0;
  std::string page_token;
};

// One row per record: what happened, and for reads what the answer carried.
void PrintAuditRecords(const v1::ListAuditRecordsResponse& r, bool with_reason, std::ostream& out) {
  std::vector<std::string> columns = {"seq",      "time",    "actor",   "action",
                                      "resource", "outcome", "returned"};
  if (with_reason) columns.push_back("reason");
  Table table(columns);
  for (const v1::AuditRecord& a : r.records()) {
    std::string actor = absl::StrCat(a.actor_organisation(), " ", a.actor_role());
    if (!a.actor_link_worker().empty()) absl::StrAppend(&actor, " ", a.actor_link_worker());
    std::vector<std::string> row = {absl::StrCat(a.sequence()),
                                    FormatTimestamp(a.time()),
                                    actor,
                                    a.action(),
                                    a.resource(),
                                    a.outcome(),
                                    absl::StrJoin(a.returned(), " ")};
    if (with_reason) row.push_back(a.stated_reason());
    table.AddRow(row);
  }
  table.Print(out);
  PrintNextPage(r.next_page_token(), out);
}

Action SetUpAuditRecords(CLI::App& cmd, bool break_glass_only) {
  auto f = std::make_shared<AuditFlags>();
  if (!break_glass_only) {
    cmd.add_option("--action", f->action, "only this RPC method, e.g. ListReferrals");
  }
  cmd.add_option("--organisation", f->organisation,
                 "only this organisation's callers, e.g. police:WYP");
  cmd.add_option("--resource", f->resource, "only about this resource, e.g. referrals/{id}");
  cmd.add_option("--page-size", f->page_size, "at most this many (server default 50)");
  cmd.add_option("--page-token", f->page_token, "from the previous page");
  return [f, break_glass_only](CommandContext& ctx) -> absl::Status {
    v1::ListAuditRecordsRequest request;
    request.set_action(f->action);
    request.set_actor_organisation(f->organisation);
    request.set_resource(f->resource);
    request.set_break_glass_only(break_glass_only);
    request.set_page_size(f->page_size);
    request.set_page_token(f->page_token);
    return CallAndPrint<v1::ListAuditRecordsResponse>(
        ctx, [&](SproutClient& c) { return c.ListAuditRecords(request); },
        [break_glass_only](const v1::ListAuditRecordsResponse& r, std::ostream& out) {
          PrintAuditRecords(r, break_glass_only, out);
        });
  };
}

Action SetUpAuditLog(CLI::App& cmd) { return SetUpAuditRecords(cmd, false); }
Action SetUpBreakGlassLog(CLI::App& cmd) { return SetUpAuditRecords(cmd, true); }

const Command kAdminCommands[] = {
    {"routing-log", "Routing decisions matching a filter, newest first", &SetUpRoutingLog, {}},
    {"decision", "One routing decision with its explanation", &SetUpDecision, {}},
    {"stats", "Counts per PCN, source and reason; load against capacity", &SetUpStats, {}},
    {"overdue",
     "Queue items left unclaimed past their time (3 working days; 1 if urgent), every queue",
     &SetUpOverdue,
     {}},
    {"pcns", "The PCNs in the directory", &SetUpPcns, {}},
    {"link-workers", "The link workers in a PCN", &SetUpLinkWorkers, {}},
    {"reload",
     "Reload the directory and routing policy from their files (validated first; a bad "
     "file is refused and the old ones stay in force)",
     &SetUpReload,
     {}},
    {"reload-terminology",
     "Load a new SNOMED CT release beside the running one and swap it in (everything "
     "that names concepts is checked against it first; refused if any no longer resolves)",
     &SetUpReloadTerminology,
     {}},
    {"reencrypt",
     "Re-encrypt patient data still sealed with an older data key (after adding a new "
     "write key with sprout-keys rotate); online, in batches, resumable",
     &SetUpReencrypt,
     {}},
    {"outbox",
     "Outcome messages owed to referrers (sent when a referral is accepted, declined or "
     "closed): list them, send one again",
     nullptr, OutboxCommands()},
    {"coding",
     "What coding review has taught: the phrases reviewers coded by hand, and accepting one "
     "into its agency's lexicon",
     nullptr, CodingCommands()},
    {"verify-audit", "Verify the audit trail's hash chain", &SetUpVerifyAudit, {}},
    {"audit-log", "Audit records, newest first: who read or changed what", &SetUpAuditLog, {}},
    {"break-glass-log",
     "Break-glass reads of full patient data, newest first, with the reasons given",
     &SetUpBreakGlassLog,
     {}},
};

}  // namespace

absl::Span<const Command> AdminCommands() { return kAdminCommands; }

}  // namespace sprout::client::cli
