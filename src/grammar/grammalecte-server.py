#!/usr/bin/env python3
# Grammalecte as a JSON-lines server: one process serves a whole lint run or
# a whole newsroom server (src/grammar/grammalecte.ts starts it, reuses it,
# restarts it if it dies and ends it by closing its standard input).
#
# First line out: {"ready": true, "pid": N}, or {"unavailable": "..."} when
# the grammalecte module cannot be imported (then the process exits).
# Then, for each line in: {"id": N, "paragraphs": ["...", ...]}, one line out:
# {"id": N, "findings": [[finding, ...] per paragraph]} or {"id": N, "error": "..."}.
# A finding: {"start", "end" (UTF-16 offsets, end exclusive), "rule" (Grammalecte's
# rule id), "type" (its option), "message", "suggestions"}. Sorting findings into
# Matinale's families is done by the caller (families.ts); here only the options
# whose findings are never wanted are turned off, so that they cost nothing.
import json
import os
import sys

# Typography the renderings set themselves (apostrophes, quotes, ellipses,
# no-break spaces, spaces, digit groups, units), spelling-like checks and
# markup: Matinale lints those with its own rules or has nothing to fix.
OFF = [
    "typo", "apos", "esp", "tab", "nbsp", "unit", "num", "nf", "liga", "mapos",
    "chim", "ocr", "eepi", "html", "latex", "md", "idrule", "mc", "neg",
    "redon1", "redon2", "poncfin", "date",
]


def out(message):
    sys.stdout.write(json.dumps(message, ensure_ascii=False) + "\n")
    sys.stdout.flush()


def utf16_offsets(text):
    """The UTF-16 offset of each code point index of text (and of its end)."""
    offsets = [0]
    for ch in text:
        offsets.append(offsets[-1] + (2 if ord(ch) > 0xFFFF else 1))
    return offsets


def check(engine, text):
    units = utf16_offsets(text)
    findings = []
    for err in engine.parse(text, "FR", bDebug=False, dOptions=None, bContext=False):
        start = max(0, min(len(text), err["nStart"]))
        end = max(start, min(len(text), err["nEnd"]))
        findings.append({
            "start": units[start],
            "end": units[end],
            "rule": err.get("sRuleId", ""),
            "type": err.get("sType", ""),
            "message": err.get("sMessage", ""),
            "suggestions": list(err.get("aSuggestions", []))[:5],
        })
    findings.sort(key=lambda f: (f["start"], f["end"]))
    return findings


def main():
    try:
        import grammalecte
        checker = grammalecte.GrammarChecker("fr")
    except Exception as err:  # ImportError, or a broken install
        out({"unavailable": "%s: %s" % (type(err).__name__, err)})
        return
    engine = checker.getGCEngine()
    options = engine.getOptions()
    engine.setOptions({name: False for name in OFF if name in options})
    out({"ready": True, "pid": os.getpid()})
    for line in sys.stdin:
        line = line.strip()
        if not line:
            continue
        request_id = None
        try:
            request = json.loads(line)
            request_id = request.get("id")
            paragraphs = request["paragraphs"]
            out({"id": request_id, "findings": [check(engine, str(p)) for p in paragraphs]})
        except Exception as err:
            out({"id": request_id, "error": "%s: %s" % (type(err).__name__, err)})


if __name__ == "__main__":
    main()
