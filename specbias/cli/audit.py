"""``specbias audit``: audit claims, write the reports, optionally JSON; ``specbias claims``."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from specbias.claims import CLAIMS, AuditContext, audited_ids, resolve_ids, run_audit
from specbias.cli.common import print_json, progress_bar
from specbias.reports.audit import audit_json, write_reports


def register(sub) -> None:
    p = sub.add_parser("audit", help="audit claims of CLAIMS.md and write reports")
    p.add_argument("--claims", default=None,
                   help="ids such as Z1,Z2 or a source letter such as Z (default: every claim "
                        "that has an audit; 'all' adds the rest as unverified)")
    p.add_argument("--out", default="reports", help="report folder (default: reports)")
    p.add_argument("--json", nargs="?", const="-", default=None, metavar="PATH",
                   help="also write the verdicts as JSON to PATH ('-' or no PATH: stdout)")
    p.add_argument("--pdf", action="store_true", help="compile the LaTeX with latexmk")
    p.add_argument("--quick", action="store_true", help="smaller sizes (for smoke tests)")
    p.set_defaults(handler=_audit)
    c = sub.add_parser("claims", help="list the claims, whether each has an audit and where it lives")
    c.add_argument("--json", action="store_true", help="print JSON")
    c.add_argument("--markdown", action="store_true",
                   help="print the catalog as Markdown (the repository's CLAIMS.md)")
    c.set_defaults(handler=_claims)
    register_report(sub)


def _audit(args) -> int:
    ids = audited_ids() if args.claims is None else resolve_ids(args.claims)
    verdicts = []
    with progress_bar(len(ids), "audit") as update:
        for cid in ids:
            ctx = AuditContext(quick=args.quick)
            verdicts.append(run_audit(cid, ctx))
            update(1)
    written = write_reports(verdicts, Path(args.out), compile_pdf=args.pdf)
    payload = audit_json(verdicts)
    if args.json == "-":
        print_json(payload)
    else:
        if args.json:
            Path(args.json).write_text(json.dumps(payload, indent=2, ensure_ascii=False))
        width = max(len(v.claim_id) for v in verdicts)
        for v in verdicts:
            print(f"{v.claim_id:<{width}}  {v.status:<11}  {v.summary}")
        print(f"reports written to {args.out}/ (index.md, latex/audit.tex)")
    if "pdf_error" in written:
        print(f"specbias: error: {written['pdf_error'].splitlines()[0]}", file=sys.stderr)
        return 1
    return 0


def _claims(args) -> int:
    from specbias.claims import audit_location
    from specbias.claims.catalog import catalog_markdown

    if args.markdown:
        sys.stdout.write(catalog_markdown())
        return 0
    rows = [{"id": c.id, "topic": c.topic, "lecture": c.source.lecture,
             "audit": audit_location(c.id), "statement": c.statement} for c in CLAIMS.values()]
    if args.json:
        print_json({"claims": rows})
    else:
        for r in rows:
            where = (f"{r['audit']['function']} ({r['audit']['file']}:{r['audit']['line']})"
                     if r["audit"] else "no audit yet")
            print(f"{r['id']:<4} {r['topic'][:44]:<44} {where}")
    return 0


def register_report(sub) -> None:
    r = sub.add_parser("report", help="render reports again from an audit JSON (no recomputation)")
    r.add_argument("--from", dest="source", required=True, metavar="PATH",
                   help="JSON written by 'specbias audit --json PATH' (or DIR/audit.json)")
    r.add_argument("--out", required=True, help="report folder to write")
    r.add_argument("--pdf", action="store_true", help="compile the LaTeX with latexmk")
    r.add_argument("--json", action="store_true", help="print what was written as JSON")
    r.set_defaults(handler=_report)


def _report(args) -> int:
    from specbias.errors import InvalidArgument
    from specbias.records import Verdict

    try:
        data = json.loads(Path(args.source).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InvalidArgument(f"--from {args.source!r} does not exist: give the JSON written by "
                              "'specbias audit --json PATH'") from None
    except json.JSONDecodeError as exc:
        raise InvalidArgument(f"--from {args.source!r} is not JSON ({exc.msg}, line {exc.lineno})") from None
    if not isinstance(data, dict) or not isinstance(data.get("claims"), list):
        raise InvalidArgument(f"--from {args.source!r} has no 'claims' list: use the output of "
                              "'specbias audit --json PATH'")
    verdicts = [Verdict.from_json(c) for c in data["claims"]]
    written = write_reports(verdicts, Path(args.out), compile_pdf=args.pdf)
    if args.json:
        print_json(written)
    else:
        print(f"{len(verdicts)} reports written to {args.out}/")
    if "pdf_error" in written:
        print(f"specbias: error: {written['pdf_error'].splitlines()[0]}", file=sys.stderr)
        return 1
    return 0
