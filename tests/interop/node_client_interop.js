// A Node client loading proto/ at run time (@grpc/proto-loader, @grpc/grpc-js)
// against the real sproutd.
//
// Run by node_client_interop.sh with SPROUT_SERVER, SPROUT_CERTS_DIR and
// SPROUT_SOURCE_DIR set. Checks, over mutual TLS with the dev certificates:
//   1. a GP referral is accepted, stored, queued and routed to PCN U99001;
//   2. the same request_id again returns the original referral, marked
//      replayed, and the same request_id with a different referral is
//      ALREADY_EXISTS;
//   3. a referral with a wrong NHS number check digit is INVALID_ARGUMENT, and
//      the grpc-status-details-bin trailer decodes to a google.rpc.Status
//      holding a BadRequest on referral.patient.nhs_number and ErrorInfo
//      INVALID_REFERRAL in domain "sprout";
//   4. a link worker watching the PCN's queue receives a referral submitted
//      while the watch is open.
// Every call has a deadline. Output names resources, never patient data.
'use strict';

const crypto = require('crypto');
const fs = require('fs');
const path = require('path');
const grpc = require('@grpc/grpc-js');
const protoLoader = require('@grpc/proto-loader');
const protobuf = require('protobufjs');

const SERVER = process.env.SPROUT_SERVER;
const CERTS = process.env.SPROUT_CERTS_DIR;
const PROTO = path.join(process.env.SPROUT_SOURCE_DIR, 'proto');
const EXAMPLE = path.join(process.env.SPROUT_SOURCE_DIR, 'client/examples/gp-referral.json');
const PCN = 'pcns/U99001';
const UNARY_DEADLINE_MS = 10000;
const WATCH_DEADLINE_MS = 30000;

function check(condition, what) {
  if (!condition) throw new Error(`FAIL: ${what}`);
  console.log(`ok: ${what}`);
}

// The services, from the .proto files; enums as names, as in protobuf JSON.
const definition = protoLoader.loadSync(
    ['sprout/v1/referral_service.proto', 'sprout/v1/queue_service.proto'],
    {includeDirs: [PROTO], longs: String, enums: String, defaults: true, oneofs: true});
const sprout = grpc.loadPackageDefinition(definition).sprout.v1;

// google.rpc.Status and the detail messages, to decode the error trailer.
const rpcTypes = new protobuf.Root();
rpcTypes.resolvePath = (origin, target) => path.join(PROTO, target);
rpcTypes.loadSync(['google/rpc/status.proto', 'google/rpc/error_details.proto'], {keepCase: true});
const Status = rpcTypes.lookupType('google.rpc.Status');

// The Any messages in `status` whose type is `typeName`, decoded.
function unpack(status, typeName) {
  const type = rpcTypes.lookupType(typeName);
  return status.details
      .filter((any) => any.type_url === `type.googleapis.com/${typeName}`)
      .map((any) => type.decode(any.value));
}

// A mutual-TLS client presenting certs/<identity>.pem. The server's
// certificate is checked against its SAN DNS:localhost: with an IP address as
// the name, Node warns (DEP0123) that TLS SNI cannot carry it.
function client(Service, identity) {
  const read = (name) => fs.readFileSync(path.join(CERTS, name));
  const credentials = grpc.credentials.createSsl(
      read('ca.pem'), read(`${identity}.key`), read(`${identity}.pem`));
  return new Service(SERVER, credentials, {'grpc.ssl_target_name_override': 'localhost'});
}

// client/examples/gp-referral.json is protobuf JSON of sprout.v1.Referral:
// camelCase fields and enum names, which proto-loader's objects accept as
// they are (it has no 64-bit, Timestamp or Duration fields needing care).
function exampleReferral() {
  return JSON.parse(fs.readFileSync(EXAMPLE, 'utf8'));
}

function submit(referrals, request) {
  return new Promise((resolve, reject) => {
    referrals.SubmitReferral(request, {deadline: Date.now() + UNARY_DEADLINE_MS},
        (error, response) => (error ? reject(error) : resolve(response)));
  });
}

async function refusal(promise) {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  return null;
}

// Resolves with the next event, or rejects when the stream fails or ends.
function nextEvent(stream) {
  return new Promise((resolve, reject) => {
    const onData = (event) => { done(); resolve(event); };
    const onError = (error) => { done(); reject(error); };
    const onEnd = () => { done(); reject(new Error('the stream ended')); };
    const done = () => {
      stream.off('data', onData).off('error', onError).off('end', onEnd);
      stream.pause();
    };
    stream.on('data', onData).on('error', onError).on('end', onEnd);
    stream.resume();
  });
}

