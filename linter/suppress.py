"""Inline suppressions: `-- flylint: ignore[rule-id] reason` comments in migrations.

Forms (the comment may be `-- ...`, `/* ... */`, or `# ...` on MySQL/MariaDB):

    DROP TABLE t; -- flylint: ignore[drop-table] replaced by t2 in v3.1
        suppresses those rules' findings whose span starts on the comment's line;
    -- flylint: ignore[drop-table, flyway] replaced by t2 in v3.1
        on a line of its own: suppresses them on the next statement (every finding whose span
        starts on one of its lines; a comment inside a statement covers that statement);
    -- flylint: ignore-file[drop-table] this file only recreates fixtures
        anywhere: suppresses them in the whole file.

A rule id may be a prefix such as `flyway` (for `flyway-*`), as in --select; wildcards are refused.
The directive must open the comment (`flylint` right after `--`, `#` or `/*`, whitespace allowed,
`flylint:` case-insensitive); only the first directive of a comment is read. A suppression
without a reason (text after the `]`) suppresses nothing, so a forgotten reason never hides a
finding; it is reported, like one naming an unknown rule or matching no finding, as a
`flylint-suppression` finding, which itself can never be suppressed.

Comments are found by a small scanner that steps over quoted text ('...', "...", PostgreSQL E'...'
and $tag$...$tag$, MySQL backticks and backslash escapes, PostgreSQL COPY ... FROM STDIN data) the
way the splitter does, jumping from one character that may start something to the next: linear in
the text, and it never raises.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass

from flylint.model import Finding, Span
from flylint.sql.splitter import block_comment_end
from flylint.text import LineIndex

__all__ = [
    "SUPPRESSION_RULE",
    "Suppression",
    "apply_suppressions",
    "find_suppressions",
]

SUPPRESSION_RULE = "flylint-suppression"

MSG_NO_REASON = (
    "suppression without a reason: write why after the bracket, e.g. "
    "`-- flylint: ignore[drop-column] column unused since v3.2`"
)
MSG_UNUSED = "this suppression matches no finding: remove it"
MSG_NO_RULE = "ignore[] with no rule: name the rule(s) to suppress, e.g. `ignore[drop-column]`"
MSG_WILDCARD = (
    "wildcards are not allowed in suppressions: name the rule, or a prefix such as 'flyway'"
)
MSG_EMPTY_ID = "empty rule id in a suppression: separate rule ids with single commas"
MSG_SPACE_IN_ID = "rule ids in a suppression are separated by commas: `ignore[rule-a, rule-b]`"
MSG_UNCLOSED = "unclosed '[' in suppression: write `flylint: ignore[rule-id] reason`"
MSG_NO_BRACKET = "expected '[rule-id]' after 'ignore': write `flylint: ignore[rule-id] reason`"
MSG_UNKNOWN_DIRECTIVE = (
    "unknown flylint directive: write `flylint: ignore[rule-id] reason` or "
    "`flylint: ignore-file[rule-id] reason`"
)
MSG_NO_STATEMENT = (
    "this suppression has no statement after it: put it on, or on the line above, the statement "
    "it is for"
)
MSG_SELF = f"'{SUPPRESSION_RULE}' findings cannot be suppressed"


def msg_unknown(rule_id: str) -> str:
    return f"unknown rule '{rule_id}' in suppression"


@dataclass(frozen=True, slots=True)
class Suppression:
    rules: tuple[str, ...]  # rule ids or prefixes, as written
    reason: str  # whitespace-normalised text after the ']' ("" when missing)
    file_wide: bool
    span: Span  # the comment
    applies_to: tuple[int, int] | None  # (first_line, last_line) it covers; None for file-wide


# --------------------------------------------------------------------------------------------
# The scanner

_LINE_REST = re.compile(r"[^\n\r]*")

# Where something may start. Each branch is led by a literal or a class so runs of plain text
# are skipped at C speed.
_NEXT_PG = re.compile(r"""'|"|--|/\*|\$(?<![\w$]\$)(?=(?:[^\W\d]\w*)?\$)|[Ee](?<![\w$][Ee])(?=')""")
_NEXT_MY = re.compile(r"""'|"|`|--|/\*|\#""")

