// AdminService's outbox methods: listing the outcome messages owed to
// referrers and sending one again (server/store/outbox.h).
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "server/api/admin_service.h"
#include "server/api/call.h"
#include "server/common/errors.h"

namespace sprout::api {

grpc::ServerUnaryReactor* AdminServiceImpl::ListOutboxMessages(
    grpc::CallbackServerContext* context, const sprout::v1::ListOutboxMessagesRequest* request,
    sprout::v1::ListOutboxMessagesResponse* response) {
  absl::StatusOr<Call> call = BeginCall(context, *state_, "ListOutboxMessages", *request);
  if (!call.ok()) return FinishUnary(context, call.status());
  absl::StatusOr<int> page_size = PageSizeOf(request->page_size(), 50, 1000);
  if (!page_size.ok()) return FinishUnary(context, page_size.status());
  if (!sprout::v1::OutboxMessageState_IsValid(request->state())) {
    return FinishUnary(context,
                       InvalidArgumentWithViolations(
                           {{"state", "is not an OutboxMessageState; leave it unset for all"}}));
  }
  return FinishUnaryBlocking(
      context, *call->components,
      [call = *std::move(call), state = request->state(), size = *page_size,
       token = request->page_token(), response](CallAudit& audit) -> absl::Status {
        absl::StatusOr<store::Page<sprout::v1::OutboxMessage>> page =
            call.components->store->ListOutboxMessages(state, size, token);
        if (!page.ok() && absl::IsInvalidArgument(page.status())) {
          page = InvalidArgumentWithViolations(
              {{"page_token", "is not a token this listing returned; start again without it"}});
        }
        std::vector<std::string> returned;
        if (page.ok()) {
          for (const sprout::v1::OutboxMessage& m : page->items) returned.push_back(m.name());
        }
        audit.Access(call, "ListOutboxMessages", "outboxMessages", page.status(),
                     std::move(returned));
        if (!page.ok()) return page.status();
        for (sprout::v1::OutboxMessage& m : page->items) *response->add_messages() = std::move(m);
        response->set_next_page_token(page->next_page_token);
        return absl::OkStatus();
      });
}

grpc::ServerUnaryReactor* AdminServiceImpl::RedeliverOutboxMessage(
    grpc::CallbackServerContext* context, const sprout::v1::RedeliverOutboxMessageRequest* request,
    sprout::v1::OutboxMessage* response) {
  absl::StatusOr<Call> call = BeginCall(context, *state_, "RedeliverOutboxMessage", *request);
  if (!call.ok()) return FinishUnary(context, call.status());
  absl::StatusOr<std::string> id = IdFromName(request->name(), "outboxMessages", "name");
  if (!id.ok()) return FinishUnary(context, id.status());
  return FinishUnaryBlocking(
      context, *call->components,
      [call = *std::move(call), id = *std::move(id), name = request->name(),
       response](CallAudit& audit) -> absl::Status {
        const Components& c = *call.components;
        // The change and its audit record commit together; a refusal is
        // audited on its own.
        absl::StatusOr<sprout::v1::OutboxMessage> message = c.store->RedeliverOutboxMessage(
            id, c.clock->Now(),
            AuditEventOf(call, "RedeliverOutboxMessage", name, absl::OkStatus()));
        if (!message.ok()) {
          audit.Access(call, "RedeliverOutboxMessage", name, message.status());
          return message.status();
        }
        if (c.wake_outbox) c.wake_outbox();
        *response = *std::move(message);
        return absl::OkStatus();
      });
}

}  // namespace sprout::api