async function main() {
  const referrals = client(sprout.ReferralService, 'gp');
  const queues = client(sprout.QueueService, 'linkworker');
  try {
    // 1. Accepted and routed: the practice Y99001 belongs to PCN U99001 in the
    // demo directory, so the route names that PCN.
    const request = {requestId: crypto.randomUUID(), referral: exampleReferral()};
    const first = await submit(referrals, request);
    const stored = first.referral;
    check(/^referrals\/.+/.test(stored.name), `SubmitReferral answered a stored referral (${stored.name})`);
    check(first.replayed === false, 'a first submission is not a replay');
    check(stored.state === 'REFERRAL_STATE_QUEUED', `the referral is queued (${stored.state})`);
    check(stored.route.pcn === PCN, `routed to ${PCN} (route.pcn '${stored.route.pcn}')`);
    check(stored.route.method === 'ROUTING_METHOD_PRACTICE',
        `routed by the registered practice (${stored.route.method})`);
    check(stored.route.decision.startsWith('routingDecisions/'),
        `the route names its decision (${stored.route.decision})`);
    check(stored.codedReasons.length === 2, 'both reasons came back coded');

    // 2. Idempotency (AIP-155): the same request_id is answered with what the
    // first call stored, replayed = true; a different referral under it is refused.
    const again = await submit(referrals, request);
    check(again.replayed === true, 'a retry with the same request_id is marked replayed');
    check(again.referral.name === stored.name, `the retry returns the original referral (${again.referral.name})`);
    const other = {requestId: request.requestId, referral: exampleReferral()};
    other.referral.whatMattersToMe = 'Something else entirely';
    const reused = await refusal(submit(referrals, other));
    check(reused !== null && reused.code === grpc.status.ALREADY_EXISTS,
        `reusing a request_id for another referral is ALREADY_EXISTS (${reused && reused.code})`);

    // 3. A wrong check digit (9434765918; 9434765919 is valid) is refused with
    // the field named in a BadRequest and the reason in an ErrorInfo.
    const bad = {requestId: crypto.randomUUID(), referral: exampleReferral()};
    bad.referral.patient.nhsNumber = '9434765918';
    const error = await refusal(submit(referrals, bad));
    check(error !== null && error.code === grpc.status.INVALID_ARGUMENT,
        `a wrong NHS number is INVALID_ARGUMENT (${error && error.code})`);
    const trailer = error.metadata.get('grpc-status-details-bin');
    check(trailer.length === 1, 'the refusal carries grpc-status-details-bin');
    const status = Status.decode(trailer[0]);
    check(status.code === grpc.status.INVALID_ARGUMENT, `google.rpc.Status.code is INVALID_ARGUMENT (3) (${status.code})`);
    const fields = unpack(status, 'google.rpc.BadRequest')
        .flatMap((badRequest) => badRequest.field_violations.map((v) => v.field));
    check(fields.includes('referral.patient.nhs_number'),
        `BadRequest names referral.patient.nhs_number (fields ${JSON.stringify(fields)})`);
    const infos = unpack(status, 'google.rpc.ErrorInfo');
    check(infos.length === 1, `one ErrorInfo (${infos.length})`);
    check(infos[0].reason === 'INVALID_REFERRAL' && infos[0].domain === 'sprout',
        `ErrorInfo is INVALID_REFERRAL in domain sprout (${infos[0].reason}, ${infos[0].domain})`);

    // 4. WatchQueue sends the items waiting now, then each change as it
    // commits. The first event (the referral of step 1) proves the stream is
    // open before the second referral is submitted.
    const watch = queues.WatchQueue({parent: PCN, afterSequence: 0},
        {deadline: Date.now() + WATCH_DEADLINE_MS});
    watch.pause();
    try {
      const opening = await nextEvent(watch);
      check(opening.item.referral === stored.name, `the watch starts with the waiting item of ${stored.name}`);
      check(opening.item.queue.startsWith(PCN), `the item is on a queue of ${PCN}`);

      const second = {requestId: crypto.randomUUID(), referral: exampleReferral()};
      second.referral.patient.nhsNumber = '9000000009';  // another (test) person
      const added = (await submit(referrals, second)).referral;
      check(added.route.pcn === PCN, `the second referral is routed to ${PCN}`);

      let event;
      do {
        event = await nextEvent(watch);  // rejects at the deadline
      } while (event.item.referral !== added.name);
      check(event.type === 'QUEUE_EVENT_TYPE_ADDED', `the new item arrives as ADDED (${event.type})`);
      // int64 fields arrive as decimal strings (longs: String).
      check(BigInt(event.sequence) > BigInt(opening.sequence),
          `its sequence ${event.sequence} follows ${opening.sequence}`);
      check(event.item.state === 'QUEUE_ITEM_STATE_WAITING', 'the new item is waiting');
    } finally {
      watch.on('error', () => {});  // the CANCELLED that cancel() causes
      watch.cancel();
    }
    console.log('node client interop: all checks passed');
  } finally {
    referrals.close();
    queues.close();
  }
}

main().catch((error) => {
  // Our own FAIL lines as they are; a gRPC error by its code, not its whole object.
  console.error(error.code !== undefined ? `FAIL: gRPC ${error.code}: ${error.details}` : error.message);
  process.exit(1);
});
