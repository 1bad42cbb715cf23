"""Sphinx configuration of the sklearn_embed documentation.

Build with ``python -m sphinx -W -b html docs docs/_build/html`` from the repository root
(see docs/README.md). The package is documented as installed (``pip install -e ".[docs]"``).
"""

import sys
from pathlib import Path

from numpydoc.xref import DEFAULT_LINKS

import sklearn_embed

DOCS = Path(__file__).resolve().parent
sys.path.insert(0, str(DOCS))  # for _gallery.py, named by string in sphinx_gallery_conf

project = "sklearn_embed"
author = "the sklearn_embed developers"
copyright = "the sklearn_embed developers"
release = sklearn_embed.__version__
version = release

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "numpydoc",
    "sphinx_gallery.gen_gallery",
    "myst_parser",
]

source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
root_doc = "index"
templates_path = ["_templates"]
# README.md (how to build) is about the site, not a page of it.
exclude_patterns = ["_build", "README.md"]

# API reference: one page per public name (autosummary), methods documented on the class page.
autosummary_generate = True
# Inherited scikit-learn methods are listed too (fit_transform, get_params, set_params), except
# those whose docstrings cite labels of scikit-learn's own site (metadata routing, set_output),
# which would be broken links here; the user guide links set_output's page instead.
autodoc_default_options = {
    "members": True,
    "inherited-members": True,
    "exclude-members": "get_metadata_routing, set_fit_request, set_partial_fit_request, "
    "set_score_request, set_output",
}
autodoc_preserve_defaults = True  # signatures show "np.float64", not "<class 'numpy.float64'>"
maximum_signature_line_length = 88  # one parameter per line in long signatures
autodoc_typehints = "none"  # numpydoc's "Parameters" section already gives the types
numpydoc_show_class_members = False  # the class template lists the methods itself
numpydoc_class_members_toctree = False
# Types become cross-references (EmbeddingEncoder, ModelFileError link to their pages). This also
# keeps attribute names inside types, such as "shape (n_iter_ + 1, ...)", from being read as
# reST link targets ("n_iter_" alone is one). Names that do not resolve render as code.
numpydoc_xref_param_type = True
numpydoc_xref_ignore = {"of", "or", "and", "shape", "default", "instance", "fitted", "like"}
# numpydoc's own aliases point into Python's and NumPy's sites through intersphinx, which this
# build does not use (it needs no network): there they would show as "python:int" or break a
# reference. Name those types as they are written.
numpydoc_xref_aliases = {
    name: f":obj:`{name}`"
    for name, target in DEFAULT_LINKS.items()
    if "python:" in target or "numpy:" in target
}

# Markdown pages: "## Title" gets an anchor, for links such as [dask](scaling.md#dask).
myst_heading_anchors = 3

sphinx_gallery_conf = {
    "examples_dirs": "../examples",
    "gallery_dirs": "auto_examples",
    "filename_pattern": r"/plot_",  # every example runs, so its plots appear
    "within_subsection_order": "FileNameSortKey",  # 1 to 8, as the user guide numbers them
    # The examples write their files to the folder given as their first argument; point it
    # into the generated gallery, not the source tree.
    "reset_argv": "_gallery.output_folder",
    "doc_module": ("sklearn_embed",),
    "backreferences_dir": "api/backreferences",
}

html_theme = "pydata_sphinx_theme"
html_title = f"sklearn_embed {release}"
html_theme_options = {"show_toc_level": 2, "secondary_sidebar_items": ["page-toc"]}