# Closed quoted tokens from the opening quote (the splitter's expressions); None: unterminated.
# The closing quote must not be followed by another quote, so a failed match cannot fall back to
# a shorter token, and every repetition is deterministic, so a failure costs linear time.
_SQ_STD = re.compile(r"'[^']*(?:''[^']*)*'(?!')")
_DQ_STD = re.compile(r'"[^"]*(?:""[^"]*)*"(?!")')
_BT = re.compile(r"`[^`]*(?:``[^`]*)*`(?!`)")
_SQ_BS = re.compile(r"'[^'\\]*(?:(?:\\[\s\S]|'')[^'\\]*)*'(?!')")
_DQ_BS = re.compile(r'"[^"\\]*(?:(?:\\[\s\S]|"")[^"\\]*)*"(?!")')
_E_STR = re.compile(r"[Ee]'[^'\\]*(?:(?:\\[\s\S]|'')[^'\\]*)*'(?!')")
_DOLLAR_TAG = re.compile(r"\$(?:[^\W\d]\w*)?\$")
# MySQL/MariaDB executable comments are code, not comments
_MY_EXECUTABLE = re.compile(r"/\*M?!\d*")
# PostgreSQL COPY ... FROM STDIN: inline data follows the statement up to a line with only \.
_COPY_STDIN = re.compile(r"\s*COPY\b[^;]*?\bFROM\s+STDIN\b", re.IGNORECASE)
_COPY_END = re.compile(r"(?m)^[\x00-\x09\x0b-\x20]*\\\.[\x00-\x09\x0b-\x20]*(?:\n|\Z)")

# The directive, matched at the start of a comment's body.
_DIRECTIVE = re.compile(r"\s*flylint\s*:", re.IGNORECASE)
_KIND = re.compile(r"\s*(ignore-file|ignore)(?![\w-])\s*", re.IGNORECASE)
_WS = re.compile(r"\s+")
_NONWS = re.compile(r"\S")


def _comments(
    text: str, dialect: str, skips: list[tuple[int, int]]
) -> list[tuple[int, int, int, int]]:
    """Every real comment as (start, end, body_start, body_end) offsets, in order.

    `skips` are sorted, disjoint (start, end) ranges that are not SQL (COPY data).
    """
    pg = dialect == "postgres"
    find_next = (_NEXT_PG if pg else _NEXT_MY).search
    sq = _SQ_STD if pg else _SQ_BS
    dq = _DQ_STD if pg else _DQ_BS
    n = len(text)
    out: list[tuple[int, int, int, int]] = []
    skip_i = 0
    p = 0
    while p < n:
        # the region up to the next COPY data block
        while skip_i < len(skips) and skips[skip_i][1] <= p:
            skip_i += 1
        limit = n
        if skip_i < len(skips):
            if skips[skip_i][0] <= p:
                p = skips[skip_i][1]
                continue
            limit = skips[skip_i][0]
        m = find_next(text, p, limit)
        if m is None:
            p = limit
            continue
        s = m.start()
        c = text[s]
        if c == "-" or c == "#":
            e = _LINE_REST.match(text, s).end()
            out.append((s, e, s + (2 if c == "-" else 1), e))
            p = e
        elif c == "/":
            if not pg:
                x = _MY_EXECUTABLE.match(text, s)
                if x is not None:
                    p = x.end()
                    continue
            e = block_comment_end(text, s, pg)
            if e < 0:  # unterminated: the rest of the text is a comment
                out.append((s, n, s + 2, n))
                p = n
            else:
                out.append((s, e, s + 2, e - 2))
                p = e
        elif c == "$":
            tag = _DOLLAR_TAG.match(text, s)
            if tag is None:  # cannot happen (the lookahead checked it); step over the '$'
                p = s + 1
                continue
            close = text.find(tag.group(), tag.end())
            p = n if close < 0 else close + len(tag.group())
        else:
            rx = {"'": sq, '"': dq, "`": _BT}.get(c, _E_STR)
            q = rx.match(text, s)
            p = n if q is None else q.end()  # unterminated: quoted to the end
    return out


