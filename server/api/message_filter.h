// File: server/api/message_filter.h
//
// AIP-160 filters that List methods evaluate on each item: comparisons of a
// message's top-level fields joined by AND (server/common/filter.h parses
// them), checked against the fields a method accepts.
//
//   SPROUT_ASSIGN_OR_RETURN(MessageFilter filter,
//       MessageFilter::Parse(request.filter(), *Referral::descriptor(),
//                            {{"state"}, {"create_time"}, {"needs_review",
//                            "needs_coding_review"}}));
//   if (filter.Matches(referral)) ...
//
// Values by field type: an enum by its value name with or without the enum's
// prefix ("QUEUED" or "REFERRAL_STATE_QUEUED"), = and !=; a bool true or
// false, = and !=; a Timestamp as RFC 3339 ("2026-01-01T00:00:00Z"), every
// comparison; a string, = and !=.
#ifndef SPROUT_SERVER_API_MESSAGE_FILTER_H_
#define SPROUT_SERVER_API_MESSAGE_FILTER_H_

#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/message.h"

namespace sprout::api {

// A field a method lets callers filter on: the name in the filter and the
// message field it reads (the same unless an alias).
struct FilterableField {
  // Written as {"state"}, {"source_type", "referrer.source_type"} or
  // {"claimed", "", derive} in field tables.
  FilterableField(std::string name, std::string proto_field = "",
                  std::function<bool(const google::protobuf::Message&)> derived_bool = nullptr)
      : name(std::move(name)),
        proto_field(std::move(proto_field)),
        derived_bool(std::move(derived_bool)) {}

  std::string name;
  std::string proto_field;  // empty: the same as name; may be a path, "referrer.source_type"
  // For a bool that is not a field but derived from the message (e.g. a
  // queue item is "claimed" when its state is CLAIMED): computes it.
  std::function<bool(const google::protobuf::Message&)> derived_bool;
};

class MessageFilter {
 public:
  // Parse()
  //
  // An empty filter matches everything. INVALID_ARGUMENT on field "filter"
  // (reason INVALID_FILTER) naming the column for a syntax error, a field not
  // in `accepted`, an operator the field's type does not take, or a value
  // that is not one of the field's values.
  static absl::StatusOr<MessageFilter> Parse(absl::string_view filter,
                                             const google::protobuf::Descriptor& type,
                                             const std::vector<FilterableField>& accepted);

  // Whether `message` (of the type given to Parse) satisfies every term.
  bool Matches(const google::protobuf::Message& message) const;

  bool empty() const { return terms_.empty(); }

  // The filter in a canonical form, for binding page tokens to it.
  const std::string& canonical() const { return canonical_; }

 private:
  struct Term {
    // The singular message fields leading to `field`, outermost first.
    std::vector<const google::protobuf::FieldDescriptor*> via;
    const google::protobuf::FieldDescriptor* field = nullptr;  // null for a derived bool
    std::function<bool(const google::protobuf::Message&)> derived_bool;
    std::string op;
    int enum_value = 0;
    bool bool_value = false;
    absl::Time time_value;
    std::string string_value;
  };
  static bool Holds(const Term& term, const google::protobuf::Message& message);
  // Holds() on the message that directly contains term.field.
  static bool HoldsOn(const Term& term, const google::protobuf::Message& message);

  std::vector<Term> terms_;
  std::string canonical_;
};

}  // namespace sprout::api

#endif  // SPROUT_SERVER_API_MESSAGE_FILTER_H_
