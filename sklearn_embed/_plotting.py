"""Pictures of what was learned: embeddings in 2-D, training curves, an animation.

matplotlib is an optional dependency: it is imported here, inside the
functions, so ``import sklearn_embed`` never needs it.
"""

import os
from typing import Any

import numpy as np
from sklearn.utils.validation import check_is_fitted

from ._columns import embedded_position

# Where a category's label may sit, tried in this order: its corner or side nearest the
# point, LABEL_DISTANCE typographic points beyond the box of the point's marker in x and y
# (the signs), and the label's alignment there. Up right first, then down right, up left, down left, above,
# below, right and left; a label that would cover an earlier label or a point in every
# place is left out, so a crowded plot shows fewer labels, never a pile of them.
LABEL_PLACES = [
    (1, 1, "left", "bottom"),
    (1, -1, "left", "top"),
    (-1, 1, "right", "bottom"),
    (-1, -1, "right", "top"),
    (0, 1, "center", "bottom"),
    (0, -1, "center", "top"),
    (1, 0, "left", "center"),
    (-1, 0, "right", "center"),
]
LABEL_DISTANCE = 2
# Pixels kept free around each label.
LABEL_GAP = 1.0


def _pyplot():
    try:
        import matplotlib.pyplot as plt
    except ImportError:
        raise ImportError(
            "Plotting needs matplotlib, which is not installed. Install it with "
            "pip install 'sklearn-embed[plot]' (or pip install matplotlib)."
        ) from None
    return plt


def _axes(ax):
    if ax is None:
        _, ax = _pyplot().subplots(figsize=(7, 5.5))
    return ax


def project_2d(vectors, basis_from=None):
    """Coordinates of ``vectors`` in 2-D and the share of variance each axis keeps.

    One-dimensional embeddings are drawn on a line; two-dimensional ones as they
    are; larger ones on their first two principal components (computed on
    ``basis_from``, default ``vectors``, so that several snapshots share axes).

    Returns
    -------
    coordinates : ndarray of shape (n, 2)
    explained : ndarray of shape (2,) or None
        Fraction of variance along each axis (None when no projection was needed).
    """
    vectors = np.asarray(vectors, dtype=np.float64)
    if vectors.shape[1] == 1:
        return np.column_stack([vectors[:, 0], np.zeros(len(vectors))]), None
    if vectors.shape[1] == 2:
        return vectors, None
    reference = vectors if basis_from is None else np.asarray(basis_from, dtype=np.float64)
    center = reference.mean(axis=0)
    _, singular, components = np.linalg.svd(reference - center, full_matrices=False)
    explained = singular[:2] ** 2 / max((singular**2).sum(), np.finfo(float).tiny)
    return (vectors - center) @ components[:2].T, explained


def _colour_label(encoder):
    if encoder.target_type_ == "continuous":
        return "mean target"
    label = encoder.classes_[-1]
    label = label.item() if isinstance(label, np.generic) else label
    return f"share of class {label!r}"


def plot_embeddings(encoder, column, ax=None, *, n_labels=20, cmap="viridis", annotate=True):
    """Draw one column's categories in 2-D, coloured by their mean target.

    Parameters
    ----------
    encoder : EmbeddingEncoder
        A fitted encoder.
    column : str
        An embedded column.
    ax : matplotlib Axes, default=None
        Where to draw; a new figure when None.
    n_labels : int, default=20
        Label at most the ``n_labels`` most frequent categories (all when fewer);
        see :func:`place_labels` (a label that would overlap a more frequent
        category's is left out).
    cmap : str, default="viridis"
        Colour map for the mean target.
    annotate : bool, default=True
        Write category names next to the points.

    Returns
    -------
    ax : matplotlib Axes
    """
    check_is_fitted(encoder)
    k = embedded_position(encoder.categorical_features_, column)
    plt = _pyplot()
    ax = _axes(ax)
    table = encoder.embeddings_[k][:-1]
    counts = encoder.category_counts_[k][:-1]
    colours = encoder.category_target_means_[k][:-1]
    xy, explained = project_2d(table)
    sizes = 20 + 180 * np.sqrt(counts / max(counts.max(), 1))
    points = ax.scatter(
        xy[:, 0], xy[:, 1], c=colours, s=sizes, cmap=cmap, edgecolors="k", linewidths=0.4
    )
    plt.colorbar(points, ax=ax, label=_colour_label(encoder))
    ax.margins(x=0.18, y=0.08)  # room for the labels of the outermost points
    if annotate:
        order = np.argsort(-counts, kind="stable")[:n_labels]
        texts = [str(encoder.categories_[k][i]) for i in order]
        place_labels(ax, xy, sizes, order, texts)
    if explained is None:
        ax.set_xlabel("dimension 0")
        ax.set_ylabel("dimension 1" if table.shape[1] > 1 else "")
    else:
        ax.set_xlabel(f"principal component 1 ({explained[0]:.0%} of variance)")
        ax.set_ylabel(f"principal component 2 ({explained[1]:.0%} of variance)")
    ax.set_title(f"{column}: {len(table)} categories, {table.shape[1]}-D embedding (size = count)")
    return ax


