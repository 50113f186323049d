-- pgbench script: one submission per transaction, with the SQL the
-- PostgreSQL Store runs for it (server/store/postgres/pg_writer.cc,
-- pg_submission.cc) and bodies of the same size, on the schema that
-- bench/store/postgres_bench creates ("sprout_bench"). See BENCHMARKS.md.
--
--   PGOPTIONS='-c search_path=sprout_bench' pgbench -n -M prepared -c 8 -j 2 -T 20 \
--     -f bench/store/pg_submit.sql '<conninfo>'
\set n random(1, 9000000000000000000)
BEGIN;
SELECT q.last, a.sequence, a.hash FROM queue_sequence q, audit_chain_head a FOR UPDATE;
SAVEPOINT job;
SELECT k.request_hash, k.referral_id, k.queue_sequence,
  (SELECT id FROM episodes WHERE person_key = 'pk-pgb' || :n AND is_open AND person_key <> '')
  FROM (SELECT 1) AS one LEFT JOIN idempotency_keys k ON k.request_id = 'req-pgb' || :n;
WITH e AS (
  INSERT INTO episodes (id, person_key, pcn_code, link_worker, is_open, open_time_us)
  SELECT 'e-pgb' || :n, 'pk-pgb' || :n, 'U12345', 'pcns/U12345/linkWorkers/lw-1', TRUE,
         1767225600000000 WHERE TRUE
), r AS (
  INSERT INTO referrals (id, organisation_code, person_key, episode_id, state, create_time_us,
                         link_worker, body)
  VALUES ('pgb' || :n, 'A81001', 'pk-pgb' || :n, 'e-pgb' || :n, 2, 1767225600000000,
          'pcns/U12345/linkWorkers/lw-1', convert_to(repeat('r', 1400), 'UTF8'))
), d AS (
  INSERT INTO routing_decisions (id, referral_id, pcn_code, practice_code, source_type, outcome,
                                 rule, decide_time_us, body)
  VALUES ('d-pgb' || :n, 'pgb' || :n, 'U12345', '', 1, 1, '', 1767225600000000,
          convert_to(repeat('d', 300), 'UTF8')) RETURNING pk
), reasons AS (
  INSERT INTO decision_reasons (concept_id, decision_pk)
  SELECT DISTINCT c, d.pk FROM d, unnest('{267076002}'::BIGINT[]) AS c
), q AS (
  INSERT INTO queue_items (sequence, id, referral_id, queue, pcn_code, priority, state,
                           enqueue_time_us, body)
  VALUES ((SELECT last + 1 FROM queue_sequence), 'q-pgb' || :n, 'pgb' || :n,
          'pcns/U12345/linkWorkers/lw-1', 'U12345', 1, 1, 1767225600000000,
          convert_to(repeat('q', 90), 'UTF8'))
), k AS (
  INSERT INTO idempotency_keys (request_id, request_hash, referral_id, queue_sequence,
                                create_time_us)
  VALUES ('req-pgb' || :n, repeat('a', 64), 'pgb' || :n, (SELECT last + 1 FROM queue_sequence),
          1767225600000000)
), ev AS (
  INSERT INTO referral_events (referral_id, state, event_time_us, actor, action)
  VALUES ('pgb' || :n, 2, 1767225600000000, 'A81001', 'SubmitReferral')
)
INSERT INTO audit_records (sequence, time_us, actor_organisation, actor_role, action, resource,
                           outcome, prev_hash, hash)
VALUES ((SELECT sequence + 1 FROM audit_chain_head), 1767225600000000, 'A81001', 'referrer',
        'SubmitReferral', 'referrals/pgb' || :n, 'OK', sha256(convert_to(:n::TEXT, 'UTF8')),
        sha256(convert_to('h' || :n, 'UTF8')));
INSERT INTO link_worker_load AS l (link_worker, open_caseload, waiting)
  VALUES ('pcns/U12345/linkWorkers/lw-1', 0, 1)
  ON CONFLICT (link_worker) DO UPDATE SET open_caseload = l.open_caseload + EXCLUDED.open_caseload,
  waiting = l.waiting + EXCLUDED.waiting;
WITH q AS (UPDATE queue_sequence SET last = last + 1)
  UPDATE audit_chain_head SET sequence = sequence + 1, hash = sha256(convert_to('h' || :n, 'UTF8'));
SELECT pg_notify('sprout_queue', current_schema());
COMMIT;
