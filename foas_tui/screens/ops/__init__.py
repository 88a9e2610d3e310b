"""The main screen's job and folder actions, one module per topic (composed in `screens/ops_mixin.py`)."""
