/* merge.h - --merge: the JSON Lines of N --shard K/N runs into one run's.
 *
 * A shard run (--shard K/N, shard.h) reads every frame but tracks only the
 * connections of its flow-hash shard.  Its connection ids are the frame
 * numbers that created them (unique across shards: one frame creates at
 * most one connection), and its summary record carries an extra "shard"
 * object: K, N, the hash, the thresholds, and the raw counts behind the
 * capture-level findings (each service's accepted handshakes and half-open
 * sources, each client host's attempts, failures and failed targets).
 *
 * The merge (owns everything it reads; borrows the options and the output
 * stream):
 *   - checks that the inputs are shards 1..N of one N, each once, over the
 *     same inputs (the per-frame counters and times agree);
 *   - writes the connection records ordered by their shard id, renumbered
 *     1, 2, ... (and "continues.id" with them): a single run numbers
 *     connections in order of creation, so the ids are the single run's and
 *     the order is the single run's sorted by id (a single run writes
 *     records in retirement order);
 *   - writes one summary equal to a single run's: per-frame counters (frames,
 *     tcp_segments, times, input, the decode/defrag/capture diagnostics)
 *     once; per-connection counters (connections, records, anomalies, the
 *     CONN_*, SUMMARY_*, ICMP_ERROR_*, CAPTURE_ACKED_UNSEEN/ONE_DIRECTION,
 *     BUFFER_CAP_HIT diagnostics) and the hosts and services tables summed;
 *     the findings drawn again from the merged raw counts, so a threshold
 *     crossed only across shards is found.
 *   Exceptions, documented in tcpflow-audit(1) SCALING: connections_peak is
 *   the sum of the shards' peaks (an upper bound of one run's); where a cap
 *   was reached (--max-connections, --max-buffer-bytes, the summary tables)
 *   each shard applied it to its own share; after a step back in capture
 *   time, idle expiry depends on the other connections in the table
 *   (conntrack's queue is ordered by activity), so it may differ.
 *
 * Not on the packet path.  Needs json-glib's headers at build time and
 * its library at run time, opened with dlopen only when --merge runs (else
 * --merge says so and fails): linked, its dependencies would add over a MiB
 * to every run's memory.
 */
#pragma once

#include <glib.h>
#include <stdio.h>

#include "tcpflow-audit/json.h"
#include "tcpflow-audit/options.h"
#include "tcpflow-audit/summary.h"

#define TFA_SHARD_HASH_NAME "fnv1a64-4tuple"

/* The summary's "shard" object of a --shard run. */
void tfa_merge_write_shard(TfaJson *j, const TfaOptions *opts, const TfaSummary *sum);

/* Merge the files of opts->files into @out.  False with @error set when an
 * input is unreadable, not a shard run's output, or shards are missing. */
gboolean tfa_merge_run(const TfaOptions *opts, FILE *out, GError **error);
