/* appview.h - what each endpoint's application most likely saw and did,
 * in socket calls, as far as the packets prove it (issue 15 §1).
 *
 * tfa_appview_build() derives, from a finished connection (the state
 * machine's paths, the RSTs and their causes, the handshake and close
 * outcome, the ICMP errors tied to it, the anomaly counts), a short list of
 * events per endpoint - connect() returned, accept() could return, read()
 * returned 0, close() or shutdown(SHUT_WR), a call failing with an errno -
 * each with the frame that shows it and whether the packets prove it
 * (certain) or it is inferred, and the socket calls or options that would
 * avoid the trouble.  It reads the connection and writes only the caller's
 * TfaAppView (fixed size, no allocation); reporters only print it.
 * Events are listed in frame order.
 *
 * The errno of each failure is Linux's (net/ipv4/tcp_input.c tcp_reset:
 * ECONNREFUSED in SYN_SENT, EPIPE in CLOSE_WAIT, ECONNRESET otherwise;
 * tcp_write_err: ETIMEDOUT, or the soft ICMP error recorded before; ICMP
 * errors per tcpflow-audit/icmp.h).  A socket call is never visible on the
 * wire: "certain" means the packets prove the kernel event that makes the
 * call return or fail (for instance the endpoint acknowledged the segment
 * that caused it); the call itself, and which call (read() or recv(),
 * close() or shutdown()), is the application's and is named as the usual
 * one.  tcpflow-audit-records(5) lists the events and their evidence.
 */
#pragma once

#include "tcpflow-audit/record.h"

/* The socket call: X(NAME, "output name"). */
#define TFA_APP_CALL_LIST(X)                                                   \
    X(CONNECT, "connect")                                                      \
    X(ACCEPT, "accept")                                                        \
    X(LISTEN, "listen")                                                        \
    X(READ, "read")                                                            \
    X(RECV, "recv")                                                            \
    X(SEND, "send")                                                            \
    X(CLOSE, "close")                                                          \
    X(SHUTDOWN, "shutdown")

typedef enum TfaAppCall {
#define X(name, text) TFA_APP_CALL_##name,
    TFA_APP_CALL_LIST(X)
#undef X
    TFA_APP_CALL_N
} TfaAppCall;

/* What the call did. */
#define TFA_APP_RESULT_LIST(X)                                                                     \
    X(RETURNED, "returned")         /* it succeeded (connect, accept, close, shutdown) */       \
    X(EOF, "eof")                   /* read() returned 0: the peer's FIN */                      \
    X(FAILED, "failed")             /* it failed (or the next one fails) with errno */            \
    X(WOULD_FAIL, "would_fail")     /* the capture ends before the kernel gives up */             \
    X(NOT_RETURNED, "not_returned") /* it could not return (yet) */                               \
    X(NO_ERROR, "no_error")         /* the event reached no application: no errno */

typedef enum TfaAppResult {
#define X(name, text) TFA_APP_RESULT_##name,
    TFA_APP_RESULT_LIST(X)
#undef X
    TFA_APP_RESULT_N
} TfaAppResult;

/* Why: the story of the event, which decides its text. */
#define TFA_APP_WHY_LIST(X)                                                    \
    X(SYNACK, "synack")                   /* connect() returned: SYN-ACK received */             \
    X(THIRD_ACK, "third_ack")             /* accept() could return: handshake done at the server */ \
    X(THIRD_ACK_MISSING, "third_ack_missing") /* accept() could not return: still SYN_RECEIVED */ \
    X(REFUSED, "refused")                 /* connect(): RST to the SYN */                        \
    X(NOT_LISTENING, "not_listening")     /* the server's kernel refused: no listener */         \
    X(SYN_TIMEOUT, "syn_timeout")         /* connect(): SYNs unanswered */                       \
    X(ICMP_CONNECT, "icmp_connect")       /* connect(): an ICMP error for the SYN */             \
    X(ICMP_SOFT, "icmp_soft")             /* a soft ICMP error on a synchronized connection */   \
    X(ICMP_PMTU, "icmp_pmtu")             /* a path MTU update: no error */                      \
    X(ICMP_IGNORED, "icmp_ignored")       /* an ICMP error the kernel drops (out of window) */    \
    X(PEER_FIN, "peer_fin")               /* read() returned 0 */                                \
    X(PEER_FIN_UNACKED, "peer_fin_unacked") /* read() has not returned 0: FIN not acknowledged */ \
    X(OWN_FIN, "own_fin")                 /* close() (or shutdown()) sent its FIN */             \
    X(HALF_CLOSE, "half_close")           /* shutdown(SHUT_WR): it kept receiving after its FIN */ \
    X(RESET, "reset")                     /* RST received established: ECONNRESET */            \
    X(RESET_CLOSE_WAIT, "reset_close_wait") /* RST received in CLOSE_WAIT: EPIPE */              \
    X(RESET_AFTER_CLOSE, "reset_after_close") /* RST after its own close(): no application */   \
    X(RESET_IN_HANDSHAKE, "reset_in_handshake") /* RST in SYN_RECEIVED: never accepted */        \
    X(RESET_IGNORED, "reset_ignored")     /* RST not accepted: no error */                       \
    X(SENT_RST_LINGER, "sent_rst_linger") /* its close() sent RST: abortive close */            \
    X(SENT_RST_UNREAD, "sent_rst_unread") /* its close() with unread data sent RST */           \
    X(SENT_RST_CLOSED, "sent_rst_closed") /* its kernel answered data after close() with RST */  \
    X(SENT_RST_KEEPALIVE, "sent_rst_keepalive") /* its keep-alive gave up: ETIMEDOUT */          \
    X(SENT_RST_OTHER, "sent_rst_other")   /* it sent an RST for another reason */                \
    X(DATA_TIMEOUT, "data_timeout")       /* its data never acknowledged: ETIMEDOUT */           \
    X(KEEPALIVE_TIMEOUT, "keepalive_timeout") /* its keep-alive probes unanswered */

