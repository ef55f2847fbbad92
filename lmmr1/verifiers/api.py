"""PROVISIONAL: replaced by the real verifier core shortly. Same signature."""

from __future__ import annotations

from lmmr1.verifiers.config import VerifierConfig
from lmmr1.verifiers.verdict import Verdict, judged, undecided


def verify(completion, gold, task="auto", options=None, config=None) -> Verdict:
    from math_verify import parse
    from math_verify import verify as mv

    VerifierConfig.coerce(config)
    g = parse(str(gold) if "$" in str(gold) else f"${gold}$")
    p = parse(completion)
    if not g:
        return undecided("gold_unparseable", None, "math")
    if not p:
        return judged(False, "no_answer", None, "math")
    ok = mv(g, p)
    return judged(ok, "equal" if ok else "not_equal", str(p[-1]), "math")
