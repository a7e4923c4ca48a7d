"""verify's additions to the output: the `trace` array and `verify` object of the JSON, and a
compact lock table per migration in the text output."""

from __future__ import annotations

from flylint.verify.measure import StatementTrace


class VerifyResult:
    """The engine's Result with verify's findings, plus what verify measured. Every other attribute
    is the engine result's, so reporters that know more fields than this module keep working."""

    def __init__(self, base, findings: tuple, trace: tuple[StatementTrace, ...], verify: dict):
        self._base = base
        self.findings = findings
        self.trace = trace
        self.verify = verify

    def __getattr__(self, name):
        return getattr(self._base, name)


def render_json(result, out) -> None:
    """lint's JSON document (flylint.report.json) with verify's `verify` and `trace` members."""
    import json

    from flylint.report.json import document

    doc = document(result)
    doc.update(json_fields(result))
    out.write(json.dumps(doc, indent=2, ensure_ascii=False))
    out.write("\n")


def json_fields(result) -> dict:
    return {"verify": result.verify, "trace": [t.to_json() for t in result.trace]}


def _cell(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "~"


def lock_tables(result) -> str:
    """One table per migration with measured statements."""
    out = []
    pg = result.dialect == "postgres"
    by_path: dict[str, list[StatementTrace]] = {}
    for tr in result.trace:
        by_path.setdefault(tr.path, []).append(tr)
    server = result.verify.get("server", "")
    for path, traces in by_path.items():
        tx = traces[0].in_transaction
        how = ("one transaction: locks held until COMMIT" if tx else "no transaction") if pg else \
            "DDL commits implicitly"
        out.append(f"{path} (measured on {server}; {how})")
        if pg:
            out.append(f"  {'line':>4}  {'statement':<44}  {'locks on live tables':<36}  {'blocks':<12}  "
                       f"{'rewrite':<8}  {'scanned':<8}  {'ms':>7}")
        else:
            out.append(f"  {'line':>4}  {'statement':<44}  {'algorithm, lock':<24}  {'blocks':<12}  "
                       f"{'rebuilt':<8}  {'ms':>7}")
        for tr in traces:
            stmt = _cell(tr.statement, 44)
            if tr.error:
                out.append(f"  {tr.line:>4}  {stmt:<44}  FAILED: {tr.error}")
                continue
            if tr.note and tr.note.startswith("not run"):
                out.append(f"  {tr.line:>4}  {stmt:<44}  {tr.note}")
                continue
            if pg:
                locks = ", ".join(f"{rel} {mode}" for rel, mode in sorted(tr.strongest().items()))
                if not locks and tr.held:
                    locks = "held: " + ", ".join(f"{r} {m} (l.{n})" for r, m, n in tr.held)
                locks = locks or "-"
                out.append(f"  {tr.line:>4}  {stmt:<44}  {_cell(locks, 36):<36}  {tr.blocks or '-':<12}  "
                           f"{_cell(','.join(tr.rewrite) or '-', 8):<8}  {_cell(','.join(tr.scanned) or '-', 8):<8}  "
                           f"{tr.ms:>7.1f}")
            else:
                alg = (tr.algorithm + (f", LOCK={tr.lock}" if tr.lock else "")) if tr.algorithm else "-"
                out.append(f"  {tr.line:>4}  {stmt:<44}  {alg:<24}  {tr.blocks or '-':<12}  "
                           f"{'yes' if tr.rewrite else '-':<8}  {tr.ms:>7.1f}")
        out.append("")
    for note in result.verify.get("notes", ()):
        out.append(f"note: {note}")
    if result.verify.get("notes"):
        out.append("")
    return "\n".join(out) + ("\n" if out else "")
