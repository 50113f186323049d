"""A Python client generated from proto/ during the test, against the real sproutd.

Run by python_client_interop.sh with PYTHONPATH holding the generated code and
SPROUT_SERVER / SPROUT_CERTS_DIR / SPROUT_CA set. Checks, over mutual TLS with
the dev certificates:
  1. a GP referral is accepted, stored, queued and routed to PCN U99001;
  2. the same request_id again returns the original referral, marked replayed,
     and the same request_id with a different referral is ALREADY_EXISTS;
  3. a referral with a wrong NHS number check digit is INVALID_ARGUMENT, and the
     grpc-status-details-bin trailer decodes to a google.rpc.Status holding a
     BadRequest on referral.patient.nhs_number and ErrorInfo INVALID_REFERRAL
     in domain "sprout";
  4. a link worker watching the PCN's queue receives a referral submitted while
     the watch is open.
Every call has a deadline. Output names resources, never patient data.
"""

import copy
import os
import sys
import uuid

import grpc
from google.protobuf import json_format
from google.rpc import error_details_pb2, status_pb2
from sprout.v1 import (queue_pb2, queue_service_pb2, queue_service_pb2_grpc, referral_pb2,
                       referral_service_pb2, referral_service_pb2_grpc)

SERVER = os.environ["SPROUT_SERVER"]
CERTS = os.environ["SPROUT_CERTS_DIR"]
EXAMPLE = os.path.join(os.environ["SPROUT_SOURCE_DIR"], "client/examples/gp-referral.json")
PCN = "pcns/U99001"
UNARY_DEADLINE_S = 10
WATCH_DEADLINE_S = 30


def check(condition, what):
    """Stops the test with a message saying what was expected."""
    if not condition:
        print(f"FAIL: {what}", file=sys.stderr)
        sys.exit(1)
    print(f"ok: {what}")


def refusal(call, what):
    """The grpc.RpcError that call() must raise; stops the test if it succeeds."""
    try:
        call()
    except grpc.RpcError as error:
        return error
    check(False, f"{what} is refused")


def channel_as(identity):
    """A mutual-TLS channel presenting certs/<identity>.pem; the server's
    certificate carries IP:127.0.0.1, so no authority override is needed."""
    def read(name):
        with open(os.path.join(CERTS, name), "rb") as f:
            return f.read()
    credentials = grpc.ssl_channel_credentials(
        root_certificates=read("ca.pem"),
        private_key=read(f"{identity}.key"),
        certificate_chain=read(f"{identity}.pem"))
    return grpc.secure_channel(SERVER, credentials)


def example_referral():
    """client/examples/gp-referral.json is protobuf JSON of sprout.v1.Referral."""
    with open(EXAMPLE, encoding="utf-8") as f:
        return json_format.Parse(f.read(), referral_pb2.Referral())


def status_details(error):
    """The google.rpc.Status in the grpc-status-details-bin trailer."""
    for key, value in error.trailing_metadata() or ():
        if key == "grpc-status-details-bin":
            return status_pb2.Status.FromString(value)
    return None


def unpack(status, message_class):
    """Every detail of `message_class` packed as an Any in `status`."""
    found = []
    for detail in status.details:
        if detail.Is(message_class.DESCRIPTOR):
            message = message_class()
            detail.Unpack(message)
            found.append(message)
    return found


def submit(stub, request):
    return stub.SubmitReferral(request, timeout=UNARY_DEADLINE_S)


