"""workforce-reconciler: keep a SageMaker private workforce and its work teams equal to one document."""

__version__ = "0.1.0"
