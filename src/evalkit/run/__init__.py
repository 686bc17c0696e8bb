"""Running evalkit: the ``evalkit`` command, the report batch, freshness of outputs, and
the Jupyter kernels the batch uses. The top layer: may import every stage.
"""
