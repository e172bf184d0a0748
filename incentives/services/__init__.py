"""Services: keyword-only, session first; they load rows, call the pure domain and own the transaction."""
