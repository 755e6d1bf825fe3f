#!/bin/bash
# abortive-close-linger0: request/response, then the client sets
# SO_LINGER {1,0} and closes: RST+ACK instead of FIN. The server's recv()
# fails with ECONNRESET. Capture on the client's TAP.
# Verify: server saw the reset; 1 RST, 0 FIN; no sockets left on either side.
# Fixed client source port 55242 (= samples/abortive-close-linger0.pcap, pinned by its .checks).
. "$(dirname "$0")/../lib.sh"
lab_begin abortive-close-linger0 pcap "$@"
lab_link tap
lab_capture client
lab_server expect-reset
lab_client linger0 --sport 55242
sleep 0.3
lab_expect_ss client all 0
lab_expect_ss server connected 0
lab_capture_stop
lab_release
lab_log_has server '"reset"'
lab_expect_pkts 'tcp[tcpflags] & tcp-rst != 0' == 1
lab_expect_pkts 'tcp[tcpflags] & tcp-fin != 0' == 0
lab_finish
