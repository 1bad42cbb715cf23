"""Helpers that sphinx_gallery_conf names by string (so the configuration stays picklable)."""

from pathlib import Path


def output_folder(gallery_conf, script_vars):
    """The argument list of an example: the generated gallery folder, where its files go.

    Every example takes an optional output folder and writes its PNG/GIF files there; without
    one it would write into examples/, the folder sphinx-gallery runs it from.
    """
    return [str(Path(script_vars["target_file"]).parent)]
