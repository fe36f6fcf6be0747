"""``anxin models install|list|verify``: the offline speech-recognition models.

Each subcommand's ``--help`` says which model, how big it is and where it goes; ``verify``
exits with 1 when the model is missing or damaged, so a kiosk's installer can check it.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

DEFAULT_DIR = Path("voice_models")
INSTALL_HELP = """\
Download the Chinese speech-recognition model vosk-model-small-cn-0.22 (a 42 MB zip from
alphacephei.com, checked against its SHA-256 3af8b0e7…5b14ba) and unpack it into
DIR/vosk-model-small-cn-0.22 (DIR defaults to ./voice_models, where the kiosk looks unless
its voice_models_dir says otherwise). An interrupted download resumes; a complete model is
left alone. Without a model the kiosk works by touch and its 说话 button shows 语音未安装.
See voice_models/README.md."""
VERIFY_HELP = """\
Check the installed model (default vosk-model-small-cn-0.22) in DIR: the Vosk layout and
every file's size and SHA-256 against the manifest written at install time. Exits with 1
when it is missing or damaged (then run `anxin models install` again)."""


def add_models_parser(commands: Any) -> None:
    """Add ``models`` with its ``install`` / ``list`` / ``verify`` subcommands to ``commands``."""
    models = commands.add_parser("models", help="install, list and verify voice models",
                                 description="Offline speech-recognition models for the kiosk (Vosk).")
    actions = models.add_subparsers(dest="action", required=True)
    install = actions.add_parser("install", help="download and unpack the Chinese model (42 MB)",
                                 description=INSTALL_HELP, formatter_class=argparse.RawDescriptionHelpFormatter)
    listing = actions.add_parser("list", help="list the models in DIR with their sizes")
    verify = actions.add_parser("verify", help="check a model; exit 1 if missing or damaged",
                                description=VERIFY_HELP, formatter_class=argparse.RawDescriptionHelpFormatter)
    verify.add_argument("name", nargs="?", default=None, help="model folder name (default: the Chinese model)")
    for parser in (install, listing, verify):
        parser.add_argument("--dir", type=Path, default=DEFAULT_DIR, metavar="DIR",
                            help="where models live (default: ./voice_models)")


def run_models_command(args: argparse.Namespace) -> int:
    """Carry out one models action; returns the exit code (1 for any problem)."""
    from kiosk.voice import models

    try:
        if args.action == "install":
            path = models.install_model(args.dir)
            print(f"已安装语音模型：{path}")
            return 0
        if args.action == "list":
            found = models.list_models(args.dir)
            if not found:
                print(f"{args.dir} 中没有语音模型；运行 anxin models install 安装")
            for entry in found:
                print(entry)
            return 0 if all(entry.ok for entry in found) else 1
        info = models.verify_model(args.dir, args.name or models.DEFAULT_MODEL)
        print(info, file=sys.stdout if info.ok else sys.stderr)
        if not info.ok:
            print("请运行 anxin models install 重新安装 / run `anxin models install` again", file=sys.stderr)
        return 0 if info.ok else 1
    except models.ModelError as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return 1