def _copy_data(text: str, lines: LineIndex, spans: list[Span]) -> list[tuple[int, int]]:
    """PostgreSQL COPY ... FROM STDIN inline data ranges (from the line after the statement)."""
    out: list[tuple[int, int]] = []
    for sp in spans:
        start = lines.offset(sp.line, sp.column)
        end = lines.offset(sp.end_line, sp.end_column) + 1
        if end <= start or not text.startswith(("C", "c"), start):
            continue
        if _COPY_STDIN.match(text, start, end) is None:
            continue
        data = lines.next_line_start(end)
        if out and data < out[-1][1]:
            continue
        m = _COPY_END.search(text, data)
        out.append((data, m.end() if m is not None else len(text)))
    return out


def find_suppressions(
    text: str, dialect: str, statement_spans: Sequence[Span]
) -> tuple[list[Suppression], list[tuple[Span, str]]]:
    """The suppressions written in a migration, and the malformed ones as (span, message).

    `text` is the original file text (the one findings' spans refer to); `statement_spans` are
    its statements' spans (Statement.span), used to find the statement a suppression on a line of
    its own applies to.
    """
    lines = LineIndex(text)
    spans = sorted(statement_spans, key=lambda s: (s.line, s.column))
    ends = [(s.end_line, s.end_column) for s in spans]
    # keep `ends` ascending so it can be bisected even if the spans overlap oddly
    for i in range(1, len(ends)):
        if ends[i] < ends[i - 1]:
            ends[i] = ends[i - 1]
    skips = _copy_data(text, lines, spans) if dialect == "postgres" else []

    first_code_memo: dict[int, int] = {}

    def first_code(line: int) -> int:
        """Offset of the first non-whitespace character of a line (memoised: linear overall)."""
        if line not in first_code_memo:
            m = _NONWS.search(text, lines.offset(line, 1))
            first_code_memo[line] = m.start() if m is not None else len(text)
        return first_code_memo[line]

    found: list[Suppression] = []
    problems: list[tuple[Span, str]] = []
    for start, end, body_start, body_end in _comments(text, dialect, skips):
        d = _DIRECTIVE.match(text, body_start, body_end)
        if d is None:
            continue
        trimmed = end
        while trimmed > start + 1 and text[trimmed - 1].isspace():
            trimmed -= 1
        span = lines.span(start, trimmed)
        parsed = _parse(text, d.end(), body_end)
        if isinstance(parsed, str):
            problems.append((span, parsed))
            continue
        file_wide, rules, reason = parsed
        if file_wide:
            applies_to = None
        else:
            own_line = first_code(span.line) >= start
            if not own_line:
                applies_to = (span.line, span.line)
            else:
                # the first statement ending after the comment contains or follows it
                i = bisect_right(ends, (span.end_line, span.end_column))
                if i >= len(spans):
                    problems.append((span, MSG_NO_STATEMENT))
                    continue
                applies_to = (spans[i].line, spans[i].end_line)
        found.append(Suppression(rules, reason, file_wide, span, applies_to))
    return found, problems


def _parse(text: str, p: int, end: int) -> tuple[bool, tuple[str, ...], str] | str:
    """Parse `ignore[...] reason` in text[p:end]: (file_wide, rules, reason), or a problem."""
    k = _KIND.match(text, p, end)
    if k is None:
        return MSG_UNKNOWN_DIRECTIVE
    file_wide = k.group(1).lower() == "ignore-file"
    p = k.end()
    if p >= end or text[p] != "[":
        return MSG_NO_BRACKET
    close = text.find("]", p + 1, end)
    if close < 0:
        return MSG_UNCLOSED
    inside = text[p + 1 : close]
    if not inside.strip():
        return MSG_NO_RULE
    rules = []
    for part in inside.split(","):
        rid = part.strip()
        if "*" in rid:
            return MSG_WILDCARD
        if not rid:
            return MSG_EMPTY_ID
        if _WS.search(rid):
            return MSG_SPACE_IN_ID
        rules.append(rid)
    reason = " ".join(text[close + 1 : end].split())
    return file_wide, tuple(dict.fromkeys(rules)), reason


