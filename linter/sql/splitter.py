"""Split a migration script into statements the way Flyway does.

Flyway does not send a script to the database in one piece: its own tokenizer (``Parser`` plus one
subclass per database) cuts the text at the delimiter and decides, statement by statement, whether
the statement may run inside a transaction. flylint must see exactly the statements Flyway will run,
so this module re-implements those rules (PostgreSQL, MySQL and MariaDB only) in linear time.

What a statement is
    A delimiter (``;`` or, for MySQL, the value of the last ``DELIMITER`` line) ends a statement
    only outside quotes and comments, at parenthesis depth 0 and outside blocks. Statements made
    only of comments and whitespace are dropped. Every character of the text belongs to exactly
    one segment: a statement's segment runs from the end of the previous segment to just past its
    delimiter (for ``COPY ... FROM STDIN``: to the end of the inline data); what is left after the
    last statement is the tail (whitespace, comments, ``DELIMITER`` lines).

Tokens (all dialects)
    ``'...'`` strings, ``"..."``, ``--`` line comments (no space needed, as in Flyway), ``/* */``.

PostgreSQL
    ``''`` escapes only in plain strings; ``E'...'``/``e'...'`` with backslash escapes; ``"..."``
    identifiers; nested ``/* /* */ */`` comments; dollar quotes ``$$...$$``/``$tag$...$tag$``
    (a ``$`` glued to an identifier is part of it and ``$1`` is a parameter, not a quote);
    ``BEGIN ATOMIC ... END`` blocks in which ``CASE ... END`` nests; ``COPY ... FROM STDIN;``
    followed by inline data up to a ``\\.`` line; Flyway's list of statements that cannot run in
    a transaction.

MySQL / MariaDB
    Backslash escapes in ``'...'`` and ``"..."`` strings; backticked identifiers; ``#`` comments
    (unless the delimiter starts there); ``/*!NNNNN ... */`` is code, not a comment; ``DELIMITER x``
    lines; ``BEGIN ... END`` blocks in stored programs Flyway recognises, ``CASE ... END`` blocks in
    every statement, MariaDB ``BEGIN NOT ATOMIC ... END``. Where Flyway mis-splits a stored program
    (one its regular expression does not recognise, or MariaDB's ``BEGIN NOT ATOMIC`` block once it
    meets an inner ``END IF``), flylint splits the same way and puts a note on the first piece.

Statement classification uses Flyway's "simplified statement": the upper-cased keywords (words made
only of ASCII letters and ``_`` that are not part of a dotted name) found at parenthesis depth 0,
up to the first 10 of them. Flyway's regular expressions must match a prefix of that sequence.

Deliberate differences from Flyway (each makes flylint report a problem instead of diverging
silently): ``$1`` is not a dollar quote; lower-case ``e'...'`` has backslash escapes; a stray ``)``
does not drive the parenthesis depth negative; ``DELIMITER`` is a directive only as the first word
of a statement or at the start of a line and needs its argument on the same line; nested ``CASE``
inside ``BEGIN ATOMIC`` nests; unterminated constructs are reported rather than hanging or failing.

The splitter never raises for any text and never recurses; the scanning expressions jump from one
character that may start something to the next, so the cost is linear in the text. Most statements
take a fast path instead: one regular expression matches a statement made only of plain code,
quotes and shallow brackets up to its ';', and a second collects its keywords
(`_Splitter.simple_statement`); anything unusual falls back to the scan, which gives the same
result.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

__all__ = ["DIALECTS", "RawStatement", "SplitResult", "split"]

DIALECTS = ("postgres", "mysql", "mariadb")


@dataclass(frozen=True)  # no slots: pickles (cache) twice as fast
class RawStatement:
    """One statement as Flyway would send it, located by offsets into the split text."""

    start: int  # first character of the statement's code (leading whitespace/comments excluded)
    end: int  # just past its last code character (trailing comments and the delimiter excluded)
    seg_start: int  # this statement's segment: from the end of the previous segment (or 0) ...
    seg_end: int  # ... to just past its delimiter (or COPY data, or the end of the text)
    transactional: bool  # whether Flyway would run it inside a transaction
    delimiter: str  # the delimiter in force when it ended
    max_depth: int  # deepest nesting of parentheses plus open BEGIN/CASE blocks inside it
    error: str | None = None  # an unterminated construct or incomplete statement
    error_offset: int | None = None  # where the offending construct starts
    note: str | None = None  # a Flyway pitfall seen while splitting
    copy_data: tuple[int, int] | None = None  # PostgreSQL COPY ... FROM STDIN inline data


@dataclass(frozen=True, slots=True)
class SplitResult:
    """The statements of a script, in order, plus where the trailing non-statement text starts."""

    statements: tuple[RawStatement, ...]
    tail_start: int  # the tail (whitespace/comments/DELIMITER lines) is text[tail_start:]
    # An unterminated /* comment that swallows the rest of the file (so Flyway runs nothing
    # from there on) leaves no statement to carry the error; it is reported here.
    tail_error: str | None = None
    tail_error_offset: int | None = None


# --------------------------------------------------------------------------------------------
# Shared tables and expressions

_CUTOFF = 10  # Flyway's getTransactionalDetectionCutoff(): keywords examined per statement
_DELIM_PREFIX = 16  # longer delimiters are found with str.find rather than compared in place
_JAVA_TRIM = "".join(map(chr, range(33)))  # String.trim() strips every char <= U+0020

_NONWS = re.compile(r"\S")
_WS = re.compile(r"\s*")
_HSPACE = re.compile(r"[ \t]*")
_LINE_REST = re.compile(r"[^\n\r]*")
_WORD = re.compile(r"[\w$]*")
_KW_FULL = re.compile(r"[A-Za-z_]+")
# every keyword (see _Patterns.kw) in a stretch of text, found at C speed
_KW_FIND = re.compile(r"(?<![\w$.])[A-Za-z_]+(?![\w$.])")

# Closed quoted tokens, matched from the opening quote. The closing quote must not be followed by
# another quote, so a failed match cannot fall back to a shorter, wrong token: None means
# unterminated. Every repetition is deterministic, so a failure costs linear time.
_SQ_STD = re.compile(r"'[^']*(?:''[^']*)*'(?!')")
_DQ_STD = re.compile(r'"[^"]*(?:""[^"]*)*"(?!")')
_BT = re.compile(r"`[^`]*(?:``[^`]*)*`(?!`)")
_SQ_BS = re.compile(r"'[^'\\]*(?:(?:\\[\s\S]|'')[^'\\]*)*'(?!')")
_DQ_BS = re.compile(r'"[^"\\]*(?:(?:\\[\s\S]|"")[^"\\]*)*"(?!")')
_E_STR = re.compile(r"[Ee]'[^'\\]*(?:(?:\\[\s\S]|'')[^'\\]*)*'(?!')")

_DOLLAR_TAG = re.compile(r"\$(?:[^\W\d]\w*)?\$")
_PG_COMMENT_MARK = re.compile(r"/\*|\*/")
_MY_DIRECTIVE = re.compile(r"/\*!\d{5}")
# The line that ends COPY data: only "\." once String.trim() has removed chars <= U+0020.
_COPY_END = re.compile(r"(?m)^[\x00-\x09\x0b-\x20]*\\\.[\x00-\x09\x0b-\x20]*(?:\n|\Z)")

# Flyway's PostgreSQL classification. Flyway tests `matches()` against every prefix of the keyword
# sequence; matching the whole (<= 10 keyword) sequence up to a keyword boundary is equivalent.
_PG_NON_TX = re.compile(
    r"(?:(?:CREATE|DROP) (?:DATABASE|TABLESPACE|SUBSCRIPTION)"
    r"|ALTER SYSTEM"
    r"|(?:CREATE|DROP)(?: UNIQUE)? INDEX CONCURRENTLY"
    r"|REINDEX(?: VERBOSE)? (?:SCHEMA|DATABASE|SYSTEM)"
    r"|VACUUM"
    r"|DISCARD ALL)(?: |\Z)"
)
_PG_ALTER_TYPE_ADD_VALUE = re.compile(r"ALTER TYPE(?: .*)? ADD VALUE(?: |\Z)")
_PG_COPY_STDIN = re.compile(r"COPY(?: .*)? FROM STDIN(?: |\Z)")
# first keywords of every statement the expressions above can match (saves work on the rest)
_PG_CLASSIFIED_FIRST = frozenset(
    {"CREATE", "DROP", "ALTER", "REINDEX", "VACUUM", "DISCARD", "COPY"}
)

# Flyway's MySQL stored-program test, applied (like Flyway) each time a keyword is added.
_MY_STORED_PROGRAM = re.compile(
    r"CREATE\s(((DEFINER\s(\w+\s)?@\s(\w+\s)?)?(PROCEDURE|FUNCTION|EVENT))|TRIGGER)", re.IGNORECASE
)
# What a stored-program definition looks like, whether or not Flyway recognises it.
_MY_STORED_PROGRAM_LIKE = re.compile(
    r"CREATE(?: OR REPLACE)?(?: DEFINER(?: [A-Z_@]+)*?)?(?: AGGREGATE)?"
    r" (?:PROCEDURE|FUNCTION|EVENT|TRIGGER)"
)
_MARIA_BEGIN_NOT_ATOMIC = re.compile(r"BEGIN\sNOT\sATOMIC\s.*END", re.IGNORECASE)
_MY_NOT_CLOSED_BY_END = frozenset({"IF", "LOOP", "REPEAT", "WHILE"})
_BLOCK_WORDS = frozenset({"BEGIN", "CASE", "END", "NOT"})
# the first keyword of every statement that detect_type() can recognise
_MY_TYPED_FIRST = frozenset({"CREATE", "BEGIN"})

# Per dialect: the keywords that the head of a statement must handle one by one (block words,
# B'..', X'..', U&'..' prefixes, MySQL DELIMITER); and the keywords at bracket depth 0 that make
# the fast path (_Splitter.simple_statement) leave a statement to the ordinary scan (block words
# that can open or close a block, and the head's special cases).
_SPECIAL = {
    "postgres": (
        frozenset({"BEGIN", "CASE", "END", "B", "X", "U"}),
        frozenset({"BEGIN"}),
    ),
    "mysql": (
        frozenset({"BEGIN", "CASE", "END", "B", "X", "U", "DELIMITER"}),
        frozenset({"BEGIN", "CASE", "END", "DELIMITER"}),
    ),
    "mariadb": (
        frozenset({"BEGIN", "CASE", "END", "B", "X", "U", "DELIMITER", "NOT"}),
        # NOT opens a block only when the next word is ATOMIC (with no comment in between here)
        frozenset({"BEGIN", "CASE", "END", "DELIMITER", "ATOMIC"}),
    ),
}

_NOTE_UNSEEN_BODY = (
    "Flyway does not see a stored-program body here and splits it at the first ';' inside "
    "BEGIN ... END; put it between DELIMITER lines"
)
_NOTE_EARLY_END = (
    "Flyway closes this BEGIN NOT ATOMIC block at an inner END (END IF, END LOOP, ...) and splits "
    "it early; put it between DELIMITER lines"
)
_ERR_COPY_DATA = "unterminated COPY data: no line with only \\. before the end of the text"
_ERR_DELIMITER_INSIDE = (
    "DELIMITER line inside a statement (Flyway fails with 'Delimiter changed inside statement')"
)


_new = object.__new__


def _pg_major(version: int | None) -> int | None:
    if version is None:
        return None
    if version >= 10000:  # server_version_num, e.g. 120005 or 90624
        return version // 10000
    return version


class _Patterns:
    """The scanning expressions for one dialect and kind of delimiter.

    Each scanning expression finds the next character where something may start; the match is
    that one character (lookarounds reject obvious non-starts) and the caller dispatches on it.
    Keeping every branch led by a literal or a character class lets the regex engine skip
    uninteresting runs at C speed. The delimiter enters only through its first character (the
    caller checks the rest), so the expressions are shared by all delimiters alike and a script
    with many DELIMITER lines does not compile many expressions.
    """

    __slots__ = ("head", "body", "inner", "kw", "gap")

    def __init__(self, pg: bool, maria: bool, first: str, glued: bool) -> None:
        # A keyword: ASCII letters and '_' not glued to more word characters or a following '.'.
        self.kw = re.compile(r"[A-Za-z_]+(?![\w$.])")

        common = ["'", '"', r"\(", r"\)", "-(?=-)", r"/(?=\*)"]
        if pg:
            common.append(r"\$(?<![\w$]\$)(?=(?:[^\W\d]\w*)?\$)")
        else:
            common += [
                "`",
                "#",
                r"[\n\r](?=[ \t]*(?i:DELIMITER)(?![\w$])[^\n\r]*?[^\x00-\x20])",
            ]
        # first: "" when the delimiter can never match, "\x80" for any non-ASCII first character
        if not first:
            delim_branch = []
        elif first == "\x80":
            delim_branch = [r"[^\x00-\x7f]"]
        else:
            delim_branch = [re.escape(first)]
        e_string = [r"[Ee](?<![\w$][Ee])(?=')"] if pg else []
        # with a glued delimiter (one that can continue a word) word shapes are left to the caller
        word_end = "" if glued else r"[A-Za-z_]*(?![\w$.])"

        inner = common + e_string
        block_words = ["BEGIN", "CASE", "END"] + (["NOT"] if maria else [])
        body = common + delim_branch + e_string
        for w in block_words:
            cls = f"[{w[0]}{w[0].lower()}]"
            shape = f"(?i:{w[1:]})" + ("" if glued else r"(?![\w$.])")
            body.append(f"{cls}(?<![\\w$.]{cls})(?={shape})")
        head = common + delim_branch
        head.append(r"[A-Za-z_](?<![\w$.][A-Za-z_])" + (f"(?={word_end})" if word_end else ""))
        if not pg:
            head.append("@")
        self.inner = re.compile("|".join(inner))
        self.body = re.compile("|".join(body))
        self.head = re.compile("|".join(head))
        # `head` without its word branch: the next character after a run of keywords, names,
        # numbers and spaces that may start something (an E'..' string is found by the scanner
        # here, as the word E, with the word's look-behind). The keywords of the run are then
        # taken in one go with _KW_FIND (only with a delimiter that cannot glue to a word).
        gap = common + delim_branch
        if pg:
            gap.append(r"[Ee](?<![\w$.][Ee])(?=')")
        else:
            gap.append("@")
        self.gap = re.compile("|".join(gap))


@functools.lru_cache(maxsize=None)  # bounded: 2
def _simple_patterns(pg: bool) -> tuple[re.Pattern[str], re.Pattern[str], re.Pattern[str]]:
    """The fast path for a simple statement ended by ';' (see _Splitter.simple_statement).

    The first expression matches a whole segment in one go: whitespace and line comments, then
    code made only of plain characters, quoted tokens (strings, quoted names, PostgreSQL dollar
    quotes) and bracket groups nested at most 3 deep, then ';'. Groups d1..d3 record how deep
    the brackets went. The second finds the keywords at bracket depth 0 (group 1), skipping
    quoted tokens and bracket groups whole; the third does the same where PostgreSQL code has a
    '$' (dollar quotes too; the keywords are the first items of tuples). Anything else (block
    comments, E'..' strings, a stray ')', MySQL '#' comments, '@', `/*!`, DELIMITER lines)
    makes the first fail, and the statement is scanned the ordinary way. Every repetition is
    unrolled (each alternative starts with a character the plain runs exclude) and the parse is
    unique, so matching is linear and never finds another reading than the scan's.
    """
    if pg:
        quoted = [
            r"'(?<![Ee]')[^']*(?:''[^']*)*'(?!')",  # not E'..': those have backslash escapes
            r'"[^"]*(?:""[^"]*)*"(?!")',
        ]
        # a '$' that does not open a dollar quote (glued to a name, or $1)
        plain = [r"\$(?:(?<=[\w$]\$)|(?!(?:[^\W\d]\w*)?\$))"]
        top_cls, in_cls = r"""'"()\-/$;""", r"""'"()\-/$"""
    else:
        quoted = [
            r"'[^'\\]*(?:(?:\\[\s\S]|'')[^'\\]*)*'(?!')",
            r'"[^"\\]*(?:(?:\\[\s\S]|"")[^"\\]*)*"(?!")',
            r"`[^`]*(?:``[^`]*)*`(?!`)",
        ]
        # a line break that does not start a DELIMITER line
        plain = [r"[\n\r](?![ \t]*(?i:DELIMITER)(?![\w$])[^\n\r]*?[^\x00-\x20])"]
        top_cls, in_cls = "'\"()\\-/;#@`\\n\\r", "'\"()\\-/#`\\n\\r"
    plain = [r"-(?!-)", r"/(?!\*)", *plain]

    def dollar(tag: str) -> str:
        # up to the first closing tag only: the look-ahead makes it atomic (no backtracking
        # to a later closing tag)
        return (
            rf"\$(?<![\w$]\$)(?P<{tag}>(?:[^\W\d]\w*)?)\$"
            rf"(?=(?P<{tag}b>[\s\S]*?\$(?P={tag})\$))(?P={tag}b)"
        )

    def code(cls: str, level: int, named: bool, dollars: bool) -> str:
        alts = plain + quoted
        if dollars:
            alts = alts + [dollar(("t" if named else "u") + str(level))]
        if level < 3:
            opener = f"(?P<d{level + 1}>\\()" if named else r"\("
            alts = alts + [opener + code(in_cls, level + 1, named, dollars) + r"\)"]
        return f"[^{cls}]*(?:(?:{'|'.join(alts)})[^{cls}]*)*"

    # whitespace and whole line comments (the look-aheads keep backtracking from cutting a
    # comment short or starting the code in whitespace)
    comment = r"--[^\n\r]*(?![^\n\r])" if pg else r"(?:--|#)[^\n\r]*(?![^\n\r])"
    lead = rf"\s*(?:(?P<c>{comment})\s*)*(?!\s)"
    statement = re.compile(lead + "(?P<code>" + code(top_cls, 0, True, pg) + ");")
    # a keyword (the look-behind after the first character lets the engine skip to candidates)
    word = r"([A-Za-z_](?<![\w$.][A-Za-z_])[A-Za-z_]*)(?![\w$.])"
    keywords = re.compile("|".join([word, *quoted, r"\(" + code(in_cls, 1, False, False) + r"\)"]))
    with_dollars = [word, *quoted, dollar("u0"), r"\(" + code(in_cls, 1, False, True) + r"\)"]
    return statement, keywords, re.compile("|".join(with_dollars))