def main():
    with channel_as("gp") as gp, channel_as("linkworker") as linkworker:
        referrals = referral_service_pb2_grpc.ReferralServiceStub(gp)
        queues = queue_service_pb2_grpc.QueueServiceStub(linkworker)

        # 1. Accepted and routed: the practice Y99001 belongs to PCN U99001 in
        # the demo directory, so the route names that PCN.
        request = referral_service_pb2.SubmitReferralRequest(
            request_id=str(uuid.uuid4()), referral=example_referral())
        first = submit(referrals, request)
        stored = first.referral
        check(stored.name.startswith("referrals/") and len(stored.name) > len("referrals/"),
              f"SubmitReferral answered a stored referral ({stored.name})")
        check(not first.replayed, "a first submission is not a replay")
        check(stored.state == referral_pb2.REFERRAL_STATE_QUEUED,
              f"the referral is queued ({referral_pb2.ReferralState.Name(stored.state)})")
        check(stored.route.pcn == PCN, f"routed to {PCN} (route.pcn {stored.route.pcn!r})")
        check(stored.route.method == referral_pb2.ROUTING_METHOD_PRACTICE,
              "routed by the registered practice "
              f"({referral_pb2.RoutingMethod.Name(stored.route.method)})")
        check(stored.route.decision.startswith("routingDecisions/"),
              f"the route names its decision ({stored.route.decision})")
        check(len(stored.coded_reasons) == 2, "both reasons came back coded")

        # 2. Idempotency (AIP-155): the same request_id is answered with what the
        # first call stored, replayed = true; a different referral under it is refused.
        again = submit(referrals, request)
        check(again.replayed, "a retry with the same request_id is marked replayed")
        check(again.referral.name == stored.name,
              f"the retry returns the original referral ({again.referral.name})")
        other = copy.deepcopy(request)
        other.referral.what_matters_to_me = "Something else entirely"
        error = refusal(lambda: submit(referrals, other), "reusing a request_id for another referral")
        check(error.code() == grpc.StatusCode.ALREADY_EXISTS,
              f"reusing a request_id for another referral is ALREADY_EXISTS ({error.code().name})")

        # 3. A wrong check digit (9434765918; 9434765919 is valid) is refused with
        # the field named in a BadRequest and the reason in an ErrorInfo.
        bad = referral_service_pb2.SubmitReferralRequest(
            request_id=str(uuid.uuid4()), referral=example_referral())
        bad.referral.patient.nhs_number = "9434765918"
        error = refusal(lambda: submit(referrals, bad), "a wrong NHS number")
        check(error.code() == grpc.StatusCode.INVALID_ARGUMENT,
              f"a wrong NHS number is INVALID_ARGUMENT ({error.code().name})")
        status = status_details(error)
        check(status is not None, "the refusal carries grpc-status-details-bin")
        check(status.code == grpc.StatusCode.INVALID_ARGUMENT.value[0],
              f"google.rpc.Status.code is INVALID_ARGUMENT (3) ({status.code})")
        fields = [v.field for bad_request in unpack(status, error_details_pb2.BadRequest)
                  for v in bad_request.field_violations]
        check("referral.patient.nhs_number" in fields,
              f"BadRequest names referral.patient.nhs_number (fields {fields})")
        infos = unpack(status, error_details_pb2.ErrorInfo)
        check(len(infos) == 1, f"one ErrorInfo ({len(infos)})")
        check(infos[0].reason == "INVALID_REFERRAL" and infos[0].domain == "sprout",
              f"ErrorInfo is INVALID_REFERRAL in domain sprout ({infos[0].reason}, {infos[0].domain})")

        # 4. WatchQueue sends the items waiting now, then each change as it
        # commits. The first event (the referral of step 1) proves the stream is
        # open before the second referral is submitted.
        watch = queues.WatchQueue(queue_service_pb2.WatchQueueRequest(parent=PCN),
                                  timeout=WATCH_DEADLINE_S)
        try:
            events = iter(watch)
            opening = next(events)
            check(opening.item.referral == stored.name,
                  f"the watch starts with the waiting item of {stored.name}")
            check(opening.item.queue.startswith(PCN), f"the item is on a queue of {PCN}")

            second = referral_service_pb2.SubmitReferralRequest(
                request_id=str(uuid.uuid4()), referral=example_referral())
            second.referral.patient.nhs_number = "9000000009"  # another (test) person
            added = submit(referrals, second).referral
            check(added.route.pcn == PCN, f"the second referral is routed to {PCN}")

            for event in events:
                if event.item.referral == added.name:
                    check(event.type == queue_pb2.QUEUE_EVENT_TYPE_ADDED,
                          f"the new item arrives as ADDED ({queue_pb2.QueueEventType.Name(event.type)})")
                    check(event.sequence > opening.sequence,
                          f"its sequence {event.sequence} follows {opening.sequence}")
                    check(event.item.state == queue_pb2.QUEUE_ITEM_STATE_WAITING,
                          "the new item is waiting")
                    break
            else:
                check(False, "the stream delivered the new referral before it ended")
        except grpc.RpcError as error:
            check(False, f"WatchQueue failed: {error.code().name}")
        finally:
            watch.cancel()

    print("python client interop: all checks passed")


if __name__ == "__main__":
    main()