typedef enum TfaAppWhy {
#define X(name, text) TFA_APP_WHY_##name,
    TFA_APP_WHY_LIST(X)
#undef X
    TFA_APP_WHY_N
} TfaAppWhy;

/* The socket calls and options that would avoid what was seen. */
#define TFA_APP_ADVICE_LIST(X)                                                 \
    X(TCP_NODELAY, "TCP_NODELAY")                                              \
    X(TCP_QUICKACK, "TCP_QUICKACK")                                            \
    X(SO_LINGER, "SO_LINGER")                                                  \
    X(READ_TO_EOF, "read() until 0 before close()")                            \
    X(CLOSE_EVERY_PATH, "close() on every path")                               \
    X(STOP_AFTER_EOF, "stop writing once read() returns 0")                    \
    X(SHUTDOWN_WR, "shutdown(SHUT_WR)")                                        \
    X(SO_KEEPALIVE, "SO_KEEPALIVE / TCP_KEEPIDLE")                             \
    X(LISTEN_BACKLOG, "a bigger listen() backlog")                             \
    X(SO_REUSEADDR, "SO_REUSEADDR")                                            \
    X(MSG_NOSIGNAL, "MSG_NOSIGNAL / SIGPIPE ignored")

typedef enum TfaAppAdvice {
#define X(name, text) TFA_APP_ADVICE_##name,
    TFA_APP_ADVICE_LIST(X)
#undef X
    TFA_APP_ADVICE_N
} TfaAppAdvice;

#define TFA_APP_MAX_EVENTS 8
#define TFA_APP_MAX_ADVICE 4

typedef struct TfaAppEvent {
    uint8_t call;        /* TfaAppCall */
    uint8_t result;      /* TfaAppResult */
    uint8_t why;         /* TfaAppWhy */
    bool certain;        /* the packets prove the kernel event (see above) */
    const char *err;     /* "ECONNRESET"...; NULL without one (static string) */
    TfaFrameNo frame;    /* the frame that shows it; 0: none (a time-out) */
    TfaTs ts;
    TfaFrameNo frame2;   /* a second frame the text names (the data it concerns...); 0: none */
    int64_t arg;         /* why-specific number (a port, an MTU, a count) */
    uint8_t rst;         /* index in conn->rsts (RST events) */
} TfaAppEvent;

typedef struct TfaAppSide {
    uint8_t n, n_advice;
    TfaAppEvent ev[TFA_APP_MAX_EVENTS];
    uint8_t advice[TFA_APP_MAX_ADVICE];     /* TfaAppAdvice */
    uint8_t advice_why[TFA_APP_MAX_ADVICE]; /* the anomaly code (or TfaAppWhy) behind it */
} TfaAppSide;

/* By TfaRole. */
typedef struct TfaAppView {
    TfaAppSide role[2];
} TfaAppView;

void tfa_appview_build(const TfaConnRecord *rec, TfaAppView *view);

const char *tfa_app_call_name(TfaAppCall c);
const char *tfa_app_result_name(TfaAppResult r);
const char *tfa_app_why_name(TfaAppWhy w);
const char *tfa_app_advice_name(TfaAppAdvice a);

/* One event as a sentence ("connect() returned at frame 2, the SYN-ACK")
 * into @buf; returns @buf. */
const char *tfa_appview_event_text(const TfaConnRecord *rec, TfaRole role, const TfaAppEvent *ev,
                                   char *buf, size_t len);

/* Why advice @i of @role applies, as a sentence into @buf. */
const char *tfa_appview_advice_text(const TfaConnRecord *rec, TfaRole role, const TfaAppSide *s,
                                    unsigned i, char *buf, size_t len);

/* The whole line for @role ("connect() returned ...; read() returned 0 ...;
 * advice: ..."), without the role or a newline, into @out; nothing when
 * the view has no event and no advice for it. */
void tfa_appview_line(const TfaConnRecord *rec, const TfaAppView *view, TfaRole role,
                      GString *out);