@functools.lru_cache(maxsize=None)  # bounded: 3 dialects x ~100 first characters x 2
def _patterns(pg: bool, maria: bool, first: str, glued: bool) -> _Patterns:
    return _Patterns(pg, maria, first, glued)


class _Splitter:
    def __init__(self, text: str, dialect: str, pg_version: int | None) -> None:
        self.text = text
        self.n = len(text)
        self.pg = dialect == "postgres"
        self.maria = dialect == "mariadb"
        major = _pg_major(pg_version)
        self.alter_type_non_tx = major is None or major < 12
        # cache for next_delim(): the first delimiter occurrence at or after _occ_from
        self._occ_from = 0
        self._occ_next = -1
        self.set_delimiter(";")
        self.sq = _SQ_STD if self.pg else _SQ_BS
        self.dq = _DQ_STD if self.pg else _DQ_BS
        # per-statement state used by the (rare) block and keyword handlers
        self.blocks: list[int] = []
        self.stored_program = False
        self.stored_program_like = False
        self.begin_not_atomic = False
        # MySQL: the block depth of a correct reading (if Flyway recognised the stored program,
        # and without its MariaDB BEGIN NOT ATOMIC quirk); used for the notes
        self.would_depth = 0
        self.case_after_end = -1
        self.tail_error: str | None = None
        self.tail_error_offset: int | None = None
        # the text upper-cased, where that keeps every offset (ASCII), for collecting keywords
        self.utext = text.upper() if text.isascii() else None
        self.head_special, self.simple_special = _SPECIAL[dialect]
        self.simple, self.simple_kw, self.simple_kw_dollar = _simple_patterns(self.pg)

    # ---------------------------------------------------------------------------------------
    def set_delimiter(self, delim: str) -> None:
        self.delim = delim
        first = delim[0]
        # Flyway tries quotes, parentheses, comments and numbers before the delimiter, so a
        # delimiter starting like one of those never ends a statement; one starting like a
        # comment loses where the comment starts (dguard).
        self.dch = None if first in "'\"`()" or first.isdigit() else first
        self.dguard = "--" if first == "-" else "/*" if first == "/" else None
        # a long delimiter is looked for with str.find (see next_delim), not compared at every
        # candidate, so that a text which almost repeats it cannot make scanning quadratic
        self.dlong = len(delim) > _DELIM_PREFIX
        # A delimiter that can continue a word (e.g. $$ or GO) cuts words short: Flyway stops
        # reading a word where the delimiter starts. Word ends are then found in Python.
        self.glued = any(ch.isalnum() or ch in "_$." for ch in delim)
        key = "" if self.dch is None else first if first < "\x80" else "\x80"
        self.pats = _patterns(self.pg, self.maria, key, self.glued)
        self._occ_from, self._occ_next = 0, -1

    def next_delim(self, p: int) -> int:
        """Offset of the first occurrence of the delimiter at or after p (n + 1 if none).

        Queries move forward, so caching the last answer keeps the total work linear even for
        a long delimiter in a text that almost repeats it.
        """
        if not (self._occ_from <= p <= self._occ_next):
            found = self.text.find(self.delim, p)
            self._occ_from = p
            self._occ_next = found if found >= 0 else self.n + 1
        return self._occ_next

    def delim_at(self, p: int) -> bool:
        if self.dlong:
            return self.next_delim(p) == p
        return self.text.startswith(self.delim, p)

    def word_at(self, s: int) -> tuple[int, str | None]:
        """End of the word starting at s, and the word upper-cased if it is a keyword."""
        text = self.text
        if not self.glued:
            m = self.pats.kw.match(text, s)
            if m is not None:
                return m.end(), m.group().upper()
            return _WORD.match(text, s).end(), None
        end = _WORD.match(text, s).end()
        # Flyway reads the first character, then stops where the delimiter starts
        cut = self.next_delim(s + 1)
        if cut < end:
            end = cut
        elif text.startswith(".", end):
            return end, None  # part of a dotted name
        word = text[s:end]
        return end, (word.upper() if _KW_FULL.fullmatch(word) else None)

    def run(self) -> SplitResult:
        statements: list[RawStatement] = []
        seg_start = 0
        while True:
            stmt = self.simple_statement(seg_start) if self.delim == ";" else None
            if stmt is None:
                if _NONWS.search(self.text, seg_start) is None:
                    break  # only whitespace is left: the tail (what `statement` finds too)
                stmt = self.statement(seg_start)
            if stmt is None:
                break
            statements.append(stmt)
            seg_start = stmt.seg_end
            if seg_start >= self.n:
                break
        return SplitResult(tuple(statements), seg_start, self.tail_error, self.tail_error_offset)

    def simple_statement(self, seg_start: int) -> RawStatement | None:
        """The statement at seg_start if it is a simple one (see _simple_patterns), read with
        two regular expressions instead of the scanning loop; None: scan it the ordinary way.
        The result is what `statement` returns for it."""
        text = self.text
        m = self.simple.match(text, seg_start)
        if m is None:
            return None
        start = m.start("code")
        delim_at = m.end() - 1
        if start >= delim_at:
            return None  # an empty statement: `statement` drops it
        if self.pg and text.find("$", start, delim_at) >= 0:
            found = self.simple_kw_dollar.findall(text, start, delim_at)
            keywords = [t[0].upper() for t in found if t[0]]
        elif self.utext is not None:  # ASCII: the upper-cased text has the same structure
            keywords = [w for w in self.simple_kw.findall(self.utext, start, delim_at) if w]
        else:
            keywords = [w.upper() for w in self.simple_kw.findall(text, start, delim_at) if w]
        if not self.simple_special.isdisjoint(keywords):
            return None
        find = text.find
        if find("'", start, delim_at) >= 0 and (
            # B'..', X'..' and U&'..' (upper-case prefix): Flyway reads the prefix with the string
            find("B'", start, delim_at) >= 0
            or find("X'", start, delim_at) >= 0
            or find("U&'", start, delim_at) >= 0
        ):
            return None
        del keywords[_CUTOFF:]
        max_depth = 0 if m.start("d1") < 0 else 1 if m.start("d2") < 0 else 2 if m.start("d3") < 0 else 3
        boundary = m.end("c") if m.start("c") >= 0 else seg_start
        transactional = True
        if self.pg and keywords and keywords[0] in _PG_CLASSIFIED_FIRST:
            simplified = " ".join(keywords)
            if _PG_COPY_STDIN.match(simplified):
                return None  # inline data follows
            if _PG_NON_TX.match(simplified) or (
                self.alter_type_non_tx and _PG_ALTER_TYPE_ADD_VALUE.match(simplified)
            ):
                transactional = False
        # RawStatement(start, code_end, seg_start, seg_end, transactional, ";", max_depth),
        # without the frozen dataclass's __setattr__ calls
        stmt = _new(RawStatement)
        stmt.__dict__.update(
            start=start,
            end=boundary + len(text[boundary:delim_at].rstrip()),
            seg_start=seg_start,
            seg_end=delim_at + 1,
            transactional=transactional,
            delimiter=";",
            max_depth=max_depth,
            error=None,
            error_offset=None,
            note=None,
            copy_data=None,
        )
        return stmt

    # ---------------------------------------------------------------------------------------
    def comment_end(self, s: int) -> int:
        """End of the /* comment starting at s, or -1 when it is not terminated."""
        return block_comment_end(self.text, s, self.pg)

    def skip_trivia(self, p: int) -> int:
        """Position of the next token at or after p (whitespace and comments skipped)."""
        text, n = self.text, self.n
        while True:
            p = _WS.match(text, p).end()
            if p >= n:
                return n
            c = text[p]
            if c == "-" and text.startswith("--", p):
                p = _LINE_REST.match(text, p).end()
            elif c == "/" and text.startswith("/*", p):
                if not self.pg and _MY_DIRECTIVE.match(text, p):
                    return p
                e = self.comment_end(p)
                if e < 0:
                    return p
                p = e
            elif c == "#" and not self.pg and not self.delim_at(p):
                p = _LINE_REST.match(text, p).end()
            else:
                return p

    def code_to_end(self, s: int) -> int:
        """End of the code when an unterminated quoted token at s runs to the end of the text."""
        return s + len(self.text[s:].rstrip())

    def keyword_at(self, p: int) -> str | None:
        """The keyword starting at p, upper-cased, if a keyword starts there."""
        if p >= self.n:
            return None
        c = self.text[p]
        if not ("A" <= c <= "Z" or "a" <= c <= "z" or c == "_") or self.delim_at(p):
            return None
        return self.word_at(p)[1]

    def block_word(self, word: str, s: int, e: int) -> None:
        """Flyway's adjustBlockDepth for a keyword at parenthesis depth 0."""
        blocks = self.blocks
        if self.pg:
            if word == "BEGIN":
                if self.keyword_at(self.skip_trivia(e)) == "ATOMIC":
                    blocks.append(s)
            elif word == "CASE":
                if blocks:
                    blocks.append(s)
            elif word == "END":
                if blocks:
                    blocks.pop()
            return
        if word == "BEGIN":
            if self.stored_program:
                blocks.append(s)
                self.would_depth += 1
            elif self.stored_program_like:
                self.would_depth += 1
        elif word == "CASE":
            # END CASE closes a block and does not open one
            if s != self.case_after_end:
                blocks.append(s)
                self.would_depth += 1
        elif word == "END":
            if self.begin_not_atomic and blocks:
                # MariaDB: once Flyway has typed the statement BEGIN NOT ATOMIC ... END, every
                # END closes a block at once, END IF and friends included (then the rule
                # below may close another one).
                blocks.pop()
            # END closes a block unless it is END IF / END LOOP / END REPEAT / END WHILE; Flyway
            # decides when it sees the next token (any token, the delimiter and EOF included).
            p = self.skip_trivia(e)
            following = self.keyword_at(p)
            if following not in _MY_NOT_CLOSED_BY_END:
                if blocks:
                    blocks.pop()
                if self.would_depth:
                    self.would_depth -= 1
            if following == "CASE":
                self.case_after_end = p
        elif word == "NOT" and self.maria:
            if self.keyword_at(self.skip_trivia(e)) == "ATOMIC":
                blocks.append(s)
                self.would_depth += 1

    def head_keyword(self, keywords: list[str], word: str, s: int, e: int) -> bool:
        """Record a keyword of the statement's head as Flyway's simplified statement does; False for
        the prefix of a B'..', X'..' or U&'..' string (upper-case: Flyway reads those as one token)."""
        text = self.text
        c = text[s]
        if e == s + 1 and c in "BXU" and text.startswith("&'" if c == "U" else "'", e):
            return False
        keywords.append(word)
        if not self.pg and not (self.stored_program or self.begin_not_atomic):
            self.detect_type(keywords)
        return True

    def detect_type(self, keywords: list[str]) -> None:
        """MySQL/MariaDB: Flyway's statement-type tests, run each time a keyword is added."""
        simplified = " ".join(keywords)
        if self.maria and _MARIA_BEGIN_NOT_ATOMIC.fullmatch(simplified):
            self.begin_not_atomic = True
        elif _MY_STORED_PROGRAM.fullmatch(simplified):
            self.stored_program = True
        elif not self.stored_program_like and _MY_STORED_PROGRAM_LIKE.fullmatch(simplified):
            self.stored_program_like = True

    def directive(self, kw_end: int) -> int:
        """Apply `DELIMITER x` whose keyword ends at kw_end; return where scanning resumes, or -1
        when the rest of the line is empty (then it is not a directive)."""
        text = self.text
        le = _LINE_REST.match(text, kw_end).end()
        value = text[kw_end:le].strip(_JAVA_TRIM)
        if not value:
            return -1
        self.set_delimiter(value)
        return le + 1 if le < self.n else le  # the line break goes with the directive

    # ---------------------------------------------------------------------------------------
    def statement(self, seg_start: int) -> RawStatement | None:  # noqa: C901 - one hot loop
        """Scan one statement starting at seg_start; None when only the tail is left."""
        text, n, pg = self.text, self.n, self.pg
        self.blocks = blocks = []
        keywords: list[str] = []
        self.stored_program = False
        self.stored_program_like = False
        self.begin_not_atomic = False
        self.would_depth = 0
        self.case_after_end = -1

        pos = boundary = seg_start  # boundary: end of the last comment (code is measured from it)
        start = -1
        code_end = -1
        depth = 0
        paren_open = -1
        max_depth = 0
        head = True  # still collecting the first _CUTOFF keywords
        nkw = 0
        error: str | None = None
        error_offset: int | None = None
        seg_end = n
        ended_by_delimiter = False
        sq, dq = self.sq, self.dq
        pats = self.pats
        delim, dch, dguard, dlong, glued = self.delim, self.dch, self.dguard, self.dlong, self.glued
        nonws = _NONWS.search
        kw_find = _KW_FIND.findall
        utext = self.utext
        special = self.head_special
        # A word right after a delimiter that can continue words (END$$SELECT) is not a
        # scanner candidate (the scanner looks for word starts); take it first.
        forced = -1
        if glued and 0 < seg_start < n:
            c = text[seg_start]
            if "A" <= c <= "Z" or "a" <= c <= "z" or c == "_":
                forced = seg_start

        while True:
            if forced >= 0:
                s, forced = forced, -1
                m = True
            elif head and not depth and not glued:
                # Collecting keywords: jump to the next character that may start something and
                # take the keywords of the run of text before it at once.
                m = pats.gap.search(text, pos)
                s = n if m is None else m.start()
                if start < 0:
                    w = nonws(text, boundary, s)
                    if w is not None:
                        start = w.start()
                if s > pos:
                    c = text[s] if s < n else ""
                    # the run's last word may end at s (look-ahead), unless s is the E of E'..'
                    stop = s if ("A" <= c <= "Z" or "a" <= c <= "z") else s + 1
                    if utext is not None:
                        kws = kw_find(utext, pos, stop)
                    else:
                        kws = [w.upper() for w in kw_find(text, pos, stop)]
                    if kws and (
                        nkw + len(kws) < _CUTOFF
                        and special.isdisjoint(kws)
                        and (
                            pg
                            or self.stored_program
                            or self.begin_not_atomic
                            or (keywords[0] if keywords else kws[0]) not in _MY_TYPED_FIRST
                        )
                    ):
                        # the common case: plain keywords, nothing to act on
                        keywords += kws
                        nkw += len(kws)
                    elif kws:
                        # word by word, as the word branch below does
                        restart = False
                        for mm in _KW_FIND.finditer(text, pos, stop):
                            ws, e = mm.span()
                            word = mm.group().upper()
                            if word == "DELIMITER" and ws == start and not pg:
                                resume = self.directive(e)
                                if resume >= 0:
                                    start = -1
                                    pos = boundary = resume
                                    pats, delim, glued = self.pats, self.delim, self.glued
                                    dch, dguard, dlong = self.dch, self.dguard, self.dlong
                                    restart = True
                                    break
                            if word in _BLOCK_WORDS:
                                self.block_word(word, ws, e)
                                if len(blocks) > max_depth:
                                    max_depth = len(blocks)
                            if self.head_keyword(keywords, word, ws, e):
                                nkw += 1
                                if nkw >= _CUTOFF:
                                    head = False
                                    pos = e
                                    restart = True
                                    break
                        if restart:
                            continue
            else:
                rx = pats.inner if depth else (pats.head if head else pats.body)
                m = rx.search(text, pos)
                s = n if m is None else m.start()
            if start < 0:
                w = nonws(text, boundary, s)
                if w is not None:
                    start = w.start()
            if m is None:
                break
            c = text[s]

            # The delimiter, unless a token Flyway reads first starts here (see _Patterns).
            if (
                c == dch
                and (self.delim_at(s) if dlong else text.startswith(delim, s))
                and not (dguard and text.startswith(dguard, s))
            ):
                if depth or blocks:
                    pos = s + len(delim)
                    continue
                if start < 0:
                    # an empty statement: Flyway drops it; its text joins the next segment
                    pos = boundary = s + len(delim)
                    continue
                chunk = text[boundary:s].rstrip()
                if chunk:
                    code_end = boundary + len(chunk)
                seg_end = s + len(delim)
                boundary = -1
                ended_by_delimiter = True
                break

            if "A" <= c <= "Z" or "a" <= c <= "z" or c == "_":
                if start < 0:
                    start = s
                if pg and (c == "E" or c == "e") and text.startswith("'", s + 1):
                    mm = _E_STR.match(text, s)
                    if mm is None:
                        error, error_offset = "unterminated string literal", s
                        code_end, boundary = self.code_to_end(s), -1
                        break
                    pos = mm.end()
                    continue
                if glued:
                    e, word = self.word_at(s)
                    if word is None:  # a name, not a keyword
                        pos = e
                        continue
                else:  # the scanner checked the shape
                    mm = pats.kw.match(text, s)
                    e = mm.end()
                    word = mm.group().upper()
                if word == "DELIMITER" and s == start and not pg:
                    # MySQL client directive as the first word of a statement
                    resume = self.directive(e)
                    if resume >= 0:
                        start = -1
                        pos = boundary = resume
                        pats, delim, glued = self.pats, self.delim, self.glued
                        dch, dguard, dlong = self.dch, self.dguard, self.dlong
                        continue
                if word in _BLOCK_WORDS:
                    self.block_word(word, s, e)
                    if len(blocks) > max_depth:
                        max_depth = len(blocks)
                if head and self.head_keyword(keywords, word, s, e):
                    nkw += 1
                    if nkw >= _CUTOFF:
                        head = False
                pos = e
                continue

            if c == "'" or c == '"' or c == "`":
                if start < 0:
                    start = s
                mm = (sq if c == "'" else dq if c == '"' else _BT).match(text, s)
                if mm is None:
                    if c == "'" or (c == '"' and not pg):
                        error = "unterminated string literal"
                    else:
                        error = "unterminated quoted identifier"
                    error_offset = s
                    code_end, boundary = self.code_to_end(s), -1
                    break
                pos = mm.end()
                continue

            if c == "(":
                if start < 0:
                    start = s
                depth += 1
                if depth == 1:
                    paren_open = s
                if depth + len(blocks) > max_depth:
                    max_depth = depth + len(blocks)
                pos = s + 1
                continue

            if c == ")":
                if start < 0:
                    start = s
                if depth:  # Flyway lets a stray ')' make the depth negative; flylint does not
                    depth -= 1
                pos = s + 1
                continue

            if (c == "-" and text.startswith("--", s)) or (c == "#" and not pg):
                if start >= 0:
                    chunk = text[boundary:s].rstrip()
                    if chunk:
                        code_end = boundary + len(chunk)
                pos = boundary = _LINE_REST.match(text, s).end()
                continue

            if c == "/" and text.startswith("/*", s):
                if not pg and _MY_DIRECTIVE.match(text, s):
                    # /*!NNNNN ... */ is executed by MySQL: it is code, not a comment
                    if start < 0:
                        start = s
                    e = text.find("*/", s + 2)
                    if e < 0:
                        error, error_offset = "unterminated /*! comment", s
                        code_end, boundary = self.code_to_end(s), -1
                        break
                    pos = e + 2
                    continue
                if start >= 0:
                    chunk = text[boundary:s].rstrip()
                    if chunk:
                        code_end = boundary + len(chunk)
                e = self.comment_end(s)
                if e < 0:
                    if start < 0:
                        self.tail_error, self.tail_error_offset = "unterminated /* comment", s
                        return None
                    error, error_offset = "unterminated /* comment", s
                    boundary = -1  # the code before the comment was measured above
                    break
                pos = boundary = e
                continue

            if c == "$" and pg:
                if start < 0:
                    start = s
                tag = _DOLLAR_TAG.match(text, s).group()
                e = text.find(tag, s + len(tag))
                if e < 0:
                    error, error_offset = f"unterminated dollar-quoted string {tag}", s
                    code_end, boundary = self.code_to_end(s), -1
                    break
                pos = e + len(tag)
                continue

            if (c == "\n" or c == "\r") and not pg:
                # MySQL: a DELIMITER line (the scanner checked its shape)
                k = _HSPACE.match(text, s + 1).end()
                if start < 0:
                    pos = boundary = self.directive(k + 9)
                    pats, delim, glued = self.pats, self.delim, self.glued
                    dch, dguard, dlong = self.dch, self.dguard, self.dlong
                    continue
                # Flyway fails the migration. End the statement before the DELIMITER line; the
                # line (applied) closes this statement's segment.
                error, error_offset = _ERR_DELIMITER_INSIDE, k
                chunk = text[boundary:s].rstrip()
                if chunk:
                    code_end = boundary + len(chunk)
                seg_end = self.directive(k + 9)
                boundary = -1
                break

            if c == "@" and not pg:
                # the '@' of user@host belongs to Flyway's simplified statement
                if start < 0:
                    start = s
                keywords.append("@")
                pos = s + 1
                continue

            # a character that starts nothing here (e.g. '-' or '/' alone, a delimiter's
            # first character not followed by the rest of it, any non-ASCII character when the
            # delimiter starts with one)
            if start < 0 and not c.isspace():
                start = s
            pos = s + 1

        # ---- the statement ends here (delimiter, end of text, or an error) ----
        if start < 0:
            return None
        if boundary >= 0:
            # ran to the end of the text
            chunk = text[boundary:n].rstrip()
            if chunk:
                code_end = boundary + len(chunk)
        if code_end <= start:  # defensive; cannot happen for well-formed state
            code_end = start + 1

        if error is None and not ended_by_delimiter and (depth or blocks):
            parts = []
            if depth:
                parts.append(f"{depth} unclosed parenthes{'is' if depth == 1 else 'es'}")
            if blocks:
                nb = len(blocks)
                parts.append(f"{nb} unclosed block{'' if nb == 1 else 's'} (BEGIN/CASE ... END)")
            error = "incomplete statement: " + " and ".join(parts)
            error_offset = min(paren_open if depth else n, blocks[0] if blocks else n)

        transactional = True
        copy_data: tuple[int, int] | None = None
        note: str | None = None
        if pg and keywords and keywords[0] in _PG_CLASSIFIED_FIRST:
            simplified = " ".join(keywords)
            if _PG_NON_TX.match(simplified) or (
                self.alter_type_non_tx and _PG_ALTER_TYPE_ADD_VALUE.match(simplified)
            ):
                transactional = False
            if ended_by_delimiter and _PG_COPY_STDIN.match(simplified):
                # Flyway skips the rest of the line after ';', then reads data lines up to "\."
                nl = text.find("\n", seg_end)
                data_start = n if nl < 0 else nl + 1
                mm = _COPY_END.search(text, data_start)
                if mm is not None:
                    copy_data = (data_start, mm.end())
                    seg_end = mm.end()
                else:
                    copy_data = (data_start, n)
                    seg_end = n
                    error = _ERR_COPY_DATA
                    error_offset = data_start
        elif not pg and ended_by_delimiter and self.would_depth > 0:
            if self.stored_program_like and not self.stored_program:
                note = _NOTE_UNSEEN_BODY
            elif self.begin_not_atomic:
                note = _NOTE_EARLY_END

        if error is None and note is None and copy_data is None:  # the common case, faster
            return RawStatement(
                start, code_end, seg_start, seg_end, transactional, delim, max_depth
            )
        return RawStatement(
            start=start,
            end=code_end,
            seg_start=seg_start,
            seg_end=seg_end,
            transactional=transactional,
            delimiter=delim,
            max_depth=max_depth,
            error=error,
            error_offset=error_offset,
            note=note,
            copy_data=copy_data,
        )


