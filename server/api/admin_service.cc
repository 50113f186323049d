#include "server/api/admin_service.h"

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "base/status_macros.h"
#include "google/protobuf/util/time_util.h"
#include "server/api/call.h"
#include "server/api/overdue_items.h"
#include "server/api/routing_log_filter.h"
#include "server/api/stats.h"
#include "server/audit/audit_anchor.h"
#include "server/common/errors.h"
#include "server/store/names.h"
#include "server/store/page_token.h"

namespace sprout::api {
namespace {

// The hash chain as stored, then against the anchor kept outside the
// database (which is what shows records cut from the end).
absl::Status VerifyAuditTrail(const Components& c, sprout::v1::VerifyAuditLogResponse* response) {
  SPROUT_ASSIGN_OR_RETURN(store::AuditVerification result, c.store->VerifyAuditChain());
  if (!c.audit_anchor_file.empty() && c.audit_anchor_key != nullptr) {
    SPROUT_ASSIGN_OR_RETURN(std::optional<audit::AuditAnchor> anchor,
                            audit::ReadAnchorFile(c.audit_anchor_file, *c.audit_anchor_key));
    if (anchor.has_value()) {
      SPROUT_ASSIGN_OR_RETURN(std::optional<std::string> stored,
                              c.store->AuditHashAt(anchor->sequence));
      result = audit::CheckAgainstAnchor(result, stored, *anchor);
      response->set_anchored_sequence(anchor->sequence);
    }
  }
  response->set_intact(result.intact());
  response->set_records_checked(result.records_checked);
  response->set_first_bad_sequence(result.first_bad_sequence);
  response->set_message(result.message);
  return absl::OkStatus();
}

// Offset-based page tokens for directory listings (the directory is small and
// immutable per version; a reload may shift pages, which AIP-158 allows).
absl::StatusOr<size_t> OffsetFromToken(absl::string_view token) {
  if (token.empty()) return 0;
  size_t offset = 0;
  if (!absl::SimpleAtoi(token, &offset)) {
    return InvalidArgumentWithViolations(
        {{"page_token", "is not a token this method returned; start again without it"}});
  }
  return offset;
}

}  // namespace

grpc::ServerUnaryReactor* AdminServiceImpl::QueryRoutingLog(
    grpc::CallbackServerContext* context, const sprout::v1::QueryRoutingLogRequest* request,
    sprout::v1::QueryRoutingLogResponse* response) {
  absl::StatusOr<Call> call = BeginCall(context, *state_, "QueryRoutingLog", *request);
  if (!call.ok()) return FinishUnary(context, call.status());
  absl::StatusOr<store::RoutingLogQuery> query =
      ParseRoutingLogFilter(request->filter(), *call->components->terminology->Get());
  if (!query.ok()) return FinishUnary(context, query.status());
  absl::StatusOr<int> page_size = PageSizeOf(request->page_size(), 50, 500);
  if (!page_size.ok()) return FinishUnary(context, page_size.status());
  return FinishUnaryBlocking(context, *call->components,
                             [call = *std::move(call), query = *std::move(query), size = *page_size,
                              token = request->page_token(), response](CallAudit&) -> absl::Status {
                               SPROUT_ASSIGN_OR_RETURN(
                                   store::Page<sprout::v1::RoutingDecision> page,
                                   call.components->store->QueryRoutingLog(query, size, token));
                               for (sprout::v1::RoutingDecision& d : page.items)
                                 *response->add_decisions() = std::move(d);
                               response->set_next_page_token(page.next_page_token);
                               return absl::OkStatus();
                             });
}

grpc::ServerUnaryReactor* AdminServiceImpl::GetRoutingDecision(
    grpc::CallbackServerContext* context, const sprout::v1::GetRoutingDecisionRequest* request,
    sprout::v1::RoutingDecision* response) {
  absl::StatusOr<Call> call = BeginCall(context, *state_, "GetRoutingDecision", *request);
  if (!call.ok()) return FinishUnary(context, call.status());
  absl::StatusOr<std::string> id = IdFromName(request->name(), "routingDecisions", "name");
  if (!id.ok()) return FinishUnary(context, id.status());
  return FinishUnaryBlocking(
      context, *call->components,
      [call = *std::move(call), id = *std::move(id), response](CallAudit&) -> absl::Status {
        SPROUT_ASSIGN_OR_RETURN(*response, call.components->store->GetRoutingDecision(id));
        return absl::OkStatus();
      });
}

grpc::ServerUnaryReactor* AdminServiceImpl::GetStats(grpc::CallbackServerContext* context,
                                                     const sprout::v1::GetStatsRequest* request,
                                                     sprout::v1::Stats* response) {
  absl::StatusOr<Call> call = BeginCall(context, *state_, "GetStats", *request);
  if (!call.ok()) return FinishUnary(context, call.status());
  absl::StatusOr<store::RoutingLogQuery> query = ParseStatsFilter(request->filter());
  if (!query.ok()) return FinishUnary(context, query.status());
  return FinishUnaryBlocking(
      context, *call->components,
      [call = *std::move(call), query = *std::move(query), response](CallAudit&) -> absl::Status {
        const Components& c = *call.components;
        SPROUT_ASSIGN_OR_RETURN(
            *response, ComputeStats(query, *c.store, *c.directory->Get(), *c.terminology->Get(),
                                    c.clock->Now(), c.overdue));
        return absl::OkStatus();
      });
}

grpc::ServerUnaryReactor* AdminServiceImpl::ListPcns(grpc::CallbackServerContext* context,
                                                     const sprout::v1::ListPcnsRequest* request,
                                                     sprout::v1::ListPcnsResponse* response) {
  absl::StatusOr<Call> call = BeginCall(context, *state_, "ListPcns", *request);
  if (!call.ok()) return FinishUnary(context, call.status());
  absl::StatusOr<int> page_size = PageSizeOf(request->page_size(), 100, 1000);
  if (!page_size.ok()) return FinishUnary(context, page_size.status());
  absl::StatusOr<size_t> offset = OffsetFromToken(request->page_token());
  if (!offset.ok()) return FinishUnary(context, offset.status());
  std::shared_ptr<const routing::Directory> directory = call->components->directory->Get();
  const auto& pcns = directory->pcns();
  const absl::CivilDay today =
      absl::ToCivilDay(call->components->clock->Now(), absl::UTCTimeZone());
  size_t i = *offset;
  for (; i < pcns.size() && response->pcns_size() < *page_size; ++i) {
    sprout::v1::Pcn* pcn = response->add_pcns();
    pcn->set_name(absl::StrCat("pcns/", pcns[i].code));
    pcn->set_display_name(pcns[i].name);
    pcn->set_sub_icb_location(pcns[i].sicbl_code);
    int practices = 0;
    for (const routing::Practice& p : directory->practices()) {
      const routing::Pcn* current = directory->PcnForPractice(p.code, today);
      if (current != nullptr && current->code == pcns[i].code) ++practices;
    }
    pcn->set_practice_count(practices);
    pcn->set_link_worker_count(
        static_cast<int32_t>(directory->LinkWorkersInPcn(pcns[i].code).size()));
  }
  if (i < pcns.size()) response->set_next_page_token(absl::StrCat(i));
  return FinishUnary(context, absl::OkStatus());
}

grpc::ServerUnaryReactor* AdminServiceImpl::ListLinkWorkers(
    grpc::CallbackServerContext* context, const sprout::v1::ListLinkWorkersRequest* request,
    sprout::v1::ListLinkWorkersResponse* response) {
  absl::StatusOr<Call> call = BeginCall(context, *state_, "ListLinkWorkers", *request);
  if (!call.ok()) return FinishUnary(context, call.status());
  absl::StatusOr<std::string> pcn_code = IdFromName(request->parent(), "pcns", "parent");
  if (!pcn_code.ok()) return FinishUnary(context, pcn_code.status());
  absl::StatusOr<int> page_size = PageSizeOf(request->page_size(), 100, 1000);
  if (!page_size.ok()) return FinishUnary(context, page_size.status());
  absl::StatusOr<size_t> offset = OffsetFromToken(request->page_token());
  if (!offset.ok()) return FinishUnary(context, offset.status());
  std::shared_ptr<const routing::Directory> directory = call->components->directory->Get();
  if (directory->FindPcn(*pcn_code) == nullptr) {
    return FinishUnary(context,
                       ErrorWithInfo(absl::StatusCode::kNotFound, "PCN_NOT_FOUND",
                                     absl::StrCat(request->parent(), " is not in the directory")));
  }
  const absl::CivilDay today =
      absl::ToCivilDay(call->components->clock->Now(), absl::UTCTimeZone());
  const auto& workers = directory->LinkWorkersInPcn(*pcn_code);
  size_t i = *offset;
  for (; i < workers.size() && response->link_workers_size() < *page_size; ++i) {
    const routing::LinkWorker& w = *workers[i];
    sprout::v1::LinkWorker* out = response->add_link_workers();
    out->set_name(absl::StrCat("pcns/", w.pcn_code, "/linkWorkers/", w.id));
    out->set_display_name(w.display_name);
    out->set_whole_time_equivalent(w.wte);
    out->set_annual_cap(w.annual_cap);
    out->set_open_cap(w.open_cap);
    for (const routing::Specialism& s : w.specialisms) {
      out->add_specialisms(absl::StrCat(s.label, "=", s.ecl));
    }
    for (const std::string& language : w.languages) out->add_languages(language);
    out->set_available(w.AvailableOn(today));
  }
  if (i < workers.size()) response->set_next_page_token(absl::StrCat(i));
  return FinishUnary(context, absl::OkStatus());
}

grpc::ServerUnaryReactor* AdminServiceImpl::ReloadDirectory(
    grpc::CallbackServerContext* context, const sprout::v1::ReloadDirectoryRequest* request,
    sprout::v1::ReloadDirectoryResponse* response) {
  absl::StatusOr<Call> call = BeginCall(context, *state_, "ReloadDirectory", *request);
  if (!call.ok()) return FinishUnary(context, call.status());
  if (!call->components->reload_directory) {
    // Only servers built without directory files (some test harnesses) lack it.
    return FinishUnary(context,
                       ErrorWithInfo(absl::StatusCode::kFailedPrecondition, "RELOAD_NOT_CONFIGURED",
                                     "this server was started without directory and "
                                     "routing policy files to re-read; restart it "
                                     "with --directory to load new ones",
                                     {{"method", "ReloadDirectory"}}));
  }
  // Re-reading files and recording the new versions waits for the disk and
  // the writer: on the pool, never on a gRPC thread.
  return FinishUnaryBlocking(
      context, *call->components, [call = *std::move(call), response](CallAudit&) -> absl::Status {
        const pipeline::ReloadActor actor{call.principal.organisation_code,
                                          std::string(auth::RoleName(call.principal.role))};
        // The certificates first: checking them changes nothing when they fail.
        if (call.components->reload_certificates) {
          absl::StatusOr<auth::CertificateSummary> certificates =
              call.components->reload_certificates(actor);
          if (!certificates.ok()) {
            // "--tls_key: {path}: {problem}": the flag is the subject at fault.
            const std::pair<absl::string_view, absl::string_view> flag_and_problem =
                absl::StrSplit(certificates.status().message(), absl::MaxSplits(": ", 1));
            return FailedPreconditionWithViolation(
                "TLS_MATERIAL_INVALID", "TLS", flag_and_problem.first,
                absl::StrCat(flag_and_problem.second,
                             "; nothing was reloaded, sproutd still serves the "
                             "certificates it had"));
          }
          sprout::v1::ServerCertificate* out = response->mutable_server_certificate();
          out->set_subject(certificates->subject);
          out->set_fingerprint(certificates->fingerprint);
          *out->mutable_expire_time() = google::protobuf::util::TimeUtil::NanosecondsToTimestamp(
              absl::ToUnixNanos(certificates->not_after));
          out->set_client_ca_count(certificates->client_cas);
          out->set_changed(certificates->changed);
        }
        absl::StatusOr<pipeline::ReloadOutcome> outcome = call.components->reload_directory(actor);
        if (!outcome.ok()) return outcome.status();
        response->set_directory_version(outcome->directory_version);
        response->set_previous_version(outcome->previous_directory_version);
        *response->mutable_reload_time() = google::protobuf::util::TimeUtil::NanosecondsToTimestamp(
            absl::ToUnixNanos(outcome->reload_time));
        response->set_policy_name(outcome->policy_name);
        response->set_policy_version(outcome->policy_version);
        response->set_previous_policy_version(outcome->previous_policy_version);
        return absl::OkStatus();
      });
}

grpc::ServerUnaryReactor* AdminServiceImpl::ReloadTerminology(
    grpc::CallbackServerContext* context, const sprout::v1::ReloadTerminologyRequest* request,
    sprout::v1::ReloadTerminologyResponse* response) {
  absl::StatusOr<Call> call = BeginCall(context, *state_, "ReloadTerminology", *request);
  if (!call.ok()) return FinishUnary(context, call.status());
  if (!call->components->reload_terminology) {
    return FinishUnary(context,
                       ErrorWithInfo(absl::StatusCode::kFailedPrecondition, "RELOAD_NOT_CONFIGURED",
                                     "this server was started without the files a terminology "
                                     "reload re-reads; restart it to load a new release",
                                     {{"method", "ReloadTerminology"}}));
  }
  std::vector<std::string> folders(request->release_folders().begin(),
                                   request->release_folders().end());
  // Loading a release takes seconds and a core: on the pool, never on a
  // gRPC thread.
  return FinishUnaryBlocking(
      context, *call->components,
      [call = *std::move(call), folders = std::move(folders),
       response](CallAudit&) mutable -> absl::Status {
        const pipeline::ReloadActor actor{call.principal.organisation_code,
                                          std::string(auth::RoleName(call.principal.role))};
        absl::StatusOr<pipeline::TerminologyReloadOutcome> outcome =
            call.components->reload_terminology(actor, std::move(folders));
        if (!outcome.ok()) return outcome.status();
        response->set_release(outcome->release);
        response->set_previous_release(outcome->previous_release);
        for (const std::string& f : outcome->folders) response->add_folders(f);
        response->set_concepts(static_cast<int64_t>(outcome->concepts));
        response->set_load_millis(absl::ToInt64Milliseconds(outcome->load_time));
        response->set_from_cache(outcome->from_cache);
        response->set_routing_rules(static_cast<int32_t>(outcome->routing_rules));
        *response->mutable_reload_time() = google::protobuf::util::TimeUtil::NanosecondsToTimestamp(
            absl::ToUnixNanos(outcome->reload_time));
        return absl::OkStatus();
      });
}

grpc::ServerUnaryReactor* AdminServiceImpl::VerifyAuditLog(
    grpc::CallbackServerContext* context, const sprout::v1::VerifyAuditLogRequest* request,
    sprout::v1::VerifyAuditLogResponse* response) {
  absl::StatusOr<Call> call = BeginCall(context, *state_, "VerifyAuditLog", *request);
  if (!call.ok()) return FinishUnary(context, call.status());
  return FinishUnaryBlocking(context, *call->components,
                             [call = *std::move(call), response](CallAudit&) -> absl::Status {
                               return VerifyAuditTrail(*call.components, response);
                             });
}

grpc::ServerUnaryReactor* AdminServiceImpl::ListAuditRecords(
    grpc::CallbackServerContext* context, const sprout::v1::ListAuditRecordsRequest* request,
    sprout::v1::ListAuditRecordsResponse* response) {
  absl::StatusOr<Call> call = BeginCall(context, *state_, "ListAuditRecords", *request);
  if (!call.ok()) return FinishUnary(context, call.status());
  absl::StatusOr<int> page_size = PageSizeOf(request->page_size(), 50, 500);
  if (!page_size.ok()) return FinishUnary(context, page_size.status());
  store::AuditQuery query;
  query.action = request->action();
  query.actor_organisation = request->actor_organisation();
  query.resource = request->resource();
  query.break_glass_only = request->break_glass_only();
  return FinishUnaryBlocking(
      context, *call->components,
      [call = *std::move(call), query = std::move(query), size = *page_size,
       token = request->page_token(), response](CallAudit& audit) -> absl::Status {
        absl::StatusOr<store::Page<store::AuditRecord>> page =
            call.components->store->ListAuditRecords(query, size, token);
        // Reading the trail is itself on the trail (it names who read whom).
        audit.Access(call, "ListAuditRecords", "auditRecords", page.status());
        if (!page.ok()) return page.status();
        for (const store::AuditRecord& r : page->items) {
          sprout::v1::AuditRecord* out = response->add_records();
          out->set_sequence(r.sequence);
          *out->mutable_time() = google::protobuf::util::TimeUtil::NanosecondsToTimestamp(
              absl::ToUnixNanos(r.event.time));
          out->set_actor_organisation(r.event.actor_organisation);
          out->set_actor_role(r.event.actor_role);
          out->set_actor_link_worker(r.event.actor_link_worker);
          out->set_action(r.event.action);
          out->set_resource(r.event.resource);
          out->set_outcome(r.event.outcome);
          for (const std::string& name : r.event.returned) out->add_returned(name);
          out->set_stated_reason(r.event.stated_reason);
        }
        response->set_next_page_token(page->next_page_token);
        return absl::OkStatus();
      });
}

grpc::ServerUnaryReactor* AdminServiceImpl::ListOverdueItems(
    grpc::CallbackServerContext* context, const sprout::v1::ListOverdueItemsRequest* request,
    sprout::v1::ListOverdueItemsResponse* response) {
  absl::StatusOr<Call> call = BeginCall(context, *state_, "ListOverdueItems", *request);
  if (!call.ok()) return FinishUnary(context, call.status());
  absl::StatusOr<int> page_size = PageSizeOf(request->page_size(), 100, 1000);
  if (!page_size.ok()) return FinishUnary(context, page_size.status());
  std::string pcn_code;
  if (!request->pcn().empty()) {
    absl::StatusOr<std::string> code = IdFromName(request->pcn(), "pcns", "pcn");
    if (!code.ok()) return FinishUnary(context, code.status());
    if (call->components->directory->Get()->FindPcn(*code) == nullptr) {
      return FinishUnary(context, InvalidArgumentWithViolations(
                                      {{"pcn", absl::StrCat(request->pcn(),
                                                            " is not in the directory in force; "
                                                            "see `sproutctl admin pcns`")}}));
    }
    pcn_code = *std::move(code);
  }
  store::PageCursor cursor;
  if (!request->page_token().empty()) {
    absl::StatusOr<store::PageCursor> decoded =
        store::DecodePageToken(request->page_token(), "overdueItems", pcn_code);
    if (!decoded.ok()) return FinishUnary(context, decoded.status());
    cursor = *decoded;
  }
  return FinishUnaryBlocking(
      context, *call->components,
      [call = *std::move(call), pcn_code = std::move(pcn_code), after = cursor.primary,
       size = *page_size, response](CallAudit& audit) -> absl::Status {
        absl::StatusOr<OverduePage> page =
            ReadOverdueItems(*call.components->store, call.components->clock->Now(),
                             call.components->overdue, pcn_code, after, size);
        std::vector<std::string> returned;
        if (page.ok()) {
          for (const sprout::v1::QueueItem& item : page->items) returned.push_back(item.name());
        }
        audit.Access(call, "ListOverdueItems", pcn_code.empty() ? "queueItems" : "pcns/" + pcn_code,
                     page.status(), std::move(returned));
        if (!page.ok()) return page.status();
        for (sprout::v1::QueueItem& item : page->items) {
          *response->add_queue_items() = std::move(item);
        }
        if (page->resume_after != 0) {
          response->set_next_page_token(
              store::EncodePageToken("overdueItems", pcn_code, {page->resume_after, 0}));
        }
        return absl::OkStatus();
      });
}

grpc::ServerUnaryReactor* AdminServiceImpl::ReencryptPatientData(
    grpc::CallbackServerContext* context, const sprout::v1::ReencryptPatientDataRequest* request,
    sprout::v1::ReencryptPatientDataResponse* response) {
  absl::StatusOr<Call> call = BeginCall(context, *state_, "ReencryptPatientData", *request);
  if (!call.ok()) return FinishUnary(context, call.status());
  absl::StatusOr<store::RewrapCursor> cursor = store::ParseRewrapCursor(request->cursor());
  if (!cursor.ok()) {
    return FinishUnary(context, InvalidArgumentWithViolations(
                                    {{"cursor", std::string(cursor.status().message())}}));
  }
  if (request->batch_size() < 0 || request->batch_size() > 1000) {
    return FinishUnary(context, InvalidArgumentWithViolations(
                                    {{"batch_size", "must be between 1 and 1000, or 0 for 200"}}));
  }
  return FinishUnaryBlocking(
      context, *call->components,
      [call = *std::move(call), cursor = *cursor, starting = request->cursor().empty(),
       batch_size = request->batch_size(), response](CallAudit& audit) -> absl::Status {
        const Components& c = *call.components;
        if (!c.reload_data_keys) {
          return absl::FailedPreconditionError("this server cannot reload its data keys");
        }
        // Each batch re-reads the key file, so a key just added becomes the
        // write key before anything is sealed, and the walk always seals
        // with the key the file names now.
        absl::StatusOr<std::vector<std::string>> key_ids = c.reload_data_keys();
        absl::StatusOr<store::RewrapStep> step =
            key_ids.ok() ? c.store->RewrapBodies(cursor, batch_size)
                         : absl::StatusOr<store::RewrapStep>(key_ids.status());
        const std::string write_key = key_ids.ok() && !key_ids->empty() ? key_ids->back() : "";
        if (starting || !step.ok() || !step->next.has_value()) {
          // The walk's start, its end and its failures are on the trail;
          // the batches between change no one's data.
          audit.Access(call, "ReencryptPatientData",
                       absl::StrCat("dataKeys/", write_key.empty() ? "-" : write_key),
                       step.status());
        }
        if (!step.ok()) return step.status();
        response->set_write_key_id(step->write_key_id);
        for (const std::string& id : *key_ids) response->add_key_ids(id);
        response->set_table(step->table);
        response->set_rows_scanned(step->scanned);
        response->set_rows_reencrypted(step->resealed);
        response->set_table_rows(step->table_rows);
        response->set_table_rows_done(step->rows_done);
        if (step->next.has_value()) {
          response->set_next_cursor(store::FormatRewrapCursor(*step->next));
        }
        response->set_done(!step->next.has_value());
        return absl::OkStatus();
      });
}

}  // namespace sprout::api
