"""``anxin models install|list|verify``: the offline speech-recognition models."""

from __future__ import annotations

import sys
from pathlib import Path


def run_models_command(action: str, models_dir: Path) -> int:
    """Carry out one models action; returns the exit code."""
    from kiosk.voice import models

    try:
        if action == "install":
            path = models.install_model(models_dir)
            print(f"已安装语音模型：{path}")
        elif action == "list":
            found = models.list_models(models_dir)
            if not found:
                print(f"{models_dir} 中没有语音模型；运行 anxin models install 安装")
            for entry in found:
                print(entry)
        else:
            print(models.verify_model(models_dir))
    except models.ModelError as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return 1
    return 0