def place_labels(ax, points, sizes, labelled, texts):
    """Label points of a scatter plot where no label covers another label, or a point.

    Each label takes the first of :data:`LABEL_PLACES` where its box, with
    :data:`LABEL_GAP` pixels around it, overlaps no label placed before it and
    no point's marker, and stays inside the axes; a label that fits nowhere is
    left out. The axes' limits are fixed first (as autoscaling would set them),
    so that the boxes are those of the drawn figure; the result is the same on
    every run.

    Parameters
    ----------
    ax : matplotlib Axes
        Where the points are drawn.
    points : ndarray of shape (n_points, 2)
        Every point, in data coordinates.
    sizes : ndarray of shape (n_points,)
        Every point's marker size (``scatter``'s ``s``: its area in points squared).
    labelled : ndarray of int
        The points to label, the most important first.
    texts : list of str
        Their labels.

    Returns
    -------
    labels : list of matplotlib.text.Annotation
        The labels drawn, in the order of ``labelled``.
    """
    ax.autoscale_view()
    ax.set_xlim(ax.get_xlim())
    ax.set_ylim(ax.get_ylim())
    radii = np.sqrt(sizes) / 2  # in typographic points
    placed, labels = _marker_boxes(ax, points, radii), []
    for i, text in zip(labelled, texts):
        label = ax.annotate(text, points[i], xytext=(0, 0), textcoords="offset points", fontsize=8)
        box = _first_free_place(label, radii[i] + LABEL_DISTANCE, placed, ax.get_window_extent())
        if box is None:
            label.remove()
            continue
        placed.append(box)
        labels.append(label)
    return labels


def _marker_boxes(ax, points, radii):
    """The box of each point's marker, in pixels."""
    from matplotlib.transforms import Bbox

    centres = ax.transData.transform(points)
    pixels = radii * ax.figure.dpi / 72
    return [Bbox.from_extents(x - r, y - r, x + r, y + r) for (x, y), r in zip(centres, pixels)]


def _first_free_place(label, distance, placed, inside):
    """Move ``label`` to the first free place of :data:`LABEL_PLACES`; its box, or None."""
    for dx, dy, horizontal, vertical in LABEL_PLACES:
        label.xyann = (dx * distance, dy * distance)
        label.set_horizontalalignment(horizontal)
        label.set_verticalalignment(vertical)
        box = label.get_window_extent().padded(LABEL_GAP)
        within = inside.x0 <= box.x0 and box.x1 <= inside.x1
        within = within and inside.y0 <= box.y0 and box.y1 <= inside.y1
        if within and not any(box.overlaps(other) for other in placed):
            return box
    return None


def plot_training(encoder, ax=None):
    """Training loss and validation loss per epoch, with the kept epoch marked.

    Parameters
    ----------
    encoder : EmbeddingEncoder
        A fitted encoder.
    ax : matplotlib Axes, default=None

    Returns
    -------
    ax : matplotlib Axes
    """
    check_is_fitted(encoder)
    ax = _axes(ax)
    epochs = np.arange(1, encoder.n_iter_ + 1)
    ax.plot(epochs, encoder.loss_curve_, label="training loss")
    if encoder.validation_scores_ is not None:
        validation = -np.asarray(encoder.validation_scores_)
        ax.plot(epochs, validation, label="validation loss")
        best = int(np.argmax(encoder.validation_scores_))
        ax.axvline(epochs[best], color="grey", linestyle=":", label=f"kept: epoch {epochs[best]}")
    loss = "squared error (standardised y)" if encoder.target_type_ == "continuous" else "log loss"
    ax.set_xlabel("epoch")
    ax.set_ylabel(loss)
    ax.legend()
    ax.set_title("EmbeddingEncoder training")
    return ax


def animate_embeddings(
    encoder: Any, column: str, path: str | os.PathLike, *, fps: int = 5, n_labels: int = 20
) -> str | os.PathLike:
    """Write a GIF of one column's vectors moving during training.

    Needs an encoder fitted with ``record_embeddings=True``. All frames share
    the axes (and, above two dimensions, the principal components of the final
    table), so the motion is the vectors' own.

    Parameters
    ----------
    encoder : EmbeddingEncoder
        Fitted with ``record_embeddings=True``.
    column : str
        An embedded column.
    path : str or path-like
        Output file, usually ``*.gif``.
    fps : int, default=5
        Frames (epochs) per second.
    n_labels : int, default=20
        Label the most frequent categories.

    Returns
    -------
    path : str or path-like
        Where the animation was written.
    """
    check_is_fitted(encoder)
    if not hasattr(encoder, "embedding_history_"):
        raise ValueError("animate_embeddings needs an encoder fitted with record_embeddings=True.")
    plt = _pyplot()
    from matplotlib.animation import FuncAnimation, PillowWriter

    k = embedded_position(encoder.categorical_features_, column)
    history = encoder.embedding_history_[k][:, :-1]  # drop the unknown row
    frames = [project_2d(snapshot, basis_from=history[-1])[0] for snapshot in history]
    everything = np.concatenate(frames)
    margin = 0.05 * (everything.max(axis=0) - everything.min(axis=0) + 1e-9)
    low, high = everything.min(axis=0) - margin, everything.max(axis=0) + margin

    fig, ax = plt.subplots(figsize=(6, 5))
    colours = encoder.category_target_means_[k][:-1]
    points = ax.scatter(frames[0][:, 0], frames[0][:, 1], c=colours, cmap="viridis", edgecolors="k")
    fig.colorbar(points, ax=ax, label=_colour_label(encoder))
    counts = encoder.category_counts_[k][:-1]
    labelled = np.argsort(-counts, kind="stable")[:n_labels]
    labels = [
        ax.annotate(str(encoder.categories_[k][i]), frames[0][i], fontsize=8) for i in labelled
    ]
    ax.set_xlim(low[0], high[0])
    ax.set_ylim(low[1], high[1])

    def draw(epoch):
        points.set_offsets(frames[epoch])
        for label, i in zip(labels, labelled):
            label.set_position(frames[epoch][i])
        ax.set_title(f"{column}: epoch {epoch} of {len(frames) - 1}")
        return [points, *labels]

    animation = FuncAnimation(fig, draw, frames=len(frames), blit=False)
    animation.save(path, writer=PillowWriter(fps=fps))
    plt.close(fig)
    return path
