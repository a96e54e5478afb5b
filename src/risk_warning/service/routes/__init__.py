"""The service's endpoints, one module per resource; each talks to the store as the caller (state.py)."""
