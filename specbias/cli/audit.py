"""``specbias audit``: audit claims, write the reports, optionally JSON; ``specbias claims``."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from specbias.cli.common import command, emit, json_option, output_dir, progress_bar


def register(sub) -> None:
    p = command(sub, "audit", "audit claims of CLAIMS.md and write reports", parents=[json_option()])
    p.add_argument("--claims", default=None,
                   help="ids such as Z1,Z2 or a source letter such as Z (default: every claim "
                        "that has an audit; 'all' adds the rest as unverified)")
    p.add_argument("--out", type=output_dir, default=Path("reports"), metavar="DIR",
                   help="report folder (default: reports); DIR/audit.json holds the verdicts")
    p.add_argument("--pdf", action="store_true", help="compile the LaTeX with latexmk")
    p.add_argument("--quick", action="store_true", help="smaller sizes (for smoke tests)")
    p.set_defaults(handler=_audit)
    c = command(sub, "claims", "list the claims, whether each has an audit and where it lives",
                parents=[json_option()])
    c.add_argument("--markdown", action="store_true",
                   help="print the catalog as Markdown (the repository's CLAIMS.md)")
    c.set_defaults(handler=_claims)
    register_report(sub)


def _audit(args) -> int:
    from specbias.claims import AuditContext, audited_ids, resolve_ids, run_audit
    from specbias.reports.audit import audit_json, write_reports

    ids = audited_ids() if args.claims is None else resolve_ids(args.claims)
    verdicts = []
    with progress_bar(len(ids), "audit") as update:
        for cid in ids:
            update.describe(f"audit {cid}")
            ctx = AuditContext(quick=args.quick,
                               progress=lambda note, cid=cid: update.describe(f"audit {cid}: {note}"))
            verdicts.append(run_audit(cid, ctx))
            update(1)
    written = write_reports(verdicts, args.out, compile_pdf=args.pdf)
    width = max(len(v.claim_id) for v in verdicts)
    lines = [f"{v.claim_id:<{width}}  {v.status:<11}  {v.summary}" for v in verdicts]
    lines.append(f"reports written to {args.out} (index.md, audit.json, latex/audit.tex)")
    emit(args, audit_json(verdicts), lines)
    if "pdf_error" in written:
        print(f"specbias: error: {written['pdf_error'].splitlines()[0]}", file=sys.stderr)
        return 1
    return 0


def _claims(args) -> int:
    from specbias.claims import CLAIMS, audit_location
    from specbias.claims.catalog import catalog_markdown

    if args.markdown:
        sys.stdout.write(catalog_markdown())
        return 0
    rows = [{"id": c.id, "topic": c.topic, "lecture": c.source.lecture,
             "audit": audit_location(c.id), "statement": c.statement} for c in CLAIMS.values()]
    lines = []
    for r in rows:
        where = (f"{r['audit']['function']} ({r['audit']['file']}:{r['audit']['line']})"
                 if r["audit"] else "no audit yet")
        lines.append(f"{r['id']:<4} {r['topic'][:44]:<44} {where}")
    return emit(args, {"claims": rows}, lines)


def register_report(sub) -> None:
    r = command(sub, "report", "render reports again from an audit JSON (no recomputation)",
                parents=[json_option()])
    r.add_argument("--from", dest="source", required=True, metavar="PATH",
                   help="DIR/audit.json written by 'specbias audit --out DIR', or DIR itself")
    r.add_argument("--out", type=output_dir, required=True, metavar="DIR",
                   help="report folder to write")
    r.add_argument("--pdf", action="store_true", help="compile the LaTeX with latexmk")
    r.set_defaults(handler=_report)


def _report(args) -> int:
    from specbias.errors import InvalidArgument
    from specbias.records import Verdict
    from specbias.reports.audit import write_reports

    source = Path(args.source)
    if source.is_dir():
        source = source / "audit.json"
    try:
        data = json.loads(source.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InvalidArgument(f"--from {args.source!r}: {str(source)!r} does not exist: give the "
                              "DIR/audit.json written by 'specbias audit --out DIR'") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InvalidArgument(f"--from {args.source!r} cannot be read ({exc}): give the "
                              "DIR/audit.json written by 'specbias audit --out DIR'") from None
    except json.JSONDecodeError as exc:
        raise InvalidArgument(f"--from {args.source!r} is not JSON ({exc.msg}, line {exc.lineno})") from None
    if not isinstance(data, dict) or not isinstance(data.get("claims"), list):
        raise InvalidArgument(f"--from {args.source!r} has no 'claims' list: use the output of "
                              "'specbias audit --json PATH'")
    verdicts = [Verdict.from_json(c) for c in data["claims"]]
    written = write_reports(verdicts, args.out, compile_pdf=args.pdf)
    emit(args, {k: v for k, v in written.items() if k != "log"},
         f"{len(verdicts)} reports written to {args.out}/")
    if "pdf_error" in written:
        print(f"specbias: error: {written['pdf_error'].splitlines()[0]}", file=sys.stderr)
        return 1
    return 0
