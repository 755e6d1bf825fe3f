#!/bin/sh
# Every name the program writes has its entry in the manual pages, matched as
# a whole word (SEQ_RETRANSMISSION is not found inside
# SEQ_RETRANSMISSION_DATA_DIFFERS, nor inside the CSV column
# n_SEQ_RETRANSMISSION):
#  - each anomaly code of --list-codes heads an entry of its own in
#    tcpflow-audit-records(5) ANOMALY CODES, `.BR CODE " (severity)"`, with
#    the severity --list-codes gives it; and that section has no entry for a
#    code the program does not know;
#  - each diagnostic counter of --list-codes heads an entry (`.B NAME`) in
#    tcpflow-audit(1) DIAGNOSTICS;
#  - each RST cause of codes.h TFA_RST_CAUSE_LIST heads an entry in
#    tcpflow-audit-records(5) RST CAUSES, and each finding of
#    TFA_FINDING_LIST one in FINDINGS;
#  - every other value a record field takes from an X-macro list (originator,
#    handshake outcome, close kind, ..., Zeek conn_state, the application
#    view's calls, results, stories and advice) is named in
#    tcpflow-audit-records(5).
srcdir=${TFA_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
bin=${TFA_BIN:-./tcpflow-audit}
records5="$srcdir/man/tcpflow-audit-records.5"
tool1="$srcdir/man/tcpflow-audit.1"
codes_h="$srcdir/include/tcpflow-audit/codes.h"
n=0
ok() {
    n=$((n + 1))
    echo "ok $n - $1"
}
fail() {
    n=$((n + 1))
    echo "not ok $n - $1"
}

# section FILE TITLE: the lines of one .SH section, font escapes removed
section() {
    awk -v t=".SH $2" '$0 == t {on = 1; next} /^\.SH / {on = 0} on' "$1" |
        sed 's/\\f[BIRP]//g; s/\\f([A-Z][A-Z]//g'
}
# heads NAME: is NAME, as a whole word, the first argument of a .B or .BR
# line (an entry's head) on standard input?
heads() {
    grep -Eq "^\.BR? \"?$1([^A-Za-z0-9_]|\$)"
}
# mentions NAME: is NAME on standard input as a whole word?
mentions() {
    grep -Eq "(^|[^A-Za-z0-9_])$1([^A-Za-z0-9_]|\$)"
}
# xlist LIST [HEADER]: "NAME text" for each X(NAME, "text", ...) of an X-macro
# list (of codes.h unless HEADER is given), one a line; "NAME" alone for a
# list of X(NAME) entries
xlist() {
    awk -v l="#define $1(X)" 'index($0, l) == 1 {on = 1; next} on && !/\\$/ {print; on = 0} on' \
        "${2:-$codes_h}" | sed 's|/\*.*\*/||' | grep -o 'X([A-Z_0-9]*\(, *"[^"]*"\)\{0,1\}' |
        sed 's/^X(\([A-Z_0-9]*\)\(, *"\([^"]*\)"\)\{0,1\}$/\1 \3/; s/ $//'
}

# the matching itself, so that this test cannot pass by matching anything
if ! printf 'SEQ_RETRANSMISSION_DATA_DIFFERS and n_SEQ_RETRANSMISSION\n' |
        mentions SEQ_RETRANSMISSION &&
   printf 'as \\fBSEQ_RETRANSMISSION\\fR.\n' | sed 's/\\f[BIRP]//g' | mentions SEQ_RETRANSMISSION &&
   printf '.BR SEQ_RETRANSMISSION " (notice)"\n' | heads SEQ_RETRANSMISSION &&
   ! printf '.BR SEQ_RETRANSMISSION_DATA_DIFFERS " (error)"\n' | heads SEQ_RETRANSMISSION; then
    ok "self-test: whole words only, with or without font escapes"
else
    fail "self-test: the word matching finds a code inside a longer one, or misses it in \\fB...\\fR"
fi

listing=$("$bin" --list-codes) || listing=""
codes=$(printf '%s\n' "$listing" | awk 'NF >= 2 && $2 != "counter" {print $1 ":" $2}')
counters=$(printf '%s\n' "$listing" | awk 'NF >= 2 && $2 == "counter" {print $1}')
if [ -n "$codes" ] && [ -n "$counters" ]; then
    ok "$bin --list-codes lists anomaly codes and counters"
else
    fail "$bin --list-codes lists no anomaly code or no counter"
fi

anomaly_codes=$(section "$records5" "ANOMALY CODES")
missing=""
for cs in $codes; do
    code=${cs%%:*}
    sev=${cs#*:}
    printf '%s\n' "$anomaly_codes" | grep -Eq "^\.BR $code \" \($sev\)\"\$" || missing="$missing $code($sev)"
done
if [ -z "$missing" ]; then
    ok "every anomaly code heads its entry, with its severity, in tcpflow-audit-records.5 ANOMALY CODES"
else
    fail "anomaly codes without an entry '.BR CODE \" (severity)\"' in tcpflow-audit-records.5:$missing"
fi

unknown=""
for code in $(printf '%s\n' "$anomaly_codes" |
              sed -n 's/^\.BR \([A-Z][A-Z0-9_]*\) " (\(info\|notice\|warning\|error\))"$/\1/p'); do
    printf '%s\n' "$codes" | grep -q "^$code:" || unknown="$unknown $code"
done
if [ -z "$unknown" ]; then
    ok "tcpflow-audit-records.5 ANOMALY CODES has no entry for a code the program does not know"
else
    fail "tcpflow-audit-records.5 ANOMALY CODES documents codes the program does not know:$unknown"
fi

diagnostics=$(section "$tool1" "DIAGNOSTICS")
missing=""
for name in $counters; do
    printf '%s\n' "$diagnostics" | heads "$name" || missing="$missing $name"
done
if [ -z "$missing" ]; then
    ok "every diagnostic counter heads its entry in tcpflow-audit.1 DIAGNOSTICS"
else
    fail "diagnostic counters without an entry in tcpflow-audit.1 DIAGNOSTICS:$missing"
fi

causes=$(xlist TFA_RST_CAUSE_LIST | awk '{print $2}')
rst_causes=$(section "$records5" "RST CAUSES")
missing=""
for cause in $causes; do
    printf '%s\n' "$rst_causes" | heads "$cause" || missing="$missing $cause"
done
if [ -n "$causes" ] && [ -z "$missing" ]; then
    ok "every RST cause of codes.h heads an entry in tcpflow-audit-records.5 RST CAUSES"
else
    fail "RST causes without an entry in tcpflow-audit-records.5 RST CAUSES:${missing:- (none read from codes.h)}"
fi

findings=$(xlist TFA_FINDING_LIST | awk '{print $1}')
finding_sec=$(section "$records5" "FINDINGS")
missing=""
for f in $findings; do
    printf '%s\n' "$finding_sec" | heads "$f" || missing="$missing $f"
done
if [ -n "$findings" ] && [ -z "$missing" ]; then
    ok "every finding of codes.h heads an entry in tcpflow-audit-records.5 FINDINGS"
else
    fail "findings without an entry in tcpflow-audit-records.5 FINDINGS:${missing:- (none read from codes.h)}"
fi

# the record fields' other vocabularies: named somewhere in records(5)
plain=$(sed 's/\\f[BIRP]//g; s/\\f([A-Z][A-Z]//g; s/\\-/-/g' "$records5")
inc="$srcdir/include/tcpflow-audit"
missing=$(for l in TFA_ORIGINATOR_LIST TFA_HANDSHAKE_LIST TFA_CLOSE_LIST TFA_INITIATOR_LIST \
                   TFA_END_LIST TFA_EVIDENCE_LIST TFA_RST_ACCEPT_LIST TFA_VERDICT_LIST \
                   TFA_VANTAGE_LIST TFA_ZEEK_STATE_LIST:zeek.h TFA_APP_CALL_LIST:appview.h \
                   TFA_APP_RESULT_LIST:appview.h TFA_APP_WHY_LIST:appview.h \
                   TFA_APP_ADVICE_LIST:appview.h; do
    h=codes.h
    case $l in *:*) h=${l#*:}; l=${l%%:*};; esac
    entries=$(xlist "$l" "$inc/$h")
    [ -n "$entries" ] || { printf ' %s(empty)' "$l"; continue; }
    printf '%s\n' "$entries" | while read -r name text; do
        [ -n "$text" ] || text=$name
        printf '%s\n' "$plain" | grep -Fqw -- "$text" || printf ' %s:"%s"' "$l" "$text"
    done
done)
if [ -z "$missing" ]; then
    ok "every value of the records' other X-macro vocabularies is named in tcpflow-audit-records.5"
else
    fail "values not named in tcpflow-audit-records.5:$missing"
fi

echo "1..$n"