# --------------------------------------------------------------------------------------------
# Applying them


def _matches(pattern: str, rule_id: str) -> bool:
    """The --select rule: an exact id, or a prefix followed by '-' in the id."""
    return rule_id == pattern or rule_id.startswith(pattern.rstrip("-") + "-")


@dataclass
class _Active:
    path: str
    sup: Suppression
    patterns: tuple[str, ...]  # the known rule ids / prefixes it names
    used: bool = False


def apply_suppressions(
    findings: Sequence[Finding],
    by_path: Mapping[str, tuple[list[Suppression], list[tuple[Span, str]]]],
    known_rules: Collection[str],
    make_finding: Callable[[str, Span, str], Finding],
    ran: Collection[str] | None = None,
) -> tuple[list[Finding], int]:
    """Drop suppressed findings; report bad and unused suppressions.

    `by_path` maps a display path (Finding.path) to find_suppressions()'s result for that file.
    Returns the findings kept (in their order) followed by the `flylint-suppression` findings
    (by path, then position), and how many findings were suppressed. A suppression is used when
    it matched at least one finding; `flylint-suppression` findings are never suppressed. With
    `ran` (the ids of the rules that ran), a suppression naming only rules that did not run is not
    reported as unused.
    """
    known = [r for r in dict.fromkeys(known_rules) if r != SUPPRESSION_RULE]
    reports: list[tuple[str, Span, str]] = []

    # per path: file-wide suppressions, and line -> suppressions whose range covers that line
    tables: dict[str, tuple[list[_Active], dict[int, list[_Active]]]] = {}
    actives: list[_Active] = []
    for path, (sups, problems) in by_path.items():
        for span, message in problems:
            reports.append((path, span, message))
        file_wide: list[_Active] = []
        ranges: dict[tuple[int, int], list[_Active]] = {}
        for sup in sups:
            patterns = []
            for pattern in sup.rules:
                if any(_matches(pattern, rid) for rid in known):
                    patterns.append(pattern)
                elif _matches(pattern, SUPPRESSION_RULE):
                    reports.append((path, sup.span, MSG_SELF))
                else:
                    reports.append((path, sup.span, msg_unknown(pattern)))
            if not sup.reason:
                reports.append((path, sup.span, MSG_NO_REASON))
                continue  # a suppression without a reason suppresses nothing
            if not patterns:
                continue  # already reported: every rule it names is unknown
            act = _Active(path, sup, tuple(patterns))
            actives.append(act)
            if sup.file_wide or sup.applies_to is None:
                file_wide.append(act)
            else:
                ranges.setdefault(sup.applies_to, []).append(act)
        by_line: dict[int, list[_Active]] = {}
        for (first, last), acts in ranges.items():  # each distinct range is expanded once
            for line in range(first, last + 1):
                by_line.setdefault(line, []).extend(acts)
        tables[path] = (file_wide, by_line)

    kept: list[Finding] = []
    suppressed = 0
    for f in findings:
        table = tables.get(f.path)
        if table is None or f.rule == SUPPRESSION_RULE:
            kept.append(f)
            continue
        file_wide, by_line = table
        hit = False
        for act in (*file_wide, *by_line.get(f.span.line, ())):
            if any(_matches(p, f.rule) for p in act.patterns):
                act.used = True
                hit = True
        if hit:
            suppressed += 1
        else:
            kept.append(f)

    for act in actives:
        if not act.used and (ran is None or any(_matches(p, rid) for p in act.patterns for rid in ran)):
            reports.append((act.path, act.sup.span, MSG_UNUSED))

    order = {path: i for i, path in enumerate(by_path)}
    reports.sort(key=lambda r: (order[r[0]], r[1].line, r[1].column))
    return kept + [make_finding(path, span, message) for path, span, message in reports], suppressed

