/* test-names.c - the tables generated from codes.h. */
#include "tfa-test.h"

#include "tcpflow-audit/codes.h"
#include "tcpflow-audit/common.h"

static void test_states(void **state)
{
    assert_string_equal(tfa_tcp_state_name(TFA_TCP_CLOSED), "CLOSED");
    assert_string_equal(tfa_tcp_state_name(TFA_TCP_SYN_RECEIVED), "SYN_RECEIVED");
    assert_string_equal(tfa_tcp_state_name(TFA_TCP_TIME_WAIT), "TIME_WAIT");
    assert_int_equal(TFA_TCP_N_STATES, 11);
    assert_string_equal(tfa_tcp_state_name(TFA_TCP_N_STATES), "?");
}

static void test_anomalies(void **state)
{
    assert_string_equal(tfa_anomaly_name(TFA_ANOMALY_RST_REFUSED), "RST_REFUSED");
    assert_int_equal(tfa_anomaly_severity(TFA_ANOMALY_RST_REFUSED), TFA_SEV_ERROR);
    assert_int_equal(tfa_anomaly_severity(TFA_ANOMALY_SEQ_DUP_ACK), TFA_SEV_INFO);
    assert_int_equal(tfa_anomaly_from_name("seq_dup_ack"), TFA_ANOMALY_SEQ_DUP_ACK);
    assert_int_equal(tfa_anomaly_from_name("NO_SUCH_CODE"), -1);
    assert_int_equal(tfa_severity_from_name("warning"), TFA_SEV_WARNING);
    assert_int_equal(tfa_severity_from_name("loud"), -1);
    /* every code has a name with a known prefix and a meaning */
    for (unsigned i = 0; i < TFA_ANOMALY_N; i++) {
        const char *n = tfa_anomaly_name((TfaAnomalyCode)i);
        assert_true(g_str_has_prefix(n, "HANDSHAKE_") || g_str_has_prefix(n, "TEARDOWN_") ||
                    g_str_has_prefix(n, "RST_") || g_str_has_prefix(n, "ACK_") ||
                    g_str_has_prefix(n, "SEQ_") || g_str_has_prefix(n, "WINDOW_") ||
                    g_str_has_prefix(n, "CAPTURE_") || g_str_has_prefix(n, "ICMP_"));
        assert_true(strlen(tfa_anomaly_meaning((TfaAnomalyCode)i)) > 10);
    }
}

static void test_outcomes(void **state)
{
    assert_string_equal(tfa_handshake_name(TFA_HANDSHAKE_SYNACK_UNACKED), "synack_unacked");
    assert_string_equal(tfa_close_name(TFA_CLOSE_RESET_AFTER_FIN), "reset_after_fin");
    assert_string_equal(tfa_initiator_name(TFA_INITIATOR_NONE), "none");
    assert_string_equal(tfa_rst_cause_name(TFA_RST_CAUSE_DATA_TO_CLOSED_SOCKET),
                        "data_to_closed_socket");
    assert_string_equal(tfa_originator_name(TFA_ORIGINATOR_FIRST_PACKET), "first_packet");
    assert_string_equal(tfa_end_name(TFA_END_EVICTED), "evicted");
    assert_string_equal(tfa_diag_name(TFA_DIAG_DECODE_IP_FRAGMENT), "DECODE_IP_FRAGMENT");
}

/* Each RST cause names its own anomaly code: "refused" raises RST_REFUSED,
 * no two causes share a code, and the reverse look-up finds exactly the
 * causes' codes (so nothing depends on where a code sits in the list). */
static void test_rst_causes(void **state)
{
    unsigned causes_codes = 0;
    for (unsigned i = 0; i < TFA_RST_CAUSE_N; i++) {
        TfaAnomalyCode code = tfa_rst_cause_code((TfaRstCause)i);
        char *want = g_ascii_strdown(tfa_anomaly_name(code), -1);
        assert_true(g_str_has_prefix(want, "rst_"));
        assert_string_equal(tfa_rst_cause_name((TfaRstCause)i), want + 4);
        g_free(want);
        assert_int_equal(tfa_rst_cause_of_code(code), (int)i);
    }
    for (unsigned c = 0; c < TFA_ANOMALY_N; c++) {
        int cause = tfa_rst_cause_of_code((TfaAnomalyCode)c);
        if (cause < 0)
            continue;
        causes_codes++;
        assert_int_equal(tfa_rst_cause_code((TfaRstCause)cause), c);
    }
    assert_int_equal(causes_codes, TFA_RST_CAUSE_N);
    assert_int_equal(tfa_rst_cause_code(TFA_RST_CAUSE_HANDSHAKE_ABORT),
                     TFA_ANOMALY_RST_HANDSHAKE_ABORT);
    assert_int_equal(tfa_rst_cause_of_code(TFA_ANOMALY_RST_STORM), -1);
    assert_int_equal(tfa_rst_cause_of_code(TFA_ANOMALY_RST_WITH_DATA), -1);
    assert_int_equal(tfa_rst_cause_of_code(TFA_ANOMALY_SEQ_DUP_ACK), -1);
    assert_int_equal(tfa_rst_cause_of_code(TFA_ANOMALY_N), -1);
    assert_int_equal(tfa_rst_cause_code(TFA_RST_CAUSE_N), TFA_ANOMALY_RST_UNKNOWN);
}

static void test_addr(void **state)
{
    char buf[TFA_ADDR_STRLEN];
    TfaAddr a = tfa_test_ip4(192, 0, 2, 1);
    assert_string_equal(tfa_addr_to_string(&a, buf, sizeof(buf)), "192.0.2.1");
    TfaAddr b = {.family = 6};
    b.bytes[0] = 0xfd;
    b.bytes[1] = 0x99;
    b.bytes[15] = 2;
    assert_string_equal(tfa_addr_to_string(&b, buf, sizeof(buf)), "fd99::2");
    TfaAddr c = {.family = 0};
    assert_string_equal(tfa_addr_to_string(&c, buf, sizeof(buf)), "?");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_states),
        cmocka_unit_test(test_anomalies),
        cmocka_unit_test(test_outcomes),
        cmocka_unit_test(test_rst_causes),
        cmocka_unit_test(test_addr),
    };
    return cmocka_run_group_tests_name("util/names", tests, NULL, NULL);
}
