class OpsActionsMixin:
    """Placeholder."""
    BINDINGS: list = []
