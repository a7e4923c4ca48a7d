"""Everything between flylint and the stock (compiled) sqlglot parser.

* `Unanalysed`: the one exception flylint's recognisers raise; `parse_statement` turns it into an
  unanalysed `ParseResult` with the reason and the offset.
* `Ctx`: one statement being parsed: its text, its stock tokens, the stock dialect, and
  `Ctx.stock()`, the only place that calls the stock parser (on a list of stock tokens, so error
  positions always refer to the user's text), turning its errors into `Unanalysed`.
* `Cursor`: a small reader over stock tokens for flylint's recognisers (keywords are matched on
  the token text, case-insensitively, never on quoted identifiers or strings).
* Guards: the nesting-depth cap that runs before any stock parsing (deep nesting can exhaust the
  recursion limit or crash the compiled parser with SIGSEGV), the placeholder check, the check
  for `exp.Command` anywhere in a result, the statement-class check, and the repair of MySQL
  prefix key parts in `CREATE INDEX`.
* `begin_capture()`/`end_capture()` (and the `capture_sqlglot_warnings()` context manager):
  collect the WARNING records sqlglot logs (its only sign that it fell back to `exp.Command`)
  instead of letting them reach stderr. They work through a `logging.Filter` installed once on
  the "sqlglot" logger that swallows records only while flylint parses in that thread.
* `AlterHeader`, `StockAction`, `WholeStatement`, `RestOfStatement`: what the dialect modules'
  ALTER TABLE action recognisers hand back to the shared ALTER TABLE reader in `parser`.
"""

from __future__ import annotations

import logging
import re
import threading
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Callable, Iterator, NoReturn, Sequence

from sqlglot import exp
from sqlglot.dialects.dialect import Dialect
from sqlglot.errors import ErrorLevel, ParseError
from sqlglot.tokens import Token, Tokenizer, TokenType

from . import nodes


