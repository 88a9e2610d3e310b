class TriageActionsMixin:
    """Placeholder."""
    BINDINGS: list = []
