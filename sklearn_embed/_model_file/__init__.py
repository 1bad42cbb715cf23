"""A fitted encoder outside Python's memory: the model file and the ONNX graph.

- ``_persistence``: ``EmbeddingEncoder.save`` / ``load``, a file of plain arrays
  and JSON that loading never executes;
- ``_archive``: the file's container, read without trusting a size it declares;
- ``_checks``: what a loaded document must hold before anything is built of it;
- ``_onnx_graph``: the ONNX graph of a fitted model (``sklearn_embed.onnx``).

Each reads the fitted model (``_model.FittedModel``) through its methods, never
the estimator.
"""