def _fallback(text: str, exc: BaseException) -> SplitResult:
    """One statement covering all code: used only if the splitter itself fails (a bug)."""
    stripped = text.strip()
    if not stripped:
        return SplitResult((), 0)
    start = len(text) - len(text.lstrip())
    end = len(text.rstrip())
    stmt = RawStatement(
        start=start,
        end=end,
        seg_start=0,
        seg_end=len(text),
        transactional=True,
        delimiter=";",
        max_depth=0,
        error=f"internal splitter error ({type(exc).__name__}); the script was not split",
        error_offset=start,
    )
    return SplitResult((stmt,), len(text))


def split(text: str, dialect: str, *, pg_version: int | None = None) -> SplitResult:
    """Split `text` (decoded, BOM-stripped, placeholders replaced) into Flyway's statements.

    `dialect` is "postgres", "mysql" or "mariadb"; `pg_version` (a major version such as 16, or a
    server_version_num such as 160002) only affects whether `ALTER TYPE ... ADD VALUE` counts as
    non-transactional (it does when the version is unknown or below 12, as in Flyway).
    Never raises for any text; problems are reported in `RawStatement.error` and
    `SplitResult.tail_error`.
    """
    if dialect not in DIALECTS:
        raise ValueError(f"unknown dialect {dialect!r}; expected one of {', '.join(DIALECTS)}")
    try:
        return _Splitter(text, dialect, pg_version).run()
    except Exception as exc:  # pragma: no cover - a bug; never let it escape to the caller
        return _fallback(text, exc)


def block_comment_end(text: str, s: int, pg: bool) -> int:
    """End of the /* comment starting at s, or -1 when it is not terminated (PostgreSQL nests them)."""
    if not pg:
        e = text.find("*/", s + 2)
        return -1 if e < 0 else e + 2
    level = 1
    p = s + 2
    search = _PG_COMMENT_MARK.search
    while True:
        m = search(text, p)
        if m is None:
            return -1
        p = m.end()
        if text[m.start()] == "/":
            level += 1
        else:
            level -= 1
            if level == 0:
                return p
