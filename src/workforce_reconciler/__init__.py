"""workforce-reconciler: keep a SageMaker private workforce and its teams equal to one document."""

__version__ = "0.1.0"
