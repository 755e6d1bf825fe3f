/* html-private.h - what html.c (the page) and html-svg.c (its graphs)
 * share.  Ids in the page: "conn-ID" is a connection's section,
 * "cID-aI" the mark of its kept anomaly I (index in conn->anomalies) on a
 * time-sequence graph, "cID-lI" that anomaly's entry in the list. */
#pragma once

#include "report-private.h"

/* Okabe-Ito colours (distinguishable with every common colour-vision
 * deficiency, and in grey when printed: shapes and dashes differ too) */
#define TFA_HTML_BLUE "#0072B2"
#define TFA_HTML_VERMILLION "#D55E00"
#define TFA_HTML_ORANGE "#E69F00"
#define TFA_HTML_GREEN "#009E73"
#define TFA_HTML_SKY "#56B4E9"
#define TFA_HTML_PURPLE "#CC79A7"
#define TFA_HTML_YELLOW "#F0E442"
#define TFA_HTML_GREY "#999999"

/* The one escaping function: @s as HTML text or a quoted attribute value
 * (& < > " ' replaced; control characters but tab and newline dropped). */
void tfa_html_escape(GString *buf, const char *s);

/* printf, then escaped. */
void tfa_html_escapef(GString *buf, const char *fmt, ...) G_GNUC_PRINTF(2, 3);

/* Which graph an anomaly is marked on: the sender of its frame's segment
 * when that segment was kept, else the side it names (the client for
 * both). */
uint8_t tfa_html_anomaly_side(const TfaConnRecord *rec, const TfaAnomaly *a);

/* The time-sequence graph of what @sender sent (an <svg> element). */
void tfa_html_svg_tsg(GString *buf, const TfaConnRecord *rec, uint8_t sender);

/* Two small graphs of what @sender sent, against the same time axis: its
 * bytes in flight (highest sequence number sent minus the peer's latest
 * ACK, after each segment of either side) and the round trips of its data
 * (a segment to the first ACK covering it, capture point -> peer ->
 * capture point including the peer's ACK delay; none across a
 * retransmission, Karn), from the segments kept. */
void tfa_html_svg_flight_rtt(GString *buf, const TfaConnRecord *rec, uint8_t sender);

/* The ladder diagram (an <svg> element), at most TFA_HTML_LADDER_ROWS rows. */
void tfa_html_svg_ladder(GString *buf, const TfaConnRecord *rec);

/* The legend of the graphs (an <svg> element). */
void tfa_html_svg_legend(GString *buf);

/* Seconds as text with microseconds: "+1.234567". */
void tfa_html_rel_time(char *out, size_t len, TfaDuration d);
