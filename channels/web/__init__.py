"""The web channel: the chat API, the embeddable widget and the standalone page, as one FastAPI app."""
