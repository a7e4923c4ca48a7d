"""JUnit XML for Jenkins, GitLab and other CI systems that show test reports.

One `testcase` per migration file (classname `flylint`, name the repository-relative path, so
names are unique: GitLab keeps only the first of equal names), one `failure` per finding at or
above --fail-on (type = rule id); `failures` counts the failing test cases. Findings below --fail-on are listed in the test case's
`system-out`. Characters XML 1.0 cannot hold (control characters, lone surrogates) are written
as `\\xNN` / `\\uNNNN`.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import TextIO

from flylint.model import SEVERITY_RANK
from flylint.report import ReportOptions
from flylint.report.fingerprint import project_root, repo_path

_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def xml_text(text: str) -> str:
    """`text` with every character XML 1.0 cannot represent spelled as an escape sequence."""
    return _NOT_XML.sub(lambda m: f"\\x{ord(m.group()):02x}" if ord(m.group()) < 0x100
                        else f"\\u{ord(m.group()):04x}", text)


def _line(f, path: str) -> str:
    s = f"{path}:{f.span.line}:{f.span.column}: {f.severity}[{f.rule}] {f.message}"
    return s + (f"\nfix: {f.fix}" if f.fix else "")


def document(result, options: ReportOptions) -> ET.Element:
    cwd = Path(options.cwd or Path.cwd())
    root = project_root(cwd)
    threshold = SEVERITY_RANK.get(options.fail_on)  # None for "never": nothing fails
    cases: dict[str, list] = {repo_path(fa.migration.display, cwd, root): [] for fa in result.files}
    for f in result.findings:
        cases.setdefault(repo_path(f.path, cwd, root), []).append(f)
    failures = 0
    suites = ET.Element("testsuites", name="flylint")
    suite = ET.SubElement(suites, "testsuite", name="flylint")
    for path, found in cases.items():
        case = ET.SubElement(suite, "testcase", classname="flylint", name=xml_text(path), file=xml_text(path))
        quiet = []
        failed = False
        for f in found:
            if threshold is not None and SEVERITY_RANK[f.severity] >= threshold:
                failed = True
                fail = ET.SubElement(case, "failure", type=f.rule,
                                     message=xml_text(f"{f.severity}[{f.rule}] line {f.span.line}: {f.message}"))
                fail.text = xml_text(_line(f, path) + f"\ndocs: {f.docs}")
            else:
                quiet.append(xml_text(_line(f, path)))
        failures += failed
        if quiet:
            ET.SubElement(case, "system-out").text = "\n".join(quiet)
    counts = {"tests": str(len(cases)), "failures": str(failures), "errors": "0", "skipped": "0"}
    for el in (suites, suite):
        el.attrib.update(counts)
    return suites


def render(result, out: TextIO, options: ReportOptions) -> None:
    tree = document(result, options)
    ET.indent(tree)
    out.write('<?xml version="1.0" encoding="UTF-8"?>\n')
    out.write(ET.tostring(tree, encoding="unicode"))
    out.write("\n")