class Unanalysed(Exception):
    """flylint did not fully understand the statement: `reason` says why, in plain words."""

    def __init__(self, reason: str, offset: int | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.offset = offset


# --------------------------------------------------------------------------------------------
# sqlglot's log records
# --------------------------------------------------------------------------------------------

_SQLGLOT_LOGGER = logging.getLogger("sqlglot")


class _State(threading.local):
    sink: list[str] | None = None  # where this thread's flylint parse collects warnings
    complete: list[str] | None = None  # the same list, while it is sure to receive them all


_state = _State()


class _CaptureFilter(logging.Filter):
    """Installed once on the "sqlglot" logger (every sqlglot module logs there).

    While flylint parses in this thread, it collects each record's message and drops the record,
    so nothing reaches any handler or the root logger (nothing is printed). Outside a flylint parse
    it lets every record through unchanged. A filter is used instead of adding and removing a
    handler on every call because `addHandler` clears the logging caches (measurably slow).
    """

    def filter(self, record: logging.LogRecord) -> bool:
        sink = _state.sink
        if sink is None:
            return True
        try:
            sink.append(record.getMessage())
        except Exception:
            sink.append(str(record.msg))
        return False


_CAPTURE_FILTER = _CaptureFilter()
_install_lock = threading.Lock()


def begin_capture() -> tuple:
    """Start collecting sqlglot's log records in this thread; pass the result to `end_capture`."""
    logger = _SQLGLOT_LOGGER
    filters = logger.filters
    if _CAPTURE_FILTER not in filters:
        with _install_lock:
            if _CAPTURE_FILTER not in logger.filters:
                logger.addFilter(_CAPTURE_FILTER)
        filters = logger.filters
    sink: list[str] = []
    state = _state
    previous = state.sink
    previous_complete = state.complete
    state.sink = sink
    old_level = None
    if not logger.isEnabledFor(logging.WARNING):
        old_level = logger.level
        logger.setLevel(logging.WARNING)
    # Whether every WARNING sqlglot logs from now on reaches the sink. Then a stock parse that
    # logged nothing built no exp.Command (sqlglot logs a warning each time it falls back to one,
    # except in a one-token statement), and its result need not be searched for one. Whatever
    # could hide a record (the logger disabled, logging.disable, another filter ahead of
    # flylint's, a patched `warning` method) leaves it None, and results are searched.
    complete = (
        filters[0] is _CAPTURE_FILTER
        and not logger.disabled
        and "warning" not in logger.__dict__
        and logger.isEnabledFor(logging.WARNING)
    )
    state.complete = sink if complete else None
    return sink, previous, old_level, previous_complete


def end_capture(token: tuple) -> None:
    _, previous, old_level, previous_complete = token
    _state.sink = previous
    _state.complete = previous_complete
    if old_level is not None:
        _SQLGLOT_LOGGER.setLevel(old_level)


def complete_sink() -> list[str] | None:
    """The sink of the capture running in this thread if it receives every sqlglot warning
    (see `begin_capture`), else None."""
    return _state.complete


@contextmanager
def capture_sqlglot_warnings() -> Iterator[list[str]]:
    """Collect sqlglot's WARNING (and higher) log records while the block runs, printing nothing.

    The logger is made to emit WARNING even when someone raised its level (restored afterwards).
    """
    token = begin_capture()
    try:
        yield token[0]
    finally:
        end_capture(token)


# --------------------------------------------------------------------------------------------
# Tokens
# --------------------------------------------------------------------------------------------

#: Token types whose text is a quoted value, never a keyword.
QUOTED_TYPES = frozenset(
    getattr(TokenType, name)
    for name in (
        "IDENTIFIER",
        "STRING",
        "NATIONAL_STRING",
        "BYTE_STRING",
        "BIT_STRING",
        "HEX_STRING",
        "RAW_STRING",
        "NATIONAL_RAW_STRING",
        "HEREDOC_STRING",
        "UNICODE_STRING",
    )
    if hasattr(TokenType, name)
)
STRING_TYPES = QUOTED_TYPES - {TokenType.IDENTIFIER}

_OPEN = {TokenType.L_PAREN: TokenType.R_PAREN, TokenType.L_BRACKET: TokenType.R_BRACKET,
         TokenType.L_BRACE: TokenType.R_BRACE}
_CLOSE = {v: k for k, v in _OPEN.items()}
# Prefix operators the stock parser handles by recursion (one level each).
_PREFIX = frozenset(
    getattr(TokenType, name)
    for name in ("NOT", "DASH", "PLUS", "TILDA", "EXCLAMATION", "INTERVAL", "ARRAY", "DAMP")
    if hasattr(TokenType, name)
)
_QUICK_WORDS = ("case", "not", "interval", "array")

_NAME_RE = re.compile(r"(?!\d+$)[\w$]+\Z")


def quick_depth_bound(text: str) -> int:
    """An upper bound of `nesting_depth`, from character counts alone (cheap, C speed)."""
    bound = text.count("(") + text.count("[") + text.count("{")
    bound += text.count("-") + text.count("+") + text.count("~") + text.count("!")
    low = text.lower()
    for word in _QUICK_WORDS:
        bound += low.count(word)
    return bound


def nesting_depth(tokens: Sequence[Token]) -> int:
    """The deepest nesting of brackets and CASE ... END, plus runs of prefix operators.

    This is what drives the stock parser's recursion: each level is a few Python (or compiled)
    frames. Iterative and linear.
    """
    stack: list = []
    deepest = 0
    run = 0
    case = TokenType.CASE
    end = TokenType.END
    for tok in tokens:
        tt = tok.token_type
        if tt in _OPEN or tt is case:
            stack.append(tt)
            run = 0
            if len(stack) > deepest:
                deepest = len(stack)
        elif tt in _CLOSE:
            opener = _CLOSE[tt]
            # pop up to the matching opener (tolerates unbalanced junk)
            for k in range(len(stack) - 1, -1, -1):
                if stack[k] is opener:
                    del stack[k:]
                    break
            run = 0
        elif tt is end:
            if stack and stack[-1] is case:
                stack.pop()
            run = 0
        elif tt in _PREFIX:
            run += 1
            if len(stack) + run > deepest:
                deepest = len(stack) + run
        else:
            run = 0
    return deepest


def placeholder_offset(tokens: Sequence[Token]) -> int | None:
    """Offset of an unreplaced Flyway placeholder `${...}`, if any."""
    prev = None
    for tok in tokens:
        if (
            prev is not None
            and tok.token_type is TokenType.L_BRACE
            and prev.text == "$"
            and prev.end + 1 == tok.start
        ):
            return prev.start
        prev = tok
    return None


# --------------------------------------------------------------------------------------------
# The statement being parsed
# --------------------------------------------------------------------------------------------

_local = threading.local()


class StockDialect:
    """The stock sqlglot dialect with one reusable tokenizer and parser (per thread)."""

    __slots__ = ("dialect", "tokenizer", "parser", "commands", "tokenize")

    def __init__(self, name: str) -> None:
        self.dialect = Dialect.get_or_raise(name)
        self.tokenizer = self.dialect.tokenizer()
        self.parser = self.dialect.parser(error_level=ErrorLevel.IMMEDIATE)
        # statements the stock tokenizer reads as "first word + the rest as one STRING"
        self.commands = frozenset(getattr(self.dialect.tokenizer_class, "COMMANDS", ()) or ())
        # tokenize(text) -> list[Token]: the compiled tokenizer's own method when sqlglot's
        # Tokenizer only forwards to it (saves a Python call per statement)
        core = getattr(self.tokenizer, "_core", None)
        forwards = type(self.tokenizer).tokenize is Tokenizer.tokenize
        self.tokenize = core.tokenize if core is not None and forwards else self.tokenizer.tokenize


def stock_dialect(name: str) -> StockDialect:
    cache = getattr(_local, "dialects", None)
    if cache is None:
        cache = _local.dialects = {}
    found = cache.get(name)
    if found is None:
        found = cache[name] = StockDialect(name)
    return found


class Ctx:
    """One statement being parsed."""

    __slots__ = (
        "text", "dialect", "mariadb", "sqlglot", "tokens", "max_depth", "_line_starts", "_upper",
        "_sink", "maybe_command", "last_maybe_command", "_words_toks", "_words",
    )

    def __init__(
        self, text: str, dialect: str, sqlglot_dialect: StockDialect, tokens: list[Token], max_depth: int
    ) -> None:
        self.text = text
        self.dialect = dialect  # "postgres", "mysql" or "mariadb"
        self.mariadb = dialect == "mariadb"
        self.sqlglot = sqlglot_dialect
        self._upper: str | None = None
        self.tokens = tokens
        self.max_depth = max_depth
        self._line_starts: list[int] | None = None
        # Where sqlglot's warnings arrive, when every one of them is sure to (see
        # begin_capture); a ";" in the text could make a one-token chunk, which logs none.
        self._sink: list[str] | None = complete_sink() if ";" not in text else None
        # whether some stock parse (the last one) may have put an exp.Command in its result
        self.maybe_command = False
        self.last_maybe_command = False
        self._words_toks: object = None
        self._words: list = []

    def words_for(self, toks: Sequence[Token]) -> list:
        """The word cache of `Cursor`s over this token list (one list at a time is kept)."""
        if toks is self._words_toks:
            return self._words
        words = [_UNSET] * len(toks)
        self._words_toks, self._words = toks, words
        return words

    def check_depth(self, tokens: Sequence[Token]) -> None:
        if nesting_depth(tokens) > self.max_depth:
            raise Unanalysed(depth_reason(self.max_depth))

    def retokenize(self) -> "Cursor":
        """Undo the stock tokenizer's command shortcut.

        For statements it does not know (`REFRESH`, `VACUUM`, `REINDEX`, `DO`, `LOCK`, `RENAME`,
        `OPTIMIZE`, `REPLACE`, ...) the stock tokenizer returns the first word and the rest of the
        statement as one STRING token. Tokenise the rest properly (the first word blanked out so
        every offset stays the user's) and return a cursor after the first word.
        """
        toks = self.tokens
        if len(toks) == 2 and toks[1].token_type is TokenType.STRING and toks[0].token_type in self.sqlglot.commands:
            first = toks[0]
            cut = first.end + 1
            blanked = "".join(ch if ch == "\n" else " " for ch in self.text[:cut]) + self.text[cut:]
            try:
                rest = self.sqlglot.tokenize(blanked)
            except Exception as error:
                raise Unanalysed(
                    f"could not split the statement into tokens (an unterminated string or $$ body?): {str(error)[:120]}"
                ) from None
            self.check_depth(rest)
            self.tokens = [first, *rest]
        return Cursor(self, None, 1)

    @property
    def postgres(self) -> bool:
        return self.dialect == "postgres"

    def mentions(self, word: str) -> bool:
        """Cheap pre-check: does the upper-cased text contain this word at all?"""
        if self._upper is None:
            self._upper = self.text.upper()
        return word in self._upper

    # positions -------------------------------------------------------------------------

    def offset_of(self, line: int | None, col: int | None) -> int | None:
        """Offset of the character at 1-based (line, col); sqlglot's col is a token's last character."""
        if not isinstance(line, int) or not isinstance(col, int) or line < 1 or col < 1:
            return None
        if self._line_starts is None:
            starts = [0]
            find = self.text.find
            pos = find("\n")
            while pos != -1:
                starts.append(pos + 1)
                pos = find("\n", pos + 1)
            self._line_starts = starts
        if line > len(self._line_starts):
            return None
        pos = self._line_starts[line - 1] + col - 1
        if pos >= len(self.text):
            return None
        for tok in self.tokens:  # the token whose last character this is: report its start
            if tok.end == pos:
                return tok.start
            if tok.start > pos:
                break
        return pos

    def source(self, tokens: Sequence[Token], i: int, j: int) -> str:
        """The user's text from token i to token j-1 (inclusive of quotes), or "" if empty."""
        if j <= i:
            return ""
        return self.text[tokens[i].start : tokens[j - 1].end + 1]

    # the stock parser --------------------------------------------------------------------

    def stock(self, tokens: Sequence[Token]) -> exp.Expression:
        """Parse stock tokens with the stock dialect parser: exactly one tree, or Unanalysed."""
        parser = self.sqlglot.parser
        sink = self._sink
        logged = -1 if sink is None else len(sink)
        self.last_maybe_command = True
        try:
            trees = parser.parse(list(tokens), self.text)
        except ParseError as error:
            info = error.errors[0] if getattr(error, "errors", None) else {}
            desc = info.get("description") or str(error).split("\n")[0] or "syntax error"
            raise Unanalysed(
                f"syntax error: {desc}", self.offset_of(info.get("line"), info.get("col"))
            ) from None
        except RecursionError:
            raise Unanalysed("the statement is nested too deeply for the parser") from None
        except Exception as error:  # sqlglot's own bugs (e.g. a TypeError from compiled code)
            raise Unanalysed(
                f"sqlglot failed on this statement ({type(error).__name__}: {str(error)[:160]})"
            ) from None
        if logged >= 0 and logged == len(sink) and len(tokens) > 1:  # type: ignore[arg-type]
            # sqlglot logged nothing, so it built no exp.Command (see begin_capture)
            self.last_maybe_command = False
        else:
            self.maybe_command = True
        if len(trees) == 1:  # the common case
            tree = trees[0]
            if tree is not None and not isinstance(tree, exp.Semicolon):
                return tree
        trees = [t for t in trees if t is not None and not isinstance(t, exp.Semicolon)]
        if not trees:
            raise Unanalysed("empty statement (only comments or whitespace)")
        if len(trees) > 1:
            raise Unanalysed(
                "the text holds more than one statement (a ';' inside it?); flylint analyses one at a time"
            )
        return trees[0]


# --------------------------------------------------------------------------------------------
# A reader over tokens for flylint's recognisers
# --------------------------------------------------------------------------------------------


_UNSET: Any = object()  # a token whose word was not asked for yet


def _word_entry(tok: Token) -> str | tuple[str, ...] | None:
    """What `Cursor` compares a token with: None for a quoted token, else its upper-cased text,
    split into words (a tuple) when it holds whitespace ("PRIMARY KEY")."""
    if tok.token_type in QUOTED_TYPES:
        return None
    text = tok.text.upper()
    if " " in text or "\n" in text or "\t" in text or "\r" in text:
        return tuple(text.split())
    return text


class Cursor:
    """Reads tokens[i:end] of a statement. Keywords match token text, case-insensitively."""

    __slots__ = ("ctx", "toks", "i", "end", "words")

    def __init__(self, ctx: Ctx, toks: Sequence[Token] | None = None, i: int = 0, end: int | None = None):
        self.ctx = ctx
        self.toks = ctx.tokens if toks is None else toks
        self.i = i
        self.end = len(self.toks) if end is None else end
        # each token's _word_entry, worked out when first needed (shared with sub-cursors)
        self.words: list = ctx.words_for(self.toks)

    # looking -----------------------------------------------------------------------------

    def done(self) -> bool:
        return self.i >= self.end

    def peek(self, k: int = 0) -> Token | None:
        j = self.i + k
        return self.toks[j] if 0 <= j < self.end else None

    def word(self, k: int = 0) -> str | None:
        """Upper-cased text of the token k ahead, or None for quoted tokens / past the end.

        A few stock tokens span two words ("PRIMARY KEY", "FOREIGN KEY", "PARTITION BY", MySQL
        "LOCK TABLES"); their word is the two words joined by one space.
        """
        j = self.i + k
        if not 0 <= j < self.end:
            return None
        entry = self.words[j]
        if entry is _UNSET:
            entry = self.words[j] = _word_entry(self.toks[j])
        if entry.__class__ is tuple:
            return " ".join(entry)
        return entry

    def match(self, words: Sequence[str], i: int | None = None) -> int:
        """Number of tokens at i (default: here) that spell `words`, or -1."""
        start = j = self.i if i is None else i
        end = self.end
        cache = self.words
        w = 0
        n = len(words)
        while w < n:
            if j >= end:
                return -1
            entry = cache[j]
            if entry is _UNSET:
                entry = cache[j] = _word_entry(self.toks[j])
            if entry.__class__ is str:
                if entry != words[w]:
                    return -1
                w += 1
            elif entry is None:
                return -1
            else:  # a token of several words
                if tuple(words[w : w + len(entry)]) != entry:
                    return -1
                w += len(entry)
            j += 1
        return j - start

    def may_start(self, firsts: frozenset[str] | set[str], k: int = 0) -> bool:
        """False when no word sequence beginning with one of `firsts` can match k tokens ahead
        (a cheap pre-check before several `at`/`accept` calls)."""
        j = self.i + k
        if j >= self.end:
            return False
        entry = self.words[j]
        if entry is _UNSET:
            entry = self.words[j] = _word_entry(self.toks[j])
        if entry.__class__ is str:
            return entry in firsts
        if entry is None:
            return False
        return not entry or entry[0] in firsts  # an empty entry matches no word: look further

    def at(self, *words: str) -> bool:
        return self.match(words) >= 0

    def at_any(self, *words: str) -> bool:
        return self.word() in words

    def accept(self, *words: str) -> bool:
        used = self.match(words)
        if used >= 0:
            self.i += used
            return True
        return False

    def expect(self, *words: str) -> None:
        if not self.accept(*words):
            self.fail(f"expected {' '.join(words)}")

    def offset(self) -> int | None:
        tok = self.peek()
        if tok is not None:
            return tok.start
        if self.end > 0 and self.end <= len(self.toks):
            return self.toks[self.end - 1].end
        return None

    def fail(self, what: str) -> NoReturn:
        tok = self.peek()
        found = f"'{tok.text[:40]}'" if tok is not None else "the end of the statement"
        raise Unanalysed(f"syntax error: {what}, found {found}", self.offset())

    def expect_end(self) -> None:
        if not self.done():
            self.fail("expected the end of the statement")

    # reading -----------------------------------------------------------------------------

    def next(self) -> Token:
        tok = self.peek()
        if tok is None:
            self.fail("unexpected end of the statement")
        self.i += 1
        return tok  # type: ignore[return-value]

    def is_name(self, k: int = 0) -> bool:
        tok = self.peek(k)
        if tok is None:
            return False
        if tok.token_type is TokenType.IDENTIFIER:
            return True
        return tok.token_type not in QUOTED_TYPES and _NAME_RE.match(tok.text) is not None

    def ident(self, what: str = "a name") -> exp.Identifier:
        if not self.is_name():
            self.fail(f"expected {what}")
        tok = self.toks[self.i]
        self.i += 1
        node = exp.Identifier(this=tok.text, quoted=tok.token_type is TokenType.IDENTIFIER)
        node.update_positions(tok)
        return node

    def skip_table(self, what: str = "a table name") -> "Cursor":
        """Read past a table name as `table` does (failing alike) without building it; return a
        cursor at the name, whose `table()` builds it later."""
        at = self.sub(self.i, self.end)
        if not self.is_name():
            self.fail(f"expected {what}")
        self.i += 1
        parts = 1
        while self.word() == "." and self.is_name(1):
            self.i += 2
            parts += 1
        if parts > 3:
            self.fail(f"expected {what} with at most three parts")
        return at

    def table(self, what: str = "a table name") -> exp.Table:
        parts = [self.ident(what)]
        while self.word() == "." and self.is_name(1):
            self.i += 1
            parts.append(self.ident(what))
        if len(parts) > 3:
            self.fail(f"expected {what} with at most three parts")
        parts.reverse()
        return exp.Table(
            this=parts[0],
            db=parts[1] if len(parts) > 1 else None,
            catalog=parts[2] if len(parts) > 2 else None,
        )

    def string(self, what: str = "a string literal") -> str:
        tok = self.peek()
        if tok is None or tok.token_type not in STRING_TYPES:
            self.fail(f"expected {what}")
        self.i += 1
        return tok.text  # type: ignore[union-attr]

    def integer(self, what: str = "a number") -> int:
        tok = self.peek()
        if tok is None or tok.token_type is not TokenType.NUMBER or not tok.text.isdigit():
            self.fail(f"expected {what}")
        self.i += 1
        return int(tok.text)  # type: ignore[union-attr]

    def matching_paren(self, i: int | None = None) -> int:
        """Index just after the bracket group opening at i (default: here)."""
        j = self.i if i is None else i
        tok = self.toks[j] if j < self.end else None
        if tok is None or tok.token_type not in _OPEN:
            self.i = j
            self.fail("expected (")
        depth = 0
        while j < self.end:
            tt = self.toks[j].token_type
            if tt in _OPEN:
                depth += 1
            elif tt in _CLOSE:
                depth -= 1
                if depth == 0:
                    return j + 1
            j += 1
        self.i = self.end
        self.fail("unbalanced parentheses")

    def skip_group(self) -> tuple[int, int]:
        """Skip a bracket group here; return the token range inside it."""
        start = self.i
        after = self.matching_paren()
        self.i = after
        return start + 1, after - 1

    def source(self, i: int, j: int) -> str:
        return self.ctx.source(self.toks, i, min(j, self.end))

    def rest_source(self) -> str:
        return self.source(self.i, self.end)

    def split_commas(self, i: int | None = None, end: int | None = None) -> list[tuple[int, int]]:
        """Ranges of tokens between commas at bracket depth 0 in [i, end)."""
        i = self.i if i is None else i
        end = self.end if end is None else end
        parts = []
        depth = 0
        start = i
        toks = self.toks
        comma = TokenType.COMMA
        for j in range(i, end):
            tt = toks[j].token_type
            if tt in _OPEN:
                depth += 1
            elif tt in _CLOSE:
                depth -= 1
            elif tt is comma and depth == 0:
                parts.append((start, j))
                start = j + 1
        parts.append((start, end))
        return parts

    def find_word(self, *words: str, i: int | None = None, end: int | None = None) -> int | None:
        """Index of the first bracket-depth-0 occurrence of the word sequence in [i, end)."""
        first = words[0]
        for word in words:  # every word of a match is in the text (cheap pre-check)
            if word.isalpha() and not self.ctx.mentions(word):
                return None
        i = self.i if i is None else i
        end = self.end if end is None else end
        depth = 0
        toks = self.toks
        saved = self.end
        self.end = end
        try:
            for j in range(i, end):
                tok = toks[j]
                tt = tok.token_type
                if tt in _OPEN:
                    depth += 1
                elif tt in _CLOSE:
                    depth -= 1
                elif depth == 0 and tt not in QUOTED_TYPES and tok.text[:len(first)].upper() == first:
                    if self.match(words, j) >= 0:
                        return j
        finally:
            self.end = saved
        return None

    def sub(self, i: int, end: int) -> "Cursor":
        cur = _new_cursor(Cursor)
        cur.ctx = self.ctx
        cur.toks = self.toks
        cur.words = self.words
        cur.i = i
        cur.end = end
        return cur


_new_cursor = object.__new__


def depth_reason(max_depth: int) -> str:
    return (
        f"nesting deeper than {max_depth} levels; flylint does not parse it "
        "(the compiled parser can crash on deep nesting)"
    )


class AlterHeader:
    """What precedes the actions of an ALTER TABLE statement.

    `table` (an exp.Table) is built when first asked for, from the cursor position given as
    `table_at` (most statements never need it: the stock parser reads them whole).
    """

    __slots__ = ("_table", "_table_at", "stock_tokens", "body", "if_exists", "only", "extras", "trimmed")

    def __init__(
        self,
        table: exp.Table | None = None,
        stock_tokens: list | None = None,  # the header tokens the stock parser understands (ALTER TABLE [IF EXISTS] [ONLY] t)
        body: int = 0,  # index of the first action token
        if_exists: bool = False,
        only: bool = False,
        extras: dict[str, Any] | None = None,  # args flylint sets on the exp.Alter (online, wait, ...)
        trimmed: bool = False,  # True when stock_tokens is not simply tokens[:body]
        table_at: "Cursor | None" = None,  # a cursor at the table name (read by Cursor.skip_table)
    ) -> None:
        self._table = table
        self._table_at = table_at
        self.stock_tokens = stock_tokens if stock_tokens is not None else []
        self.body = body
        self.if_exists = if_exists
        self.only = only
        self.extras = extras if extras is not None else {}
        self.trimmed = trimmed

    @property
    def table(self) -> exp.Table:
        if self._table is None and self._table_at is not None:
            self._table = self._table_at.table()
            self._table_at = None
        return self._table  # type: ignore[return-value]


@dataclass
class StockAction:
    """An ALTER TABLE action for the stock parser: its tokens (maybe edited) and a fix-up."""

    tokens: list
    fixup: Callable[[list], None] | None = None
    edited: bool = False


class RestOfStatement(list):
    """Actions that consumed the rest of the ALTER TABLE statement (MySQL partition options,
    whose partition-name lists contain commas)."""


@dataclass
class WholeStatement:
    """An ALTER TABLE 'action' that is really a statement of its own (PG `SET SCHEMA`)."""

    tree: object
    kind: str


def synthetic(tt: TokenType, text: str, like: Token) -> Token:
    """A token the user did not write, placed at `like`'s position (for error messages)."""
    return Token(tt, text, like.line, like.col, like.start, like.end, [])


# --------------------------------------------------------------------------------------------
# Checks on results
# --------------------------------------------------------------------------------------------

#: Stock classes that are whole statements. Anything else at the top (exp.Alias for `CLUSTER t`,
#: exp.Column for `CHECKPOINT`, ...) means sqlglot read an unknown statement as an expression.
STATEMENT_CLASSES: tuple[type, ...] = tuple(
    getattr(exp, name)
    for name in (
        "Query", "Insert", "Update", "Delete", "Merge", "Create", "Drop", "Alter", "TruncateTable",
        "Set", "Transaction", "Commit", "Rollback", "Copy", "Comment", "Grant", "Revoke", "Analyze",
        "Use", "Describe", "Show", "LoadData", "Pragma", "Kill", "Cache", "Uncache",
    )
    if hasattr(exp, name)
)


def find_command(tree: object) -> exp.Command | None:
    """The first `exp.Command` anywhere in a result (stock parts and flylint nodes alike)."""
    if isinstance(tree, exp.Expression):
        found = tree.find(exp.Command)
        if found is not None:
            return found
        if isinstance(tree, exp.Alter):
            for action in tree.args.get("actions") or ():
                if isinstance(action, nodes.Node):
                    found = find_command(action)
                    if found is not None:
                        return found
        return None
    if isinstance(tree, nodes.Node):
        for child in nodes.children(tree):
            found = find_command(child)
            if found is not None:
                return found
    return None


def command_reason(command: exp.Command, tree: object) -> str:
    head = str(command.this or "").upper()
    if command is tree:
        return (
            f"flylint does not understand this {head + ' ' if head else ''}statement: sqlglot kept it as "
            "raw text (unsupported syntax, or a syntax error such as a misspelt keyword)"
        )
    return (
        f"flylint could not read part of this statement{' (starting at ' + head + ')' if head else ''}: "
        "sqlglot kept it as raw text (unsupported syntax, or a syntax error)"
    )


def warnings_so_far() -> int:
    sink = _state.sink
    return 0 if sink is None else len(sink)


def forget_warnings_after(count: int) -> None:
    """Drop log records collected after `count` (from a stock attempt flylint deliberately retried)."""
    sink = _state.sink
    if sink is not None:
        del sink[count:]


def repair_prefix_key_parts(create: exp.Create) -> None:
    """MySQL `CREATE INDEX i ON t (email(20))`: sqlglot reads `email(20)` as a function call.

    MySQL only accepts a function call as a key part inside its own parentheses (`((f(x)))`), so a
    bare call with one integer argument is always a prefix length. Rewrite it into the
    `exp.ColumnPrefix` sqlglot itself uses for `ALTER TABLE ... ADD INDEX (email(20))`.
    """
    index = create.this
    if not isinstance(index, exp.Index):
        return
    params = index.args.get("params")
    if params is None:
        return
    for ordered in params.args.get("columns") or ():
        part = ordered.this if isinstance(ordered, exp.Ordered) else ordered
        if not isinstance(part, exp.Anonymous):
            continue
        args = part.expressions
        if len(args) != 1 or not isinstance(args[0], exp.Literal) or args[0].is_string:
            continue
        name = part.this
        ident = name.copy() if isinstance(name, exp.Identifier) else exp.Identifier(this=str(name), quoted=False)
        prefix = exp.ColumnPrefix(this=ident, expression=args[0].copy())
        if isinstance(ordered, exp.Ordered):
            ordered.set("this", prefix)
        else:
            part.replace(prefix)
