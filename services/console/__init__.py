"""The HR console: server-rendered pages that call the three public APIs with the
signed-in user's bearer token (never their databases)."""
