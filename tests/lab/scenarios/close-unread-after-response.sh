#!/bin/bash
# close-unread-after-response: request (100 B), response (200 B), then the
# client sends a second request at once; the server (which answers one
# request per connection) does not read it; its kernel ACKs it (delayed,
# ~40 ms) and the server close()s 0.3 s after it arrived (well after that
# delayed ACK): with unread data in its receive queue Linux sends RST+ACK
# instead of FIN. The client's recv() gets ECONNRESET. The server had
# sent data earlier; what it never answered is what it received after its
# last send. Capture on the client's TAP.
# Verify: the client saw the reset; 2 requests; one RST (with ACK) from
# the server, no FIN at all; 10 frames.
# Fixed client source port 46270 (= samples/close-unread-after-response.pcap,
# pinned by its .checks).
. "$(dirname "$0")/../lib.sh"
lab_begin close-unread-after-response pcap "$@"
lab_link tap
lab_capture client
lab_server unread-second --pause 0.3
lab_client unread-second --sport 46270
lab_log_has client '"reset"'
sleep 0.2
lab_capture_stop
lab_expect_pkts 'src host 10.99.0.1 and tcp[tcpflags] & tcp-push != 0' == 2
lab_expect_pkts 'src host 10.99.0.2 and tcp[tcpflags] == tcp-rst|tcp-ack' == 1
lab_expect_pkts 'tcp[tcpflags] & tcp-fin != 0' == 0
lab_expect_flags 'src host 10.99.0.2' "S. . P. . R."
lab_expect_pkts '' == 10
lab_finish
