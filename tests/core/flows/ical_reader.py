"""A strict little RFC 5545 reader for the tests: checks CRLF and line length, unfolds, unescapes."""

from __future__ import annotations

from datetime import datetime, timezone


def physical_lines(text: str) -> list[str]:
    assert text.endswith("\r\n"), "the last line ends with CRLF"
    body = text[:-2]
    assert "\n" not in body.replace("\r\n", ""), "bare LF"
    assert "\r" not in body.replace("\r\n", ""), "bare CR"
    lines = body.split("\r\n")
    for line in lines:
        assert len(line.encode("utf-8")) <= 75, f"line of {len(line.encode())} octets"
    return lines


def unfold(text: str) -> list[str]:
    logical: list[str] = []
    for line in physical_lines(text):
        if line[:1] in (" ", "\t"):
            assert logical, "a continuation line first"
            logical[-1] += line[1:]
        else:
            logical.append(line)
    return logical


def unescape(value: str) -> str:
    out, i = [], 0
    while i < len(value):
        ch = value[i]
        if ch == "\\":
            nxt = value[i + 1]
            assert nxt in "\\;,nN", f"bad escape \\{nxt}"
            out.append("\n" if nxt in "nN" else nxt)
            i += 2
            continue
        assert ch not in ";,", "unescaped ; or , in TEXT"
        out.append(ch)
        i += 1
    return "".join(out)


def parse(text: str) -> dict:
    """{"VCALENDAR": {...props}, "VEVENT": [{...props}]} with TEXT values unescaped."""
    stack: list[tuple[str, dict]] = []
    result: dict = {"VEVENT": []}
    for line in unfold(text):
        name, _, value = line.partition(":")
        name = name.split(";")[0].upper()
        if name == "BEGIN":
            stack.append((value, {}))
        elif name == "END":
            kind, props = stack.pop()
            assert kind == value
            if kind == "VEVENT":
                result["VEVENT"].append(props)
            else:
                result[kind] = props
        else:
            assert stack, "property outside a component"
            stack[-1][1][name] = unescape(value) if name in ("SUMMARY", "LOCATION", "DESCRIPTION") else value
    assert not stack
    return result


def utc(value: str) -> datetime:
    assert value.endswith("Z")
    return datetime.strptime(value, "%Y%m%dT%H%M%SZ").replace(tzinfo=timezone.utc)
