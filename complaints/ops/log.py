"""`complaints log ...`: the transparency log from the command line.

complaints log checkpoint                     print the latest signed checkpoint (keep it)
complaints log verify --checkpoint FILE       prove today's log extends a kept checkpoint
complaints log keygen NAME                    make a signer key for LOG_SIGNING_KEY
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

from complaints.application import ComplaintsApp
from complaints.projections.read_models import ReadModels
from complaints.projections.transparency import log_signer
from complaints.settings import Settings
from complaints.store.notes import NoteError, Signer, Verifier


def checkpoint(settings: Settings) -> int:
    app = ComplaintsApp(settings)
    read_models = ReadModels(app)
    try:
        latest = read_models.log.latest_checkpoint()
        if latest is None:
            print("complaints log: no checkpoint signed yet", file=sys.stderr)
            return 1
        sys.stdout.write(latest.note)
        return 0
    finally:
        read_models.close()
        app.close()


def verify(settings: Settings, path: Path, key: str | None) -> int:
    from complaints.transparency import verify_log  # noqa: PLC0415 - only this command needs it

    try:
        note = path.read_text(encoding="utf-8")
    except OSError as error:
        print(f"complaints log verify: cannot read {path}: {error}", file=sys.stderr)
        return 2
    try:
        verifier = Verifier.parse(key) if key else Verifier.parse(log_signer(settings).verifier_key)
    except NoteError as error:
        print(f"complaints log verify: --key: {error}", file=sys.stderr)
        return 2
    app = ComplaintsApp(settings)
    read_models = ReadModels(app)
    try:
        with Progress(
            TextColumn("[bold]checking"),
            BarColumn(),
            MofNCompleteColumn(),
            console=Console(stderr=True),
            transient=True,
        ) as bar:
            task = bar.add_task("aggregates", total=None)
            result = verify_log(
                app, read_models.log, note, verifier, lambda n: bar.advance(task, n)
            )
    finally:
        read_models.close()
        app.close()
    for problem in result.problems:
        print(f"log: {problem}")
    for aggregate_id, problems in result.cases.items():
        for problem in problems:
            print(f"{result.names[aggregate_id]}: {problem}")
    if result.verified and result.checkpoint is not None:
        size = result.checkpoint.tree_size
        print(f"checkpoint of {size} leaves: signed by {verifier.name}; the log's first {size}")
        print(f"  leaves hash to its root ({result.leaves} leaves in the log now)")
        if result.extended_to is not None:
            print(f"  the latest checkpoint ({result.extended_to} leaves) is proven to extend it")
        print(f"every stored event is the leaf it was: {result.events} events verified")
    return 0 if result.verified else 1


def keygen(name: str) -> int:
    try:
        signer = Signer.generate(name)
    except NoteError as error:
        print(f"complaints log keygen: {error}", file=sys.stderr)
        return 2
    print(f"LOG_SIGNING_KEY={signer.encoded()}")
    print(f"# verifier key (publish it): {signer.verifier_key}", file=sys.stderr)
    return 0


def run(args: argparse.Namespace, settings: Callable[[], Settings]) -> int:
    if args.log == "keygen":
        return keygen(args.name)
    if args.log == "checkpoint":
        return checkpoint(settings())
    return verify(settings(), Path(args.checkpoint), args.key)


def add_parser(commands: Any, settings: Callable[[], Settings]) -> None:
    p = commands.add_parser("log", help="the transparency log: checkpoints, verifying, keys")
    actions = p.add_subparsers(dest="log", required=True, metavar="ACTION")
    c = actions.add_parser("checkpoint", help="print the latest signed checkpoint, to keep")
    c.set_defaults(run=lambda args: run(args, settings))
    v = actions.add_parser(
        "verify",
        help="prove that today's log extends a checkpoint kept earlier, and that every stored"
        " event is the leaf it was",
    )
    v.add_argument("--checkpoint", required=True, metavar="FILE", help="a signed checkpoint")
    v.add_argument(
        "--key",
        metavar="VKEY",
        help="the verifier key to check it with (default: this log's own key)",
    )
    v.set_defaults(run=lambda args: run(args, settings))
    k = actions.add_parser("keygen", help="print a new Ed25519 signer key for LOG_SIGNING_KEY")
    k.add_argument("name", help="the key's name, e.g. the log's host name")
    k.set_defaults(run=lambda args: run(args, settings))
